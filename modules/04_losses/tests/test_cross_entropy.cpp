// Module 04 — cross-entropy on logits with integer class targets.
#include <cmath>

#include "losses.hpp"
#include "testing.hpp"

using namespace tinytorch;

TEST(CrossEntropy, OneSampleIsMinusLogSoftmaxOfItsClass) {
    // log_softmax(1, 2, 3) = (-2.4076, -1.4076, -0.4076)
    EXPECT_NEAR(cross_entropy(Tensor({{1, 2, 3}}), Tensor({2})).item(), 0.40760596f, 1e-6f);
}

TEST(CrossEntropy, MeanOverTheBatch) {
    Tensor logits({{1, 2, 3}, {1, 2, 3}});
    EXPECT_NEAR(cross_entropy(logits, Tensor({2, 0})).item(), (0.40760596f + 2.40760596f) / 2,
                1e-6f);
}

TEST(CrossEntropy, SumAndNoReduction) {
    Tensor logits({{1, 2, 3}, {1, 2, 3}});
    Tensor target({2, 0});
    EXPECT_NEAR(cross_entropy(logits, target, Reduction::Sum).item(), 2.81521192f, 1e-5f);
    EXPECT_TENSOR_NEAR(cross_entropy(logits, target, Reduction::None),
                       Tensor({0.40760596f, 2.40760596f}), 1e-6f);
}

TEST(CrossEntropy, UniformLogitsGiveLogOfClassCount) {
    EXPECT_NEAR(cross_entropy(zeros({4, 10}), Tensor({0, 3, 7, 9})).item(), 2.30258509f, 1e-6f);
}

TEST(CrossEntropy, HugeLogitsGiveFiniteLosses) {
    Tensor logits({{1000, -1000}, {-1000, 1000}});
    EXPECT_TENSOR_NEAR(cross_entropy(logits, Tensor({1, 1}), Reduction::None), Tensor({2000, 0}),
                       1e-6f);
}

TEST(CrossEntropy, TargetOutOfRangeNamesValueAndPosition) {
    EXPECT_THROW_WITH(cross_entropy(zeros({2, 3}), Tensor({0, 3})), ValueError,
                      "target 3 at position 1 is out of range for 3 classes");
}

TEST(CrossEntropy, NegativeTargetIsOutOfRange) {
    EXPECT_THROW_WITH(cross_entropy(zeros({2, 3}), Tensor({-1, 0})), ValueError,
                      "target -1 at position 0 is out of range");
}

TEST(CrossEntropy, FractionalTargetIsRejected) {
    EXPECT_THROW_WITH(cross_entropy(zeros({3, 4}), Tensor({0, 1, 1.5f})), ValueError,
                      "target 1.5 at position 2 is not a class index");
}

TEST(CrossEntropy, LogitsMustBeTwoDimensional) {
    EXPECT_THROW_WITH(cross_entropy(zeros({3}), Tensor({0})), ShapeError,
                      "logits must have shape (N, C) with C >= 1, got (3)");
}

TEST(CrossEntropy, TargetMustHaveOneEntryPerSample) {
    EXPECT_THROW_WITH(cross_entropy(zeros({2, 3}), Tensor({{0}, {1}})), ShapeError,
                      "target of shape (2, 1) does not fit logits of shape (2, 3); expected (2)");
}

TEST(CrossEntropy, ObjectUsesItsReduction) {
    Tensor logits({{1, 2, 3}});
    EXPECT_NEAR(CrossEntropyLoss{}(logits, Tensor({2})).item(), 0.40760596f, 1e-6f);
    EXPECT_SHAPE(CrossEntropyLoss{Reduction::None}(logits, Tensor({2})), 1);
}

TEST(CrossEntropy, RecordsOneNodeOnTheLogits) {
    Tensor logits = Tensor({{1, 2, 3}}).requires_grad_();
    Tensor target({2});
    Tensor loss = cross_entropy(logits, target);
    ASSERT_NE(loss.grad_fn(), nullptr);
    EXPECT_EQ(loss.grad_fn()->op, Op::CrossEntropyLoss);
    EXPECT_TRUE(loss.grad_fn()->input(0).is_same(logits));
    EXPECT_TRUE(loss.grad_fn()->input(1).is_same(target));
    EXPECT_EQ(loss.grad_fn()->args.ints, std::vector<int64_t>{1});
}
