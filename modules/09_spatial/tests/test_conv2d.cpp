// Module 09 — conv2d: values by hand and against a direct convolution, shape
// errors, recording, and every gradient against finite differences.
#include <cmath>

#include "finite_differences.hpp"
#include "spatial.hpp"
#include "testing.hpp"

using namespace tinytorch;
using tinytorch::testing::numerical_gradient;

namespace {

// The definition, seven loops deep, in double:
// out[n][o][i][j] = bias[o] + sum_{c,ki,kj} w[o][c][ki][kj] * x[n][c][i*S-P+ki][j*S-P+kj].
Tensor direct_conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, int64_t S, int64_t P) {
    const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
    const int64_t OC = w.size(0), K = w.size(2);
    const int64_t OH = (H + 2 * P - K) / S + 1, OW = (W + 2 * P - K) / S + 1;
    Tensor out = zeros({N, OC, OH, OW});
    for (int64_t n = 0; n < N; ++n)
        for (int64_t o = 0; o < OC; ++o)
            for (int64_t i = 0; i < OH; ++i)
                for (int64_t j = 0; j < OW; ++j) {
                    double acc = bias.defined() ? bias.at({o}) : 0.0;
                    for (int64_t c = 0; c < C; ++c)
                        for (int64_t ki = 0; ki < K; ++ki)
                            for (int64_t kj = 0; kj < K; ++kj) {
                                const int64_t h = i * S - P + ki, v = j * S - P + kj;
                                if (h < 0 || h >= H || v < 0 || v >= W) continue;
                                acc += double(w.at({o, c, ki, kj})) * double(x.at({n, c, h, v}));
                            }
                    out.at({n, o, i, j}) = static_cast<float>(acc);
                }
    return out;
}

// The case the gradient tests share: N=2, C=3, OC=4, a 7x5 image, kernel 3,
// stride 2, padding 1 -> (2, 4, 4, 3).
struct ConvCase {
    Generator gen{11};
    Tensor x = randn({2, 3, 7, 5}, gen);
    Tensor weight = randn({4, 3, 3, 3}, gen);
    Tensor bias = randn({4}, gen);
    Tensor grad_output = randn({2, 4, 4, 3}, gen);
    static constexpr int64_t stride = 2, padding = 1;
};

}  // namespace

TEST(Conv2d, SingleChannelByHand) {
    Tensor x = arange(1, 10).reshape({1, 1, 3, 3});
    Tensor w = Tensor({{1, 2}, {3, 4}}).reshape({1, 1, 2, 2});
    // Top-left window 1 2 / 4 5: 1*1 + 2*2 + 3*4 + 4*5 = 37.
    EXPECT_TENSOR_EQ(conv2d(x, w), Tensor({{{{37, 47}, {67, 77}}}}));
}

TEST(Conv2d, BiasIsAddedToEveryPositionOfItsChannel) {
    Tensor x = arange(1, 10).reshape({1, 1, 3, 3});
    Tensor w = Tensor({{1, 2}, {3, 4}}).reshape({1, 1, 2, 2});
    EXPECT_TENSOR_EQ(conv2d(x, w, Tensor({10})), Tensor({{{{47, 57}, {77, 87}}}}));
}

TEST(Conv2d, EachOutputChannelSumsOverInputChannels) {
    // 1x1 kernels: channel 0 of the output adds the two input channels,
    // channel 1 subtracts them.
    Tensor x({{{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}}});
    Tensor w = Tensor({{1, 1}, {1, -1}}).reshape({2, 2, 1, 1});
    EXPECT_TENSOR_EQ(conv2d(x, w), Tensor({{{{6, 8}, {10, 12}}, {{-4, -4}, {-4, -4}}}}));
}

TEST(Conv2d, PaddingAddsZerosAroundTheImage) {
    Tensor x = Tensor({{1, 2}, {3, 4}}).reshape({1, 1, 2, 2});
    Tensor w = arange(1, 10).reshape({1, 1, 3, 3});
    // Output (0, 0) sees the image in the bottom-right 2x2 of the kernel:
    // 5*1 + 6*2 + 8*3 + 9*4 = 77.
    EXPECT_TENSOR_EQ(conv2d(x, w, Tensor(), 1, 1), Tensor({{{{77, 67}, {47, 37}}}}));
}

TEST(Conv2d, StrideSkipsPositions) {
    Tensor x = arange(1, 17).reshape({1, 1, 4, 4});
    Tensor w = Tensor({{1, 0}, {0, 1}}).reshape({1, 1, 2, 2});
    EXPECT_TENSOR_EQ(conv2d(x, w, Tensor(), 2, 0), Tensor({{{{7, 11}, {23, 27}}}}));
}

TEST(Conv2d, OutputShapeFollowsTheFormula) {
    EXPECT_SHAPE(conv2d(zeros({2, 3, 7, 5}), zeros({4, 3, 3, 3}), Tensor(), 2, 1), 2, 4, 4, 3);
}

TEST(Conv2d, MatchesDirectConvolutionWithStrideAndPadding) {
    ConvCase c;
    EXPECT_TENSOR_NEAR(conv2d(c.x, c.weight, c.bias, 2, 1),
                       direct_conv2d(c.x, c.weight, c.bias, 2, 1), 1e-4f);
}

TEST(Conv2d, MatchesDirectConvolutionWithoutPadding) {
    ConvCase c;
    EXPECT_TENSOR_NEAR(conv2d(c.x, c.weight), direct_conv2d(c.x, c.weight, Tensor(), 1, 0), 1e-4f);
}

TEST(Conv2d, MatchesDirectConvolutionWithSamePadding) {
    // Stride 1 and padding (K - 1) / 2 keep the size, as in the CIFAR network.
    ConvCase c;
    EXPECT_TENSOR_NEAR(conv2d(c.x, c.weight, c.bias, 1, 1),
                       direct_conv2d(c.x, c.weight, c.bias, 1, 1), 1e-4f);
    Generator gen(12);
    Tensor weight5 = randn({2, 3, 5, 5}, gen);
    EXPECT_TENSOR_NEAR(conv2d(c.x, weight5, Tensor(), 1, 2),
                       direct_conv2d(c.x, weight5, Tensor(), 1, 2), 1e-4f);
}

TEST(Conv2d, MatchesDirectConvolutionWithWidePadding) {
    ConvCase c;
    EXPECT_TENSOR_NEAR(conv2d(c.x, c.weight, c.bias, 1, 2),
                       direct_conv2d(c.x, c.weight, c.bias, 1, 2), 1e-4f);
}

TEST(Conv2d, InputNotFourDimensionalThrowsShapeError) {
    EXPECT_THROW_WITH(conv2d(ones({3, 8, 8}), ones({4, 3, 3, 3})), ShapeError,
                      "conv2d: expected x of shape (N, C, H, W), got (3, 8, 8)");
}

TEST(Conv2d, WeightNotFourDimensionalThrowsShapeError) {
    EXPECT_THROW_WITH(conv2d(ones({1, 3, 8, 8}), ones({4, 3, 3})), ShapeError,
                      "conv2d: expected weight of shape (OC, C, K, K), got (4, 3, 3)");
}

TEST(Conv2d, NonSquareKernelThrowsShapeError) {
    EXPECT_THROW_WITH(conv2d(ones({1, 3, 8, 8}), ones({4, 3, 3, 2})), ShapeError,
                      "only square kernels are supported, got weight of shape (4, 3, 3, 2)");
}

TEST(Conv2d, ChannelMismatchShowsBothShapes) {
    EXPECT_THROW_WITH(conv2d(ones({1, 3, 8, 8}), ones({4, 2, 3, 3})), ShapeError,
                      "conv2d: x has 3 channels but weight expects 2: x (1, 3, 8, 8), weight (4, 2, 3, 3)");
}

TEST(Conv2d, BiasOfTheWrongShapeThrowsShapeError) {
    EXPECT_THROW_WITH(conv2d(ones({1, 3, 8, 8}), ones({4, 3, 3, 3}), ones({3})), ShapeError,
                      "conv2d: bias must have shape (4) for weight (4, 3, 3, 3), got (3)");
}

TEST(Conv2d, KernelLargerThanPaddedInputThrowsShapeError) {
    EXPECT_THROW_WITH(conv2d(ones({1, 1, 3, 4}), ones({2, 1, 5, 5}), Tensor(), 1, 0), ShapeError,
                      "conv2d: kernel 5 is larger than the input 3x4 padded by 0: x (1, 1, 3, 4)");
}

TEST(Conv2d, StrideBelowOneThrowsValueError) {
    EXPECT_THROW_WITH(conv2d(ones({1, 1, 4, 4}), ones({1, 1, 3, 3}), Tensor(), 0), ValueError,
                      "conv2d: stride must be >= 1, got 0");
}

TEST(Conv2d, NegativePaddingThrowsValueError) {
    EXPECT_THROW_WITH(conv2d(ones({1, 1, 4, 4}), ones({1, 1, 3, 3}), Tensor(), 1, -1), ValueError,
                      "conv2d: padding must be >= 0, got -1");
}

TEST(Conv2d, RecordsOneNodeWithItsThreeInputs) {
    ConvCase c;
    c.weight.requires_grad_();
    Tensor out = conv2d(c.x, c.weight, c.bias, 2, 1);
    ASSERT_NE(out.grad_fn(), nullptr);
    EXPECT_EQ(out.grad_fn()->name(), "Conv2dBackward");
    ASSERT_EQ(out.grad_fn()->inputs.size(), 3u);
    EXPECT_TRUE(out.grad_fn()->input(0).is_same(c.x));
    EXPECT_TRUE(out.grad_fn()->input(1).is_same(c.weight));
    EXPECT_TRUE(out.grad_fn()->input(2).is_same(c.bias));
}

TEST(Conv2d, RecordsNothingWhenNoInputRequiresGrad) {
    ConvCase c;
    EXPECT_EQ(conv2d(c.x, c.weight, c.bias, 2, 1).grad_fn(), nullptr);
}

TEST(Conv2d, RecordedBackwardGivesOnlyTheGradientsThatAreNeeded) {
    // x is data (no gradient wanted); weight and bias are parameters.
    ConvCase c;
    c.weight.requires_grad_();
    c.bias.requires_grad_();
    Tensor out = conv2d(c.x, c.weight, c.bias, 2, 1);
    ASSERT_NE(out.grad_fn(), nullptr);
    const std::vector<Tensor> grads = out.grad_fn()->custom_backward(c.grad_output);
    ASSERT_EQ(grads.size(), 3u);
    EXPECT_FALSE(grads[0].defined());
    const Conv2dGradients expected = conv2d_backward(c.grad_output, c.x, c.weight, 2, 1);
    EXPECT_TENSOR_NEAR(grads[1], expected.weight, 1e-5f);
    EXPECT_TENSOR_NEAR(grads[2], expected.bias, 1e-5f);
}

TEST(Conv2dBackward, InputGradientMatchesFiniteDifferences) {
    ConvCase c;
    const auto f = [&](const Tensor& x) { return conv2d(x, c.weight, c.bias, c.stride, c.padding); };
    const Conv2dGradients grads = conv2d_backward(c.grad_output, c.x, c.weight, c.stride, c.padding);
    EXPECT_SHAPE(grads.input, 2, 3, 7, 5);
    EXPECT_TENSOR_NEAR(grads.input, numerical_gradient(f, c.x, c.grad_output), 2e-3f);
}

TEST(Conv2dBackward, WeightGradientMatchesFiniteDifferences) {
    ConvCase c;
    const auto f = [&](const Tensor& w) { return conv2d(c.x, w, c.bias, c.stride, c.padding); };
    const Conv2dGradients grads = conv2d_backward(c.grad_output, c.x, c.weight, c.stride, c.padding);
    EXPECT_SHAPE(grads.weight, 4, 3, 3, 3);
    EXPECT_TENSOR_NEAR(grads.weight, numerical_gradient(f, c.weight, c.grad_output), 2e-3f);
}

TEST(Conv2dBackward, BiasGradientMatchesFiniteDifferences) {
    ConvCase c;
    const auto f = [&](const Tensor& b) { return conv2d(c.x, c.weight, b, c.stride, c.padding); };
    const Conv2dGradients grads = conv2d_backward(c.grad_output, c.x, c.weight, c.stride, c.padding);
    EXPECT_SHAPE(grads.bias, 4);
    EXPECT_TENSOR_NEAR(grads.bias, numerical_gradient(f, c.bias, c.grad_output), 2e-3f);
}

TEST(Conv2dBackward, BiasGradientSumsEachOutputChannel) {
    Tensor grad_output = arange(0, 8).reshape({2, 1, 2, 2});  // 0..3 and 4..7
    const Conv2dGradients grads =
        conv2d_backward(grad_output, ones({2, 1, 3, 3}), ones({1, 1, 2, 2}), 1, 0);
    EXPECT_TENSOR_EQ(grads.bias, Tensor({28}));
}

TEST(Conv2dBackward, ComputesOnlyTheRequestedGradients) {
    ConvCase c;
    const Conv2dGradients grads = conv2d_backward(c.grad_output, c.x, c.weight, c.stride,
                                                  c.padding, {.input = false, .bias = false});
    EXPECT_FALSE(grads.input.defined());
    EXPECT_TRUE(grads.weight.defined());
    EXPECT_FALSE(grads.bias.defined());
}

TEST(Conv2dBackward, GradOutputOfTheWrongShapeThrowsShapeError) {
    ConvCase c;
    EXPECT_THROW_WITH(conv2d_backward(ones({2, 4, 4, 2}), c.x, c.weight, 2, 1), ShapeError,
                      "conv2d_backward: grad_output must have shape (2, 4, 4, 3), got (2, 4, 4, 2)");
}

// ---------------------------------------------------------------------------
// The Conv2d module
// ---------------------------------------------------------------------------

TEST(Conv2dModule, WeightIsOutByInByKernelByKernelAndBiasIsOut) {
    Conv2d conv(3, 32, 5);
    EXPECT_SHAPE(conv.weight, 32, 3, 5, 5);
    EXPECT_SHAPE(conv.bias, 32);
    EXPECT_TRUE(conv.weight.requires_grad());
    EXPECT_TRUE(conv.bias.requires_grad());
}

TEST(Conv2dModule, ThreeToThirtyTwoWithKernelThreeHas896Parameters) {
    EXPECT_EQ(count_parameters(Conv2d(3, 32, 3)), 896);  // 32*3*3*3 + 32
    EXPECT_EQ(count_parameters(Conv2d(32, 64, 3)), 18496);
}

TEST(Conv2dModule, WithoutBiasHasOnlyTheWeight) {
    Conv2d conv(3, 32, 3, 1, 1, /*bias=*/false);
    EXPECT_FALSE(conv.bias.defined());
    EXPECT_EQ(count_parameters(conv), 864);
}

TEST(Conv2dModule, ParametersAreNamedWeightAndBias) {
    Conv2d conv(2, 4, 3);
    const auto named = conv.named_parameters();
    ASSERT_EQ(named.size(), 2u);
    EXPECT_EQ(named[0].first, "weight");
    EXPECT_EQ(named[1].first, "bias");
    EXPECT_TRUE(named[0].second.is_same(conv.weight));
}

TEST(Conv2dModule, WeightIsKaimingUniformDrawnFromTheGenerator) {
    Generator gen(7);
    Conv2d conv(2, 3, 2, 1, 0, true, gen);
    // The same draws, made here: bound = sqrt(6 / fan_in), fan_in = 2*2*2.
    Generator expected_gen(7);
    const float bound = std::sqrt(6.0f / 8.0f);
    std::vector<float> expected(24);
    for (float& v : expected) v = expected_gen.uniform(-bound, bound);
    EXPECT_TENSOR_NEAR(conv.weight, Tensor(expected, {3, 2, 2, 2}), 1e-6f);
    EXPECT_TENSOR_EQ(conv.bias, zeros({3}));
}

TEST(Conv2dModule, HeInitialisationHasVarianceTwoOverFanIn) {
    Generator gen(2024);
    Conv2d conv(16, 64, 3, 1, 0, true, gen);
    const Tensor w = conv.weight;
    const double mean = w.mean().item();
    const double variance = pow(w - static_cast<float>(mean), 2.0f).mean().item();
    // fan_in = 16*3*3 = 144; U(-b, b) has variance b^2 / 3 = 2 / 144.
    EXPECT_NEAR(mean, 0.0, 0.003);
    EXPECT_NEAR(variance, 2.0 / 144.0, 0.03 * 2.0 / 144.0);
    EXPECT_LE(abs(w).max().item(), std::sqrt(6.0f / 144.0f));
}

TEST(Conv2dModule, ForwardIsConv2dWithItsStrideAndPadding) {
    Generator gen(4);
    Conv2d conv(3, 4, 3, 2, 1, true, gen);
    conv.bias.copy_(Tensor({1, 2, 3, 4}));
    Tensor x = randn({2, 3, 7, 5}, gen);
    Tensor out = conv(x);
    EXPECT_SHAPE(out, 2, 4, 4, 3);
    EXPECT_TENSOR_NEAR(out, direct_conv2d(x, conv.weight, conv.bias, 2, 1), 1e-4f);
}

TEST(Conv2dModule, SizesBelowOneThrowValueError) {
    EXPECT_THROW_WITH(Conv2d(3, 0, 3), ValueError,
                      "Conv2d: in_channels, out_channels and kernel_size must be >= 1, got 3, 0 and 3");
}

TEST(Conv2dModule, StrideBelowOneThrowsValueError) {
    EXPECT_THROW_WITH(Conv2d(3, 4, 3, 0), ValueError,
                      "Conv2d: stride must be >= 1 and padding >= 0, got 0 and 0");
}
