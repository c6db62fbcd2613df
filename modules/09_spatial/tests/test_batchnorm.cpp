// Module 09 — batch normalisation: training and evaluation, the running
// statistics, backward in both modes, errors, and the BatchNorm2d module.
#include "finite_differences.hpp"
#include "spatial.hpp"
#include "testing.hpp"

using namespace tinytorch;
using tinytorch::testing::numerical_gradient;

namespace {

// (2, 2, 1, 2): channel 0 holds 1, 3, 5, 7 (mean 4, biased variance 5);
// channel 1 holds 0, 0, 2, 2 (mean 1, variance 1).
Tensor two_channels() { return Tensor({{{{1, 3}}, {{0, 0}}}, {{{5, 7}}, {{2, 2}}}}); }

// A random case for the gradient tests: N=3, C=2, 3x4, with gamma and beta
// away from 1 and 0 so that their roles show.
struct NormCase {
    Generator gen{21};
    Tensor x = randn({3, 2, 3, 4}, gen) * 2.0f + 1.0f;
    Tensor gamma = Tensor({1.5f, -0.5f});
    Tensor beta = Tensor({0.25f, 2.0f});
    Tensor grad_output = randn({3, 2, 3, 4}, gen);
    Tensor running_mean = Tensor({0.5f, -1.0f});
    Tensor running_var = Tensor({2.0f, 0.5f});
};

// mean and 1/sqrt(var + eps) of the batch per channel, as the forward uses them.
void batch_statistics(const Tensor& x, Tensor& mean, Tensor& inv_std, float eps = 1e-5f) {
    const Tensor per_channel = x.permute({1, 0, 2, 3}).reshape({x.size(1), -1});
    mean = per_channel.mean(1);
    const Tensor var = pow(per_channel - mean.unsqueeze(1), 2.0f).mean(1);
    inv_std = 1.0f / sqrt(var + eps);
}

}  // namespace

TEST(BatchNorm2d, TrainingNormalisesEachChannelWithTheBatchStatistics) {
    Tensor running_mean = zeros({2}), running_var = ones({2});
    Tensor out = batch_norm2d(two_channels(), Tensor({2, 1}), Tensor({1, 0}), running_mean,
                              running_var, /*training=*/true);
    // Channel 0: 2 * (x - 4) / sqrt(5 + 1e-5) + 1; channel 1: (x - 1) / sqrt(1 + 1e-5).
    Tensor expected({{{{-1.6832789f, 0.1055737f}}, {{-0.999995f, -0.999995f}}},
                     {{{1.8944263f, 3.6832789f}}, {{0.999995f, 0.999995f}}}});
    EXPECT_TENSOR_NEAR(out, expected, 1e-5f);
}

TEST(BatchNorm2d, TrainingUpdatesRunningStatisticsWithUnbiasedVariance) {
    Tensor running_mean = zeros({2}), running_var = ones({2});
    batch_norm2d(two_channels(), ones({2}), zeros({2}), running_mean, running_var, true, 0.1f);
    // mean: 0.9 * 0 + 0.1 * 4 and 0.9 * 0 + 0.1 * 1.
    EXPECT_TENSOR_NEAR(running_mean, Tensor({0.4f, 0.1f}), 1e-6f);
    // var: 0.9 * 1 + 0.1 * 5 * 4/3 and 0.9 * 1 + 0.1 * 1 * 4/3 (M = 4 values).
    EXPECT_TENSOR_NEAR(running_var, Tensor({1.5666667f, 1.0333333f}), 1e-6f);
}

TEST(BatchNorm2d, MomentumOneReplacesTheRunningStatistics) {
    Tensor running_mean = zeros({2}), running_var = ones({2});
    batch_norm2d(two_channels(), ones({2}), zeros({2}), running_mean, running_var, true, 1.0f);
    EXPECT_TENSOR_NEAR(running_mean, Tensor({4.0f, 1.0f}), 1e-6f);
    EXPECT_TENSOR_NEAR(running_var, Tensor({20.0f / 3.0f, 4.0f / 3.0f}), 1e-5f);
}

TEST(BatchNorm2d, TrainingOutputDoesNotDependOnTheRunningStatistics) {
    Tensor mean_a = zeros({2}), var_a = ones({2});
    Tensor mean_b = Tensor({10, -10}), var_b = Tensor({100, 0.01f});
    Tensor a = batch_norm2d(two_channels(), ones({2}), zeros({2}), mean_a, var_a, true);
    Tensor b = batch_norm2d(two_channels(), ones({2}), zeros({2}), mean_b, var_b, true);
    EXPECT_TENSOR_EQ(a, b);
}

TEST(BatchNorm2d, EvaluationUsesTheRunningStatistics) {
    Tensor running_mean = Tensor({1, 2}), running_var = Tensor({4, 9});
    Tensor x({{{{5, 1}}, {{8, 2}}}});  // (1, 2, 1, 2)
    Tensor out = batch_norm2d(x, Tensor({1, 2}), Tensor({0, 1}), running_mean, running_var,
                              /*training=*/false);
    // Channel 0: (x - 1) / 2; channel 1: 2 * (x - 2) / 3 + 1 (eps 1e-5 barely shows).
    EXPECT_TENSOR_NEAR(out, Tensor({{{{2, 0}}, {{5, 1}}}}), 1e-4f);
}

TEST(BatchNorm2d, EvaluationLeavesTheRunningStatisticsAlone) {
    Tensor running_mean = Tensor({1, 2}), running_var = Tensor({4, 9});
    batch_norm2d(two_channels(), ones({2}), zeros({2}), running_mean, running_var, false);
    EXPECT_TENSOR_EQ(running_mean, Tensor({1, 2}));
    EXPECT_TENSOR_EQ(running_var, Tensor({4, 9}));
}

TEST(BatchNorm2d, RecordsOneNodeWithInputsXGammaAndBeta) {
    NormCase c;
    c.gamma.requires_grad_();
    Tensor out = batch_norm2d(c.x, c.gamma, c.beta, c.running_mean, c.running_var, true);
    ASSERT_NE(out.grad_fn(), nullptr);
    EXPECT_EQ(out.grad_fn()->name(), "BatchNorm2dBackward");
    ASSERT_EQ(out.grad_fn()->inputs.size(), 3u);
    EXPECT_TRUE(out.grad_fn()->input(1).is_same(c.gamma));
    const std::vector<Tensor> grads = out.grad_fn()->custom_backward(c.grad_output);
    ASSERT_EQ(grads.size(), 3u);
    EXPECT_FALSE(grads[0].defined());  // x does not require grad
    EXPECT_SHAPE(grads[1], 2);
    EXPECT_FALSE(grads[2].defined());
}

TEST(BatchNorm2dBackward, TrainingInputGradientMatchesFiniteDifferences) {
    NormCase c;
    const auto f = [&](const Tensor& x) {
        Tensor rm = c.running_mean.clone(), rv = c.running_var.clone();
        return batch_norm2d(x, c.gamma, c.beta, rm, rv, true);
    };
    Tensor mean, inv_std;
    batch_statistics(c.x, mean, inv_std);
    const BatchNorm2dGradients grads =
        batch_norm2d_backward(c.grad_output, c.x, mean, inv_std, c.gamma, true);
    EXPECT_TENSOR_NEAR(grads.input, numerical_gradient(f, c.x, c.grad_output, 1e-2f), 5e-3f);
}

TEST(BatchNorm2dBackward, TrainingGammaAndBetaGradientsMatchFiniteDifferences) {
    NormCase c;
    Tensor mean, inv_std;
    batch_statistics(c.x, mean, inv_std);
    const BatchNorm2dGradients grads =
        batch_norm2d_backward(c.grad_output, c.x, mean, inv_std, c.gamma, true);
    const auto f_gamma = [&](const Tensor& g) {
        Tensor rm = c.running_mean.clone(), rv = c.running_var.clone();
        return batch_norm2d(c.x, g, c.beta, rm, rv, true);
    };
    const auto f_beta = [&](const Tensor& b) {
        Tensor rm = c.running_mean.clone(), rv = c.running_var.clone();
        return batch_norm2d(c.x, c.gamma, b, rm, rv, true);
    };
    EXPECT_TENSOR_NEAR(grads.gamma, numerical_gradient(f_gamma, c.gamma, c.grad_output), 5e-3f);
    EXPECT_TENSOR_NEAR(grads.beta, numerical_gradient(f_beta, c.beta, c.grad_output), 5e-3f);
}

TEST(BatchNorm2dBackward, EvaluationGradientsMatchFiniteDifferences) {
    NormCase c;
    const auto f = [&](const Tensor& x) {
        return batch_norm2d(x, c.gamma, c.beta, c.running_mean, c.running_var, false);
    };
    const auto f_gamma = [&](const Tensor& g) {
        return batch_norm2d(c.x, g, c.beta, c.running_mean, c.running_var, false);
    };
    const Tensor mean = c.running_mean, inv_std = 1.0f / sqrt(c.running_var + 1e-5f);
    const BatchNorm2dGradients grads =
        batch_norm2d_backward(c.grad_output, c.x, mean, inv_std, c.gamma, false);
    EXPECT_TENSOR_NEAR(grads.input, numerical_gradient(f, c.x, c.grad_output), 5e-3f);
    EXPECT_TENSOR_NEAR(grads.gamma, numerical_gradient(f_gamma, c.gamma, c.grad_output), 5e-3f);
}

TEST(BatchNorm2dBackward, BetaGradientIsTheSumOfEachChannel) {
    Tensor dy = arange(0, 8).reshape({2, 2, 1, 2});  // channel 0: 0 1 4 5; channel 1: 2 3 6 7
    Tensor mean, inv_std;
    batch_statistics(two_channels(), mean, inv_std);
    const BatchNorm2dGradients grads =
        batch_norm2d_backward(dy, two_channels(), mean, inv_std, ones({2}), true);
    EXPECT_TENSOR_EQ(grads.beta, Tensor({10, 18}));
}

TEST(BatchNorm2d, InputNotFourDimensionalThrowsShapeError) {
    Tensor rm = zeros({3}), rv = ones({3});
    EXPECT_THROW_WITH(batch_norm2d(ones({4, 3}), ones({3}), zeros({3}), rm, rv, true), ShapeError,
                      "batch_norm2d: expected x of shape (N, C, H, W), got (4, 3)");
}

TEST(BatchNorm2d, ParameterOfTheWrongSizeShowsTheShapes) {
    Tensor rm = zeros({3}), rv = ones({3});
    EXPECT_THROW_WITH(batch_norm2d(ones({2, 3, 4, 4}), ones({4}), zeros({3}), rm, rv, true),
                      ShapeError, "batch_norm2d: gamma must have shape (3) for x (2, 3, 4, 4), got (4)");
}

TEST(BatchNorm2d, TrainingOnOneValuePerChannelThrowsValueError) {
    Tensor rm = zeros({3}), rv = ones({3});
    EXPECT_THROW_WITH(batch_norm2d(ones({1, 3, 1, 1}), ones({3}), zeros({3}), rm, rv, true),
                      ValueError, "more than one value per channel");
}

// ---------------------------------------------------------------------------
// The BatchNorm2d module
// ---------------------------------------------------------------------------

TEST(BatchNorm2dModule, GammaAndBetaAreItsParameters) {
    BatchNorm2d norm(3);
    const auto named = norm.named_parameters();
    ASSERT_EQ(named.size(), 2u);
    EXPECT_EQ(named[0].first, "gamma");
    EXPECT_EQ(named[1].first, "beta");
    EXPECT_TENSOR_EQ(norm.gamma, ones({3}));
    EXPECT_TENSOR_EQ(norm.beta, zeros({3}));
    EXPECT_EQ(count_parameters(norm), 6);
}

TEST(BatchNorm2dModule, RunningStatisticsAreBuffers) {
    BatchNorm2d norm(3);
    const auto buffers = norm.named_buffers();
    ASSERT_EQ(buffers.size(), 2u);
    EXPECT_EQ(buffers[0].first, "running_mean");
    EXPECT_EQ(buffers[1].first, "running_var");
    EXPECT_TRUE(buffers[0].second.is_same(norm.running_mean));
    EXPECT_FALSE(norm.running_var.requires_grad());
    EXPECT_TENSOR_EQ(norm.running_mean, zeros({3}));
    EXPECT_TENSOR_EQ(norm.running_var, ones({3}));
}

TEST(BatchNorm2dModule, TrainingModeUpdatesItsBuffers) {
    BatchNorm2d norm(2);
    norm(two_channels());
    EXPECT_TENSOR_NEAR(norm.running_mean, Tensor({0.4f, 0.1f}), 1e-6f);
    EXPECT_TENSOR_NEAR(norm.running_var, Tensor({1.5666667f, 1.0333333f}), 1e-6f);
    EXPECT_TRUE(norm.named_buffers()[0].second.is_same(norm.running_mean));
}

TEST(BatchNorm2dModule, EvalModeUsesItsBuffersAndKeepsThem) {
    BatchNorm2d norm(2);
    norm.running_mean.copy_(Tensor({1, 2}));
    norm.running_var.copy_(Tensor({4, 9}));
    norm.eval();
    Tensor out = norm(Tensor({{{{5, 1}}, {{8, 2}}}}));
    EXPECT_TENSOR_NEAR(out, Tensor({{{{2, 0}}, {{2, 0}}}}), 1e-4f);
    EXPECT_TENSOR_EQ(norm.running_mean, Tensor({1, 2}));
}

TEST(BatchNorm2dModule, BadArgumentsThrowValueError) {
    EXPECT_THROW_WITH(BatchNorm2d(0), ValueError, "BatchNorm2d: num_features must be >= 1, got 0");
    EXPECT_THROW_WITH(BatchNorm2d(3, 1e-5f, 1.5f), ValueError, "momentum in [0, 1], got 1e-05 and 1.5");
}
