// Module 04, hidden tests: the same contract as the visible tests, checked
// with other values and shapes — random inputs against a double-precision
// reference computed here, non-contiguous and broadcast views, a single
// class, empty batches, extreme logits and probabilities.
#include <cmath>
#include <limits>

#include "losses.hpp"
#include "testing.hpp"

using namespace tinytorch;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// The per-element losses reduced as `reduction` does, in double.
Tensor reduce_reference(const std::vector<double>& losses, const Shape& shape, Reduction reduction) {
    if (reduction == Reduction::None) return Tensor(std::vector<float>(losses.begin(), losses.end()), shape);
    double total = 0;
    for (double v : losses) total += v;
    if (reduction == Reduction::Mean) total /= static_cast<double>(losses.size());
    return scalar_tensor(static_cast<float>(total));
}

Tensor mse_reference(const Tensor& p, const Tensor& t, Reduction reduction) {
    const Tensor pc = p.contiguous(), tc = t.contiguous();
    std::vector<double> losses;
    for (int64_t i = 0; i < pc.numel(); ++i) {
        const double d = double(pc.data()[i]) - double(tc.data()[i]);
        losses.push_back(d * d);
    }
    return reduce_reference(losses, p.shape(), reduction);
}

// -log softmax(logits[n])[target[n]] by the textbook formula in double.
Tensor cross_entropy_reference(const Tensor& logits, const Tensor& target, Reduction reduction) {
    std::vector<double> losses;
    for (int64_t n = 0; n < logits.size(0); ++n) {
        double m = -1e300, s = 0;
        for (int64_t c = 0; c < logits.size(1); ++c) m = std::max(m, double(logits.at({n, c})));
        for (int64_t c = 0; c < logits.size(1); ++c) s += std::exp(double(logits.at({n, c})) - m);
        const auto k = static_cast<int64_t>(target.at({n}));
        losses.push_back(-(double(logits.at({n, k})) - m - std::log(s)));
    }
    return reduce_reference(losses, {logits.size(0)}, reduction);
}

Tensor bce_reference(const Tensor& p, const Tensor& t, Reduction reduction) {
    const Tensor pc = p.contiguous(), tc = t.contiguous();
    const double eps = 1e-7f;
    std::vector<double> losses;
    for (int64_t i = 0; i < pc.numel(); ++i) {
        const double q = std::clamp(double(pc.data()[i]), eps, 1.0 - eps);
        const double y = tc.data()[i];
        losses.push_back(-(y * std::log(q) + (1 - y) * std::log(1 - q)));
    }
    return reduce_reference(losses, p.shape(), reduction);
}

// Class indices 0..classes-1 drawn from gen, as floats.
Tensor random_labels(int64_t n, int64_t classes, Generator& gen) {
    std::vector<float> labels;
    for (int64_t i = 0; i < n; ++i) labels.push_back(static_cast<float>(gen.randint(0, classes)));
    return Tensor(labels, {n});
}

const Reduction kAllReductions[] = {Reduction::None, Reduction::Mean, Reduction::Sum};

}  // namespace

// ---------------------------------------------------------------------------
// MSE
// ---------------------------------------------------------------------------

TEST(HiddenMSE, RandomThreeDimensionalMatchesReferenceForEveryReduction) {
    Generator gen(31);
    Tensor p = randn({2, 3, 4}, gen) * 3.0f;
    Tensor t = randn({2, 3, 4}, gen);
    for (Reduction r : kAllReductions)
        EXPECT_TENSOR_NEAR(mse_loss(p, t, r), mse_reference(p, t, r), 1e-6f);
}

TEST(HiddenMSE, NonContiguousAndBroadcastViews) {
    Generator gen(8);
    Tensor p = randn({4, 3}, gen).transpose(0, 1);    // (3, 4), transposed
    Tensor t = Tensor({1, 2, 3, 4}).expand({3, 4});   // (3, 4), stride 0 rows
    for (Reduction r : kAllReductions)
        EXPECT_TENSOR_NEAR(mse_loss(p, t, r), mse_reference(p, t, r), 1e-6f);
}

TEST(HiddenMSE, LargeValuesAreAccumulatedAccurately) {
    Tensor p = full({1000}, 1e3f);
    Tensor t = zeros({1000});
    EXPECT_EQ(mse_loss(p, t).item(), 1e6f);
    EXPECT_EQ(mse_loss(p, t, Reduction::Sum).item(), 1e9f);
}

TEST(HiddenMSE, ScalarInputs) {
    Tensor loss = mse_loss(scalar_tensor(3), scalar_tensor(1), Reduction::None);
    EXPECT_SHAPE(loss);
    EXPECT_EQ(loss.item(), 4.0f);
}

TEST(HiddenMSE, EmptyInputs) {
    EXPECT_TRUE(std::isnan(mse_loss(zeros({0}), zeros({0})).item()));
    EXPECT_EQ(mse_loss(zeros({0, 2}), zeros({0, 2}), Reduction::Sum).item(), 0.0f);
    EXPECT_SHAPE(mse_loss(zeros({0, 2}), zeros({0, 2}), Reduction::None), 0, 2);
}

TEST(HiddenMSE, TransposedShapeIsNotAccepted) {
    EXPECT_THROW_WITH(mse_loss(ones({2, 3}), ones({3, 2})), ShapeError, "(2, 3)");
}

// ---------------------------------------------------------------------------
// Cross-entropy
// ---------------------------------------------------------------------------

TEST(HiddenCrossEntropy, RandomLogitsMatchReferenceForEveryReduction) {
    Generator gen(77);
    Tensor logits = randn({7, 5}, gen) * 10.0f;
    Tensor target = random_labels(7, 5, gen);
    for (Reduction r : kAllReductions)
        EXPECT_TENSOR_NEAR(cross_entropy(logits, target, r),
                           cross_entropy_reference(logits, target, r), 1e-5f);
}

TEST(HiddenCrossEntropy, NonContiguousLogitsAndTarget) {
    Generator gen(3);
    Tensor logits = randn({6, 4}, gen).transpose(0, 1);  // (4, 6), transposed
    Tensor target = Tensor({0, 9, 5, 9, 2, 9, 5, 9}).slice(0, 8, 2);  // (4): 0, 5, 2, 5
    ASSERT_FALSE(logits.is_contiguous());
    EXPECT_TENSOR_NEAR(cross_entropy(logits, target, Reduction::None),
                       cross_entropy_reference(logits, target, Reduction::None), 1e-5f);
}

TEST(HiddenCrossEntropy, SingleClassCostsNothing) {
    Tensor loss = cross_entropy(Tensor({{5}, {-300}, {0}}), zeros({3}), Reduction::None);
    EXPECT_TENSOR_EQ(loss, zeros({3}));
}

TEST(HiddenCrossEntropy, MixedHugeLogitsStayFiniteAndExact) {
    Generator gen(5);
    Tensor logits = (rand({16, 10}, gen) * 2.0f - 1.0f) * 1000.0f;
    Tensor target = random_labels(16, 10, gen);
    Tensor loss = cross_entropy(logits, target, Reduction::None);
    for (int64_t n = 0; n < 16; ++n) EXPECT_TRUE(std::isfinite(loss.at({n}))) << "sample " << n;
    EXPECT_TENSOR_NEAR(loss, cross_entropy_reference(logits, target, Reduction::None), 1e-4f);
}

TEST(HiddenCrossEntropy, ConfidentCorrectPredictionCostsZero) {
    EXPECT_EQ(cross_entropy(Tensor({{-1000, 1000, -1000}}), Tensor({1})).item(), 0.0f);
}

TEST(HiddenCrossEntropy, TargetEqualToClassCountIsOutOfRange) {
    EXPECT_THROW_WITH(cross_entropy(zeros({4, 10}), Tensor({1, 2, 3, 10})), ValueError,
                      "target 10 at position 3 is out of range for 10 classes");
}

TEST(HiddenCrossEntropy, NaNAndInfiniteTargetsAreRejected) {
    EXPECT_THROW_WITH(cross_entropy(zeros({2, 3}), Tensor({0, kNaN})), ValueError,
                      "target nan at position 1");
    EXPECT_THROW_WITH(cross_entropy(zeros({1, 3}), Tensor({std::numeric_limits<float>::infinity()})),
                      ValueError, "target inf at position 0");
}

TEST(HiddenCrossEntropy, ScalarTargetIsAShapeError) {
    EXPECT_THROW_WITH(cross_entropy(zeros({1, 3}), scalar_tensor(0)), ShapeError,
                      "target of shape () does not fit logits of shape (1, 3)");
}

TEST(HiddenCrossEntropy, ZeroClassesIsAShapeError) {
    EXPECT_THROW_WITH(cross_entropy(zeros({2, 0}), zeros({2})), ShapeError,
                      "with C >= 1, got (2, 0)");
}

TEST(HiddenCrossEntropy, ThreeDimensionalLogitsAreAShapeError) {
    EXPECT_THROW_WITH(cross_entropy(zeros({2, 3, 4}), zeros({2})), ShapeError, "got (2, 3, 4)");
}

TEST(HiddenCrossEntropy, EmptyBatch) {
    EXPECT_TRUE(std::isnan(cross_entropy(zeros({0, 3}), zeros({0})).item()));
    EXPECT_EQ(cross_entropy(zeros({0, 3}), zeros({0}), Reduction::Sum).item(), 0.0f);
    EXPECT_SHAPE(cross_entropy(zeros({0, 3}), zeros({0}), Reduction::None), 0);
}

TEST(HiddenCrossEntropy, LeavesItsInputsUnchanged) {
    Tensor logits({{1000, 1001}});
    Tensor target({1});
    cross_entropy(logits, target);
    EXPECT_TENSOR_EQ(logits, Tensor({{1000, 1001}}));
    EXPECT_TENSOR_EQ(target, Tensor({1}));
}

TEST(HiddenCrossEntropy, RecordsEachReduction) {
    Tensor logits = zeros({2, 3}).requires_grad_();
    Tensor target({0, 2});
    for (Reduction r : kAllReductions) {
        Tensor loss = cross_entropy(logits, target, r);
        EXPECT_EQ(loss.grad_fn()->args.ints, std::vector<int64_t>{static_cast<int64_t>(r)});
        EXPECT_EQ(loss.grad_fn()->inputs.size(), 2u);
    }
}

TEST(HiddenCrossEntropy, RecordedOutputHoldsTheLoss) {
    Tensor logits = Tensor({{1, 2, 3}}).requires_grad_();
    Tensor loss = cross_entropy(logits, Tensor({2}));
    EXPECT_NEAR(loss.grad_fn()->output().item(), 0.40760596f, 1e-6f);
}

// ---------------------------------------------------------------------------
// Binary cross-entropy
// ---------------------------------------------------------------------------

TEST(HiddenBCE, RandomProbabilitiesMatchReferenceForEveryReduction) {
    Generator gen(13);
    Tensor p = rand({3, 5}, gen);
    Tensor t = rand({3, 5}, gen);  // soft targets
    for (Reduction r : kAllReductions)
        EXPECT_TENSOR_NEAR(binary_cross_entropy(p, t, r), bce_reference(p, t, r), 1e-5f);
}

TEST(HiddenBCE, NonContiguousInputs) {
    Generator gen(21);
    Tensor p = rand({5, 2}, gen).transpose(0, 1);
    Tensor t = Tensor({{1}, {0}}).expand({2, 5});
    EXPECT_TENSOR_NEAR(binary_cross_entropy(p, t, Reduction::None),
                       bce_reference(p, t, Reduction::None), 1e-5f);
}

TEST(HiddenBCE, ProbabilitiesBeyondEpsilonAreClamped) {
    Tensor loss = binary_cross_entropy(Tensor({1e-12f, 1.0f - 1e-9f}), Tensor({1, 0}), Reduction::None);
    EXPECT_TENSOR_NEAR(loss, Tensor({16.1180956f, 16.1180956f}), 1e-5f);
}

TEST(HiddenBCE, NearOneProbabilityIsAccurate) {
    // 1 - 0.999 in float is 0.00099999...; the loss must follow it.
    Tensor p({0.999f});
    EXPECT_TENSOR_NEAR(binary_cross_entropy(p, zeros({1})), bce_reference(p, zeros({1}), Reduction::Mean),
                       1e-6f);
}

TEST(HiddenBCE, NaNPredictionIsRejected) {
    EXPECT_THROW_WITH(binary_cross_entropy(Tensor({0.5f, kNaN}), zeros({2})), ValueError,
                      "prediction nan at position 1");
}

TEST(HiddenBCE, PositionCountsInRowMajorOrderOfTheLogicalTensor) {
    Tensor p = Tensor({{0.5f, 0.5f}, {0.5f, 2.0f}}).transpose(0, 1);  // 2.0 is at (1, 1) -> 3
    EXPECT_THROW_WITH(binary_cross_entropy(p, zeros({2, 2})), ValueError,
                      "prediction 2 at position 3");
}

TEST(HiddenBCE, LargeBatchMeanMatchesReference) {
    Generator gen(1);
    Tensor p = rand({10000}, gen);
    Tensor t = ge(rand({10000}, gen), scalar_tensor(0.5f));
    EXPECT_TENSOR_NEAR(binary_cross_entropy(p, t), bce_reference(p, t, Reduction::Mean), 1e-5f);
}

// ---------------------------------------------------------------------------
// All losses
// ---------------------------------------------------------------------------

TEST(HiddenLosses, UnknownReductionIsRejected) {
    const auto bad = static_cast<Reduction>(7);
    EXPECT_THROW_WITH(mse_loss(ones({1}), ones({1}), bad), ValueError, "unknown reduction 7");
    EXPECT_THROW_WITH(cross_entropy(zeros({1, 2}), zeros({1}), bad), ValueError, "unknown reduction");
    EXPECT_THROW_WITH(binary_cross_entropy(full({1}, 0.5f), ones({1}), bad), ValueError,
                      "unknown reduction");
}

TEST(HiddenLosses, GradModeOffRecordsNothing) {
    Tensor p = full({2}, 0.5f).requires_grad_();
    set_grad_mode_enabled(false);
    Tensor a = mse_loss(p, zeros({2}));
    Tensor b = binary_cross_entropy(p, ones({2}));
    set_grad_mode_enabled(true);
    EXPECT_EQ(a.grad_fn(), nullptr);
    EXPECT_EQ(b.grad_fn(), nullptr);
}

TEST(HiddenLosses, PlainInputsRecordNothing) {
    EXPECT_EQ(mse_loss(ones({2}), zeros({2})).grad_fn(), nullptr);
    EXPECT_EQ(cross_entropy(zeros({1, 2}), zeros({1})).grad_fn(), nullptr);
}
