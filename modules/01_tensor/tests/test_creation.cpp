// Module 01 — creating tensors and reading them back.
#include "testing.hpp"

using namespace tinytorch;

TEST(Strides, ContiguousStridesAreProductsOfLaterSizes) {
    EXPECT_EQ(contiguous_strides({2, 3, 4}), (Strides{12, 4, 1}));
    EXPECT_EQ(contiguous_strides({5}), (Strides{1}));
    EXPECT_EQ(contiguous_strides({}), (Strides{}));
}

TEST(Creation, NestedListGivesShapeAndRowMajorValues) {
    Tensor t({{1, 2, 3}, {4, 5, 6}});
    EXPECT_SHAPE(t, 2, 3);
    EXPECT_EQ(t.strides(), (Strides{3, 1}));
    EXPECT_EQ(t.at({0, 0}), 1.0f);
    EXPECT_EQ(t.at({0, 2}), 3.0f);
    EXPECT_EQ(t.at({1, 0}), 4.0f);
    EXPECT_EQ(t.at({1, 2}), 6.0f);
}

TEST(Creation, OneDimensionalList) {
    Tensor t({1.5f, -2.0f, 3.25f});
    EXPECT_SHAPE(t, 3);
    EXPECT_EQ(t.at({2}), 3.25f);
}

TEST(Creation, SingleElementInnerLists) {
    Tensor t({{1}, {2}, {3}});
    EXPECT_SHAPE(t, 3, 1);
    EXPECT_EQ(t.at({2, 0}), 3.0f);
}

TEST(Creation, ThreeLevelNestedList) {
    Tensor t({{{1, 2}}, {{3, 4}}});
    EXPECT_SHAPE(t, 2, 1, 2);
    EXPECT_EQ(t.at({1, 0, 1}), 4.0f);
}

TEST(Creation, RaggedNestedListThrowsShapeError) {
    EXPECT_THROW_WITH(Tensor({{1, 2}, {3}}), ShapeError, "ragged");
}

TEST(Creation, ValuesAndShape) {
    Tensor t({1, 2, 3, 4, 5, 6}, {3, 2});
    EXPECT_SHAPE(t, 3, 2);
    EXPECT_EQ(t.at({2, 1}), 6.0f);
    EXPECT_EQ(t.at({1, 0}), 3.0f);
}

TEST(Creation, ValuesAndShapeMismatchNamesBothCounts) {
    EXPECT_THROW_WITH(Tensor({1, 2, 3}, {2, 2}), ShapeError, "3 values given for shape (2, 2)");
}

TEST(Creation, ZerosOnesFull) {
    EXPECT_TENSOR_EQ(zeros({2, 2}), Tensor({{0, 0}, {0, 0}}));
    EXPECT_TENSOR_EQ(ones({3}), Tensor({1, 1, 1}));
    EXPECT_TENSOR_EQ(full({2}, 7.5f), Tensor({7.5f, 7.5f}));
}

TEST(Creation, ScalarTensorHasNoAxes) {
    Tensor s = scalar_tensor(4.0f);
    EXPECT_EQ(s.dim(), 0);
    EXPECT_EQ(s.numel(), 1);
    EXPECT_EQ(s.item(), 4.0f);
}

TEST(Creation, ArangeExcludesStop) {
    EXPECT_TENSOR_EQ(arange(0, 5), Tensor({0, 1, 2, 3, 4}));
    EXPECT_TENSOR_EQ(arange(1, 2, 0.25f), Tensor({1.0f, 1.25f, 1.5f, 1.75f}));
    EXPECT_TENSOR_EQ(arange(5, 0, -2), Tensor({5, 3, 1}));
}

TEST(Creation, ArangeWithZeroStepThrows) {
    EXPECT_THROW_WITH(arange(0, 1, 0), ValueError, "step");
}

TEST(Creation, EyeSquareAndRectangular) {
    EXPECT_TENSOR_EQ(eye(2), Tensor({{1, 0}, {0, 1}}));
    EXPECT_TENSOR_EQ(eye(2, 3), Tensor({{1, 0, 0}, {0, 1, 0}}));
}

TEST(Creation, RandIsReproducibleFromTheSeed) {
    Generator g1(42), g2(42), g3(43);
    Tensor a = rand({100}, g1);
    EXPECT_TENSOR_EQ(a, rand({100}, g2));
    EXPECT_FALSE(allclose(a, rand({100}, g3)));
}

TEST(Creation, RandIsUniformOnUnitInterval) {
    Generator gen(7);
    Tensor a = rand({20000}, gen);
    EXPECT_EQ((a < 0.0f).sum().item(), 0.0f);
    EXPECT_EQ((a >= 1.0f).sum().item(), 0.0f);
    EXPECT_NEAR(a.mean().item(), 0.5f, 0.01f);  // std of the mean: 0.29 / sqrt(20000) = 0.002
}

TEST(Creation, RandnHasMeanZeroAndUnitVariance) {
    Generator gen(7);
    Tensor a = randn({20000}, gen);
    EXPECT_NEAR(a.mean().item(), 0.0f, 0.03f);             // 4 standard errors
    EXPECT_NEAR((a * a).mean().item(), 1.0f, 0.05f);
}

TEST(Creation, StackAddsLeadingAxis) {
    Tensor s = stack({Tensor({1, 2}), Tensor({3, 4}), Tensor({5, 6})});
    EXPECT_TENSOR_EQ(s, Tensor({{1, 2}, {3, 4}, {5, 6}}));
}

TEST(Creation, StackRejectsDifferentShapes) {
    EXPECT_THROW_WITH(stack({Tensor({1, 2}), Tensor({1, 2, 3})}), ShapeError,
                      "tensor 1 has shape (3)");
}

TEST(Access, AtWithNegativeIndexCountsFromEnd) {
    Tensor t({{1, 2, 3}, {4, 5, 6}});
    EXPECT_EQ(t.at({-1, -1}), 6.0f);
    EXPECT_EQ(t.at({0, -3}), 1.0f);
}

TEST(Access, AtOutOfRangeNamesAxisAndSize) {
    Tensor t({{1, 2, 3}, {4, 5, 6}});
    EXPECT_THROW_WITH(t.at({0, 3}), IndexError, "index 3 is out of range for axis 1 of size 3");
}

TEST(Access, AtWritesThroughReference) {
    Tensor t = zeros({2, 2});
    t.at({1, 0}) = 9.0f;
    EXPECT_TENSOR_EQ(t, Tensor({{0, 0}, {9, 0}}));
}

TEST(Access, ItemOfManyElementsThrows) {
    EXPECT_THROW_WITH(ones({2}).item(), ValueError, "one-element");
}

TEST(Access, FillAndZero) {
    Tensor t = ones({2, 3});
    t.fill_(2.5f);
    EXPECT_TENSOR_EQ(t, full({2, 3}, 2.5f));
    t.zero_();
    EXPECT_TENSOR_EQ(t, zeros({2, 3}));
}

TEST(Access, CopyBroadcastsSourceIntoDestination) {
    Tensor t = zeros({2, 3});
    t.copy_(Tensor({1, 2, 3}));
    EXPECT_TENSOR_EQ(t, Tensor({{1, 2, 3}, {1, 2, 3}}));
}

TEST(Access, CopyIntoTransposedViewWritesStorage) {
    Tensor t = zeros({2, 3});
    t.transpose(0, 1).copy_(Tensor({{1, 4}, {2, 5}, {3, 6}}));
    EXPECT_TENSOR_EQ(t, Tensor({{1, 2, 3}, {4, 5, 6}}));
}
