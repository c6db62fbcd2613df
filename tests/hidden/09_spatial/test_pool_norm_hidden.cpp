// Module 09, hidden tests: pooling and batch norm on other shapes —
// global windows, kernel 1, odd sizes with padding, batch 1, non-contiguous
// inputs, larger random cases — against spatial_reference.hpp, and the
// invariants of batch norm's gradient.
#include <cmath>

#include "autograd.hpp"
#include "gradcheck.hpp"
#include "spatial.hpp"
#include "spatial_reference.hpp"
#include "testing.hpp"

using namespace tinytorch;
using tinytorch::testing::distinct_values;

namespace {

void expect_pool_matches_reference(const Shape& shape, int64_t K, int64_t S, int64_t P, uint64_t seed) {
    Generator gen(seed);
    // Distinct values in [-2, 2]: no ties, and sums that float adds exactly enough.
    int64_t count = 1;
    for (int64_t extent : shape) count *= extent;
    Tensor x = distinct_values(shape, gen, 4.0f / static_cast<float>(count));
    const MaxPool2dResult result = max_pool2d_with_indices(x, K, S, P);
    Tensor dy = randn(result.output.shape(), gen);
    const reference::Pooled max_ref = reference::pool2d(x, dy, K, S, P, true);
    EXPECT_TENSOR_EQ(result.output, max_ref.output);
    EXPECT_TENSOR_NEAR(max_pool2d_backward(dy, result.argmax, x.shape()), max_ref.input_grad, 1e-5f);
    const reference::Pooled avg_ref = reference::pool2d(x, dy, K, S, P, false);
    EXPECT_TENSOR_NEAR(avg_pool2d(x, K, S, P), avg_ref.output, 1e-5f);
    EXPECT_TENSOR_NEAR(avg_pool2d_backward(dy, x.shape(), K, S, P), avg_ref.input_grad, 1e-5f);
}

}  // namespace

// ---------------------------------------------------------------------------
// Pooling
// ---------------------------------------------------------------------------

TEST(HiddenPool2d, LargerRandomCaseKernelThreeStrideTwoPaddingOne) {
    expect_pool_matches_reference({3, 4, 11, 9}, 3, 2, 1, 1);
}

TEST(HiddenPool2d, OverlappingWindowsOnOddSizes) { expect_pool_matches_reference({2, 3, 7, 5}, 3, 1, 1, 2); }

TEST(HiddenPool2d, KernelFiveStrideThreePaddingTwo) { expect_pool_matches_reference({2, 2, 13, 10}, 5, 3, 2, 3); }

TEST(HiddenPool2d, GlobalWindow) { expect_pool_matches_reference({2, 5, 6, 6}, 6, 1, 0, 4); }

TEST(HiddenPool2d, KernelOneIsTheIdentity) {
    Generator gen(5);
    Tensor x = randn({2, 3, 4, 5}, gen);
    EXPECT_TENSOR_EQ(max_pool2d(x, 1), x);
    EXPECT_TENSOR_EQ(avg_pool2d(x, 1), x);
}

TEST(HiddenPool2d, BatchOfOneAndOneChannel) { expect_pool_matches_reference({1, 1, 9, 8}, 2, 2, 1, 6); }

TEST(HiddenPool2d, CifarShapes) {
    expect_pool_matches_reference({2, 32, 32, 32}, 2, 2, 0, 7);
    expect_pool_matches_reference({2, 64, 16, 16}, 2, 2, 0, 8);
}

TEST(HiddenPool2d, NonContiguousInput) {
    Generator gen(9);
    Tensor stored = distinct_values({2, 7, 6, 3}, gen);
    Tensor x = stored.permute({0, 3, 1, 2});  // (2, 3, 7, 6)
    ASSERT_FALSE(x.is_contiguous());
    const reference::Pooled ref = reference::pool2d(x, Tensor(), 3, 2, 1, true);
    EXPECT_TENSOR_EQ(max_pool2d(x, 3, 2, 1), ref.output);
    EXPECT_TENSOR_NEAR(avg_pool2d(x, 3, 2, 1), reference::pool2d(x, Tensor(), 3, 2, 1, false).output, 1e-5f);
}

TEST(HiddenPool2d, NonContiguousGradOutput) {
    Generator gen(10);
    Tensor x = distinct_values({1, 2, 6, 6}, gen);
    const MaxPool2dResult result = max_pool2d_with_indices(x, 2);
    Tensor dy = randn({1, 2, 3, 3}, gen).transpose(2, 3);
    const reference::Pooled ref = reference::pool2d(x, dy, 2, 2, 0, true);
    EXPECT_TENSOR_NEAR(max_pool2d_backward(dy, result.argmax, x.shape()), ref.input_grad, 1e-6f);
    EXPECT_TENSOR_NEAR(avg_pool2d_backward(dy, x.shape(), 2), reference::pool2d(x, dy, 2, 2, 0, false).input_grad, 1e-6f);
}

TEST(HiddenMaxPool2d, TiesInOverlappingWindowsEachTakeTheirFirst) {
    // Row 5 5 5 with kernel 2, stride 1: window 0 takes column 0, window 1 column 1.
    Tensor x = full({1, 1, 1, 3}, 5.0f);
    EXPECT_THROW_WITH(max_pool2d_with_indices(x, 2), ShapeError, "kernel 2 is larger than the input 1x3");
    Tensor y = full({1, 1, 2, 3}, 5.0f);
    const MaxPool2dResult result = max_pool2d_with_indices(y, 2, 1);
    EXPECT_EQ(result.argmax, (std::vector<int32_t>{0, 1}));
    EXPECT_TENSOR_EQ(max_pool2d_backward(Tensor({{{{1, 10}}}}), result.argmax, y.shape()),
                     Tensor({{{{1, 10, 0}, {0, 0, 0}}}}));
}

TEST(HiddenMaxPool2d, PaddedWindowsOfNegativeValuesPickARealPixel) {
    Tensor x = full({1, 1, 3, 3}, -7.0f);
    const MaxPool2dResult result = max_pool2d_with_indices(x, 3, 1, 1);
    EXPECT_TENSOR_EQ(result.output, full({1, 1, 3, 3}, -7.0f));
    // The first real pixel of each window in row-major order.
    EXPECT_EQ(result.argmax, (std::vector<int32_t>{0, 0, 1, 0, 0, 1, 3, 3, 4}));
}

TEST(HiddenMaxPool2d, ArgmaxIndexesEachPlaneFromZero) {
    Generator gen(11);
    Tensor x = distinct_values({2, 3, 4, 4}, gen);
    const MaxPool2dResult result = max_pool2d_with_indices(x, 4);
    ASSERT_EQ(result.argmax.size(), 6u);
    for (int64_t p = 0; p < 6; ++p) {
        const int32_t at = result.argmax[static_cast<size_t>(p)];
        ASSERT_GE(at, 0);
        ASSERT_LT(at, 16);
        EXPECT_EQ(x.at({p / 3, p % 3, at / 4, at % 4}), x[p / 3][p % 3].max().item());
    }
}

TEST(HiddenMaxPool2dBackward, InputShapeOfThreeAxesThrows) {
    EXPECT_THROW_WITH(max_pool2d_backward(ones({1, 1, 1, 1}), {0}, {1, 2, 2}), ShapeError,
                      "expected input_shape of shape (N, C, H, W), got (1, 2, 2)");
}

TEST(HiddenMaxPool2dBackward, GradOutputWithOtherChannelsThrows) {
    EXPECT_THROW_WITH(max_pool2d_backward(ones({1, 2, 1, 1}), {0, 0}, {1, 3, 2, 2}), ShapeError,
                      "grad_output (1, 2, 1, 1) does not match input_shape (1, 3, 2, 2)");
}

TEST(HiddenAvgPool2d, WindowLargerThanThePaddedInputThrows) {
    EXPECT_THROW_WITH(avg_pool2d(ones({1, 1, 2, 2}), 5, 1, 1), ShapeError,
                      "avg_pool2d: kernel 5 is larger than the input 2x2 padded by 1");
}

TEST(HiddenPool2d, GradientsThroughTheEngineOnANonContiguousInput) {
    Generator gen(12);
    Tensor stored = distinct_values({1, 6, 5, 2}, gen).requires_grad_();
    auto f = [](const std::vector<Tensor>& in) {
        Tensor x = in[0].permute({0, 3, 1, 2});
        return max_pool2d(x, 2, 1) + avg_pool2d(x, 2, 1);
    };
    EXPECT_GRADIENTS_MATCH(f, {stored});
}

// ---------------------------------------------------------------------------
// Batch norm
// ---------------------------------------------------------------------------

TEST(HiddenBatchNorm2d, TrainingMatchesTheReferenceOnALargerCase) {
    Generator gen(20);
    Tensor x = randn({5, 4, 7, 3}, gen) * 3.0f + 10.0f;  // a large mean: the variance must not lose it
    Tensor gamma = randn({4}, gen), beta = randn({4}, gen);
    Tensor rm = zeros({4}), rv = ones({4});
    Tensor out = batch_norm2d(x, gamma, beta, rm, rv, true, 0.2f);
    const reference::Normalised ref = reference::batch_norm2d(x, gamma, beta, nullptr, nullptr, 1e-5);
    EXPECT_TENSOR_NEAR(out, ref.output, 1e-4f);
    const float unbias = 105.0f / 104.0f;  // M = 5 * 7 * 3
    EXPECT_TENSOR_NEAR(rm, ref.mean * 0.2f, 1e-4f);
    EXPECT_TENSOR_NEAR(rv, 0.8f + ref.var * (0.2f * unbias), 1e-4f);
}

TEST(HiddenBatchNorm2d, EvaluationMatchesTheReference) {
    Generator gen(21);
    Tensor x = randn({2, 3, 4, 5}, gen);
    Tensor gamma = randn({3}, gen), beta = randn({3}, gen);
    Tensor rm = Tensor({0.1f, -0.3f, 2.0f}), rv = Tensor({0.5f, 1.5f, 4.0f});
    Tensor out = batch_norm2d(x, gamma, beta, rm, rv, false, 0.1f, 1e-3f);
    EXPECT_TENSOR_NEAR(out, reference::batch_norm2d(x, gamma, beta, &rm, &rv, 1e-3).output, 1e-5f);
}

TEST(HiddenBatchNorm2d, LargeMeanSmallSpreadKeepsItsVariance) {
    // 1000 + 0.01 * v: E[x^2] - E[x]^2 in float would cancel to noise.
    Generator gen(22);
    Tensor x = 1000.0f + 0.01f * randn({8, 2, 4, 4}, gen);
    Tensor rm = zeros({2}), rv = ones({2});
    Tensor out = batch_norm2d(x, ones({2}), zeros({2}), rm, rv, true, 1.0f, 1e-12f);
    const reference::Normalised ref = reference::batch_norm2d(x, ones({2}), zeros({2}), nullptr, nullptr, 1e-12);
    EXPECT_TENSOR_NEAR(out, ref.output, 2e-2f);
    EXPECT_NEAR(rv.at({0}), ref.var.at({0}) * 128.0f / 127.0f, 1e-6);
}

TEST(HiddenBatchNorm2d, OneImageWithManyPixelsTrains) {
    Tensor rm = zeros({1}), rv = ones({1});
    Tensor out = batch_norm2d(Tensor({{{{1, 3}, {5, 7}}}}), ones({1}), zeros({1}), rm, rv, true, 1.0f, 0.0f);
    const float s = std::sqrt(5.0f);
    EXPECT_TENSOR_NEAR(out, Tensor({{{{-3 / s, -1 / s}, {1 / s, 3 / s}}}}), 1e-5f);
    EXPECT_TENSOR_NEAR(rv, Tensor({20.0f / 3.0f}), 1e-5f);  // unbiased: 20 / (4 - 1)
}

TEST(HiddenBatchNorm2d, TwoValuesGiveTwiceTheBiasedVariance) {
    Tensor rm = zeros({1}), rv = zeros({1});
    batch_norm2d(Tensor({{{{2}}}, {{{4}}}}), ones({1}), zeros({1}), rm, rv, true, 1.0f);
    EXPECT_TENSOR_NEAR(rm, Tensor({3.0f}), 1e-6f);
    EXPECT_TENSOR_NEAR(rv, Tensor({2.0f}), 1e-6f);  // biased 1, times M / (M - 1) = 2
}

TEST(HiddenBatchNorm2d, MomentumZeroLeavesRunningStatisticsInTraining) {
    Tensor rm = Tensor({0.5f}), rv = Tensor({2.0f});
    batch_norm2d(Tensor({{{{2, 9}}}, {{{4, 1}}}}), ones({1}), zeros({1}), rm, rv, true, 0.0f);
    EXPECT_TENSOR_EQ(rm, Tensor({0.5f}));
    EXPECT_TENSOR_EQ(rv, Tensor({2.0f}));
}

TEST(HiddenBatchNorm2d, EvaluationOnOneValuePerChannelIsAllowed) {
    Tensor rm = Tensor({1.0f}), rv = Tensor({4.0f});
    EXPECT_TENSOR_NEAR(batch_norm2d(Tensor({{{{5}}}}), ones({1}), zeros({1}), rm, rv, false), Tensor({{{{2}}}}), 1e-4f);
}

TEST(HiddenBatchNorm2d, NonContiguousInputAndStatistics) {
    Generator gen(23);
    Tensor x = randn({3, 4, 5, 2}, gen).permute({0, 3, 1, 2});  // (3, 2, 4, 5)
    Tensor stats = zeros({2, 2});
    Tensor rm = stats.reshape({4}).slice(0, 4, 2);  // a strided (2) view: elements (0, 0) and (1, 0)
    ASSERT_FALSE(rm.is_contiguous());
    Tensor rv = ones({2});
    Tensor gamma = Tensor({2.0f, 0.5f}), beta = Tensor({0.0f, 1.0f});
    Tensor out = batch_norm2d(x, gamma, beta, rm, rv, true, 0.5f);
    const reference::Normalised ref = reference::batch_norm2d(x, gamma, beta, nullptr, nullptr, 1e-5);
    EXPECT_TENSOR_NEAR(out, ref.output, 1e-4f);
    EXPECT_TENSOR_NEAR(stats.reshape({4}).slice(0, 4, 2), ref.mean * 0.5f, 1e-5f);  // updated through the view
    EXPECT_EQ(stats.at({0, 1}), 0.0f);
}

TEST(HiddenBatchNorm2dBackward, TrainingInputGradientSumsToZeroAndIsOrthogonalToXHat) {
    // Shifting or scaling one channel's input does not change its normalised
    // output, so the gradient is orthogonal to 1 and to x_hat.
    Generator gen(24);
    Tensor x = randn({4, 3, 5, 5}, gen), dy = randn({4, 3, 5, 5}, gen);
    Tensor rm = zeros({3}), rv = ones({3});
    const reference::Normalised ref = reference::batch_norm2d(x, ones({3}), zeros({3}), nullptr, nullptr, 1e-5);
    const Tensor inv_std = 1.0f / sqrt(ref.var + 1e-5f);
    const BatchNorm2dGradients grads = batch_norm2d_backward(dy, x, ref.mean, inv_std, Tensor({1.5f, -2.0f, 0.5f}), true);
    const Tensor dx = grads.input.permute({1, 0, 2, 3}).reshape({3, -1});
    const Tensor x_hat = ref.output.permute({1, 0, 2, 3}).reshape({3, -1});
    EXPECT_TENSOR_NEAR(dx.sum(1), zeros({3}), 1e-4f);
    EXPECT_TENSOR_NEAR((dx * x_hat).sum(1), zeros({3}), 1e-3f);
}

TEST(HiddenBatchNorm2dBackward, GradientsThroughTheEngineOnALargerCase) {
    Generator gen(25);
    auto f = [](const std::vector<Tensor>& in) {
        Tensor rm = zeros({4}), rv = ones({4});
        return batch_norm2d(in[0], in[1], in[2], rm, rv, true);
    };
    EXPECT_GRADIENTS_MATCH(f, {tinytorch::testing::uniform_tensor({3, 4, 3, 3}, -2, 2, gen).requires_grad_(),
                               tinytorch::testing::uniform_tensor({4}, 0.5, 1.5, gen).requires_grad_(),
                               tinytorch::testing::uniform_tensor({4}, -1, 1, gen).requires_grad_()});
}

TEST(HiddenBatchNorm2dBackward, OnlyTheRequestedGradients) {
    Tensor x = Tensor({{{{1, 3}}}, {{{5, 7}}}}), dy = ones({2, 1, 1, 2});
    const BatchNorm2dGradients grads =
        batch_norm2d_backward(dy, x, Tensor({4.0f}), Tensor({0.5f}), ones({1}), true, {.input = false, .bias = false});
    EXPECT_FALSE(grads.input.defined());
    EXPECT_FALSE(grads.beta.defined());
    EXPECT_TENSOR_NEAR(grads.gamma, Tensor({0.0f}), 1e-6f);  // sum of x_hat with dy = 1
}

TEST(HiddenBatchNorm2d, RunningVarianceOfTheWrongShapeThrows) {
    Tensor rm = zeros({2}), rv = ones({3});
    EXPECT_THROW_WITH(batch_norm2d(ones({1, 2, 2, 2}), ones({2}), zeros({2}), rm, rv, true), ShapeError,
                      "running_var must have shape (2) for x (1, 2, 2, 2), got (3)");
}

TEST(HiddenBatchNorm2dModule, KeepsEpsAndMomentumAndAlternatesModes) {
    BatchNorm2d norm(1, 1e-3f, 0.5f);
    EXPECT_EQ(norm.num_features, 1);
    EXPECT_FLOAT_EQ(norm.eps, 1e-3f);
    EXPECT_FLOAT_EQ(norm.momentum, 0.5f);
    Tensor x = Tensor({{{{1, 3}}}, {{{5, 7}}}});
    norm(x);  // mean 4, unbiased variance 20 / 3
    EXPECT_TENSOR_NEAR(norm.running_mean, Tensor({2.0f}), 1e-6f);
    norm.eval();
    Tensor out = norm(x);
    const float var = 0.5f + 0.5f * 20.0f / 3.0f;
    EXPECT_NEAR(out.at({0, 0, 0, 0}), (1.0f - 2.0f) / std::sqrt(var + 1e-3f), 1e-5);
    norm.train();
    norm(x);
    EXPECT_TENSOR_NEAR(norm.running_mean, Tensor({3.0f}), 1e-6f);
}
