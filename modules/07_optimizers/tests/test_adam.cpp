// Module 07 — Adam and AdamW: moments, bias correction, coupled and
// decoupled weight decay. Expected values are worked out in the comments
// from the formulas in optimizers.hpp (lr = 0.1, beta1 = 0.9, beta2 = 0.999,
// eps = 1e-8 unless a test says otherwise). eps and the float rounding of
// 0.999 move the results by less than 1e-6, hence the tolerances.
#include "optimizers.hpp"
#include "testing.hpp"

using namespace tinytorch;
using tinytorch::testing::parameter;

TEST(Adam, FirstStepIsLrTimesTheSignOfTheGradient) {
    Tensor p = parameter(Tensor({1.0f, -1.0f}));
    Adam adam({p}, {.lr = 0.1f});
    p.set_grad(Tensor({2.0f, -0.5f}));
    // t = 1: m = 0.1 g, v = 0.001 g^2; m / (1 - 0.9) = g, sqrt(v / (1 - 0.999)) = |g|,
    // so the step is lr * g / |g|:  p = (1 - 0.1, -1 + 0.1) = (0.9, -0.9)
    adam.step();
    EXPECT_TENSOR_NEAR(p, Tensor({0.9f, -0.9f}), 1e-6f);
}

TEST(Adam, LaterStepsUseBiasCorrectedMoments) {
    Tensor p = parameter(Tensor({1.0f, -1.0f}));
    Adam adam({p}, {.lr = 0.1f});
    p.set_grad(Tensor({2.0f, -0.5f}));
    adam.step();  // (0.9, -0.9), m = (0.2, -0.05), v = (0.004, 0.00025)
    // t = 2, g = (1, 1):
    //   m = 0.9 m + 0.1 g     = (0.28, 0.055)
    //   v = 0.999 v + 0.001 g^2 = (0.004996, 0.00124975)
    //   bc1 = 1 - 0.9^2 = 0.19, bc2 = 1 - 0.999^2 = 0.001999
    //   p -= (0.1 / 0.19) * m / (sqrt(v) / sqrt(0.001999) + eps)
    //     = (0.9 - 0.0932180, -0.9 - 0.0366104) = (0.8067820, -0.9366104)
    p.set_grad(Tensor({1.0f, 1.0f}));
    adam.step();
    EXPECT_TENSOR_NEAR(p, Tensor({0.8067820f, -0.9366104f}), 2e-6f);
    // t = 3, g = (0.5, -2):
    //   m = (0.302, -0.1505), v = (0.005241004, 0.00524850025)
    //   bc1 = 0.271, bc2 = 0.002997001
    //   p = (0.8067820 - 0.0842702, -0.9366104 + 0.0419656) = (0.7225119, -0.8946448)
    p.set_grad(Tensor({0.5f, -2.0f}));
    adam.step();
    EXPECT_TENSOR_NEAR(p, Tensor({0.7225119f, -0.8946448f}), 2e-6f);
}

TEST(Adam, WeightDecayIsAddedToTheGradient) {
    Tensor p = parameter(Tensor({1.0f}));
    Adam adam({p}, {.lr = 0.1f, .weight_decay = 0.1f});
    p.set_grad(Tensor({0.5f}));
    // t = 1: g = 0.5 + 0.1 * 1 = 0.6 > 0, a sign step:   p = 0.9
    adam.step();
    EXPECT_TENSOR_NEAR(p, Tensor({0.9f}), 1e-6f);
    // t = 2: g = 0.5 + 0.1 * 0.9 = 0.59
    //   m = 0.9 * 0.06 + 0.1 * 0.59 = 0.113, v = 0.999 * 0.00036 + 0.001 * 0.3481 = 0.00070774
    //   p = 0.9 - (0.1 / 0.19) * 0.113 / sqrt(0.00070774 / 0.001999) = 0.9 - 0.0999527 = 0.8000473
    adam.step();
    EXPECT_TENSOR_NEAR(p, Tensor({0.8000473f}), 2e-6f);
}

TEST(Adam, EachParameterCountsItsOwnSteps) {
    Tensor a = parameter(Tensor({1.0f}));
    Tensor b = parameter(Tensor({1.0f}));
    Adam adam({a, b}, {.lr = 0.1f});
    a.set_grad(Tensor({1.0f}));
    adam.step();  // b has no gradient yet: skipped, its t stays 0
    b.set_grad(Tensor({3.0f}));
    adam.step();
    // b's first update has t = 1, a full sign step: 1 - 0.1 = 0.9. (With the
    // optimizer's step count, t = 2, it would be 0.1 * 0.3 / 0.19 / sqrt(0.009 / 0.001999) ≈ 0.074.)
    EXPECT_TENSOR_NEAR(b, Tensor({0.9f}), 1e-6f);
}

TEST(AdamW, DecaysTheWeightsBeforeTheAdamStep) {
    Tensor p = parameter(Tensor({1.0f}));
    AdamW adamw({p}, {.lr = 0.1f, .weight_decay = 0.1f});
    p.set_grad(Tensor({0.5f}));
    // t = 1: p = 1 * (1 - 0.1 * 0.1) = 0.99, then the sign step: 0.99 - 0.1 = 0.89
    adamw.step();
    EXPECT_TENSOR_NEAR(p, Tensor({0.89f}), 1e-6f);
    // t = 2, the same gradient: the moments see only g = 0.5, so the Adam step
    // is 0.1 * (0.095 / 0.19) / sqrt(0.00049975 / 0.001999) = 0.1 exactly;
    // p = 0.89 * 0.99 - 0.1 = 0.7811
    adamw.step();
    EXPECT_TENSOR_NEAR(p, Tensor({0.7811f}), 2e-6f);
}

TEST(AdamW, DecayIsNotNormalisedByTheMoments) {
    Tensor coupled = parameter(Tensor({4.0f}));
    Tensor decoupled = parameter(Tensor({4.0f}));
    Adam adam({coupled}, {.lr = 0.1f, .weight_decay = 0.5f});
    AdamW adamw({decoupled}, {.lr = 0.1f, .weight_decay = 0.5f});
    coupled.set_grad(Tensor({0.0f}));
    decoupled.set_grad(Tensor({0.0f}));
    adam.step();
    adamw.step();
    // Adam: g = 0 + 0.5 * 4 = 2 goes through the moments and is normalised to
    // a sign step of lr:                                   p = 4 - 0.1 = 3.9
    EXPECT_TENSOR_NEAR(coupled, Tensor({3.9f}), 1e-6f);
    // AdamW: the moments see g = 0, so the Adam step is 0 / (0 + eps) = 0;
    // the decay acts on its own:                           p = 4 * (1 - 0.1 * 0.5) = 3.8
    EXPECT_TENSOR_NEAR(decoupled, Tensor({3.8f}), 1e-6f);
}
