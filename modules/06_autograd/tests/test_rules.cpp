// Module 06 — every derivative rule, checked against central finite
// differences on random inputs (gradcheck.hpp: step 1e-2 on inputs of order
// 1, tolerance 1e-2 absolute and relative, the output reduced to one scalar
// by a fixed random projection), plus a few gradients written out by hand.
#include <cmath>
#include <ostream>
#include <string>
#include <vector>

#include "autograd.hpp"
#include "gradcheck.hpp"
#include "testing.hpp"

using namespace tinytorch;
using namespace tinytorch::testing;

namespace {

using Inputs = std::vector<Tensor>;

Tensor leaf(Tensor t) { return t.requires_grad_(); }

Tensor normal(const Shape& shape, Generator& gen) { return leaf(randn(shape, gen)); }

}  // namespace

// ---------------------------------------------------------------------------
// Elementwise arithmetic, with broadcasting in both operands
// ---------------------------------------------------------------------------

TEST(AddRule, MatchesFiniteDifferencesBroadcastingBothOperands) {
    Generator gen(1);
    auto f = [](const Inputs& x) { return x[0] + x[1]; };
    EXPECT_GRADIENTS_MATCH(f, {normal({2, 1, 3}, gen), normal({4, 1}, gen)});
}

TEST(AddRule, GradientOfEachOperandIsTheOnesSummedToItsShape) {
    Tensor a = leaf(zeros({2, 1}));
    Tensor b = leaf(zeros({3}));
    (a + b).sum().backward();
    EXPECT_TENSOR_EQ(a.grad(), Tensor({{3}, {3}}));
    EXPECT_TENSOR_EQ(b.grad(), Tensor({2, 2, 2}));
}

TEST(SubRule, MatchesFiniteDifferencesBroadcastingBothOperands) {
    Generator gen(2);
    auto f = [](const Inputs& x) { return x[0] - x[1]; };
    EXPECT_GRADIENTS_MATCH(f, {normal({3, 1}, gen), normal({2, 1, 4}, gen)});
}

TEST(SubRule, SecondOperandGetsMinusTheGradient) {
    Tensor a = leaf(zeros({2}));
    Tensor b = leaf(zeros({2}));
    (a - b).sum().backward();
    EXPECT_TENSOR_EQ(a.grad(), Tensor({1, 1}));
    EXPECT_TENSOR_EQ(b.grad(), Tensor({-1, -1}));
}

TEST(MulRule, MatchesFiniteDifferencesBroadcastingBothOperands) {
    Generator gen(3);
    auto f = [](const Inputs& x) { return x[0] * x[1]; };
    EXPECT_GRADIENTS_MATCH(f, {normal({2, 3, 1}, gen), normal({1, 4}, gen)});
}

TEST(MulRule, EachOperandGetsTheOther) {
    Tensor a = leaf(Tensor({1, 2, 3}));
    Tensor b = leaf(Tensor({4, 5, 6}));
    (a * b).sum().backward();
    EXPECT_TENSOR_EQ(a.grad(), Tensor({4, 5, 6}));
    EXPECT_TENSOR_EQ(b.grad(), Tensor({1, 2, 3}));
}

TEST(MulRule, ByAScalarOperand) {
    Generator gen(4);
    auto f = [](const Inputs& x) { return x[0] * 3.0f; };
    EXPECT_GRADIENTS_MATCH(f, {normal({2, 2}, gen)});
}

TEST(DivRule, MatchesFiniteDifferencesBroadcastingBothOperands) {
    Generator gen(5);
    auto f = [](const Inputs& x) { return x[0] / x[1]; };
    EXPECT_GRADIENTS_MATCH(f, {normal({2, 3}, gen), leaf(signed_uniform({2, 1}, 0.5f, 1.5f, gen))});
}

TEST(DivRule, KnownGradients) {
    Tensor a = leaf(Tensor({6}));
    Tensor b = leaf(Tensor({2}));
    (a / b).sum().backward();
    EXPECT_TENSOR_NEAR(a.grad(), Tensor({0.5f}), 1e-6f);    // 1 / b
    EXPECT_TENSOR_NEAR(b.grad(), Tensor({-1.5f}), 1e-6f);   // -a / b^2
}

TEST(NegRule, MatchesFiniteDifferences) {
    Generator gen(6);
    auto f = [](const Inputs& x) { return -x[0]; };
    EXPECT_GRADIENTS_MATCH(f, {normal({3, 2}, gen)});
}

// ---------------------------------------------------------------------------
// Elementwise functions
// ---------------------------------------------------------------------------

TEST(PowRule, SquareMatchesFiniteDifferences) {
    Generator gen(7);
    auto f = [](const Inputs& x) { return pow(x[0], 2.0f); };
    EXPECT_GRADIENTS_MATCH(f, {normal({2, 3}, gen)});
}

TEST(PowRule, CubeMatchesFiniteDifferences) {
    Generator gen(8);
    auto f = [](const Inputs& x) { return pow(x[0], 3.0f); };
    EXPECT_GRADIENTS_MATCH(f, {normal({4}, gen)});
}

TEST(PowRule, FractionalAndNegativeExponentsMatchFiniteDifferences) {
    Generator gen(9);
    auto f = [](const Inputs& x) { return pow(x[0], 0.5f) + pow(x[0], -1.5f); };
    EXPECT_GRADIENTS_MATCH(f, {leaf(uniform_tensor({5}, 0.5f, 2.0f, gen))});
}

TEST(PowRule, ExponentZeroHasZeroGradient) {
    Tensor x = leaf(Tensor({0, 2}));
    pow(x, 0.0f).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({0, 0}));
}

TEST(ExpRule, MatchesFiniteDifferences) {
    Generator gen(10);
    auto f = [](const Inputs& x) { return exp(x[0]); };
    EXPECT_GRADIENTS_MATCH(f, {normal({2, 3}, gen)});
}

TEST(LogRule, MatchesFiniteDifferences) {
    Generator gen(11);
    auto f = [](const Inputs& x) { return log(x[0]); };
    EXPECT_GRADIENTS_MATCH(f, {leaf(uniform_tensor({2, 3}, 0.5f, 2.0f, gen))});
}

TEST(SqrtRule, MatchesFiniteDifferences) {
    Generator gen(12);
    auto f = [](const Inputs& x) { return sqrt(x[0]); };
    EXPECT_GRADIENTS_MATCH(f, {leaf(uniform_tensor({6}, 0.5f, 2.0f, gen))});
}

TEST(AbsRule, MatchesFiniteDifferencesAwayFromZero) {
    Generator gen(13);
    auto f = [](const Inputs& x) { return abs(x[0]); };
    EXPECT_GRADIENTS_MATCH(f, {leaf(signed_uniform({2, 4}, 0.1f, 1.0f, gen))});
}

TEST(AbsRule, GradientAtZeroIsZero) {
    Tensor x = leaf(Tensor({-2, 0, 3}));
    abs(x).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({-1, 0, 1}));
}

TEST(ClampRule, MatchesFiniteDifferencesInsideAndOutsideTheRange) {
    auto f = [](const Inputs& x) { return clamp(x[0], -0.5f, 0.5f); };
    // Values inside, below and above [-0.5, 0.5], none within the step of a bound.
    EXPECT_GRADIENTS_MATCH(f, {leaf(Tensor({-1.2f, -0.7f, -0.3f, 0.1f, 0.4f, 0.8f}))});
}

TEST(ClampRule, GradientPassesOnlyInsideTheRange) {
    Tensor x = leaf(Tensor({-2, -1, 0, 1, 2}));
    clamp(x, -1.0f, 1.0f).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({0, 1, 1, 1, 0}));
}

// ---------------------------------------------------------------------------
// Matrix product, every operand rank
// ---------------------------------------------------------------------------

TEST(MatMulRule, VectorDotVector) {
    Generator gen(20);
    auto f = [](const Inputs& x) { return x[0].matmul(x[1]); };
    EXPECT_GRADIENTS_MATCH(f, {normal({4}, gen), normal({4}, gen)});
}

TEST(MatMulRule, VectorTimesMatrix) {
    Generator gen(21);
    auto f = [](const Inputs& x) { return x[0].matmul(x[1]); };
    EXPECT_GRADIENTS_MATCH(f, {normal({3}, gen), normal({3, 5}, gen)});
}

TEST(MatMulRule, MatrixTimesVector) {
    Generator gen(22);
    auto f = [](const Inputs& x) { return x[0].matmul(x[1]); };
    EXPECT_GRADIENTS_MATCH(f, {normal({4, 3}, gen), normal({3}, gen)});
}

TEST(MatMulRule, MatrixTimesMatrix) {
    Generator gen(23);
    auto f = [](const Inputs& x) { return x[0].matmul(x[1]); };
    EXPECT_GRADIENTS_MATCH(f, {normal({3, 4}, gen), normal({4, 2}, gen)});
}

TEST(MatMulRule, MatrixTimesMatrixKnownGradients) {
    // d sum(A B) / dA = ones @ B^T, / dB = A^T @ ones.
    Tensor a = leaf(Tensor({{1, 2}, {3, 4}}));
    Tensor b = leaf(Tensor({{5, 6}, {7, 8}}));
    a.matmul(b).sum().backward();
    EXPECT_TENSOR_EQ(a.grad(), Tensor({{11, 15}, {11, 15}}));
    EXPECT_TENSOR_EQ(b.grad(), Tensor({{4, 4}, {6, 6}}));
}

TEST(MatMulRule, BatchedWithBroadcastBatchAxes) {
    Generator gen(24);
    auto f = [](const Inputs& x) { return x[0].matmul(x[1]); };
    // (2, 1, 3, 4) @ (3, 4, 2) -> (2, 3, 3, 2): both operands broadcast a batch axis.
    EXPECT_GRADIENTS_MATCH(f, {normal({2, 1, 3, 4}, gen), normal({3, 4, 2}, gen)});
}

TEST(MatMulRule, BatchTimesSharedMatrix) {
    Generator gen(25);
    auto f = [](const Inputs& x) { return x[0].matmul(x[1]); };
    EXPECT_GRADIENTS_MATCH(f, {normal({2, 3, 4}, gen), normal({4, 5}, gen)});
}

TEST(MatMulRule, SharedMatrixTimesBatch) {
    Generator gen(26);
    auto f = [](const Inputs& x) { return x[0].matmul(x[1]); };
    EXPECT_GRADIENTS_MATCH(f, {normal({3, 4}, gen), normal({2, 4, 2}, gen)});
}

TEST(MatMulRule, VectorAgainstBatch) {
    Generator gen(27);
    auto f = [](const Inputs& x) { return x[0].matmul(x[1]) + x[1].transpose(-1, -2).matmul(x[0]).sum(); };
    EXPECT_GRADIENTS_MATCH(f, {normal({4}, gen), normal({2, 4, 3}, gen)});
}

TEST(MatMulRule, OnlyTheOperandThatRequiresGradGetsOne) {
    Tensor a = leaf(Tensor({{1, 2}}));
    Tensor b = Tensor({{3}, {4}});
    a.matmul(b).sum().backward();
    EXPECT_TENSOR_EQ(a.grad(), Tensor({{3, 4}}));
    EXPECT_FALSE(b.grad().defined());
}

// ---------------------------------------------------------------------------
// Views and copies
// ---------------------------------------------------------------------------

TEST(ReshapeRule, MatchesFiniteDifferences) {
    Generator gen(30);
    auto f = [](const Inputs& x) { return x[0].reshape({3, -1}) * x[1]; };
    EXPECT_GRADIENTS_MATCH(f, {normal({2, 6}, gen), normal({3, 4}, gen)});
}

TEST(ReshapeRule, ViewFlattenSqueezeAndUnsqueeze) {
    Generator gen(31);
    auto f = [](const Inputs& x) {
        Tensor flat = x[0].view({-1}).unsqueeze(0);       // (1, 6)
        return flat.squeeze(0) * x[0].flatten() + x[0].squeeze().sum();
    };
    EXPECT_GRADIENTS_MATCH(f, {normal({2, 1, 3}, gen)});
}

TEST(PermuteRule, MatchesFiniteDifferences) {
    Generator gen(32);
    auto f = [](const Inputs& x) { return x[0].permute({2, 0, 1}) * x[1]; };
    EXPECT_GRADIENTS_MATCH(f, {normal({2, 3, 4}, gen), normal({4, 2, 3}, gen)});
}

TEST(PermuteRule, TransposeSendsGradientBackTransposed) {
    Tensor x = leaf(zeros({2, 3}));
    (x.transpose(0, 1) * Tensor({{1, 2}, {3, 4}, {5, 6}})).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({{1, 3, 5}, {2, 4, 6}}));
}

TEST(ExpandRule, MatchesFiniteDifferences) {
    Generator gen(33);
    auto f = [](const Inputs& x) { return x[0].expand({2, 3, 4}) * x[1]; };
    EXPECT_GRADIENTS_MATCH(f, {normal({3, 1}, gen), normal({2, 3, 4}, gen)});
}

TEST(SliceRule, MatchesFiniteDifferencesWithAStep) {
    Generator gen(34);
    auto f = [](const Inputs& x) { return x[0].slice(1, 6, 2) * x[1]; };
    EXPECT_GRADIENTS_MATCH(f, {normal({7, 2}, gen), normal({3, 2}, gen)});
}

TEST(SliceRule, RowsOutsideTheSliceGetZero) {
    Tensor x = leaf(zeros({4, 2}));
    x.slice(1, 3).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({{0, 0}, {1, 1}, {1, 1}, {0, 0}}));
}

TEST(SliceRule, IndexingARow) {
    Tensor x = leaf(zeros({3, 2}));
    (x[-1] * Tensor({5, 7})).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({{0, 0}, {0, 0}, {5, 7}}));
}

TEST(ContiguousRule, CopyOfATransposedViewMatchesFiniteDifferences) {
    Generator gen(35);
    auto f = [](const Inputs& x) { return x[0].transpose(0, 1).contiguous() * x[1]; };
    EXPECT_GRADIENTS_MATCH(f, {normal({3, 2}, gen), normal({2, 3}, gen)});
}

TEST(ContiguousRule, ClonePassesTheGradientThrough) {
    Tensor x = leaf(zeros({2}));
    (x.clone() * Tensor({2, 3})).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({2, 3}));
}

// ---------------------------------------------------------------------------
// Reductions
// ---------------------------------------------------------------------------

TEST(SumRule, OverEverything) {
    Generator gen(40);
    auto f = [](const Inputs& x) { return x[0].sum() * x[0].sum(); };
    EXPECT_GRADIENTS_MATCH(f, {normal({2, 3}, gen)});
}

TEST(SumRule, OverOneAxis) {
    Generator gen(41);
    auto f = [](const Inputs& x) { return x[0].sum(1) * x[1]; };
    EXPECT_GRADIENTS_MATCH(f, {normal({2, 3, 4}, gen), normal({2, 4}, gen)});
}

TEST(SumRule, OverOneAxisKeepingIt) {
    Generator gen(42);
    auto f = [](const Inputs& x) { return x[0].sum(0, true) * x[0]; };
    EXPECT_GRADIENTS_MATCH(f, {normal({3, 2}, gen)});
}

TEST(MeanRule, OverEverything) {
    Tensor x = leaf(zeros({2, 2}));
    x.mean().backward();
    EXPECT_TENSOR_EQ(x.grad(), full({2, 2}, 0.25f));
}

TEST(MeanRule, OverOneAxisMatchesFiniteDifferences) {
    Generator gen(43);
    auto f = [](const Inputs& x) { return x[0].mean(-1) * x[1] + x[0].mean(0, true).sum(); };
    EXPECT_GRADIENTS_MATCH(f, {normal({3, 4}, gen), normal({3}, gen)});
}

TEST(MaxRule, OverEverythingMatchesFiniteDifferences) {
    Generator gen(44);
    auto f = [](const Inputs& x) { return x[0].max() * 2.0f; };
    EXPECT_GRADIENTS_MATCH(f, {leaf(distinct_values({3, 4}, gen))});
}

TEST(MaxRule, OverOneAxisMatchesFiniteDifferences) {
    Generator gen(45);
    auto f = [](const Inputs& x) { return x[0].max(1) * x[1] + x[0].max(0, true).sum(); };
    EXPECT_GRADIENTS_MATCH(f, {leaf(distinct_values({3, 4, 2}, gen)), normal({3, 2}, gen)});
}

TEST(MaxRule, TiesSendTheGradientToTheFirstMaximum) {
    Tensor x = leaf(Tensor({1, 3, 3, 2}));
    x.max().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({0, 1, 0, 0}));
}

TEST(MaxRule, TiesAlongAnAxisPickTheFirstInEachSlice) {
    Tensor x = leaf(Tensor({{5, 1}, {5, 4}, {2, 4}}));
    x.max(0).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({{1, 0}, {0, 1}, {0, 0}}));
}

// ---------------------------------------------------------------------------
// Activations
// ---------------------------------------------------------------------------

TEST(ReLURule, MatchesFiniteDifferencesAwayFromZero) {
    Generator gen(50);
    auto f = [](const Inputs& x) { return relu(x[0]); };
    EXPECT_GRADIENTS_MATCH(f, {leaf(signed_uniform({3, 4}, 0.1f, 2.0f, gen))});
}

TEST(ReLURule, GradientAtZeroIsZero) {
    Tensor x = leaf(Tensor({-1, 0, 2}));
    relu(x).sum().backward();
    EXPECT_TENSOR_EQ(x.grad(), Tensor({0, 0, 1}));
}

TEST(LeakyReLURule, MatchesFiniteDifferencesAwayFromZero) {
    Generator gen(51);
    auto f = [](const Inputs& x) { return leaky_relu(x[0], 0.2f); };
    EXPECT_GRADIENTS_MATCH(f, {leaf(signed_uniform({3, 4}, 0.1f, 2.0f, gen))});
}

TEST(LeakyReLURule, NegativeSideGetsTheSlope) {
    Tensor x = leaf(Tensor({-3, 4}));
    leaky_relu(x, 0.1f).sum().backward();
    EXPECT_TENSOR_NEAR(x.grad(), Tensor({0.1f, 1.0f}), 1e-7f);
}

TEST(SigmoidRule, MatchesFiniteDifferences) {
    Generator gen(52);
    auto f = [](const Inputs& x) { return sigmoid(x[0]); };
    EXPECT_GRADIENTS_MATCH(f, {normal({2, 5}, gen)});
}

TEST(SigmoidRule, SlopeAtZeroIsAQuarter) {
    Tensor x = leaf(Tensor({0}));
    sigmoid(x).sum().backward();
    EXPECT_TENSOR_NEAR(x.grad(), Tensor({0.25f}), 1e-7f);
}

TEST(TanhRule, MatchesFiniteDifferences) {
    Generator gen(53);
    auto f = [](const Inputs& x) { return tanh(x[0]); };
    EXPECT_GRADIENTS_MATCH(f, {normal({2, 5}, gen)});
}

TEST(GELURule, MatchesFiniteDifferences) {
    Generator gen(54);
    auto f = [](const Inputs& x) { return gelu(x[0]); };
    EXPECT_GRADIENTS_MATCH(f, {leaf(uniform_tensor({12}, -3.0f, 3.0f, gen))});
}

TEST(GELURule, DifferentiatesTheTanhApproximation) {
    // d/dx of 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) at x = 1 is
    // 1.0829640; the erf form's derivative there is 1.0833155.
    Tensor x = leaf(Tensor({1}));
    gelu(x).sum().backward();
    EXPECT_NEAR(x.grad().item(), 1.0829640f, 2e-6f);
}

TEST(SoftmaxRule, LastAxisMatchesFiniteDifferences) {
    Generator gen(55);
    auto f = [](const Inputs& x) { return softmax(x[0], -1); };
    EXPECT_GRADIENTS_MATCH(f, {normal({3, 4}, gen)});
}

TEST(SoftmaxRule, MiddleAxisMatchesFiniteDifferences) {
    Generator gen(56);
    auto f = [](const Inputs& x) { return softmax(x[0], 1); };
    EXPECT_GRADIENTS_MATCH(f, {normal({2, 3, 4}, gen)});
}

TEST(SoftmaxRule, SumOfASliceHasZeroGradient) {
    // Every slice sums to 1 whatever x is, so d(sum)/dx = 0.
    Tensor x = leaf(Tensor({{1, 2, 3}}));
    softmax(x, 1).sum().backward();
    EXPECT_TENSOR_NEAR(x.grad(), zeros({1, 3}), 1e-7f);
}

TEST(LogSoftmaxRule, LastAxisMatchesFiniteDifferences) {
    Generator gen(57);
    auto f = [](const Inputs& x) { return log_softmax(x[0], -1); };
    EXPECT_GRADIENTS_MATCH(f, {normal({3, 4}, gen)});
}

TEST(LogSoftmaxRule, FirstAxisMatchesFiniteDifferences) {
    Generator gen(58);
    auto f = [](const Inputs& x) { return log_softmax(x[0], 0); };
    EXPECT_GRADIENTS_MATCH(f, {normal({3, 2, 2}, gen)});
}

// ---------------------------------------------------------------------------
// Losses, every reduction
// ---------------------------------------------------------------------------

class LossRule : public ::testing::TestWithParam<Reduction> {};

std::string reduction_name(Reduction reduction) {
    switch (reduction) {
        case Reduction::Mean: return "Mean";
        case Reduction::Sum: return "Sum";
        case Reduction::None: return "None";
    }
    return "Unknown";
}

namespace tinytorch {
// How GoogleTest prints the parameter of a failing test.
void PrintTo(Reduction reduction, std::ostream* out) { *out << reduction_name(reduction); }
}  // namespace tinytorch

TEST_P(LossRule, MSEMatchesFiniteDifferences) {
    Generator gen(60);
    const Reduction reduction = GetParam();
    auto f = [reduction](const Inputs& x) { return mse_loss(x[0], x[1], reduction); };
    EXPECT_GRADIENTS_MATCH(f, {normal({3, 2}, gen), randn({3, 2}, gen)});
}

TEST_P(LossRule, CrossEntropyMatchesFiniteDifferences) {
    Generator gen(61);
    const Reduction reduction = GetParam();
    auto f = [reduction](const Inputs& x) { return cross_entropy(x[0], x[1], reduction); };
    EXPECT_GRADIENTS_MATCH(f, {normal({4, 3}, gen), Tensor({2, 0, 1, 2})});
}

TEST_P(LossRule, BinaryCrossEntropyMatchesFiniteDifferences) {
    Generator gen(62);
    const Reduction reduction = GetParam();
    auto f = [reduction](const Inputs& x) { return binary_cross_entropy(x[0], x[1], reduction); };
    EXPECT_GRADIENTS_MATCH(f, {leaf(uniform_tensor({2, 3}, 0.2f, 0.8f, gen)),
                               Tensor({{0, 1, 0.3f}, {1, 0, 0.5f}})});
}

INSTANTIATE_TEST_SUITE_P(EachReduction, LossRule,
                         ::testing::Values(Reduction::Mean, Reduction::Sum, Reduction::None),
                         [](const ::testing::TestParamInfo<Reduction>& info) {
                             return reduction_name(info.param);
                         });

TEST(MSELossRule, GradientIsTwiceTheErrorOverTheCount) {
    Tensor p = leaf(Tensor({1, 4}));
    mse_loss(p, Tensor({0, 2})).backward();
    EXPECT_TENSOR_NEAR(p.grad(), Tensor({1, 2}), 1e-6f);  // 2 (p - t) / 2
}

TEST(CrossEntropyRule, IsSoftmaxMinusOneHotOverTheBatch) {
    // softmax(0, ln 2, ln 2) = (1/5, 2/5, 2/5); target 1; two identical samples.
    const float ln2 = std::log(2.0f);
    Tensor logits = leaf(Tensor({{0, ln2, ln2}, {0, ln2, ln2}}));
    cross_entropy(logits, Tensor({1, 1})).backward();
    EXPECT_TENSOR_NEAR(logits.grad(), Tensor({{0.1f, -0.3f, 0.2f}, {0.1f, -0.3f, 0.2f}}), 1e-6f);
}

TEST(CrossEntropyRule, TargetGetsNoGradient) {
    Tensor target = leaf(Tensor({0}));
    Tensor logits = leaf(Tensor({{1, 2}}));
    cross_entropy(logits, target).backward();
    EXPECT_TRUE(logits.grad().defined());
    EXPECT_FALSE(target.grad().defined());
}

TEST(BCELossRule, SaturatedWrongPredictionStillGetsAFiniteGradient) {
    // p = 0 is clamped to q = 1e-7: dp = (q - 1) / (q (1 - q)) = -1e7.
    Tensor p = leaf(Tensor({0.0f}));
    binary_cross_entropy(p, Tensor({1.0f})).backward();
    EXPECT_TRUE(std::isfinite(p.grad().item()));
    EXPECT_NEAR(p.grad().item(), -1e7f, 1e2f);
}
