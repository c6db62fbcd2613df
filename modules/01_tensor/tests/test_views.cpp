// Module 01 — views: reshape, transpose, expand, slicing share storage.
#include "testing.hpp"

using namespace tinytorch;

TEST(Views, ReshapeKeepsRowMajorOrder) {
    Tensor t = arange(0, 6).reshape({2, 3});
    EXPECT_TENSOR_EQ(t, Tensor({{0, 1, 2}, {3, 4, 5}}));
}

TEST(Views, ReshapeInfersMinusOne) {
    EXPECT_SHAPE(arange(0, 12).reshape({3, -1}), 3, 4);
    EXPECT_SHAPE(arange(0, 12).reshape({-1, 2, 2}), 3, 2, 2);
}

TEST(Views, ReshapeSharesStorage) {
    Tensor t = zeros({2, 3});
    Tensor r = t.reshape({6});
    r.at({4}) = 7.0f;
    EXPECT_EQ(t.at({1, 1}), 7.0f);
    EXPECT_EQ(r.storage(), t.storage());
}

TEST(Views, ReshapeWithTwoMinusOnesThrows) {
    EXPECT_THROW_WITH(zeros({4}).reshape({-1, -1}), ShapeError, "only one size may be -1");
}

TEST(Views, ReshapeToWrongCountNamesBothShapes) {
    EXPECT_THROW_WITH(zeros({2, 3}).reshape({4, 2}), ShapeError,
                      "shape (4, 2) holds 8 elements but the tensor of shape (2, 3) has 6");
}

TEST(Views, TransposeSwapsShapeAndStrides) {
    Tensor t = arange(0, 6).reshape({2, 3});
    Tensor tt = t.transpose(0, 1);
    EXPECT_SHAPE(tt, 3, 2);
    EXPECT_EQ(tt.strides(), (Strides{1, 3}));
    EXPECT_FALSE(tt.is_contiguous());
    EXPECT_EQ(tt.storage(), t.storage());
    EXPECT_TENSOR_EQ(tt, Tensor({{0, 3}, {1, 4}, {2, 5}}));
}

TEST(Views, ReshapeOfTransposedTensorCopies) {
    Tensor tt = arange(0, 6).reshape({2, 3}).transpose(0, 1);
    EXPECT_TENSOR_EQ(tt.reshape({6}), Tensor({0, 3, 1, 4, 2, 5}));
}

TEST(Views, ViewOfNonContiguousThrows) {
    Tensor tt = zeros({2, 3}).transpose(0, 1);
    EXPECT_THROW_WITH(tt.view({6}), ShapeError, "not contiguous");
}

TEST(Views, PermuteReordersAxes) {
    Tensor t = arange(0, 24).reshape({2, 3, 4});
    Tensor p = t.permute({2, 0, 1});
    EXPECT_SHAPE(p, 4, 2, 3);
    EXPECT_EQ(p.strides(), (Strides{1, 12, 4}));
    EXPECT_EQ(p.at({3, 1, 2}), t.at({1, 2, 3}));
}

TEST(Views, PermuteWithRepeatedAxisThrows) {
    EXPECT_THROW_WITH(zeros({2, 3}).permute({0, 0}), ShapeError, "appears twice");
}

TEST(Views, FlattenMergesAxes) {
    Tensor t = zeros({2, 3, 4, 5});
    EXPECT_SHAPE(t.flatten(), 120);
    EXPECT_SHAPE(t.flatten(1), 2, 60);
    EXPECT_SHAPE(t.flatten(1, 2), 2, 12, 5);
}

TEST(Views, SqueezeAndUnsqueeze) {
    Tensor t = zeros({1, 3, 1, 2});
    EXPECT_SHAPE(t.squeeze(), 3, 2);
    EXPECT_SHAPE(t.squeeze(2), 1, 3, 2);
    EXPECT_SHAPE(zeros({3}).unsqueeze(0), 1, 3);
    EXPECT_SHAPE(zeros({3}).unsqueeze(-1), 3, 1);
}

TEST(Views, SqueezeOfLongerAxisThrows) {
    EXPECT_THROW_WITH(zeros({2, 3}).squeeze(1), ShapeError, "axis 1 has size 3");
}

TEST(Views, ExpandUsesZeroStride) {
    Tensor col({{1}, {2}});
    Tensor e = col.expand({2, 3});
    EXPECT_EQ(e.strides(), (Strides{1, 0}));
    EXPECT_TENSOR_EQ(e, Tensor({{1, 1, 1}, {2, 2, 2}}));
}

TEST(Views, ExpandAddsLeadingAxes) {
    Tensor e = Tensor({1, 2}).expand({3, 2});
    EXPECT_EQ(e.strides(), (Strides{0, 1}));
    EXPECT_TENSOR_EQ(e, Tensor({{1, 2}, {1, 2}, {1, 2}}));
}

TEST(Views, ExpandOfNonUnitAxisThrows) {
    EXPECT_THROW_WITH(zeros({2, 3}).expand({2, 4}), ShapeError, "axis 1 has size 3, not 1");
}

TEST(Views, ContiguousCopiesOnlyWhenNeeded) {
    Tensor t = arange(0, 6).reshape({2, 3});
    EXPECT_EQ(t.contiguous().storage(), t.storage());
    Tensor c = t.transpose(0, 1).contiguous();
    EXPECT_TRUE(c.is_contiguous());
    EXPECT_NE(c.storage(), t.storage());
    EXPECT_TENSOR_EQ(c, Tensor({{0, 3}, {1, 4}, {2, 5}}));
}

TEST(Views, CloneAlwaysCopies) {
    Tensor t({1, 2});
    Tensor c = t.clone();
    c.at({0}) = 5.0f;
    EXPECT_EQ(t.at({0}), 1.0f);
}

TEST(Views, SliceFirstAxisWithStep) {
    Tensor t = arange(0, 10);
    EXPECT_TENSOR_EQ(t.slice(2, 8, 3), Tensor({2, 5}));
    EXPECT_TENSOR_EQ(t.slice(-3, 10), Tensor({7, 8, 9}));
    EXPECT_TENSOR_EQ(t.slice(8, 100), Tensor({8, 9}));
    EXPECT_EQ(t.slice(5, 2).numel(), 0);
}

TEST(Views, SliceOfMatrixIsRowsAndShares) {
    Tensor m = arange(0, 6).reshape({3, 2});
    Tensor rows = m.slice(1, 3);
    EXPECT_TENSOR_EQ(rows, Tensor({{2, 3}, {4, 5}}));
    rows.at({0, 0}) = -1.0f;
    EXPECT_EQ(m.at({1, 0}), -1.0f);
}

TEST(Views, IndexSelectsRowAndDropsAxis) {
    Tensor m = arange(0, 6).reshape({3, 2});
    EXPECT_TENSOR_EQ(m[1], Tensor({2, 3}));
    EXPECT_TENSOR_EQ(m[-1], Tensor({4, 5}));
    EXPECT_EQ(m[0][1].item(), 1.0f);
}

TEST(Views, IndexOutOfRangeThrows) {
    EXPECT_THROW_WITH(zeros({3, 2})[3], IndexError, "index 3 is out of range for axis 0 of size 3");
}
