// Module 07 — SGD: plain steps, momentum, Nesterov momentum, weight decay.
// Every expected value is worked out in the comment above it from the
// formulas in optimizers.hpp.
#include "layers.hpp"
#include "optimizers.hpp"
#include "testing.hpp"

using namespace tinytorch;
using tinytorch::testing::parameter;

TEST(SGD, StepIsParamMinusLrTimesGrad) {
    Tensor p = parameter(Tensor({1.0f, 2.0f}));
    SGD sgd({p}, 0.1f);
    // p = (1, 2) - 0.1 * (0.5, -1) = (0.95, 2.1)
    p.set_grad(Tensor({0.5f, -1.0f}));
    sgd.step();
    EXPECT_TENSOR_NEAR(p, Tensor({0.95f, 2.1f}), 1e-6f);
    // p = (0.95, 2.1) - 0.1 * (1, 1) = (0.85, 2.0)
    p.set_grad(Tensor({1.0f, 1.0f}));
    sgd.step();
    EXPECT_TENSOR_NEAR(p, Tensor({0.85f, 2.0f}), 1e-6f);
}

TEST(SGD, MomentumBufferStartsAsTheFirstGradient) {
    Tensor p = parameter(Tensor({1.0f, -2.0f}));
    SGD sgd({p}, {.lr = 0.1f, .momentum = 0.9f});
    p.set_grad(Tensor({1.0f, 0.5f}));
    // step 1: buf = g = (1, 0.5)                       p = (1, -2) - 0.1 * (1, 0.5) = (0.9, -2.05)
    sgd.step();
    EXPECT_TENSOR_NEAR(p, Tensor({0.9f, -2.05f}), 1e-6f);
    // step 2: buf = 0.9 * (1, 0.5) + (1, 0.5) = (1.9, 0.95)
    //                                                  p = (0.9, -2.05) - 0.1 * (1.9, 0.95) = (0.71, -2.145)
    sgd.step();
    EXPECT_TENSOR_NEAR(p, Tensor({0.71f, -2.145f}), 1e-6f);
    // step 3, g = (0, 0): buf = 0.9 * (1.9, 0.95) = (1.71, 0.855)
    //                                                  p = (0.71, -2.145) - 0.1 * (1.71, 0.855) = (0.539, -2.2305)
    p.set_grad(Tensor({0.0f, 0.0f}));
    sgd.step();
    EXPECT_TENSOR_NEAR(p, Tensor({0.539f, -2.2305f}), 1e-6f);
}

TEST(SGD, MomentumBufferIsACopyNotTheGradientItself) {
    Tensor p = parameter(Tensor({1.0f}));
    SGD sgd({p}, {.lr = 0.1f, .momentum = 0.9f});
    Tensor g({1.0f});
    p.set_grad(g);
    sgd.step();     // buf = copy of g = 1, p = 0.9
    g.fill_(0.0f);  // the same gradient tensor, now 0
    sgd.step();     // buf = 0.9 * 1 + 0 = 0.9, p = 0.9 - 0.09 = 0.81
    EXPECT_TENSOR_NEAR(p, Tensor({0.81f}), 1e-6f);
}

TEST(SGD, NesterovStepsAlongGradientPlusMomentumTimesBuffer) {
    Tensor p = parameter(Tensor({1.0f}));
    SGD sgd({p}, {.lr = 0.1f, .momentum = 0.9f, .nesterov = true});
    p.set_grad(Tensor({1.0f}));
    // step 1: buf = 1,                 d = 1 + 0.9 * 1 = 1.9      p = 1 - 0.19 = 0.81
    sgd.step();
    EXPECT_TENSOR_NEAR(p, Tensor({0.81f}), 1e-6f);
    // step 2: buf = 0.9 * 1 + 1 = 1.9, d = 1 + 0.9 * 1.9 = 2.71   p = 0.81 - 0.271 = 0.539
    sgd.step();
    EXPECT_TENSOR_NEAR(p, Tensor({0.539f}), 1e-6f);
}

TEST(SGD, WeightDecayAddsDecayTimesParamToTheGradient) {
    Tensor p = parameter(Tensor({2.0f, -1.0f}));
    SGD sgd({p}, {.lr = 0.1f, .weight_decay = 0.1f});
    p.set_grad(Tensor({0.0f, 1.0f}));
    // step 1: d = (0, 1) + 0.1 * (2, -1) = (0.2, 0.9)           p = (2, -1) - 0.1 * d = (1.98, -1.09)
    sgd.step();
    EXPECT_TENSOR_NEAR(p, Tensor({1.98f, -1.09f}), 1e-6f);
    // step 2: d = (0, 1) + 0.1 * (1.98, -1.09) = (0.198, 0.891) p = (1.9602, -1.1791)
    sgd.step();
    EXPECT_TENSOR_NEAR(p, Tensor({1.9602f, -1.1791f}), 1e-6f);
}

TEST(SGD, MomentumBufferIncludesTheWeightDecay) {
    Tensor p = parameter(Tensor({1.0f}));
    SGD sgd({p}, {.lr = 0.5f, .momentum = 0.5f, .weight_decay = 1.0f});
    p.set_grad(Tensor({0.0f}));
    // step 1: d = 0 + 1 * 1 = 1, buf = 1                   p = 1 - 0.5 * 1 = 0.5
    sgd.step();
    EXPECT_TENSOR_NEAR(p, Tensor({0.5f}), 1e-6f);
    // step 2: d = 0 + 1 * 0.5 = 0.5, buf = 0.5 * 1 + 0.5 = 1  p = 0.5 - 0.5 * 1 = 0
    sgd.step();
    EXPECT_TENSOR_NEAR(p, Tensor({0.0f}), 1e-6f);
}

TEST(SGD, UpdatesTheModelsOwnTensors) {
    Linear layer(2, 1);
    layer.weight.copy_(Tensor({{1.0f}, {2.0f}}));
    SGD sgd(layer.parameters(), 1.0f);
    layer.weight.set_grad(Tensor({{0.5f}, {0.5f}}));
    layer.bias.set_grad(Tensor({-1.0f}));
    sgd.step();
    EXPECT_TENSOR_NEAR(layer.weight, Tensor({{0.5f}, {1.5f}}), 1e-6f);
    EXPECT_TENSOR_NEAR(layer.bias, Tensor({1.0f}), 1e-6f);
    EXPECT_TRUE(layer.weight.is_same(layer.named_parameters()[0].second));
}
