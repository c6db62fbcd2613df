// Module 01 — matmul with NumPy semantics, and the gemm kernel under it.
#include "gemm.hpp"
#include "testing.hpp"

using namespace tinytorch;

TEST(Matmul, TwoByTwo) {
    EXPECT_TENSOR_EQ(Tensor({{1, 2}, {3, 4}}).matmul(Tensor({{5, 6}, {7, 8}})),
                     Tensor({{19, 22}, {43, 50}}));
}

TEST(Matmul, RectangularShapes) {
    Tensor a({{1, 2, 3}, {4, 5, 6}});  // (2, 3)
    Tensor b({{1, 0}, {0, 1}, {1, 1}});  // (3, 2)
    EXPECT_TENSOR_EQ(matmul(a, b), Tensor({{4, 5}, {10, 11}}));
}

TEST(Matmul, VectorDotVectorIsScalar) {
    Tensor out = Tensor({1, 2, 3}).matmul(Tensor({4, 5, 6}));
    EXPECT_EQ(out.dim(), 0);
    EXPECT_EQ(out.item(), 32.0f);
}

TEST(Matmul, MatrixTimesVector) {
    EXPECT_TENSOR_EQ(Tensor({{1, 2}, {3, 4}}).matmul(Tensor({1, 1})), Tensor({3, 7}));
}

TEST(Matmul, VectorTimesMatrix) {
    EXPECT_TENSOR_EQ(Tensor({1, 1}).matmul(Tensor({{1, 2}, {3, 4}})), Tensor({4, 6}));
}

TEST(Matmul, BatchedTimesMatrixBroadcasts) {
    Tensor a = arange(0, 8).reshape({2, 2, 2});  // two 2x2 matrices
    Tensor out = a.matmul(eye(2) * 2.0f);
    EXPECT_TENSOR_EQ(out, a * 2.0f);
}

TEST(Matmul, BatchAxesBroadcastAgainstEachOther) {
    Tensor a = ones({3, 1, 2, 4});
    Tensor b = ones({5, 4, 6});
    Tensor out = a.matmul(b);
    EXPECT_SHAPE(out, 3, 5, 2, 6);
    EXPECT_EQ(out.at({2, 4, 1, 5}), 4.0f);
}

TEST(Matmul, TransposedOperandNeedsNoCopy) {
    Tensor a({{1, 2}, {3, 4}});
    EXPECT_TENSOR_EQ(a.transpose(0, 1).matmul(a), Tensor({{10, 14}, {14, 20}}));
}

TEST(Matmul, InnerMismatchShowsBothShapes) {
    EXPECT_THROW_WITH(zeros({2, 3}).matmul(zeros({4, 5})), ShapeError,
                      "matmul: inner dimensions differ: (2, 3) @ (4, 5)");
}

TEST(Matmul, ScalarOperandThrows) {
    EXPECT_THROW_WITH(scalar_tensor(1).matmul(zeros({2})), ShapeError, "at least one axis");
}

TEST(Matmul, LargerProductMatchesSumOfProducts) {
    // 70 x 50 @ 50 x 90 crosses the kernel's block edges; entries are small
    // integers so float sums are exact.
    Tensor a = arange(0, 70 * 50).reshape({70, 50}) - 1750.0f;
    Tensor b = arange(0, 50 * 90).reshape({50, 90}) * 0.0f + 1.0f;
    Tensor out = a.matmul(b);
    EXPECT_SHAPE(out, 70, 90);
    for (int64_t i : {0, 33, 69}) {
        float row_sum = a[i].sum().item();
        EXPECT_EQ(out.at({i, 0}), row_sum);
        EXPECT_EQ(out.at({i, 89}), row_sum);
    }
}

TEST(Gemm, AccumulateAddsToC) {
    Tensor a({{1, 2}, {3, 4}});
    Tensor c = ones({2, 2});
    gemm(2, 2, 2, {a.data(), 2, 1}, {a.data(), 2, 1}, c.data(), 2, /*accumulate=*/true);
    EXPECT_TENSOR_EQ(c, Tensor({{8, 11}, {16, 23}}));
}

TEST(Gemm, OverwriteIgnoresOldC) {
    Tensor a({{1, 2}, {3, 4}});
    Tensor c = full({2, 2}, 100.0f);
    gemm(2, 2, 2, {a.data(), 2, 1}, {a.data(), 2, 1}, c.data(), 2, /*accumulate=*/false);
    EXPECT_TENSOR_EQ(c, Tensor({{7, 10}, {15, 22}}));
}

TEST(Gemm, StridedOperandsReadTransposes) {
    // A^T via strides: A stored 3 x 2, read as 2 x 3.
    Tensor a({{1, 4}, {2, 5}, {3, 6}});
    Tensor b({{1}, {1}, {1}});
    Tensor c = zeros({2, 1});
    gemm(2, 1, 3, {a.data(), 1, 2}, {b.data(), 1, 1}, c.data(), 1, false);
    EXPECT_TENSOR_EQ(c, Tensor({{6}, {15}}));
}

TEST(Gemm, WritesOnlyItsBlockOfAWiderC) {
    // C rows are 4 floats apart; only the first 2 columns belong to the product.
    Tensor a = eye(2);
    Tensor c = full({2, 4}, -1.0f);
    gemm(2, 2, 2, {a.data(), 2, 1}, {a.data(), 2, 1}, c.data(), 4, false);
    EXPECT_TENSOR_EQ(c, Tensor({{1, 0, -1, -1}, {0, 1, -1, -1}}));
}
