// Module 01, hidden tests: the same contract as the visible tests, checked
// with other values and shapes — non-contiguous views, empty tensors, size-1
// axes, large reductions and big products against naive loops.
#include <cmath>

#include "gemm.hpp"
#include "testing.hpp"

using namespace tinytorch;

namespace {

// C = A B by the textbook triple loop in double, reading any strides.
Tensor naive_matmul(const Tensor& a, const Tensor& b) {
    const int64_t M = a.size(0), K = a.size(1), N = b.size(1);
    std::vector<float> out(static_cast<size_t>(M * N));
    for (int64_t i = 0; i < M; ++i)
        for (int64_t j = 0; j < N; ++j) {
            double acc = 0;
            for (int64_t k = 0; k < K; ++k) acc += double(a.at({i, k})) * double(b.at({k, j}));
            out[static_cast<size_t>(i * N + j)] = static_cast<float>(acc);
        }
    return Tensor(out, {M, N});
}

}  // namespace

TEST(HiddenCreation, FourLevelNestedList) {
    Tensor t({{{{1, 2, 3}}}, {{{4, 5, 6}}}});
    EXPECT_SHAPE(t, 2, 1, 1, 3);
    EXPECT_EQ(t.at({1, 0, 0, 2}), 6.0f);
}

TEST(HiddenCreation, EmptyTensorHasZeroElements) {
    Tensor t = zeros({3, 0, 2});
    EXPECT_EQ(t.numel(), 0);
    EXPECT_SHAPE(t, 3, 0, 2);
    EXPECT_EQ(t.sum().item(), 0.0f);
}

TEST(HiddenCreation, ArangeWithFractionalStepCount) {
    EXPECT_EQ(arange(0, 1, 0.3f).numel(), 4);  // 0, 0.3, 0.6, 0.9
}

TEST(HiddenCreation, EyeWithMoreRowsThanColumns) {
    EXPECT_TENSOR_EQ(eye(3, 2), Tensor({{1, 0}, {0, 1}, {0, 0}}));
}

TEST(HiddenCreation, RandnIsReproducibleAndSeedSensitive) {
    Generator a(123), b(123), c(124);
    Tensor x = randn({64}, a);
    EXPECT_TENSOR_EQ(x, randn({64}, b));
    EXPECT_FALSE(allclose(x, randn({64}, c)));
}

TEST(HiddenElementwise, BroadcastScalarShapedTensorAgainstRank4) {
    Tensor x = ones({2, 1, 3, 1});
    Tensor out = x * scalar_tensor(3.0f);
    EXPECT_SHAPE(out, 2, 1, 3, 1);
    EXPECT_EQ(out.sum().item(), 18.0f);
}

TEST(HiddenElementwise, BroadcastSizeOneAgainstZero) {
    Tensor out = ones({1, 3}) + zeros({0, 3});
    EXPECT_SHAPE(out, 0, 3);
}

TEST(HiddenElementwise, BothOperandsNonContiguous) {
    Tensor a = arange(0, 6).reshape({2, 3});
    Tensor b = arange(0, 6).reshape({3, 2});
    // a^T (3, 2) + b (3, 2) where only b is contiguous; then both transposed.
    EXPECT_TENSOR_EQ(a.transpose(0, 1) + b, Tensor({{0, 4}, {3, 7}, {6, 10}}));
    EXPECT_TENSOR_EQ(a.transpose(0, 1) * b.transpose(0, 1).transpose(0, 1),
                     Tensor({{0, 3}, {2, 12}, {8, 25}}));
}

TEST(HiddenElementwise, OnSlicedWithStepView) {
    Tensor t = arange(0, 10).reshape({5, 2});
    EXPECT_TENSOR_EQ(t.slice(0, 5, 2) * 2.0f, Tensor({{0, 2}, {8, 10}, {16, 18}}));
}

TEST(HiddenElementwise, ExpandedOperandBroadcastsWithoutCopy) {
    Tensor col = Tensor({{1}, {2}}).expand({2, 3});
    EXPECT_TENSOR_EQ(col + Tensor({10, 20, 30}), Tensor({{11, 21, 31}, {12, 22, 32}}));
}

TEST(HiddenElementwise, MismatchInLeadingAxisNamesBothShapes) {
    EXPECT_THROW_WITH(ones({3, 1, 2}) - ones({4, 5, 2}), ShapeError, "(3, 1, 2) and (4, 5, 2)");
}

TEST(HiddenElementwise, PowWithNegativeAndFractionalExponents) {
    EXPECT_TENSOR_NEAR(pow(Tensor({2, 4}), -1.0f), Tensor({0.5f, 0.25f}), 1e-7f);
    EXPECT_TENSOR_NEAR(pow(Tensor({8}), 1.0f / 3.0f), Tensor({2}), 1e-6f);
}

TEST(HiddenViews, PermuteThenReshapeCopiesInLogicalOrder) {
    Tensor t = arange(0, 24).reshape({2, 3, 4});
    Tensor p = t.permute({1, 2, 0}).reshape({-1});
    EXPECT_EQ(p.at({0}), 0.0f);
    EXPECT_EQ(p.at({1}), 12.0f);
    EXPECT_EQ(p.at({2}), 1.0f);
    EXPECT_EQ(p.at({23}), 23.0f);
}

TEST(HiddenViews, IsContiguousIgnoresStridesOfSizeOneAxes) {
    Tensor t = arange(0, 3).reshape({3, 1});
    EXPECT_TRUE(t.transpose(0, 1).is_contiguous());
}

TEST(HiddenViews, SliceOfSliceComposesOffsets) {
    Tensor t = arange(0, 20).reshape({10, 2});
    Tensor s = t.slice(2, 9).slice(1, 6, 2);  // rows 3, 5, 7
    EXPECT_TENSOR_EQ(s, Tensor({{6, 7}, {10, 11}, {14, 15}}));
}

TEST(HiddenViews, UnsqueezeAtEndOfRank3) {
    EXPECT_SHAPE(zeros({2, 3, 4}).unsqueeze(3), 2, 3, 4, 1);
    EXPECT_SHAPE(zeros({2, 3, 4}).unsqueeze(-4), 1, 2, 3, 4);
}

TEST(HiddenViews, ExpandWithMinusOneKeepsAxis) {
    EXPECT_SHAPE(zeros({3, 1}).expand({2, -1, 4}), 2, 3, 4);
}

TEST(HiddenViews, FlattenOfScalarGivesOneElement) {
    EXPECT_SHAPE(scalar_tensor(5).flatten(), 1);
}

TEST(HiddenViews, ReshapeOfEmptyTensor) {
    EXPECT_SHAPE(zeros({0, 4}).reshape({4, 0}), 4, 0);
    EXPECT_SHAPE(zeros({0, 4}).reshape({-1, 4}), 0, 4);
    // With a 0 among the known sizes, -1 could be anything: ambiguous.
    EXPECT_THROW(zeros({0, 4}).reshape({2, 0, -1}), ShapeError);
}

TEST(HiddenReductions, LargeSumOfOnesIsExact) {
    EXPECT_EQ(ones({1 << 25}).sum().item(), static_cast<float>(1 << 25));
}

TEST(HiddenReductions, MeanOfLargeTensorOfThirds) {
    EXPECT_NEAR(full({3000000}, 1.0f / 3.0f).mean().item(), 1.0f / 3.0f, 1e-7f);
}

TEST(HiddenReductions, SumOverFirstAxisOfRank4) {
    Tensor t = arange(0, 24).reshape({2, 3, 2, 2});
    Tensor s = t.sum(0);
    EXPECT_SHAPE(s, 3, 2, 2);
    EXPECT_EQ(s.at({2, 1, 1}), 11.0f + 23.0f);
}

TEST(HiddenReductions, MaxOverAxisWithNegativeValues) {
    EXPECT_TENSOR_EQ(Tensor({{-3, -1, -2}, {-5, -6, -4}}).max(1), Tensor({-1, -4}));
}

TEST(HiddenReductions, ArgmaxOverFirstAxisWithKeepdims) {
    Tensor a = Tensor({{1, 9}, {7, 2}, {3, 9}}).argmax(0, true);
    EXPECT_TENSOR_EQ(a, Tensor({{1, 0}}));
}

TEST(HiddenReductions, ReductionOfExpandedView) {
    Tensor e = Tensor({1, 2, 3}).expand({4, 3});
    EXPECT_TENSOR_EQ(e.sum(0), Tensor({4, 8, 12}));
    EXPECT_EQ(e.sum().item(), 24.0f);
}

TEST(HiddenReductions, SizeOneAxisReductionKeepsValues) {
    Tensor t({{1, 2, 3}});
    EXPECT_TENSOR_EQ(t.sum(0), Tensor({1, 2, 3}));
    EXPECT_TENSOR_EQ(t.max(0, true), t);
}

TEST(HiddenMatmul, BigRectangularProductMatchesNaiveLoop) {
    Generator gen(5);
    Tensor a = randn({131, 257}, gen);
    Tensor b = randn({257, 67}, gen);
    EXPECT_TENSOR_NEAR(a.matmul(b), naive_matmul(a, b), 1e-3f);
}

TEST(HiddenMatmul, ConvolutionShapedProductMatchesNaiveLoop) {
    Generator gen(6);
    Tensor w = randn({64, 288}, gen);
    Tensor col = randn({288, 512}, gen);
    EXPECT_TENSOR_NEAR(w.matmul(col), naive_matmul(w, col), 1e-3f);
}

TEST(HiddenMatmul, WideProductSplitAcrossThreadsMatchesNaiveLoop) {
    // Wide enough for several column blocks and big enough to run threaded.
    Generator gen(10);
    Tensor a = randn({100, 50}, gen);
    Tensor b = randn({50, 1100}, gen);
    EXPECT_TENSOR_NEAR(a.matmul(b), naive_matmul(a, b), 1e-3f);
}

TEST(HiddenMatmul, TransposedOperandsMatchNaiveLoop) {
    Generator gen(7);
    Tensor a = randn({90, 70}, gen);
    Tensor b = randn({100, 90}, gen);
    Tensor out = a.transpose(0, 1).matmul(b.transpose(0, 1));  // (70, 90) @ (90, 100)
    EXPECT_TENSOR_NEAR(out, naive_matmul(a.transpose(0, 1), b.transpose(0, 1)), 1e-3f);
}

TEST(HiddenMatmul, BatchedWithBroadcastBatchMatchesPerMatrix) {
    Generator gen(8);
    Tensor a = randn({4, 1, 5, 6}, gen);
    Tensor b = randn({3, 6, 2}, gen);
    Tensor out = a.matmul(b);
    EXPECT_SHAPE(out, 4, 3, 5, 2);
    EXPECT_TENSOR_NEAR(out[2][1], naive_matmul(a[2][0], b[1]), 1e-4f);
}

TEST(HiddenMatmul, VectorTimesBatchedMatrices) {
    Tensor v({1, 2});
    Tensor m = ones({3, 2, 4});
    Tensor out = v.matmul(m);
    EXPECT_SHAPE(out, 3, 4);
    EXPECT_EQ(out.at({2, 3}), 3.0f);
}

TEST(HiddenMatmul, EmptyInnerDimensionGivesZeros) {
    EXPECT_TENSOR_EQ(zeros({2, 0}).matmul(zeros({0, 3})), zeros({2, 3}));
}

TEST(HiddenGemm, AccumulateOverLargeKAddsToExistingC) {
    Generator gen(9);
    Tensor a = randn({40, 1000}, gen);
    Tensor b = randn({1000, 48}, gen);
    Tensor c = ones({40, 48});
    gemm(40, 48, 1000, {a.data(), 1000, 1}, {b.data(), 48, 1}, c.data(), 48, true);
    EXPECT_TENSOR_NEAR(c, naive_matmul(a, b) + 1.0f, 1e-3f);
}

// A Linear layer's shapes: a tall left operand and only a few columns, as in
// logits = features (64 x 4096) * weight (4096 x 10), and its weight gradient
// with a transposed left operand.
TEST(HiddenGemm, ThinProductMatchesNaiveLoop) {
    Generator gen(10);
    Tensor a = randn({64, 4096}, gen);
    Tensor b = randn({4096, 10}, gen);
    EXPECT_TENSOR_NEAR(a.matmul(b), naive_matmul(a, b), 2e-3f);
}

TEST(HiddenGemm, ThinProductWithTransposedLeftOperandAccumulates) {
    Generator gen(11);
    Tensor x = randn({64, 300}, gen);   // x^T is (300, 64), a strided view
    Tensor g = randn({64, 7}, gen);
    Tensor c = ones({300, 7});
    gemm(300, 7, 64, {x.data(), 1, 300}, {g.data(), 7, 1}, c.data(), 7, true);
    EXPECT_TENSOR_NEAR(c, naive_matmul(x.transpose(0, 1), g) + 1.0f, 1e-3f);
}

// The small products of a convolution per image (16 x 16 x 72, 8 x 64 x 9,
// 9 x 8 x 64 ...) with every operand layout: row counts that are and are
// not multiples of 4, column counts that are and are not multiples of 16,
// transposed operands, accumulation, and a C wider than the product.
TEST(HiddenGemm, SmallProductsOfEveryLayoutMatchNaiveLoop) {
    Generator gen(12);
    const int64_t shapes[][3] = {{16, 16, 72}, {8, 64, 9}, {9, 8, 64}, {72, 16, 16}, {17, 33, 20}, {3, 40, 5}};
    for (const auto& [M, N, K] : shapes)
        for (const bool transposed : {false, true}) {
            SCOPED_TRACE(::testing::Message() << M << " x " << N << " x " << K << (transposed ? " transposed" : ""));
            const Tensor a = transposed ? randn({K, M}, gen) : randn({M, K}, gen);
            const Tensor b = transposed ? randn({N, K}, gen) : randn({K, N}, gen);
            const Tensor a_mk = transposed ? a.transpose(0, 1) : a, b_kn = transposed ? b.transpose(0, 1) : b;
            const MatrixView A = transposed ? MatrixView{a.data(), 1, M} : MatrixView{a.data(), K, 1};
            const MatrixView B = transposed ? MatrixView{b.data(), 1, K} : MatrixView{b.data(), N, 1};
            Tensor c = full({M, N + 3}, 2.0f);  // three columns right of the product stay 2
            gemm(M, N, K, A, B, c.data(), N + 3, /*accumulate=*/true);
            const Tensor columns = c.transpose(0, 1);  // (N + 3, M): slice() cuts the first axis
            EXPECT_TENSOR_NEAR(columns.slice(0, N).transpose(0, 1), naive_matmul(a_mk, b_kn) + 2.0f, 1e-4f);
            EXPECT_TENSOR_EQ(columns.slice(N, N + 3), full({3, M}, 2.0f));
        }
}
