// Module 01 — elementwise math and NumPy broadcasting.
#include <cmath>
#include <limits>

#include "testing.hpp"

using namespace tinytorch;

TEST(Broadcast, ShapesAlignOnTheRight) {
    EXPECT_EQ(broadcast_shapes({2, 1, 4}, {3, 1}), (Shape{2, 3, 4}));
    EXPECT_EQ(broadcast_shapes({5, 4}, {4}), (Shape{5, 4}));
    EXPECT_EQ(broadcast_shapes({}, {2, 2}), (Shape{2, 2}));
    EXPECT_EQ(broadcast_shapes({1}, {0}), (Shape{0}));
}

TEST(Broadcast, MismatchShowsBothShapes) {
    EXPECT_THROW_WITH(broadcast_shapes({2, 3}, {4, 3}), ShapeError,
                      "cannot broadcast shapes (2, 3) and (4, 3)");
}

TEST(Arithmetic, AddSameShape) {
    EXPECT_TENSOR_EQ(Tensor({{1, 2}, {3, 4}}) + Tensor({{10, 20}, {30, 40}}),
                     Tensor({{11, 22}, {33, 44}}));
}

TEST(Arithmetic, SubMulDiv) {
    Tensor a({6, 8, 10});
    Tensor b({1, 2, 4});
    EXPECT_TENSOR_EQ(a - b, Tensor({5, 6, 6}));
    EXPECT_TENSOR_EQ(a * b, Tensor({6, 16, 40}));
    EXPECT_TENSOR_EQ(a / b, Tensor({6, 4, 2.5f}));
}

TEST(Arithmetic, RowVectorBroadcastsOverRows) {
    Tensor m({{1, 2, 3}, {4, 5, 6}});
    EXPECT_TENSOR_EQ(m + Tensor({10, 20, 30}), Tensor({{11, 22, 33}, {14, 25, 36}}));
}

TEST(Arithmetic, ColumnVectorBroadcastsOverColumns) {
    Tensor m({{1, 2, 3}, {4, 5, 6}});
    EXPECT_TENSOR_EQ(m * Tensor({{2}, {10}}), Tensor({{2, 4, 6}, {40, 50, 60}}));
}

TEST(Arithmetic, ColumnPlusRowMakesOuterSum) {
    EXPECT_TENSOR_EQ(Tensor({{1}, {2}, {3}}) + Tensor({10, 20}),
                     Tensor({{11, 21}, {12, 22}, {13, 23}}));
}

TEST(Arithmetic, BroadcastInBothOperandsOfRank3) {
    Tensor a = arange(0, 2).reshape({2, 1, 1});  // (2, 1, 1)
    Tensor b = arange(0, 3).reshape({1, 3, 1});  // (1, 3, 1)
    Tensor out = a * 10.0f + b;                  // (2, 3, 1)
    EXPECT_TENSOR_EQ(out, Tensor({{{0}, {1}, {2}}, {{10}, {11}, {12}}}));
}

TEST(Arithmetic, ShapeMismatchThrowsWithBothShapes) {
    EXPECT_THROW_WITH(ones({2, 3}) + ones({3, 2}), ShapeError, "(2, 3) and (3, 2)");
}

TEST(Arithmetic, ScalarOnEitherSide) {
    Tensor t({1, 2, 4});
    EXPECT_TENSOR_EQ(t + 1.0f, Tensor({2, 3, 5}));
    EXPECT_TENSOR_EQ(1.0f + t, Tensor({2, 3, 5}));
    EXPECT_TENSOR_EQ(t - 1.0f, Tensor({0, 1, 3}));
    EXPECT_TENSOR_EQ(10.0f - t, Tensor({9, 8, 6}));
    EXPECT_TENSOR_EQ(t * 3.0f, Tensor({3, 6, 12}));
    EXPECT_TENSOR_EQ(3.0f * t, Tensor({3, 6, 12}));
    EXPECT_TENSOR_EQ(t / 2.0f, Tensor({0.5f, 1, 2}));
    EXPECT_TENSOR_EQ(8.0f / t, Tensor({8, 4, 2}));
}

TEST(Arithmetic, Negation) {
    EXPECT_TENSOR_EQ(-Tensor({1, -2, 0}), Tensor({-1, 2, -0.0f}));
}

TEST(Arithmetic, DivisionByZeroGivesInfinity) {
    Tensor out = Tensor({1, -1}) / Tensor({0, 0});
    EXPECT_TRUE(std::isinf(out.at({0})) && out.at({0}) > 0);
    EXPECT_TRUE(std::isinf(out.at({1})) && out.at({1}) < 0);
}

TEST(Arithmetic, ResultOfViewsIsContiguous) {
    Tensor m({{1, 2}, {3, 4}});
    Tensor out = m.transpose(0, 1) + zeros({2, 2});
    EXPECT_TRUE(out.is_contiguous());
    EXPECT_TENSOR_EQ(out, Tensor({{1, 3}, {2, 4}}));
}

TEST(Functions, PowExpLogSqrtAbs) {
    Tensor x({1, 4, 9});
    EXPECT_TENSOR_EQ(pow(x, 2.0f), Tensor({1, 16, 81}));
    EXPECT_TENSOR_NEAR(pow(x, 0.5f), Tensor({1, 2, 3}), 1e-6f);
    EXPECT_TENSOR_NEAR(sqrt(x), Tensor({1, 2, 3}), 1e-6f);
    EXPECT_TENSOR_NEAR(exp(Tensor({0, 1})), Tensor({1.0f, 2.7182818f}), 1e-6f);
    EXPECT_TENSOR_NEAR(log(Tensor({1.0f, 2.7182818f})), Tensor({0, 1}), 1e-6f);
    EXPECT_TENSOR_EQ(abs(Tensor({-2, 0, 3})), Tensor({2, 0, 3}));
}

TEST(Functions, LogOfZeroIsMinusInfinityAndOfNegativeIsNaN) {
    Tensor out = log(Tensor({0, -1}));
    EXPECT_EQ(out.at({0}), -std::numeric_limits<float>::infinity());
    EXPECT_TRUE(std::isnan(out.at({1})));
}

TEST(Functions, ClampLimitsBothSides) {
    EXPECT_TENSOR_EQ(clamp(Tensor({-5, 0.5f, 5}), -1, 1), Tensor({-1, 0.5f, 1}));
}

TEST(Functions, ClampWithLowAboveHighThrows) {
    EXPECT_THROW_WITH(clamp(ones({1}), 2, 1), ValueError, "low (2) must not exceed high (1)");
}

TEST(Functions, WorkOnNonContiguousInput) {
    Tensor m({{1, 4}, {9, 16}});
    EXPECT_TENSOR_NEAR(sqrt(m.transpose(0, 1)), Tensor({{1, 3}, {2, 4}}), 1e-6f);
}

TEST(Comparisons, GiveZeroOneMasks) {
    Tensor a({1, 2, 3});
    Tensor b({3, 2, 1});
    EXPECT_TENSOR_EQ(eq(a, b), Tensor({0, 1, 0}));
    EXPECT_TENSOR_EQ(ne(a, b), Tensor({1, 0, 1}));
    EXPECT_TENSOR_EQ(lt(a, b), Tensor({1, 0, 0}));
    EXPECT_TENSOR_EQ(le(a, b), Tensor({1, 1, 0}));
    EXPECT_TENSOR_EQ(a > b, Tensor({0, 0, 1}));
    EXPECT_TENSOR_EQ(a >= b, Tensor({0, 1, 1}));
}

TEST(Comparisons, AgainstScalarBroadcasts) {
    EXPECT_TENSOR_EQ(Tensor({{-1, 2}, {3, -4}}) > 0.0f, Tensor({{0, 1}, {1, 0}}));
}
