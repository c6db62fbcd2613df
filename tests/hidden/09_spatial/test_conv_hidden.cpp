// Module 09, hidden tests: im2col, col2im and conv2d on other shapes —
// 1x1 kernels, kernels as large as the input, strides larger than the
// kernel, batch 1, non-contiguous inputs, the CIFAR shapes — against the
// double-precision definitions of spatial_reference.hpp.
#include <cmath>

#include "autograd.hpp"
#include "gradcheck.hpp"
#include "spatial.hpp"
#include "spatial_reference.hpp"
#include "testing.hpp"

using namespace tinytorch;

namespace {

struct Case {
    int64_t N, C, OC, H, W, K, S, P;
};

// Forward and every gradient of one geometry against the reference.
void expect_matches_reference(const Case& k, uint64_t seed, bool bias = true) {
    Generator gen(seed);
    Tensor x = randn({k.N, k.C, k.H, k.W}, gen);
    Tensor w = randn({k.OC, k.C, k.K, k.K}, gen);
    Tensor b = bias ? randn({k.OC}, gen) : Tensor();
    Tensor out = conv2d(x, w, b, k.S, k.P);
    ASSERT_TENSOR_NEAR(out, reference::conv2d(x, w, b, k.S, k.P), 1e-4f);
    Tensor dy = randn(out.shape(), gen);
    const Conv2dGradients grads = conv2d_backward(dy, x, w, k.S, k.P);
    const reference::ConvGrads expected = reference::conv2d_backward(dy, x, w, k.S, k.P);
    EXPECT_TENSOR_NEAR(grads.input, expected.input, 1e-4f);
    EXPECT_TENSOR_NEAR(grads.weight, expected.weight, 1e-3f);
    EXPECT_TENSOR_NEAR(grads.bias, expected.bias, 1e-3f);
}

}  // namespace

// ---------------------------------------------------------------------------
// im2col and col2im
// ---------------------------------------------------------------------------

TEST(HiddenIm2col, StrideThreeKernelTwoWithPaddingMatchesTheFormula) {
    Generator gen(1);
    Tensor image = randn({2, 7, 8}, gen);
    const int64_t K = 2, S = 3, P = 1, OH = 3, OW = 3;  // (7+2-2)/3+1, (8+2-2)/3+1
    Tensor columns = im2col(image, K, S, P);
    ASSERT_EQ(columns.shape(), (Shape{2 * K * K, OH * OW}));
    for (int64_t c = 0; c < 2; ++c)
        for (int64_t ki = 0; ki < K; ++ki)
            for (int64_t kj = 0; kj < K; ++kj)
                for (int64_t oh = 0; oh < OH; ++oh)
                    for (int64_t ow = 0; ow < OW; ++ow) {
                        const int64_t h = oh * S - P + ki, w = ow * S - P + kj;
                        const float expected = (h < 0 || h >= 7 || w < 0 || w >= 8) ? 0.0f : image.at({c, h, w});
                        EXPECT_EQ(columns.at({(c * K + ki) * K + kj, oh * OW + ow}), expected);
                    }
}

TEST(HiddenIm2col, ReadsANonContiguousImage) {
    Generator gen(2);
    Tensor stored = randn({5, 6, 3}, gen);         // (H, W, C) in memory
    Tensor image = stored.permute({2, 0, 1});      // (3, 5, 6) view
    ASSERT_FALSE(image.is_contiguous());
    EXPECT_TENSOR_EQ(im2col(image, 3, 1, 1), im2col(image.contiguous(), 3, 1, 1));
}

TEST(HiddenIm2col, OneByOneKernelIsTheImageFlattened) {
    Generator gen(3);
    Tensor image = randn({4, 3, 5}, gen);
    EXPECT_TENSOR_EQ(im2col(image, 1, 1, 0), image.reshape({4, 15}));
}

TEST(HiddenCol2im, IsTheAdjointOfIm2colForManyGeometries) {
    Generator gen(4);
    const int64_t geometries[][6] = {{3, 9, 7, 3, 1, 1}, {2, 8, 8, 2, 2, 0}, {1, 5, 11, 4, 3, 2},
                                     {2, 6, 6, 6, 1, 0}, {3, 4, 5, 1, 2, 1}, {1, 7, 7, 5, 1, 2}};
    for (const auto& g : geometries) {
        const int64_t C = g[0], H = g[1], W = g[2], K = g[3], S = g[4], P = g[5];
        SCOPED_TRACE(::testing::Message() << "C H W K S P = " << C << " " << H << " " << W << " " << K << " " << S << " " << P);
        Tensor x = randn({C, H, W}, gen);
        Tensor columns = im2col(x, K, S, P);
        Tensor y = randn(columns.shape(), gen);
        double lhs = 0.0, rhs = 0.0;
        const std::vector<double> cv = reference::values(columns), yv = reference::values(y);
        const std::vector<double> xv = reference::values(x), bv = reference::values(col2im(y, {C, H, W}, K, S, P));
        for (size_t i = 0; i < cv.size(); ++i) lhs += cv[i] * yv[i];
        for (size_t i = 0; i < xv.size(); ++i) rhs += xv[i] * bv[i];
        EXPECT_NEAR(lhs, rhs, 1e-3 * (1.0 + std::abs(lhs)));
    }
}

TEST(HiddenCol2im, StrideLargerThanKernelLeavesUnseenPixelsAtZero) {
    // Kernel 1, stride 2 on 3x3: the four outputs read the corners only;
    // the other pixels get nothing back.
    Tensor image = col2im(ones({1, 4}), {1, 3, 3}, 1, 2, 0);
    EXPECT_TENSOR_EQ(image, Tensor({{{1, 0, 1}, {0, 0, 0}, {1, 0, 1}}}));
}

// ---------------------------------------------------------------------------
// conv2d and conv2d_backward against the reference
// ---------------------------------------------------------------------------

TEST(HiddenConv2d, LargerRandomCaseWithKernelFiveStrideThreePaddingTwo) {
    expect_matches_reference({3, 5, 7, 13, 11, 5, 3, 2}, 10);
}

TEST(HiddenConv2d, OneByOneKernel) { expect_matches_reference({2, 6, 4, 5, 7, 1, 1, 0}, 11); }

TEST(HiddenConv2d, OneByOneKernelWithStrideTwo) { expect_matches_reference({2, 3, 5, 7, 6, 1, 2, 0}, 12); }

TEST(HiddenConv2d, OneByOneKernelWithPadding) { expect_matches_reference({2, 3, 2, 4, 3, 1, 1, 1}, 13); }

TEST(HiddenConv2d, KernelEqualToTheInputGivesOnePosition) {
    expect_matches_reference({3, 2, 4, 5, 5, 5, 1, 0}, 14);
}

TEST(HiddenConv2d, KernelEqualToThePaddedInput) { expect_matches_reference({2, 2, 3, 3, 3, 5, 2, 1}, 15); }

TEST(HiddenConv2d, StrideLargerThanTheKernel) { expect_matches_reference({2, 3, 4, 9, 8, 2, 3, 0}, 16); }

TEST(HiddenConv2d, BatchOfOne) { expect_matches_reference({1, 4, 6, 9, 9, 3, 1, 1}, 17); }

TEST(HiddenConv2d, BatchOfOneLargeEnoughForAThreadedProduct) {
    expect_matches_reference({1, 16, 32, 20, 20, 3, 1, 1}, 18);
}

TEST(HiddenConv2d, SamePaddingWithKernelFive) { expect_matches_reference({2, 3, 4, 9, 7, 5, 1, 2}, 19, false); }

TEST(HiddenConv2d, SingleRowAndColumnImages) {
    expect_matches_reference({2, 2, 3, 1, 9, 1, 1, 0}, 20);
    expect_matches_reference({2, 2, 3, 9, 1, 3, 1, 1}, 21);
}

TEST(HiddenConv2d, CifarSecondLayerShape) { expect_matches_reference({2, 32, 64, 16, 16, 3, 1, 1}, 22); }

TEST(HiddenConv2d, NonContiguousInputAndWeight) {
    Generator gen(23);
    Tensor x = randn({2, 6, 7, 3}, gen).permute({0, 3, 1, 2});  // (2, 3, 6, 7), channels last in memory
    Tensor w = randn({3, 4, 3, 3}, gen).transpose(0, 1);       // (4, 3, 3, 3) view
    ASSERT_FALSE(x.is_contiguous());
    ASSERT_FALSE(w.is_contiguous());
    EXPECT_TENSOR_NEAR(conv2d(x, w, Tensor(), 1, 1), reference::conv2d(x, w, Tensor(), 1, 1), 1e-4f);
    Tensor dy = randn({2, 4, 6, 7}, gen).transpose(2, 3).contiguous().transpose(2, 3);  // strided
    const Conv2dGradients grads = conv2d_backward(dy, x, w, 1, 1);
    const reference::ConvGrads expected = reference::conv2d_backward(dy, x, w, 1, 1);
    EXPECT_TENSOR_NEAR(grads.input, expected.input, 1e-4f);
    EXPECT_TENSOR_NEAR(grads.weight, expected.weight, 1e-3f);
}

TEST(HiddenConv2d, EmptyBatchGivesEmptyOutputAndZeroGradients) {
    Tensor out = conv2d(zeros({0, 3, 5, 5}), ones({2, 3, 3, 3}), ones({2}));
    EXPECT_SHAPE(out, 0, 2, 3, 3);
    const Conv2dGradients grads = conv2d_backward(zeros({0, 2, 3, 3}), zeros({0, 3, 5, 5}), ones({2, 3, 3, 3}), 1, 0);
    EXPECT_TENSOR_EQ(grads.weight, zeros({2, 3, 3, 3}));
    EXPECT_TENSOR_EQ(grads.bias, zeros({2}));
}

TEST(HiddenConv2dBackward, NothingRequestedGivesNothing) {
    const Conv2dGradients grads = conv2d_backward(ones({1, 1, 2, 2}), ones({1, 1, 3, 3}), ones({1, 1, 2, 2}), 1, 0,
                                                  {.input = false, .weight = false, .bias = false});
    EXPECT_FALSE(grads.input.defined());
    EXPECT_FALSE(grads.weight.defined());
    EXPECT_FALSE(grads.bias.defined());
}

TEST(HiddenConv2dBackward, InputGradientAloneMatchesTheFullComputation) {
    Generator gen(24);
    Tensor x = randn({3, 2, 6, 5}, gen), w = randn({3, 2, 3, 3}, gen), dy = randn({3, 3, 3, 3}, gen);
    const Conv2dGradients all = conv2d_backward(dy, x, w, 2, 1);
    const Conv2dGradients input_only = conv2d_backward(dy, x, w, 2, 1, {.weight = false, .bias = false});
    EXPECT_TENSOR_EQ(input_only.input, all.input);
    EXPECT_FALSE(input_only.weight.defined());
}

TEST(HiddenConv2dBackward, GradOutputWithTheWrongBatchThrows) {
    EXPECT_THROW_WITH(conv2d_backward(ones({3, 2, 3, 3}), ones({2, 1, 5, 5}), ones({2, 1, 3, 3}), 1, 0), ShapeError,
                      "grad_output must have shape (2, 2, 3, 3), got (3, 2, 3, 3)");
}

TEST(HiddenConv2d, EmptyKernelThrows) {
    EXPECT_THROW_WITH(conv2d(ones({1, 1, 4, 4}), ones({2, 1, 0, 0})), ShapeError,
                      "the kernel must be at least 1x1, got weight (2, 1, 0, 0)");
}

TEST(HiddenConv2d, BiasOfTwoAxesThrows) {
    EXPECT_THROW_WITH(conv2d(ones({1, 1, 4, 4}), ones({2, 1, 3, 3}), ones({2, 1})), ShapeError,
                      "bias must have shape (2) for weight (2, 1, 3, 3), got (2, 1)");
}

TEST(HiddenConv2d, GradientsThroughTheEngineOnANonContiguousInput) {
    Generator gen(25);
    Tensor stored = tinytorch::testing::uniform_tensor({2, 5, 4, 3}, -1, 1, gen).requires_grad_();
    Tensor w = tinytorch::testing::uniform_tensor({2, 3, 2, 2}, -1, 1, gen).requires_grad_();
    auto f = [](const std::vector<Tensor>& in) { return conv2d(in[0].permute({0, 3, 1, 2}), in[1], Tensor(), 1, 1); };
    EXPECT_GRADIENTS_MATCH(f, {stored, w});
}

// ---------------------------------------------------------------------------
// The Conv2d module
// ---------------------------------------------------------------------------

TEST(HiddenConv2dModule, HeInitialisationStatisticsForALargerLayer) {
    Generator gen(26);
    Conv2d conv(64, 128, 3, 1, 1, true, gen);
    const Tensor w = conv.weight;
    const double mean = w.mean().item();
    const double variance = pow(w - static_cast<float>(mean), 2.0f).mean().item();
    // fan_in = 576: variance 2 / 576 over 73728 draws.
    EXPECT_NEAR(mean, 0.0, 0.001);
    EXPECT_NEAR(variance, 2.0 / 576.0, 0.02 * 2.0 / 576.0);
    const float bound = std::sqrt(6.0f / 576.0f);
    EXPECT_LE(abs(w).max().item(), bound);
    EXPECT_GT(abs(w).max().item(), 0.99f * bound);
}

TEST(HiddenConv2dModule, KeepsItsGeometryAndCountsParameters) {
    Conv2d conv(4, 6, 5, 2, 2, false);
    EXPECT_EQ(conv.in_channels, 4);
    EXPECT_EQ(conv.out_channels, 6);
    EXPECT_EQ(conv.kernel_size, 5);
    EXPECT_EQ(conv.stride, 2);
    EXPECT_EQ(conv.padding, 2);
    EXPECT_EQ(count_parameters(conv), 6 * 4 * 25);
    EXPECT_SHAPE(conv(zeros({1, 4, 9, 9})), 1, 6, 5, 5);
}

TEST(HiddenConv2dModule, ManualSeedMakesInitialisationReproducible) {
    manual_seed(99);
    Conv2d a(3, 4, 3);
    manual_seed(99);
    Conv2d b(3, 4, 3);
    EXPECT_TENSOR_EQ(a.weight, b.weight);
}

TEST(HiddenConv2dModule, NegativePaddingThrows) {
    EXPECT_THROW_WITH(Conv2d(3, 4, 3, 1, -1), ValueError, "got 1 and -1");
}
