// Module 04 — binary cross-entropy on probabilities, with clamping.
#include <cmath>

#include "losses.hpp"
#include "testing.hpp"

using namespace tinytorch;

TEST(BinaryCrossEntropy, KnownValue) {
    // -(log 0.9 + log 0.8) / 2
    EXPECT_NEAR(binary_cross_entropy(Tensor({0.9f, 0.2f}), Tensor({1, 0})).item(), 0.16425203f,
                1e-6f);
}

TEST(BinaryCrossEntropy, SoftTargetsMixBothTerms) {
    // -(0.25 log 0.5 + 0.75 log 0.5) = log 2
    EXPECT_NEAR(binary_cross_entropy(Tensor({0.5f}), Tensor({0.25f})).item(), 0.69314718f, 1e-6f);
}

TEST(BinaryCrossEntropy, CertainWrongPredictionsAreClampedToAFiniteLoss) {
    Tensor loss = binary_cross_entropy(Tensor({0, 1}), Tensor({1, 0}), Reduction::None);
    // q = 1e-7 or 1 - 1e-7: each loss is -log(1e-7).
    EXPECT_TENSOR_NEAR(loss, Tensor({16.1180956f, 16.1180956f}), 1e-5f);
}

TEST(BinaryCrossEntropy, CertainRightPredictionsCostAlmostNothing) {
    Tensor loss = binary_cross_entropy(Tensor({0, 1}), Tensor({0, 1}), Reduction::Sum);
    EXPECT_NEAR(loss.item(), 2e-7f, 1e-9f);
}

TEST(BinaryCrossEntropy, PredictionOutsideZeroOneNamesValueAndPosition) {
    EXPECT_THROW_WITH(binary_cross_entropy(Tensor({0.5f, 0.1f, 0.2f, 1.5f}), zeros({4})),
                      ValueError, "prediction 1.5 at position 3 is not in [0, 1]");
}

TEST(BinaryCrossEntropy, TargetOutsideZeroOneIsRejected) {
    EXPECT_THROW_WITH(binary_cross_entropy(Tensor({0.5f}), Tensor({-1})), ValueError,
                      "target -1 at position 0 is not in [0, 1]");
}

TEST(BinaryCrossEntropy, ShapesMustMatchExactly) {
    EXPECT_THROW_WITH(binary_cross_entropy(full({2, 1}, 0.5f), zeros({2})), ShapeError,
                      "prediction of shape (2, 1) and target of shape (2) differ");
}

TEST(BinaryCrossEntropy, ObjectUsesItsReduction) {
    Tensor p({0.5f, 0.5f});
    Tensor t({1, 0});
    EXPECT_NEAR(BinaryCrossEntropyLoss{}(p, t).item(), 0.69314718f, 1e-6f);
    EXPECT_NEAR(BinaryCrossEntropyLoss{Reduction::Sum}(p, t).item(), 1.38629436f, 1e-6f);
}

TEST(BinaryCrossEntropy, RecordsReductionAndEpsilon) {
    Tensor p = Tensor({0.3f, 0.6f}).requires_grad_();
    Tensor t({0, 1});
    Tensor loss = binary_cross_entropy(p, t, Reduction::None);
    ASSERT_NE(loss.grad_fn(), nullptr);
    EXPECT_EQ(loss.grad_fn()->op, Op::BCELoss);
    EXPECT_TRUE(loss.grad_fn()->input(0).is_same(p));
    EXPECT_TRUE(loss.grad_fn()->input(1).is_same(t));
    EXPECT_EQ(loss.grad_fn()->args.ints, std::vector<int64_t>{0});
    EXPECT_EQ(loss.grad_fn()->args.scalar, bce_epsilon);
}
