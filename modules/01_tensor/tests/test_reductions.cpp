// Module 01 — sum, mean, max, argmax, over everything or one axis.
#include <cmath>

#include "testing.hpp"

using namespace tinytorch;

namespace {
Tensor matrix() { return Tensor({{1, 5, 3}, {4, 2, 6}}); }
}  // namespace

TEST(Reductions, SumOfAllIsScalar) {
    Tensor s = matrix().sum();
    EXPECT_EQ(s.dim(), 0);
    EXPECT_EQ(s.item(), 21.0f);
}

TEST(Reductions, SumOverEachAxis) {
    EXPECT_TENSOR_EQ(matrix().sum(0), Tensor({5, 7, 9}));
    EXPECT_TENSOR_EQ(matrix().sum(1), Tensor({9, 12}));
    EXPECT_TENSOR_EQ(matrix().sum(-1), Tensor({9, 12}));
}

TEST(Reductions, KeepdimsKeepsSizeOneAxis) {
    EXPECT_TENSOR_EQ(matrix().sum(1, true), Tensor({{9}, {12}}));
    EXPECT_TENSOR_EQ(matrix().sum(0, true), Tensor({{5, 7, 9}}));
}

TEST(Reductions, SumOverMiddleAxisOfRank3) {
    Tensor t = arange(0, 12).reshape({2, 3, 2});
    EXPECT_TENSOR_EQ(t.sum(1), Tensor({{6, 9}, {24, 27}}));
}

TEST(Reductions, MeanOverAllAndAxis) {
    EXPECT_EQ(matrix().mean().item(), 3.5f);
    EXPECT_TENSOR_EQ(matrix().mean(0), Tensor({2.5f, 3.5f, 4.5f}));
    EXPECT_TENSOR_EQ(matrix().mean(1, true), Tensor({{3}, {4}}));
}

TEST(Reductions, MaxOverAllAndAxis) {
    EXPECT_EQ(matrix().max().item(), 6.0f);
    EXPECT_TENSOR_EQ(matrix().max(0), Tensor({4, 5, 6}));
    EXPECT_TENSOR_EQ(matrix().max(1, true), Tensor({{5}, {6}}));
}

TEST(Reductions, ArgmaxOverAllIndexesFlattened) {
    EXPECT_EQ(matrix().argmax().item(), 5.0f);
}

TEST(Reductions, ArgmaxOverAxis) {
    EXPECT_TENSOR_EQ(matrix().argmax(1), Tensor({1, 2}));
    EXPECT_TENSOR_EQ(matrix().argmax(0), Tensor({1, 0, 1}));
}

TEST(Reductions, ArgmaxTakesFirstOfTies) {
    EXPECT_TENSOR_EQ(Tensor({{3, 3, 1}, {0, 2, 2}}).argmax(1), Tensor({0, 1}));
}

TEST(Reductions, OfTransposedView) {
    Tensor tt = matrix().transpose(0, 1);  // (3, 2)
    EXPECT_TENSOR_EQ(tt.sum(1), Tensor({5, 7, 9}));
    EXPECT_TENSOR_EQ(tt.max(0), Tensor({5, 6}));
}

TEST(Reductions, AxisOutOfRangeThrows) {
    EXPECT_THROW_WITH(matrix().sum(2), IndexError, "axis 2 is out of range for a tensor with 2 axes");
}

TEST(Reductions, MaxOfEmptyThrows) {
    EXPECT_THROW_WITH(zeros({0}).max(), ValueError, "empty");
}

TEST(Reductions, SumOfEmptyIsZeroAndMeanIsNaN) {
    EXPECT_EQ(zeros({0, 3}).sum().item(), 0.0f);
    EXPECT_TRUE(std::isnan(zeros({0}).mean().item()));
}
