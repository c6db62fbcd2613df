// Module 07 — what every optimizer shares: the parameter checks, zero_grad,
// the learning rate, skipping parameters without a gradient, and a state that
// round-trips exactly.
#include "optimizers.hpp"
#include "testing.hpp"

using namespace tinytorch;
using tinytorch::testing::parameter;

namespace {
// Values of `values` with one step's gradients: g_k = (k, -k / 2, 1).
Tensor gradient(int k) {
    const auto v = static_cast<float>(k);
    return Tensor({v, -v / 2.0f, 1.0f});
}
}  // namespace

TEST(Optimizer, ZeroGradDropsEveryGradient) {
    Tensor a = parameter(Tensor({1.0f}));
    Tensor b = parameter(Tensor({2.0f, 3.0f}));
    SGD sgd({a, b}, 0.1f);
    a.set_grad(Tensor({5.0f}));
    b.set_grad(Tensor({6.0f, 7.0f}));
    sgd.zero_grad();
    EXPECT_FALSE(a.grad().defined());
    EXPECT_FALSE(b.grad().defined());
}

TEST(Optimizer, SetLrTakesEffectAtTheNextStep) {
    Tensor p = parameter(Tensor({1.0f}));
    SGD sgd({p}, 0.1f);
    p.set_grad(Tensor({1.0f}));
    sgd.step();  // 1 - 0.1 = 0.9
    sgd.set_lr(0.5f);
    EXPECT_EQ(sgd.lr(), 0.5f);
    sgd.step();  // 0.9 - 0.5 = 0.4
    EXPECT_TENSOR_NEAR(p, Tensor({0.4f}), 1e-6f);
}

TEST(Optimizer, RejectsAParameterWithoutRequiresGradNamingItsIndexAndShape) {
    Tensor trained = parameter(Tensor({1.0f}));
    Tensor frozen = zeros({3, 2});
    EXPECT_THROW_WITH(SGD({trained, frozen}, 0.1f), ValueError,
                      "parameter 1 of shape (3, 2) does not require grad");
}

TEST(Optimizer, RejectsAnEmptyParameterList) {
    EXPECT_THROW_WITH(Adam(std::vector<Tensor>{}), ValueError, "Adam: got no parameters");
}

TEST(Optimizer, RejectsAnUndefinedParameter) {
    EXPECT_THROW_WITH(SGD({parameter(Tensor({1.0f})), Tensor()}, 0.1f), ValueError,
                      "parameter 1 is undefined");
}

TEST(Optimizer, RejectsAParameterThatIsNotALeaf) {
    Tensor p = parameter(Tensor({1.0f, 2.0f}));
    Tensor computed = p * 2.0f;  // recorded: it has a grad_fn
    EXPECT_THROW_WITH(SGD({computed}, 0.1f), ValueError, "parameter 0 of shape (2) is not a leaf");
}

TEST(Optimizer, RejectsTheSameTensorTwice) {
    Tensor p = parameter(Tensor({1.0f}));
    Tensor q = parameter(Tensor({2.0f}));
    EXPECT_THROW_WITH(SGD({p, q, p}, 0.1f), ValueError,
                      "parameter 2 is the same tensor as parameter 0");
}

TEST(Optimizer, RejectsANegativeLearningRate) {
    EXPECT_THROW_WITH(SGD({parameter(Tensor({1.0f}))}, -0.1f), ValueError,
                      "SGD: the learning rate must be a finite number >= 0, got -0.1");
}

TEST(Optimizer, SkipsParametersWithoutAGradient) {
    Tensor with_grad = parameter(Tensor({1.0f}));
    Tensor without = parameter(Tensor({5.0f}));
    SGD sgd({with_grad, without}, {.lr = 0.1f, .momentum = 0.9f});
    with_grad.set_grad(Tensor({1.0f}));
    sgd.step();
    sgd.step();
    EXPECT_TENSOR_NEAR(with_grad, Tensor({1.0f - 0.1f - 0.19f}), 1e-6f);
    EXPECT_TENSOR_EQ(without, Tensor({5.0f}));
    // Its first gradient starts its momentum buffer afresh: p = 5 - 0.1 * 2 = 4.8.
    without.set_grad(Tensor({2.0f}));
    sgd.step();
    EXPECT_TENSOR_NEAR(without, Tensor({4.8f}), 1e-6f);
}

TEST(OptimizerState, SGDMomentumStateContinuesBitForBit) {
    Tensor a = parameter(Tensor({1.0f, 2.0f, 3.0f}));
    Tensor b = parameter(Tensor({1.0f, 2.0f, 3.0f}));
    SGD first({a}, {.lr = 0.05f, .momentum = 0.9f, .nesterov = true});
    SGD second({b}, {.lr = 0.3f});  // other settings, all replaced by load_state
    for (int k = 1; k <= 2; ++k) {
        a.set_grad(gradient(k));
        first.step();
    }
    b.copy_(a);
    second.load_state(first.state());
    EXPECT_EQ(second.lr(), 0.05f);
    EXPECT_EQ(second.step_count(), 2);
    for (int k = 3; k <= 5; ++k) {
        a.set_grad(gradient(k));
        b.set_grad(gradient(k));
        first.step();
        second.step();
    }
    EXPECT_TENSOR_EQ(b, a);
}

TEST(OptimizerState, AdamMomentsContinueBitForBit) {
    Tensor a = parameter(Tensor({1.0f, 2.0f, 3.0f}));
    Tensor b = parameter(Tensor({1.0f, 2.0f, 3.0f}));
    AdamW first({a}, {.lr = 0.01f, .weight_decay = 0.1f});
    AdamW second({b});
    for (int k = 1; k <= 3; ++k) {
        a.set_grad(gradient(k));
        first.step();
    }
    b.copy_(a);
    second.load_state(first.state());
    for (int k = 4; k <= 6; ++k) {
        a.set_grad(gradient(k));
        b.set_grad(gradient(k));
        first.step();
        second.step();
    }
    EXPECT_TENSOR_EQ(b, a);
}

TEST(OptimizerState, HoldsTheMomentsUnderTheirNames) {
    Tensor p = parameter(Tensor({1.0f}));
    Adam adam({p}, {.lr = 0.1f});
    p.set_grad(Tensor({2.0f}));
    adam.step();
    const OptimizerState state = adam.state();
    EXPECT_EQ(state.kind, "Adam");
    EXPECT_EQ(state.step_count, 1);
    ASSERT_EQ(state.tensors.size(), 2u);
    EXPECT_EQ(state.tensors[0].first, "exp_avg.0");
    EXPECT_TENSOR_NEAR(state.tensors[0].second, Tensor({0.2f}), 1e-7f);   // 0.1 * 2
    EXPECT_EQ(state.tensors[1].first, "exp_avg_sq.0");
    EXPECT_TENSOR_NEAR(state.tensors[1].second, Tensor({0.004f}), 1e-7f);  // (1 - 0.999) * 2^2
    ASSERT_EQ(state.counters.size(), 1u);
    EXPECT_EQ(state.counters[0], (std::pair<std::string, int64_t>{"step.0", 1}));
}

TEST(OptimizerState, IsACopyThatLaterStepsDoNotChange) {
    Tensor p = parameter(Tensor({1.0f}));
    SGD sgd({p}, {.lr = 0.1f, .momentum = 0.9f});
    p.set_grad(Tensor({1.0f}));
    sgd.step();
    const OptimizerState state = sgd.state();
    sgd.step();
    ASSERT_EQ(state.tensors.size(), 1u);
    EXPECT_EQ(state.tensors[0].first, "momentum_buffer.0");
    EXPECT_TENSOR_EQ(state.tensors[0].second, Tensor({1.0f}));
}
