// Module 07's provided parts: the optimizers' hyper-parameter checks, the
// gradient shape check of step(), and load_state's refusals — each of which
// must leave the optimizer as it was.
#include <cmath>

#include "optimizers.hpp"
#include "testing.hpp"

using namespace tinytorch;
using tinytorch::testing::parameter;

TEST(OptimizerChecks, SGDRejectsNegativeMomentum) {
    EXPECT_THROW_WITH(SGD({parameter(zeros({1}))}, {.lr = 0.1f, .momentum = -0.5f}), ValueError,
                      "SGD: momentum must be a finite number >= 0, got -0.5");
}

TEST(OptimizerChecks, SGDRejectsNesterovWithoutMomentum) {
    EXPECT_THROW_WITH(SGD({parameter(zeros({1}))}, {.lr = 0.1f, .nesterov = true}), ValueError,
                      "Nesterov momentum needs a momentum > 0");
}

TEST(OptimizerChecks, AdamRejectsABetaOfOne) {
    EXPECT_THROW_WITH(Adam({parameter(zeros({1}))}, {.beta2 = 1.0f}), ValueError,
                      "Adam: beta2 must lie in [0, 1), got 1");
}

TEST(OptimizerChecks, AdamWRejectsNegativeWeightDecay) {
    EXPECT_THROW_WITH(AdamW({parameter(zeros({1}))}, {.weight_decay = -1.0f}), ValueError,
                      "AdamW: weight_decay must be a finite number >= 0, got -1");
}

TEST(OptimizerChecks, SetLrRejectsNaN) {
    SGD sgd({parameter(zeros({1}))}, 0.1f);
    EXPECT_THROW_WITH(sgd.set_lr(NAN), ValueError, "the learning rate must be a finite number");
    EXPECT_EQ(sgd.lr(), 0.1f);
}

TEST(OptimizerChecks, StepRejectsAGradientOfTheWrongShape) {
    Tensor p = parameter(zeros({3}));
    SGD sgd({p}, 0.1f);
    p.set_grad(zeros({2}));
    EXPECT_THROW_WITH(sgd.step(), ShapeError,
                      "SGD: the gradient of parameter 0 has shape (2) but the parameter has shape (3)");
}

TEST(OptimizerLoadState, RefusesAnotherKindNamingBoth) {
    Tensor p = parameter(zeros({2}));
    Adam adam({p});
    SGD sgd({p}, 0.1f);
    EXPECT_THROW_WITH(sgd.load_state(adam.state()), ValueError,
                      "cannot load the state of an Adam optimizer into an SGD optimizer");
}

TEST(OptimizerLoadState, TellsAdamWFromAdam) {
    Tensor p = parameter(zeros({2}));
    AdamW adamw({p});
    Adam adam({p});
    EXPECT_THROW_WITH(adam.load_state(adamw.state()), ValueError,
                      "cannot load the state of an AdamW optimizer into an Adam optimizer");
}

TEST(OptimizerLoadState, RefusesAnotherNumberOfParameters) {
    Tensor a = parameter(zeros({2})), b = parameter(zeros({2}));
    SGD two({a, b}, 0.1f);
    SGD one({a}, 0.1f);
    EXPECT_THROW_WITH(one.load_state(two.state()), ValueError,
                      "SGD: the state is of 2 parameters but this optimizer has 1");
}

TEST(OptimizerLoadState, RefusesOtherParameterShapesNamingBoth) {
    Tensor a = parameter(zeros({2})), b = parameter(zeros({4}));
    Tensor c = parameter(zeros({2})), d = parameter(zeros({3, 2}));
    Adam saved({a, b});
    Adam target({c, d});
    EXPECT_THROW_WITH(target.load_state(saved.state()), ValueError,
                      "Adam: parameter 1 has shape (4) in the state but (3, 2) here");
}

TEST(OptimizerLoadState, RefusesATensorOfTheWrongShape) {
    Tensor p = parameter(zeros({3}));
    SGD sgd({p}, {.lr = 0.1f, .momentum = 0.9f});
    OptimizerState state = sgd.state();
    state.tensors.emplace_back("momentum_buffer.0", zeros({2}));
    EXPECT_THROW_WITH(sgd.load_state(state), ValueError,
                      "\"momentum_buffer.0\" has shape (2) but its parameter has shape (3)");
}

TEST(OptimizerLoadState, RefusesAnUnknownTensorName) {
    Tensor p = parameter(zeros({3}));
    SGD sgd({p}, {.lr = 0.1f, .momentum = 0.9f});
    OptimizerState state = sgd.state();
    state.tensors.emplace_back("momentum_buffer.1", zeros({3}));
    EXPECT_THROW_WITH(sgd.load_state(state), ValueError,
                      "unexpected tensor \"momentum_buffer.1\" for 1 parameters");
}

TEST(OptimizerLoadState, RefusesAMissingHyperParameter) {
    Tensor p = parameter(zeros({1}));
    Adam adam({p});
    OptimizerState state = adam.state();
    state.hyper_parameters.pop_back();
    EXPECT_THROW_WITH(adam.load_state(state), ValueError,
                      "Adam state: the hyper-parameter \"weight_decay\" is missing");
}

TEST(OptimizerLoadState, RefusesMomentsWithoutTheirStepCount) {
    Tensor p = parameter(zeros({1}));
    Adam adam({p});
    p.set_grad(Tensor({1.0f}));
    adam.step();
    OptimizerState state = adam.state();
    state.counters.clear();
    EXPECT_THROW_WITH(adam.load_state(state), ValueError,
                      "parameter 0 needs all or none of exp_avg, exp_avg_sq and step");
}

TEST(OptimizerLoadState, AFailedLoadLeavesTheOptimizerUnchanged) {
    Tensor p = parameter(Tensor({1.0f}));
    SGD sgd({p}, {.lr = 0.1f, .momentum = 0.9f});
    p.set_grad(Tensor({1.0f}));
    sgd.step();  // buf = 1, p = 0.9
    OptimizerState bad = sgd.state();
    bad.lr = 7.0f;
    bad.hyper_parameters[0].second = 0.5f;
    bad.tensors.emplace_back("momentum_buffer.9", zeros({1}));
    EXPECT_THROW(sgd.load_state(bad), ValueError);
    EXPECT_EQ(sgd.lr(), 0.1f);
    EXPECT_EQ(sgd.momentum(), 0.9f);
    sgd.step();  // buf = 1.9, p = 0.9 - 0.19 = 0.71: the old buffer is still there
    EXPECT_TENSOR_NEAR(p, Tensor({0.71f}), 1e-6f);
}

TEST(OptimizerLoadState, RestoresTheHyperParameters) {
    Tensor p = parameter(zeros({1}));
    Adam source({p}, {.lr = 0.5f, .beta1 = 0.5f, .beta2 = 0.75f, .eps = 0.25f, .weight_decay = 2.0f});
    Adam target({p});
    target.load_state(source.state());
    EXPECT_EQ(target.lr(), 0.5f);
    EXPECT_EQ(target.beta1(), 0.5f);
    EXPECT_EQ(target.beta2(), 0.75f);
    EXPECT_EQ(target.eps(), 0.25f);
    EXPECT_EQ(target.weight_decay(), 2.0f);
}
