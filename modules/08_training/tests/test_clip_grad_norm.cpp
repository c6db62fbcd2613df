// Module 08 — clip_grad_norm: the global norm of all gradients, clipped.
#include "testing.hpp"
#include "training.hpp"

using namespace tinytorch;

namespace {
Tensor parameter_with_grad(Tensor values, Tensor grad) {
    values.requires_grad_();
    values.set_grad(grad);
    return values;
}
}  // namespace

TEST(ClipGradNorm, ReturnsTheGlobalNormBeforeClipping) {
    // sqrt(3^2 + 4^2 + 12^2) = sqrt(169) = 13
    Tensor a = parameter_with_grad(zeros({2}), Tensor({3.0f, 4.0f}));
    Tensor b = parameter_with_grad(zeros({1}), Tensor({12.0f}));
    EXPECT_FLOAT_EQ(clip_grad_norm({a, b}, 6.5f), 13.0f);
}

TEST(ClipGradNorm, ScalesEveryGradientToTheMaximum) {
    Tensor a = parameter_with_grad(zeros({2}), Tensor({3.0f, 4.0f}));
    Tensor b = parameter_with_grad(zeros({1}), Tensor({12.0f}));
    clip_grad_norm({a, b}, 6.5f);
    // scale = 6.5 / (13 + 1e-6) ≈ 0.5: (1.5, 2) and (6), whose norm is 6.5
    EXPECT_TENSOR_NEAR(a.grad(), Tensor({1.5f, 2.0f}), 1e-5f);
    EXPECT_TENSOR_NEAR(b.grad(), Tensor({6.0f}), 1e-5f);
}

TEST(ClipGradNorm, LeavesGradientsBelowTheMaximumUnchanged) {
    Tensor a = parameter_with_grad(zeros({2}), Tensor({3.0f, 4.0f}));
    EXPECT_FLOAT_EQ(clip_grad_norm({a}, 10.0f), 5.0f);
    EXPECT_TENSOR_EQ(a.grad(), Tensor({3.0f, 4.0f}));
}

TEST(ClipGradNorm, SkipsParametersWithoutAGradient) {
    Tensor a = parameter_with_grad(zeros({2}), Tensor({6.0f, 8.0f}));
    Tensor none = zeros({3});
    none.requires_grad_();
    EXPECT_FLOAT_EQ(clip_grad_norm({none, a}, 5.0f), 10.0f);
    EXPECT_FALSE(none.grad().defined());
    EXPECT_TENSOR_NEAR(a.grad(), Tensor({3.0f, 4.0f}), 1e-5f);
}

TEST(ClipGradNorm, RejectsANonPositiveMaximum) {
    Tensor a = parameter_with_grad(zeros({1}), Tensor({1.0f}));
    EXPECT_THROW_WITH(clip_grad_norm({a}, 0.0f), ValueError, "max_norm must be a finite number > 0");
}
