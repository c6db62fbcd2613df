// Module 02, hidden tests: the same contract as the visible tests, checked
// with other values and shapes — random inputs against a double-precision
// reference computed here, non-contiguous views, size-1 and empty axes,
// extreme values, and tensors large enough to take the threaded path.
#include <cmath>
#include <functional>
#include <limits>
#include <numbers>

#include "activations.hpp"
#include "testing.hpp"

using namespace tinytorch;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// out[i] = f(x[i]) in double, read through at() so any layout works.
Tensor reference_map(const Tensor& x, const std::function<double(double)>& f) {
    const Tensor in = x.contiguous();
    std::vector<float> out(static_cast<size_t>(in.numel()));
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<float>(f(in.data()[i]));
    return Tensor(out, x.shape());
}

double sigmoid_ref(double v) { return 1.0 / (1.0 + std::exp(-v)); }
double gelu_ref(double v) {
    return 0.5 * v * (1.0 + std::tanh(std::sqrt(2.0 / std::numbers::pi) * (v + 0.044715 * v * v * v)));
}

// Softmax (or its log) of a 3-D tensor along `axis`, in double, by index.
Tensor reference_softmax_3d(const Tensor& x, int64_t axis, bool take_log) {
    Tensor out = zeros(x.shape());
    const int64_t a = x.size(0), b = x.size(1), c = x.size(2);
    auto at = [&](const Tensor& t, int64_t i, int64_t j, int64_t k, int64_t n) -> float& {
        if (axis == 0) return t.at({n, j, k});
        if (axis == 1) return t.at({i, n, k});
        return t.at({i, j, n});
    };
    const int64_t extent = x.size(axis);
    for (int64_t i = 0; i < (axis == 0 ? 1 : a); ++i)
        for (int64_t j = 0; j < (axis == 1 ? 1 : b); ++j)
            for (int64_t k = 0; k < (axis == 2 ? 1 : c); ++k) {
                double m = -1e300, s = 0;
                for (int64_t n = 0; n < extent; ++n) m = std::max(m, double(at(x, i, j, k, n)));
                for (int64_t n = 0; n < extent; ++n) s += std::exp(double(at(x, i, j, k, n)) - m);
                for (int64_t n = 0; n < extent; ++n) {
                    const double v = double(at(x, i, j, k, n)) - m;
                    at(out, i, j, k, n) = static_cast<float>(take_log ? v - std::log(s) : std::exp(v) / s);
                }
            }
    return out;
}

bool all_finite(const Tensor& t) {
    const Tensor c = t.contiguous();
    for (int64_t i = 0; i < c.numel(); ++i)
        if (!std::isfinite(c.data()[i])) return false;
    return true;
}

}  // namespace

TEST(HiddenElementwise, RandomInputsMatchDoubleReference) {
    Generator gen(2024);
    Tensor x = randn({3, 4, 5}, gen) * 4.0f;
    EXPECT_TENSOR_NEAR(relu(x), reference_map(x, [](double v) { return v > 0 ? v : 0.0; }), 0.0f);
    EXPECT_TENSOR_NEAR(leaky_relu(x, 0.3f),
                       reference_map(x, [](double v) { return v < 0 ? double(0.3f) * v : v; }), 1e-6f);
    EXPECT_TENSOR_NEAR(sigmoid(x), reference_map(x, sigmoid_ref), 1e-6f);
    EXPECT_TENSOR_NEAR(tanh(x), reference_map(x, [](double v) { return std::tanh(v); }), 1e-6f);
    EXPECT_TENSOR_NEAR(gelu(x), reference_map(x, gelu_ref), 1e-6f);
}

TEST(HiddenElementwise, PermutedAndSteppedViewsMatchReference) {
    Generator gen(7);
    Tensor base = randn({6, 3, 4}, gen) * 3.0f;
    Tensor view = base.permute({2, 0, 1}).slice(0, 4, 2);  // (2, 6, 3), strided
    ASSERT_FALSE(view.is_contiguous());
    EXPECT_TENSOR_NEAR(relu(view), reference_map(view, [](double v) { return v > 0 ? v : 0.0; }), 0.0f);
    EXPECT_TENSOR_NEAR(sigmoid(view), reference_map(view, sigmoid_ref), 1e-6f);
    EXPECT_TENSOR_NEAR(gelu(view), reference_map(view, gelu_ref), 1e-6f);
    EXPECT_TENSOR_NEAR(tanh(view), reference_map(view, [](double v) { return std::tanh(v); }), 1e-6f);
}

TEST(HiddenElementwise, ExpandedInputGivesAFullTensor) {
    Tensor out = relu(Tensor({-1, 2}).expand({3, 2}));
    EXPECT_TENSOR_EQ(out, Tensor({{0, 2}, {0, 2}, {0, 2}}));
    EXPECT_TRUE(out.is_contiguous());
}

TEST(HiddenElementwise, LargeTensorTakesTheThreadedPathCorrectly) {
    Generator gen(11);
    Tensor x = randn({300, 1000}, gen);
    EXPECT_TENSOR_NEAR(sigmoid(x), reference_map(x, sigmoid_ref), 1e-6f);
    EXPECT_TENSOR_NEAR(relu(x), reference_map(x, [](double v) { return v > 0 ? v : 0.0; }), 0.0f);
}

TEST(HiddenElementwise, ScalarAndEmptyInputs) {
    EXPECT_TENSOR_EQ(relu(scalar_tensor(-3)), scalar_tensor(0));
    EXPECT_TENSOR_NEAR(sigmoid(scalar_tensor(0)), scalar_tensor(0.5f), 0.0f);
    Tensor empty_out = gelu(zeros({0, 3}));
    EXPECT_SHAPE(empty_out, 0, 3);
}

TEST(HiddenSigmoid, ExtremeInputsHitTheLimitsExactly) {
    Tensor out = sigmoid(Tensor({-kInf, -1e30f, -200, 200, 1e30f, kInf}));
    EXPECT_TENSOR_EQ(out, Tensor({0, 0, 0, 1, 1, 1}));
}

TEST(HiddenSigmoid, NoNaNAcrossTheWholeFiniteRange) {
    Tensor x = arange(-10000, 10000, 0.5f);
    Tensor out = sigmoid(x);
    EXPECT_TRUE(all_finite(out));
    EXPECT_GE(out.contiguous().data()[0], 0.0f);
    EXPECT_TENSOR_NEAR(out, reference_map(x, sigmoid_ref), 1e-6f);
}

TEST(HiddenSigmoid, TinyNegativeTailIsStillAccurate) {
    // exp(-80) is about 1.8e-35: a float, and the answer, not 0.
    Tensor out = sigmoid(Tensor({-80}));
    EXPECT_NEAR(out.at({0}) / 1.8048513e-35f, 1.0f, 1e-5f);
}

TEST(HiddenTanh, ExtremeInputs) {
    EXPECT_TENSOR_EQ(tanh(Tensor({-kInf, -1e20f, 0, 1e20f, kInf})), Tensor({-1, -1, 0, 1, 1}));
}

TEST(HiddenGELU, HugeMagnitudesGiveIdentityOrZeroWithoutNaN) {
    Tensor out = gelu(Tensor({-1e20f, -1e4f, 1e4f, 1e20f}));
    EXPECT_TRUE(all_finite(out));
    EXPECT_EQ(out.at({0}), 0.0f);
    EXPECT_EQ(out.at({1}), 0.0f);
    EXPECT_EQ(out.at({2}), 1e4f);
    EXPECT_EQ(out.at({3}), 1e20f);
}

TEST(HiddenGELU, NegativeTailFollowsTheFormula) {
    Tensor x({-6, -5, -4});
    EXPECT_TENSOR_NEAR(gelu(x), reference_map(x, gelu_ref), 1e-7f);
}

TEST(HiddenLeakyReLU, SlopeZeroIsReLUAndSlopeOneIsIdentity) {
    Tensor x({-3, -0.5f, 0, 2});
    EXPECT_TENSOR_EQ(leaky_relu(x, 0.0f), relu(x));
    EXPECT_TENSOR_EQ(leaky_relu(x, 1.0f), x);
}

TEST(HiddenSoftmax, RandomThreeDimensionalEveryAxisMatchesReference) {
    Generator gen(99);
    Tensor x = randn({3, 4, 5}, gen) * 5.0f;
    for (int64_t axis = 0; axis < 3; ++axis) {
        SCOPED_TRACE("axis " + std::to_string(axis));
        EXPECT_TENSOR_NEAR(softmax(x, axis), reference_softmax_3d(x, axis, false), 1e-6f);
        EXPECT_TENSOR_NEAR(log_softmax(x, axis), reference_softmax_3d(x, axis, true), 1e-5f);
    }
}

TEST(HiddenSoftmax, NonContiguousMiddleAxisMatchesReference) {
    Generator gen(5);
    Tensor x = (randn({5, 3, 4}, gen) * 20.0f).permute({1, 2, 0});  // (3, 4, 5)
    ASSERT_FALSE(x.is_contiguous());
    EXPECT_TENSOR_NEAR(softmax(x, 1), reference_softmax_3d(x, 1, false), 1e-6f);
    EXPECT_TENSOR_NEAR(log_softmax(x, -2), reference_softmax_3d(x, 1, true), 1e-5f);
}

TEST(HiddenSoftmax, SizeOneAxisGivesOnesAndLogGivesZeros) {
    Tensor x({{{3}, {-7}}, {{1e6f}, {0}}});  // (2, 2, 1)
    EXPECT_TENSOR_EQ(softmax(x, 2), ones({2, 2, 1}));
    EXPECT_TENSOR_EQ(log_softmax(x, 2), zeros({2, 2, 1}));
}

TEST(HiddenSoftmax, ScalarIsOne) {
    EXPECT_TENSOR_EQ(softmax(scalar_tensor(42)), scalar_tensor(1));
    EXPECT_TENSOR_EQ(log_softmax(scalar_tensor(-42)), scalar_tensor(0));
}

TEST(HiddenSoftmax, EmptyAxisGivesAnEmptyResult) {
    Tensor out = softmax(zeros({2, 0}), 1);
    EXPECT_SHAPE(out, 2, 0);
    EXPECT_SHAPE(log_softmax(zeros({0, 4}), 1), 0, 4);
}

TEST(HiddenSoftmax, HugeSpreadStaysFinite) {
    Tensor x({{1e4f, -1e4f, 0}, {-3e38f, 3e38f, 0}});
    Tensor p = softmax(x, 1);
    Tensor lp = log_softmax(x, 1);
    EXPECT_TRUE(all_finite(p));
    EXPECT_TENSOR_EQ(p, Tensor({{1, 0, 0}, {0, 1, 0}}));
    EXPECT_EQ(lp.at({0, 0}), 0.0f);
    EXPECT_EQ(lp.at({0, 1}), -2e4f);
    EXPECT_EQ(lp.at({0, 2}), -1e4f);
}

TEST(HiddenSoftmax, MinusInfinityEntriesGetZeroProbability) {
    Tensor p = softmax(Tensor({-kInf, 0, 0}));
    EXPECT_TENSOR_EQ(p, Tensor({0, 0.5f, 0.5f}));
    EXPECT_EQ(log_softmax(Tensor({-kInf, 0})).at({0}), -kInf);
}

TEST(HiddenSoftmax, LeavesTheInputUnchanged) {
    Tensor x({1000, 1001});
    softmax(x);
    log_softmax(x);
    EXPECT_TENSOR_EQ(x, Tensor({1000, 1001}));
}

TEST(HiddenRecording, AxisIsNormalisedForEveryRank) {
    Tensor x = ones({2, 3, 4, 5}).requires_grad_();
    EXPECT_EQ(softmax(x, -3).grad_fn()->args.axis, 1);
    EXPECT_EQ(log_softmax(x, 3).grad_fn()->args.axis, 3);
    Tensor s = scalar_tensor(1).requires_grad_();
    EXPECT_EQ(softmax(s, -1).grad_fn()->args.axis, 0);
}

TEST(HiddenRecording, ObjectsRecordLikeTheirFunctions) {
    Tensor x = Tensor({{1, -2}}).requires_grad_();
    EXPECT_EQ(ReLU{}(x).grad_fn()->op, Op::ReLU);
    Tensor leaky = LeakyReLU{0.1f}(x);
    EXPECT_EQ(leaky.grad_fn()->op, Op::LeakyReLU);
    EXPECT_EQ(leaky.grad_fn()->args.scalar, 0.1f);
    EXPECT_EQ(Sigmoid{}(x).grad_fn()->op, Op::Sigmoid);
    EXPECT_EQ(Tanh{}(x).grad_fn()->op, Op::Tanh);
    EXPECT_EQ(GELU{}(x).grad_fn()->op, Op::GELU);
    EXPECT_EQ(Softmax{0}(x).grad_fn()->args.axis, 0);
    EXPECT_EQ(LogSoftmax{}(x).grad_fn()->args.axis, 1);
}

TEST(HiddenRecording, RecordedOutputHoldsTheResult) {
    Tensor x = Tensor({1, 2, 3}).requires_grad_();
    Tensor out = softmax(x);
    EXPECT_TENSOR_NEAR(out.grad_fn()->output(), Tensor({0.09003057f, 0.24472847f, 0.66524096f}),
                       1e-6f);
}

TEST(HiddenRecording, GradModeOffRecordsNothing) {
    Tensor x = Tensor({1, 2}).requires_grad_();
    set_grad_mode_enabled(false);
    Tensor out = gelu(x);
    set_grad_mode_enabled(true);
    EXPECT_EQ(out.grad_fn(), nullptr);
}
