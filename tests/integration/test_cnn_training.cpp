// A small CNN (module 09) trained end to end on random data with autograd
// (module 06) and a plain SGD step: the loss falls over a few steps, and
// every parameter — convolutions, batch norm, the classifier — receives a
// nonzero gradient. The SGD update is written out here (p -= lr * grad
// under NoGradGuard), so the test needs no optimizer module.
#include <cmath>

#include "autograd.hpp"
#include "losses.hpp"
#include "spatial.hpp"
#include "testing.hpp"

using namespace tinytorch;

namespace {

// (N, 3, 8, 8) -> conv 3->8 -> ReLU -> pool -> BatchNorm -> conv 8->8 -> ReLU
// -> pool -> (N, 8, 2, 2) -> Linear 32 -> 4.
Sequential small_cnn(Generator& gen) {
    return Sequential{Conv2d(3, 8, 3, 1, 1, true, gen), ReLU{}, MaxPool2d(2), BatchNorm2d(8),
                      Conv2d(8, 8, 3, 1, 1, true, gen), ReLU{}, MaxPool2d(2), Flatten(),
                      Linear(32, 4, true, gen)};
}

void sgd_step(Module& model, float lr) {
    NoGradGuard no_grad;
    for (Tensor& p : model.parameters()) {
        p.copy_(p - lr * p.grad());
        p.zero_grad();
    }
}

}  // namespace

TEST(CnnTraining, LossFallsOnAFixedBatch) {
    Generator gen(7);
    Sequential model = small_cnn(gen);
    Tensor images = randn({16, 3, 8, 8}, gen);
    std::vector<float> label_values(16);
    for (size_t i = 0; i < label_values.size(); ++i) label_values[i] = static_cast<float>(i % 4);
    Tensor labels(label_values, {16});

    std::vector<float> losses;
    for (int step = 0; step < 8; ++step) {
        Tensor loss = cross_entropy(model(images), labels);
        losses.push_back(loss.item());
        loss.backward();
        sgd_step(model, 0.1f);
    }
    EXPECT_NEAR(losses.front(), std::log(4.0f), 0.6f);  // about chance at the start
    EXPECT_LT(losses.back(), 0.6f * losses.front()) << "first " << losses.front() << ", last "
                                                    << losses.back();
}

TEST(CnnTraining, EveryParameterGetsANonzeroGradient) {
    Generator gen(8);
    Sequential model = small_cnn(gen);
    Tensor images = randn({8, 3, 8, 8}, gen);
    Tensor labels = Tensor({0, 1, 2, 3, 0, 1, 2, 3});
    cross_entropy(model(images), labels).backward();
    for (const auto& [name, parameter] : model.named_parameters()) {
        ASSERT_TRUE(parameter.grad().defined()) << name << " got no gradient";
        EXPECT_SHAPE(parameter.grad(), parameter.shape());
        EXPECT_GT(abs(parameter.grad()).sum().item(), 0.0f) << name << " has an all-zero gradient";
    }
    EXPECT_EQ(model.named_parameters().size(), 8u);  // 2 convs, batch norm, linear: weight and bias each
}

TEST(CnnTraining, EvalModeFreezesTheRunningStatistics) {
    Generator gen(9);
    Sequential model = small_cnn(gen);
    Tensor images = randn({4, 3, 8, 8}, gen);
    model(images);  // training: the running statistics move
    const auto buffers = model.named_buffers();
    ASSERT_EQ(buffers.size(), 2u);
    EXPECT_EQ(buffers[0].first, "3.running_mean");
    const Tensor after_training = buffers[0].second.clone();
    EXPECT_GT(abs(after_training).sum().item(), 0.0f);
    model.eval();
    model(images);
    EXPECT_TENSOR_EQ(buffers[0].second, after_training);
}
