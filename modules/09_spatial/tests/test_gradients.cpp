// Module 09 — the ops through autograd (module 06): loss.backward() reaches
// every input through the recorded nodes, checked against finite
// differences with tests/support/gradcheck.hpp.
#include "autograd.hpp"
#include "gradcheck.hpp"
#include "losses.hpp"
#include "spatial.hpp"
#include "testing.hpp"

using namespace tinytorch;
using tinytorch::testing::distinct_values;
using tinytorch::testing::uniform_tensor;

TEST(SpatialGradients, Conv2dInputWeightAndBias) {
    Generator gen(31);
    auto f = [](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], in[2], 2, 1); };
    EXPECT_GRADIENTS_MATCH(f, {uniform_tensor({2, 3, 7, 5}, -1, 1, gen).requires_grad_(),
                               uniform_tensor({4, 3, 3, 3}, -1, 1, gen).requires_grad_(),
                               uniform_tensor({4}, -1, 1, gen).requires_grad_()});
}

TEST(SpatialGradients, Conv2dWithoutBias) {
    Generator gen(32);
    auto f = [](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], Tensor(), 1, 1); };
    EXPECT_GRADIENTS_MATCH(f, {uniform_tensor({2, 2, 5, 6}, -1, 1, gen).requires_grad_(),
                               uniform_tensor({3, 2, 3, 3}, -1, 1, gen).requires_grad_()});
}

TEST(SpatialGradients, Conv2dOnDataGivesTheImagesNoGradient) {
    Generator gen(33);
    Tensor images = randn({2, 3, 6, 6}, gen);
    Conv2d conv(3, 4, 3, 1, 1, true, gen);
    conv(images).sum().backward();
    EXPECT_FALSE(images.grad().defined());
    EXPECT_SHAPE(conv.weight.grad(), 4, 3, 3, 3);
    // d sum / d bias[o] counts the positions of channel o: 2 images * 6 * 6.
    EXPECT_TENSOR_NEAR(conv.bias.grad(), full({4}, 72.0f), 1e-4f);
}

TEST(SpatialGradients, MaxPool2dRoutesToTheMaxima) {
    Generator gen(34);
    auto f = [](const std::vector<Tensor>& in) { return max_pool2d(in[0], 3, 2, 1); };
    EXPECT_GRADIENTS_MATCH(f, {distinct_values({2, 3, 7, 5}, gen).requires_grad_()});
}

TEST(SpatialGradients, AvgPool2dWithPadding) {
    Generator gen(35);
    auto f = [](const std::vector<Tensor>& in) { return avg_pool2d(in[0], 3, 2, 1); };
    EXPECT_GRADIENTS_MATCH(f, {uniform_tensor({2, 3, 7, 5}, -1, 1, gen).requires_grad_()});
}

TEST(SpatialGradients, BatchNorm2dInTraining) {
    Generator gen(36);
    auto f = [](const std::vector<Tensor>& in) {
        Tensor running_mean = zeros({3}), running_var = ones({3});
        return batch_norm2d(in[0], in[1], in[2], running_mean, running_var, true);
    };
    EXPECT_GRADIENTS_MATCH(f, {uniform_tensor({4, 3, 3, 2}, -2, 2, gen).requires_grad_(),
                               uniform_tensor({3}, 0.5, 1.5, gen).requires_grad_(),
                               uniform_tensor({3}, -1, 1, gen).requires_grad_()});
}

TEST(SpatialGradients, BatchNorm2dInEvaluation) {
    Generator gen(37);
    Tensor running_mean = Tensor({0.5f, -0.5f}), running_var = Tensor({2.0f, 0.5f});
    auto f = [&](const std::vector<Tensor>& in) {
        return batch_norm2d(in[0], in[1], in[2], running_mean, running_var, false);
    };
    EXPECT_GRADIENTS_MATCH(f, {uniform_tensor({3, 2, 2, 3}, -2, 2, gen).requires_grad_(),
                               uniform_tensor({2}, 0.5, 1.5, gen).requires_grad_(),
                               uniform_tensor({2}, -1, 1, gen).requires_grad_()});
}

TEST(SpatialGradients, SmoothCnnWithCrossEntropy) {
    // Conv -> Tanh -> AvgPool -> BatchNorm -> Conv -> Flatten -> Linear ->
    // loss: every parameter's gradient through the whole chain. Smooth
    // everywhere, so finite differences of step 1e-2 are exact enough.
    Generator gen(38);
    Sequential model{Conv2d(2, 3, 3, 1, 1, true, gen), Tanh{}, AvgPool2d(2), BatchNorm2d(3),
                     Conv2d(3, 2, 2, 1, 0, true, gen), Flatten(), Linear(2 * 2 * 2, 4, true, gen)};
    Tensor images = uniform_tensor({3, 2, 6, 6}, -1, 1, gen);
    Tensor labels = Tensor({0, 3, 1});
    auto loss = [&](const std::vector<Tensor>&) { return cross_entropy(model(images), labels); };
    EXPECT_GRADIENTS_MATCH(loss, model.parameters());
}

TEST(SpatialGradients, LeNetStyleCnnWithReluAndMaxPool) {
    // The milestone's kind of network. Moving one weight moves many
    // activations, and with a step of 1e-2 one of them crosses ReLU's kink or
    // changes a pooling window's maximum; a step of 1e-3 (float rounding
    // still well under the tolerance for a loss near 1) stays clear of them.
    Generator gen(38);
    Sequential model{Conv2d(2, 3, 3, 1, 1, true, gen), ReLU{}, MaxPool2d(2), BatchNorm2d(3),
                     Flatten(), Linear(3 * 3 * 3, 4, true, gen)};
    Tensor images = uniform_tensor({3, 2, 6, 6}, -1, 1, gen);
    Tensor labels = Tensor({0, 3, 1});
    auto loss = [&](const std::vector<Tensor>&) { return cross_entropy(model(images), labels); };
    EXPECT_GRADIENTS_MATCH(loss, model.parameters(), 1e-2f, 1e-3f);
}

TEST(SpatialGradients, AccumulateOverTwoBackwardPasses) {
    Generator gen(39);
    Conv2d conv(1, 2, 2, 1, 0, true, gen);
    Tensor x = randn({1, 1, 3, 3}, gen);
    conv(x).sum().backward();
    const Tensor once = conv.weight.grad().clone();
    conv(x).sum().backward();
    EXPECT_TENSOR_NEAR(conv.weight.grad(), once * 2.0f, 1e-5f);
}

TEST(SpatialGradients, SecondBackwardThroughAReleasedGraphThrows) {
    Generator gen(40);
    Conv2d conv(1, 1, 2, 1, 0, true, gen);
    Tensor loss = max_pool2d(conv(randn({1, 1, 5, 5}, gen)), 2).sum();
    loss.backward();
    EXPECT_THROW_WITH(loss.backward(), GraphError, "already run backward");
}
