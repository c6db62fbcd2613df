// Module 09 — max and average pooling: values by hand and against direct
// loops, argmax indices and ties, padding, errors, and backward.
#include <algorithm>
#include <limits>

#include "finite_differences.hpp"
#include "spatial.hpp"
#include "testing.hpp"

using namespace tinytorch;
using tinytorch::testing::numerical_gradient;

namespace {

// Direct pooling over the real pixels of each window (max with -inf padding,
// or the sum divided by K*K with zero padding).
Tensor direct_pool2d(const Tensor& x, int64_t K, int64_t S, int64_t P, bool take_max) {
    const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
    const int64_t OH = (H + 2 * P - K) / S + 1, OW = (W + 2 * P - K) / S + 1;
    Tensor out = zeros({N, C, OH, OW});
    for (int64_t n = 0; n < N; ++n)
        for (int64_t c = 0; c < C; ++c)
            for (int64_t i = 0; i < OH; ++i)
                for (int64_t j = 0; j < OW; ++j) {
                    double best = -std::numeric_limits<double>::infinity(), sum = 0.0;
                    for (int64_t ki = 0; ki < K; ++ki)
                        for (int64_t kj = 0; kj < K; ++kj) {
                            const int64_t h = i * S - P + ki, v = j * S - P + kj;
                            if (h < 0 || h >= H || v < 0 || v >= W) continue;
                            best = std::max(best, double(x.at({n, c, h, v})));
                            sum += x.at({n, c, h, v});
                        }
                    out.at({n, c, i, j}) = static_cast<float>(take_max ? best : sum / double(K * K));
                }
    return out;
}

// 4x4 with a distinct maximum in each 2x2 block, some negative.
Tensor four_blocks() {
    return Tensor({{{{1, 9, 2, 3}, {4, 0, 8, 7}, {-1, -2, -5, -6}, {-3, -4, -7, -8}}}});
}

// N=2, C=3, 7x5: distinct values (a shuffled range) so no window has a tie
// and finite differences do not cross one.
Tensor distinct_values() {
    Generator gen(3);
    std::vector<float> values(2 * 3 * 7 * 5);
    for (size_t i = 0; i < values.size(); ++i) values[i] = 0.1f * static_cast<float>(i);
    for (size_t i = values.size() - 1; i > 0; --i)
        std::swap(values[i], values[static_cast<size_t>(gen.randint(0, static_cast<int64_t>(i) + 1))]);
    return Tensor(values, {2, 3, 7, 5});
}

}  // namespace

// ---------------------------------------------------------------------------
// Max pooling
// ---------------------------------------------------------------------------

TEST(MaxPool2d, TakesTheLargestValueOfEachWindow) {
    EXPECT_TENSOR_EQ(max_pool2d(four_blocks(), 2), Tensor({{{{9, 8}, {-1, -5}}}}));
}

TEST(MaxPool2d, StrideDefaultsToTheKernel) {
    EXPECT_SHAPE(max_pool2d(zeros({2, 3, 8, 6}), 2), 2, 3, 4, 3);
}

TEST(MaxPool2d, OverlappingWindowsWithStrideOne) {
    Tensor x = arange(1, 17).reshape({1, 1, 4, 4});
    EXPECT_TENSOR_EQ(max_pool2d(x, 3, 1), Tensor({{{{11, 12}, {15, 16}}}}));
}

TEST(MaxPool2d, PaddingIsMinusInfinityNotZero) {
    // All values negative: zero padding would win at the border, -inf never does.
    Tensor x = -arange(1, 10).reshape({1, 1, 3, 3});
    EXPECT_TENSOR_EQ(max_pool2d(x, 2, 2, 1), Tensor({{{{-1, -2}, {-4, -5}}}}));
}

TEST(MaxPool2d, MatchesDirectPoolingWithStrideAndPadding) {
    Tensor x = distinct_values();
    EXPECT_TENSOR_EQ(max_pool2d(x, 3, 2, 1), direct_pool2d(x, 3, 2, 1, true));
}

TEST(MaxPool2d, ArgmaxIsTheIndexWithinThePlane) {
    const MaxPool2dResult result = max_pool2d_with_indices(four_blocks(), 2);
    // 9 at (0, 1), 8 at (1, 2), -1 at (2, 0), -5 at (2, 2) of a 4-wide plane.
    EXPECT_EQ(result.argmax, (std::vector<int32_t>{1, 6, 8, 10}));
    EXPECT_TENSOR_EQ(result.output, Tensor({{{{9, 8}, {-1, -5}}}}));
}

TEST(MaxPool2d, TiesGoToTheFirstInRowMajorWindowOrder) {
    // 7 at (0, 1) and (1, 0): the first in row-major order wins.
    Tensor x({{{{1, 7}, {7, 3}}}});
    EXPECT_EQ(max_pool2d_with_indices(x, 2).argmax, (std::vector<int32_t>{1}));
    EXPECT_TENSOR_EQ(max_pool2d_backward(Tensor({{{{5}}}}), {1}, {1, 1, 2, 2}),
                     Tensor({{{{0, 5}, {0, 0}}}}));
}

TEST(MaxPool2d, AConstantWindowGivesItsGradientToTheFirstElement) {
    Tensor x = full({1, 1, 2, 2}, 4.0f);
    const MaxPool2dResult result = max_pool2d_with_indices(x, 2);
    EXPECT_EQ(result.argmax, (std::vector<int32_t>{0}));
    EXPECT_TENSOR_EQ(max_pool2d_backward(Tensor({{{{1}}}}), result.argmax, x.shape()),
                     Tensor({{{{1, 0}, {0, 0}}}}));
}

TEST(MaxPool2dBackward, ScattersEachGradientToItsArgmax) {
    const MaxPool2dResult result = max_pool2d_with_indices(four_blocks(), 2);
    Tensor dy({{{{1, 2}, {3, 4}}}});
    EXPECT_TENSOR_EQ(max_pool2d_backward(dy, result.argmax, {1, 1, 4, 4}),
                     Tensor({{{{0, 1, 0, 0}, {0, 0, 2, 0}, {3, 0, 4, 0}, {0, 0, 0, 0}}}}));
}

TEST(MaxPool2dBackward, SumsWhereOverlappingWindowsShareTheirMaximum) {
    // The centre is the maximum of all four 2x2 windows of a 3x3 plane.
    Tensor x({{{{1, 2, 3}, {4, 9, 5}, {6, 7, 8}}}});
    const MaxPool2dResult result = max_pool2d_with_indices(x, 2, 1);
    EXPECT_EQ(result.argmax, (std::vector<int32_t>{4, 4, 4, 4}));
    EXPECT_TENSOR_EQ(max_pool2d_backward(Tensor({{{{1, 2}, {3, 4}}}}), result.argmax, x.shape()),
                     Tensor({{{{0, 0, 0}, {0, 10, 0}, {0, 0, 0}}}}));
}

TEST(MaxPool2dBackward, MatchesFiniteDifferences) {
    Tensor x = distinct_values();
    Generator gen(8);
    Tensor dy = randn({2, 3, 4, 3}, gen);
    const auto f = [](const Tensor& v) { return max_pool2d(v, 3, 2, 1); };
    const MaxPool2dResult result = max_pool2d_with_indices(x, 3, 2, 1);
    EXPECT_TENSOR_NEAR(max_pool2d_backward(dy, result.argmax, x.shape()),
                       numerical_gradient(f, x, dy, 1e-2f), 1e-3f);
}

TEST(MaxPool2dBackward, ArgmaxOfTheWrongLengthThrowsShapeError) {
    EXPECT_THROW_WITH(max_pool2d_backward(ones({1, 1, 2, 2}), {0, 1, 2}, {1, 1, 4, 4}), ShapeError,
                      "argmax has 3 entries for grad_output (1, 1, 2, 2)");
}

TEST(MaxPool2d, RecordsANodeWhoseBackwardScattersToTheArgmax) {
    Tensor x = four_blocks().requires_grad_();
    Tensor out = max_pool2d(x, 2);
    ASSERT_NE(out.grad_fn(), nullptr);
    EXPECT_EQ(out.grad_fn()->name(), "MaxPool2dBackward");
    const std::vector<Tensor> grads = out.grad_fn()->custom_backward(Tensor({{{{1, 2}, {3, 4}}}}));
    ASSERT_EQ(grads.size(), 1u);
    EXPECT_TENSOR_EQ(grads[0], Tensor({{{{0, 1, 0, 0}, {0, 0, 2, 0}, {3, 0, 4, 0}, {0, 0, 0, 0}}}}));
}

TEST(MaxPool2d, InputNotFourDimensionalThrowsShapeError) {
    EXPECT_THROW_WITH(max_pool2d(ones({4, 4}), 2), ShapeError,
                      "max_pool2d: expected x of shape (N, C, H, W), got (4, 4)");
}

TEST(MaxPool2d, KernelBelowOneThrowsValueError) {
    EXPECT_THROW_WITH(max_pool2d(ones({1, 1, 4, 4}), 0), ValueError,
                      "max_pool2d: kernel must be >= 1, got 0");
}

TEST(MaxPool2d, StrideBelowOneThrowsValueError) {
    EXPECT_THROW_WITH(max_pool2d(ones({1, 1, 4, 4}), 2, 0), ValueError,
                      "max_pool2d: stride must be >= 1 (or -1 for stride = kernel), got 0");
}

TEST(MaxPool2d, PaddingOverHalfTheKernelThrowsValueError) {
    EXPECT_THROW_WITH(max_pool2d(ones({1, 1, 4, 4}), 3, 1, 2), ValueError,
                      "max_pool2d: padding must be between 0 and kernel / 2 = 1, got 2");
}

TEST(MaxPool2d, WindowLargerThanTheInputThrowsShapeError) {
    EXPECT_THROW_WITH(max_pool2d(ones({1, 1, 2, 2}), 3), ShapeError,
                      "max_pool2d: kernel 3 is larger than the input 2x2 padded by 0: x (1, 1, 2, 2)");
}

// ---------------------------------------------------------------------------
// Average pooling
// ---------------------------------------------------------------------------

TEST(AvgPool2d, TakesTheMeanOfEachWindow) {
    Tensor x = arange(1, 17).reshape({1, 1, 4, 4});
    EXPECT_TENSOR_EQ(avg_pool2d(x, 2), Tensor({{{{3.5, 5.5}, {11.5, 13.5}}}}));
}

TEST(AvgPool2d, PaddedZerosCountInTheDivisor) {
    // count_include_pad = true: every window divides by 2*2 = 4, even where
    // it holds only one real pixel.
    Tensor x({{{{1, 2}, {3, 4}}}});
    EXPECT_TENSOR_EQ(avg_pool2d(x, 2, 1, 1),
                     Tensor({{{{0.25, 0.75, 0.5}, {1, 2.5, 1.5}, {0.75, 1.75, 1}}}}));
}

TEST(AvgPool2d, MatchesDirectPoolingWithStrideAndPadding) {
    Tensor x = distinct_values();
    EXPECT_TENSOR_NEAR(avg_pool2d(x, 3, 2, 1), direct_pool2d(x, 3, 2, 1, false), 1e-5f);
}

TEST(AvgPool2dBackward, SpreadsEachGradientOverItsWindow) {
    Tensor dy({{{{4, 8}, {12, 16}}}});
    EXPECT_TENSOR_EQ(avg_pool2d_backward(dy, {1, 1, 4, 4}, 2),
                     Tensor({{{{1, 1, 2, 2}, {1, 1, 2, 2}, {3, 3, 4, 4}, {3, 3, 4, 4}}}}));
}

TEST(AvgPool2dBackward, MatchesFiniteDifferences) {
    Tensor x = distinct_values();
    Generator gen(9);
    Tensor dy = randn({2, 3, 4, 3}, gen);
    const auto f = [](const Tensor& v) { return avg_pool2d(v, 3, 2, 1); };
    EXPECT_TENSOR_NEAR(avg_pool2d_backward(dy, x.shape(), 3, 2, 1), numerical_gradient(f, x, dy),
                       1e-3f);
}

TEST(AvgPool2dBackward, GradOutputOfTheWrongShapeThrowsShapeError) {
    EXPECT_THROW_WITH(avg_pool2d_backward(ones({1, 1, 3, 3}), {1, 1, 4, 4}, 2), ShapeError,
                      "avg_pool2d_backward: grad_output must have shape (1, 1, 2, 2), got (1, 1, 3, 3)");
}

TEST(AvgPool2d, RecordsANodeWhoseBackwardSpreadsTheGradient) {
    Tensor x = arange(1, 17).reshape({1, 1, 4, 4}).requires_grad_();
    Tensor out = avg_pool2d(x, 2);
    ASSERT_NE(out.grad_fn(), nullptr);
    EXPECT_EQ(out.grad_fn()->name(), "AvgPool2dBackward");
    const std::vector<Tensor> grads = out.grad_fn()->custom_backward(full({1, 1, 2, 2}, 4.0f));
    ASSERT_EQ(grads.size(), 1u);
    EXPECT_TENSOR_EQ(grads[0], ones({1, 1, 4, 4}));
}

TEST(AvgPool2d, PaddingOverHalfTheKernelThrowsValueError) {
    EXPECT_THROW_WITH(avg_pool2d(ones({1, 1, 4, 4}), 2, 2, 2), ValueError,
                      "avg_pool2d: padding must be between 0 and kernel / 2 = 1, got 2");
}

// ---------------------------------------------------------------------------
// The modules
// ---------------------------------------------------------------------------

TEST(MaxPool2dModule, StrideMinusOneBecomesTheKernel) {
    MaxPool2d pool(2);
    EXPECT_EQ(pool.kernel_size, 2);
    EXPECT_EQ(pool.stride, 2);
    EXPECT_EQ(pool.padding, 0);
    EXPECT_EQ(count_parameters(pool), 0);
}

TEST(MaxPool2dModule, ForwardIsMaxPool2d) {
    MaxPool2d pool(3, 2, 1);
    Tensor x = distinct_values();
    EXPECT_TENSOR_EQ(pool(x), direct_pool2d(x, 3, 2, 1, true));
}

TEST(MaxPool2dModule, BadArgumentsThrowValueErrorWhenBuilt) {
    EXPECT_THROW_WITH(MaxPool2d(2, 2, 3), ValueError,
                      "MaxPool2d: padding must be between 0 and kernel / 2 = 1, got 3");
}

TEST(AvgPool2dModule, ForwardIsAvgPool2d) {
    AvgPool2d pool(2);
    EXPECT_EQ(pool.stride, 2);
    EXPECT_TENSOR_EQ(pool(arange(1, 17).reshape({1, 1, 4, 4})), Tensor({{{{3.5, 5.5}, {11.5, 13.5}}}}));
}

TEST(AvgPool2dModule, BadArgumentsThrowValueErrorWhenBuilt) {
    EXPECT_THROW_WITH(AvgPool2d(0), ValueError, "AvgPool2d: kernel must be >= 1, got 0");
}
