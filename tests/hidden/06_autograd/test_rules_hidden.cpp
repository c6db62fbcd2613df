// Module 06, hidden — the derivative rules on other shapes and layouts:
// non-contiguous inputs (transposed, strided), size-1 axes, negative axes,
// and references computed here with plain loops.
#include <cmath>
#include <vector>

#include "autograd.hpp"
#include "gradcheck.hpp"
#include "testing.hpp"

using namespace tinytorch;
using namespace tinytorch::testing;

namespace {

using Inputs = std::vector<Tensor>;

// A leaf whose memory is transposed: shape `shape` (2-D), strides (1, rows).
Tensor transposed_leaf(const Shape& shape, Generator& gen) {
    Tensor base = randn({shape[1], shape[0]}, gen).transpose(0, 1);
    EXPECT_FALSE(base.is_contiguous());
    return base.requires_grad_();
}

// A leaf that is every other row of a larger tensor.
Tensor strided_leaf(const Shape& shape, Generator& gen) {
    Shape bigger = shape;
    bigger[0] = 2 * shape[0];
    Tensor base = randn(bigger, gen).slice(0, bigger[0], 2);
    EXPECT_FALSE(base.is_contiguous());
    return base.requires_grad_();
}

Tensor leaf(Tensor t) { return t.requires_grad_(); }

}  // namespace

// ---------------------------------------------------------------------------
// Elementwise, non-contiguous and size-1 axes
// ---------------------------------------------------------------------------

TEST(HiddenElementwiseRules, ArithmeticOnTransposedAndStridedInputs) {
    Generator gen(101);
    auto f = [](const Inputs& x) { return (x[0] + x[1]) * x[0] - x[1] / (x[0] * x[0] + 1.0f); };
    EXPECT_GRADIENTS_MATCH(f, {transposed_leaf({3, 4}, gen), strided_leaf({3, 4}, gen)});
}

TEST(HiddenElementwiseRules, ScalarShapedLeafBroadcastAgainstAMatrix) {
    Generator gen(102);
    auto f = [](const Inputs& x) { return x[0] * x[1] + x[1] / (x[0] + 3.0f) - x[0]; };
    EXPECT_GRADIENTS_MATCH(f, {leaf(scalar_tensor(0.7f)), leaf(randn({2, 3}, gen))});
}

TEST(HiddenElementwiseRules, SizeOneAxesOnBothSides) {
    Generator gen(103);
    auto f = [](const Inputs& x) { return x[0] * x[1] - x[1]; };
    EXPECT_GRADIENTS_MATCH(f, {leaf(randn({1, 3, 1}, gen)), leaf(randn({2, 1, 1, 4}, gen))});
}

TEST(HiddenElementwiseRules, ScalarOnTheLeftOfSubAndDiv) {
    Generator gen(104);
    auto f = [](const Inputs& x) { return (2.0f - x[0]) + 1.0f / x[0]; };
    EXPECT_GRADIENTS_MATCH(f, {leaf(signed_uniform({5}, 0.5f, 1.5f, gen))});
}

TEST(HiddenElementwiseRules, DivisorGradientAgainstAReference) {
    Tensor a = leaf(Tensor({{1, 2}, {3, 4}}));
    Tensor b = leaf(Tensor({2, -4}));
    (a / b).sum().backward();
    // db_j = -sum_i a_ij / b_j^2
    EXPECT_TENSOR_NEAR(b.grad(), Tensor({-(1 + 3) / 4.0f, -(2 + 4) / 16.0f}), 1e-6f);
    EXPECT_TENSOR_NEAR(a.grad(), Tensor({{0.5f, -0.25f}, {0.5f, -0.25f}}), 1e-6f);
}

TEST(HiddenElementwiseRules, FunctionsOnATransposedInput) {
    Generator gen(105);
    Tensor x = leaf(uniform_tensor({4, 3}, 0.5f, 2.0f, gen).transpose(0, 1));
    auto f = [](const Inputs& v) {
        return exp(v[0] * 0.5f) + log(v[0]) + sqrt(v[0]) + pow(v[0], 1.5f) + abs(v[0] - 3.0f);
    };
    EXPECT_GRADIENTS_MATCH(f, {x});
}

TEST(HiddenElementwiseRules, PowWithNegativeBaseAndIntegerExponent) {
    Tensor x = leaf(Tensor({-2, 3}));
    pow(x, 3.0f).sum().backward();
    EXPECT_TENSOR_NEAR(x.grad(), Tensor({12, 27}), 1e-5f);  // 3 x^2
}

TEST(HiddenElementwiseRules, PowOfOneIsTheIdentity) {
    Tensor x = leaf(Tensor({-2, 0, 5}));
    pow(x, 1.0f).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({1, 1, 1}));
}

TEST(HiddenElementwiseRules, ClampWithEqualBoundsPassesOnlyThatValue) {
    Tensor x = leaf(Tensor({-1, 0, 1}));
    clamp(x, 0.0f, 0.0f).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({0, 1, 0}));
}

TEST(HiddenElementwiseRules, ClampBoundsPassTheGradient) {
    Tensor x = leaf(Tensor({-1, 1}));
    clamp(x, -1.0f, 1.0f).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({1, 1}));
}

TEST(HiddenElementwiseRules, NegOfAStridedInput) {
    Generator gen(106);
    auto f = [](const Inputs& x) { return -x[0] * 2.0f; };
    EXPECT_GRADIENTS_MATCH(f, {strided_leaf({3, 2}, gen)});
}

// ---------------------------------------------------------------------------
// Matrix product: layouts, size-1 axes, and a loop reference
// ---------------------------------------------------------------------------

TEST(HiddenMatMulRule, TransposedOperands) {
    Generator gen(110);
    auto f = [](const Inputs& x) { return x[0].matmul(x[1]); };
    EXPECT_GRADIENTS_MATCH(f, {transposed_leaf({3, 5}, gen), transposed_leaf({5, 2}, gen)});
}

TEST(HiddenMatMulRule, StridedVectorTimesMatrix) {
    Generator gen(111);
    Tensor v = leaf(randn({8}, gen).slice(0, 8, 2));
    auto f = [](const Inputs& x) { return x[0].matmul(x[1]); };
    EXPECT_GRADIENTS_MATCH(f, {v, transposed_leaf({4, 3}, gen)});
}

TEST(HiddenMatMulRule, SizeOneInnerAndOuterDimensions) {
    Generator gen(112);
    auto f = [](const Inputs& x) { return x[0].matmul(x[1]); };
    EXPECT_GRADIENTS_MATCH(f, {leaf(randn({1, 1}, gen)), leaf(randn({1, 4}, gen))});
    EXPECT_GRADIENTS_MATCH(f, {leaf(randn({3, 1}, gen)), leaf(randn({1, 1}, gen))});
}

TEST(HiddenMatMulRule, FourDimensionalBroadcastOnBothSides) {
    Generator gen(113);
    auto f = [](const Inputs& x) { return x[0].matmul(x[1]); };
    EXPECT_GRADIENTS_MATCH(f, {leaf(randn({3, 1, 2, 3}, gen)), leaf(randn({1, 2, 3, 2}, gen))});
}

TEST(HiddenMatMulRule, VectorAgainstFourDimensionalBatch) {
    Generator gen(114);
    auto left = [](const Inputs& x) { return x[0].matmul(x[1]); };
    auto right = [](const Inputs& x) { return x[1].matmul(x[0]); };
    EXPECT_GRADIENTS_MATCH(left, {leaf(randn({3}, gen)), leaf(randn({2, 1, 3, 2}, gen))});
    EXPECT_GRADIENTS_MATCH(right, {leaf(randn({3}, gen)), leaf(randn({1, 2, 2, 3}, gen))});
}

TEST(HiddenMatMulRule, NonContiguousBatchTimesSharedMatrix) {
    Generator gen(115);
    Tensor batch = leaf(randn({4, 2, 3}, gen).permute({1, 0, 2}));  // (2, 4, 3), not contiguous
    auto f = [](const Inputs& x) { return x[0].matmul(x[1]); };
    EXPECT_GRADIENTS_MATCH(f, {batch, leaf(randn({3, 2}, gen))});
}

TEST(HiddenMatMulRule, BroadcastBatchGradientsAgainstLoops) {
    // a (2, 1, M, K) @ b (3, K, N) -> (2, 3, M, N), seeded with g; then
    // da[i, 0] = sum_j g[i, j] @ b[j]^T and db[j] = sum_i a[i, 0]^T @ g[i, j].
    const int64_t M = 4, K = 5, N = 3;
    Generator gen(116);
    Tensor a = leaf(randn({2, 1, M, K}, gen));
    Tensor b = leaf(randn({3, K, N}, gen));
    Tensor g = randn({2, 3, M, N}, gen);
    a.matmul(b).backward(g);

    Tensor da = zeros({2, 1, M, K});
    Tensor db = zeros({3, K, N});
    for (int64_t i = 0; i < 2; ++i)
        for (int64_t j = 0; j < 3; ++j)
            for (int64_t m = 0; m < M; ++m)
                for (int64_t k = 0; k < K; ++k)
                    for (int64_t n = 0; n < N; ++n) {
                        const float grad = g.at({i, j, m, n});
                        da.at({i, 0, m, k}) += grad * b.at({j, k, n});
                        db.at({j, k, n}) += grad * a.at({i, 0, m, k});
                    }
    EXPECT_TENSOR_NEAR(a.grad(), da, 1e-4f);
    EXPECT_TENSOR_NEAR(b.grad(), db, 1e-4f);
}

TEST(HiddenMatMulRule, LargerProductAgainstLoops) {
    // Large enough for the packed, threaded gemm paths in both products.
    const int64_t M = 70, K = 90, N = 50;
    Generator gen(117);
    Tensor a = leaf(randn({M, K}, gen));
    Tensor b = leaf(randn({K, N}, gen));
    Tensor g = randn({M, N}, gen);
    a.matmul(b).backward(g);
    Tensor da = zeros({M, K});
    Tensor db = zeros({K, N});
    for (int64_t m = 0; m < M; ++m)
        for (int64_t k = 0; k < K; ++k) {
            double sa = 0.0;
            for (int64_t n = 0; n < N; ++n) sa += static_cast<double>(g.at({m, n})) * b.at({k, n});
            da.at({m, k}) = static_cast<float>(sa);
        }
    for (int64_t k = 0; k < K; ++k)
        for (int64_t n = 0; n < N; ++n) {
            double sb = 0.0;
            for (int64_t m = 0; m < M; ++m) sb += static_cast<double>(a.at({m, k})) * g.at({m, n});
            db.at({k, n}) = static_cast<float>(sb);
        }
    EXPECT_TENSOR_NEAR(a.grad(), da, 1e-3f);
    EXPECT_TENSOR_NEAR(b.grad(), db, 1e-3f);
}

TEST(HiddenMatMulRule, DotProductGradientsAreTheOtherVector) {
    Tensor a = leaf(Tensor({1, 2, 3}));
    Tensor b = leaf(Tensor({4, 5, 6}));
    a.matmul(b).backward(scalar_tensor(2.0f));
    EXPECT_TENSOR_EQ(a.grad(), Tensor({8, 10, 12}));
    EXPECT_TENSOR_EQ(b.grad(), Tensor({2, 4, 6}));
}

// ---------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------

TEST(HiddenViewRules, ReshapeOfANonContiguousInput) {
    Generator gen(120);
    auto f = [](const Inputs& x) { return x[0].reshape({2, 3, 2}) * x[1]; };
    EXPECT_GRADIENTS_MATCH(f, {transposed_leaf({3, 4}, gen), leaf(randn({3, 2}, gen))});
}

TEST(HiddenViewRules, ChainOfViewsBackToTheLeaf) {
    Generator gen(121);
    auto f = [](const Inputs& x) {
        return x[0].permute({1, 2, 0}).reshape({4, 6}).transpose(0, 1).slice(1, 6, 2).unsqueeze(0).expand({2, 3, 4});
    };
    EXPECT_GRADIENTS_MATCH(f, {leaf(randn({6, 2, 2}, gen))});
}

TEST(HiddenViewRules, SliceWithNegativeBoundsAndStepThree) {
    Tensor x = leaf(zeros({7}));
    (x.slice(-6, -1, 3) * Tensor({2, 5})).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({0, 2, 0, 0, 5, 0, 0}));
}

TEST(HiddenViewRules, EmptySliceGivesZeroGradient) {
    Tensor x = leaf(ones({3, 2}));
    Tensor out = x.slice(2, 1).sum() + x.sum();
    out.backward();
    EXPECT_TENSOR_EQ(x.grad(), ones({3, 2}));
}

TEST(HiddenViewRules, IndexingTwiceReachesOneElement) {
    Tensor x = leaf(zeros({2, 3}));
    (x[1][-1] * 4.0f).backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({{0, 0, 0}, {0, 0, 4}}));
}

TEST(HiddenViewRules, ExpandOfAScalarSumsEverything) {
    Tensor s = leaf(scalar_tensor(1.0f));
    (s.expand({2, 3}) * arange(0, 6).reshape({2, 3})).sum().backward();
    EXPECT_TENSOR_EQ(s.grad(), scalar_tensor(15.0f));
}

TEST(HiddenViewRules, ExpandKeepingAxesWithMinusOne) {
    Generator gen(122);
    auto f = [](const Inputs& x) { return x[0].expand({3, -1, 4}) * x[1]; };
    EXPECT_GRADIENTS_MATCH(f, {leaf(randn({2, 1}, gen)), leaf(randn({3, 2, 4}, gen))});
}

TEST(HiddenViewRules, CloneOfAStridedInput) {
    Generator gen(123);
    auto f = [](const Inputs& x) { return x[0].clone() * x[0]; };
    EXPECT_GRADIENTS_MATCH(f, {strided_leaf({3, 3}, gen)});
}

// ---------------------------------------------------------------------------
// Reductions
// ---------------------------------------------------------------------------

TEST(HiddenReductionRules, SumAndMeanOverNegativeAxesOfATransposedInput) {
    Generator gen(130);
    auto f = [](const Inputs& x) { return x[0].sum(-1) * x[0].mean(-2, true).sum() + x[0].mean(); };
    EXPECT_GRADIENTS_MATCH(f, {transposed_leaf({3, 4}, gen)});
}

TEST(HiddenReductionRules, ReducingASizeOneAxis) {
    Generator gen(131);
    auto f = [](const Inputs& x) { return x[0].sum(1) * x[0].mean(1, true).squeeze(1) + x[0].max(1); };
    EXPECT_GRADIENTS_MATCH(f, {leaf(randn({3, 1, 2}, gen))});
}

TEST(HiddenReductionRules, ReductionsOfAScalar) {
    Tensor s = leaf(scalar_tensor(3.0f));
    (s.sum(0) * 2.0f + s.mean(0) * 3.0f + s.max() * 4.0f).backward();
    EXPECT_TENSOR_EQ(s.grad(), scalar_tensor(9.0f));
}

TEST(HiddenReductionRules, MeanOverAnAxisDividesByItsLength) {
    Tensor x = leaf(zeros({2, 4}));
    x.mean(1).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), full({2, 4}, 0.25f));
}

TEST(HiddenReductionRules, MaxOfATransposedInputFollowsItsOwnIndexOrder) {
    // x = [[2, 5], [5, 1]] stored column by column: the first 5 in x's own
    // row-major order is x[0][1], but the first 5 in memory is x[1][0].
    Tensor base = Tensor({{2, 5}, {5, 1}});
    Tensor x = base.transpose(0, 1).contiguous().transpose(0, 1).requires_grad_();
    x.max().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({{0, 1}, {0, 0}}));
}

TEST(HiddenReductionRules, MaxOverTheLastAxisWithTies) {
    Tensor x = leaf(Tensor({{1, 7, 7}, {4, 4, 0}}));
    x.max(-1, true).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({{0, 1, 0}, {1, 0, 0}}));
}

TEST(HiddenReductionRules, MaxOverAMiddleAxisOfADistinctInput) {
    Generator gen(132);
    auto f = [](const Inputs& x) { return x[0].max(1) * x[1]; };
    Tensor x = leaf(distinct_values({2, 5, 3}, gen));
    EXPECT_GRADIENTS_MATCH(f, {x, leaf(randn({2, 3}, gen))});
}

// ---------------------------------------------------------------------------
// Activations
// ---------------------------------------------------------------------------

TEST(HiddenActivationRules, OnATransposedInput) {
    Generator gen(140);
    Tensor x = leaf(signed_uniform({4, 3}, 0.1f, 2.0f, gen).transpose(0, 1));
    auto f = [](const Inputs& v) {
        return relu(v[0]) + leaky_relu(v[0], 0.3f) + sigmoid(v[0]) + tanh(v[0]) + gelu(v[0]);
    };
    EXPECT_GRADIENTS_MATCH(f, {x});
}

TEST(HiddenActivationRules, LeakyReLUWithASlopeAboveOne) {
    Tensor x = leaf(Tensor({-1, 2}));
    leaky_relu(x, 3.0f).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({3, 1}));
}

TEST(HiddenActivationRules, SaturatedSigmoidAndTanhHaveTinyFiniteGradients) {
    Tensor x = leaf(Tensor({-30, 30}));
    (sigmoid(x) + tanh(x)).sum().backward();
    EXPECT_TRUE(std::isfinite(x.grad().at({0})) && std::isfinite(x.grad().at({1})));
    EXPECT_NEAR(x.grad().at({0}), 0.0f, 1e-12f);
    EXPECT_NEAR(x.grad().at({1}), 0.0f, 1e-12f);
}

TEST(HiddenActivationRules, GELUDerivativeAgainstTheFormula) {
    const std::vector<float> points = {-6.0f, -2.5f, -0.3f, 0.0f, 0.7f, 4.0f};
    Tensor x = leaf(Tensor(points, {6}));
    gelu(x).sum().backward();
    const double k = std::sqrt(2.0 / 3.14159265358979323846);
    for (size_t i = 0; i < points.size(); ++i) {
        const double v = points[i];
        const double t = std::tanh(k * (v + 0.044715 * v * v * v));
        const double slope = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * k * (1 + 3 * 0.044715 * v * v);
        EXPECT_NEAR(x.grad().at({static_cast<int64_t>(i)}), slope, 1e-6) << "x = " << v;
    }
}

TEST(HiddenActivationRules, SoftmaxOverTheFirstAxisOfATransposedInput) {
    Generator gen(141);
    auto f = [](const Inputs& x) { return softmax(x[0], 0) * x[1]; };
    EXPECT_GRADIENTS_MATCH(f, {transposed_leaf({4, 3}, gen), leaf(randn({4, 3}, gen))});
}

TEST(HiddenActivationRules, LogSoftmaxOverASizeOneAxisHasZeroGradient) {
    Tensor x = leaf(Tensor({{3}, {-1}}));
    log_softmax(x, 1).sum().backward();
    EXPECT_TENSOR_NEAR(x.grad(), zeros({2, 1}), 1e-7f);
}

TEST(HiddenActivationRules, LogSoftmaxOfLargeLogitsAgainstAReference) {
    // d/dx of sum(g * log_softmax(x)) = g - softmax(x) * sum(g).
    Tensor x = leaf(Tensor({{1000, 1001, 1002}}));
    Tensor g = Tensor({{1, 0, 2}});
    log_softmax(x, 1).backward(g);
    const double e0 = std::exp(-2.0), e1 = std::exp(-1.0), total = e0 + e1 + 1.0;
    Tensor expected({{static_cast<float>(1 - 3 * e0 / total), static_cast<float>(-3 * e1 / total),
                      static_cast<float>(2 - 3 / total)}});
    EXPECT_TENSOR_NEAR(x.grad(), expected, 1e-6f);
}

// ---------------------------------------------------------------------------
// Losses
// ---------------------------------------------------------------------------

TEST(HiddenLossRules, MSEOnATransposedPrediction) {
    Generator gen(150);
    auto f = [](const Inputs& x) { return mse_loss(x[0], x[1]); };
    EXPECT_GRADIENTS_MATCH(f, {transposed_leaf({3, 2}, gen), randn({3, 2}, gen)});
}

TEST(HiddenLossRules, MSENoneScalesEachElementByItsGradient) {
    Tensor p = leaf(Tensor({1, 2}));
    mse_loss(p, Tensor({0, 0}), Reduction::None).backward(Tensor({10, 100}));
    EXPECT_TENSOR_EQ(p.grad(), Tensor({20, 400}));
}

TEST(HiddenLossRules, CrossEntropyPerSampleAgainstAReference) {
    Generator gen(151);
    Tensor logits = leaf(randn({3, 4}, gen));
    Tensor target = Tensor({3, 0, 2});
    Tensor g = Tensor({0.5f, -1.0f, 2.0f});
    cross_entropy(logits, target, Reduction::None).backward(g);
    Tensor expected = empty({3, 4});
    for (int64_t n = 0; n < 3; ++n) {
        double total = 0.0;
        for (int64_t c = 0; c < 4; ++c) total += std::exp(static_cast<double>(logits.at({n, c})));
        for (int64_t c = 0; c < 4; ++c) {
            const double p = std::exp(static_cast<double>(logits.at({n, c}))) / total;
            const double onehot = c == static_cast<int64_t>(target.at({n})) ? 1.0 : 0.0;
            expected.at({n, c}) = static_cast<float>((p - onehot) * g.at({n}));
        }
    }
    EXPECT_TENSOR_NEAR(logits.grad(), expected, 1e-6f);
}

TEST(HiddenLossRules, CrossEntropySumOnTransposedLogits) {
    Generator gen(152);
    auto f = [](const Inputs& x) { return cross_entropy(x[0], x[1], Reduction::Sum); };
    EXPECT_GRADIENTS_MATCH(f, {transposed_leaf({5, 3}, gen), Tensor({0, 2, 1, 1, 0})});
}

TEST(HiddenLossRules, CrossEntropyWithOneClassHasZeroGradient) {
    Tensor logits = leaf(Tensor({{4}, {-2}}));
    cross_entropy(logits, Tensor({0, 0})).backward();
    EXPECT_TENSOR_NEAR(logits.grad(), zeros({2, 1}), 1e-7f);
}

TEST(HiddenLossRules, CrossEntropyOfConfidentLogitsIsFinite) {
    Tensor logits = leaf(Tensor({{1000, -1000}}));
    cross_entropy(logits, Tensor({1})).backward();
    EXPECT_TENSOR_NEAR(logits.grad(), Tensor({{1, -1}}), 1e-6f);
}

TEST(HiddenLossRules, BCEAgainstAReference) {
    Tensor p = leaf(Tensor({0.25f, 0.5f, 0.9f}));
    Tensor t = Tensor({1, 0, 0.5f});
    binary_cross_entropy(p, t, Reduction::Sum).backward();
    // (p - t) / (p (1 - p))
    EXPECT_TENSOR_NEAR(p.grad(), Tensor({-0.75f / 0.1875f, 0.5f / 0.25f, 0.4f / 0.09f}), 1e-4f);
}

TEST(HiddenLossRules, BCEAtOneIsClampedToo) {
    Tensor p = leaf(Tensor({1.0f}));
    binary_cross_entropy(p, Tensor({0.0f}), Reduction::Sum).backward();
    // q = 1 - 1e-7: (q - 0) / (q (1 - q)) = 1 / (1 - q) = 1e7 (to float precision of q).
    EXPECT_TRUE(std::isfinite(p.grad().item()));
    EXPECT_NEAR(p.grad().item(), 1e7f, 1e3f);
}

TEST(HiddenLossRules, BCEOnAStridedPrediction) {
    Generator gen(153);
    Tensor p = leaf(uniform_tensor({6, 2}, 0.2f, 0.8f, gen).slice(0, 6, 2));
    auto f = [](const Inputs& x) { return binary_cross_entropy(x[0], x[1], Reduction::Mean); };
    EXPECT_GRADIENTS_MATCH(f, {p, uniform_tensor({3, 2}, 0.0f, 1.0f, gen)});
}
