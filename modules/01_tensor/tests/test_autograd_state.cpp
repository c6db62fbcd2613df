// Module 01 — the autograd bookkeeping every op carries (inert until module 06).
#include "testing.hpp"

using namespace tinytorch;

TEST(AutogradState, NewTensorsDoNotRequireGrad) {
    Tensor t = ones({2});
    EXPECT_FALSE(t.requires_grad());
    EXPECT_FALSE(t.grad().defined());
    EXPECT_TRUE(t.is_leaf());
}

TEST(AutogradState, OpsOnPlainTensorsRecordNothing) {
    Tensor out = ones({2}) * 3.0f + 1.0f;
    EXPECT_EQ(out.grad_fn(), nullptr);
    EXPECT_FALSE(out.requires_grad());
}

TEST(AutogradState, OpOnTensorRequiringGradRecordsNodeWithInputs) {
    Tensor a = ones({2, 2}).requires_grad_();
    Tensor b = full({2, 2}, 3.0f);
    Tensor out = a * b;
    ASSERT_NE(out.grad_fn(), nullptr);
    EXPECT_TRUE(out.requires_grad());
    EXPECT_EQ(out.grad_fn()->op, Op::Mul);
    EXPECT_EQ(out.grad_fn()->name(), "MulBackward");
    ASSERT_EQ(out.grad_fn()->inputs.size(), 2u);
    EXPECT_TRUE(out.grad_fn()->inputs[0].is_same(a));
    EXPECT_TRUE(out.grad_fn()->inputs[1].is_same(b));
    EXPECT_TENSOR_EQ(out.grad_fn()->output(), full({2, 2}, 3.0f));
}

TEST(AutogradState, ViewsRecordWhatBackwardNeeds) {
    Tensor a = ones({2, 3}).requires_grad_();
    Tensor r = a.reshape({3, 2});
    ASSERT_NE(r.grad_fn(), nullptr);
    EXPECT_EQ(r.grad_fn()->op, Op::Reshape);
    EXPECT_EQ(r.grad_fn()->args.shape, (Shape{2, 3}));
    Tensor s = a.sum(1, true);
    EXPECT_EQ(s.grad_fn()->op, Op::Sum);
    EXPECT_EQ(s.grad_fn()->args.axis, 1);
    EXPECT_TRUE(s.grad_fn()->args.keepdims);
}

TEST(AutogradState, ComparisonsAreNotRecorded) {
    Tensor a = ones({2}).requires_grad_();
    EXPECT_EQ((a > 0.0f).grad_fn(), nullptr);
}

TEST(AutogradState, GradModeOffRecordsNothing) {
    Tensor a = ones({2}).requires_grad_();
    set_grad_mode_enabled(false);
    Tensor out = a * 2.0f;
    set_grad_mode_enabled(true);
    EXPECT_EQ(out.grad_fn(), nullptr);
}
