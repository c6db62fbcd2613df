// losses.cpp — module 04: your loss functions.
//
// Each function below says what it must do; losses.hpp has the full contract
// (including what autograd records) and modules/04_losses/README.md the
// concepts, hints and common mistakes. Run `tito module test 04` to check
// your work.
//
// Each loss ends with a provided record(...) line. Compute `out` above it from
// plain float values — read inputs through untracked(x).contiguous() (see
// graph.hpp), so no intermediate op is recorded — and leave the line as
// it is.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "losses.hpp"

namespace tinytorch {

// BEGIN SOLUTION HELPERS
namespace {

void check_same_shape(const char* op, const Tensor& prediction, const Tensor& target) {
    TT_CHECK(prediction.shape() == target.shape(), ShapeError,
             "{}: prediction of shape {} and target of shape {} differ; they must match exactly",
             op, format_shape(prediction.shape()), format_shape(target.shape()));
}

// Per-element losses (accumulated in double) -> the result: shaped as
// `none_shape` for None, or their sum or mean as a scalar.
Tensor reduce(const char* op, const std::vector<double>& losses, const Shape& none_shape,
              Reduction reduction) {
    switch (reduction) {
        case Reduction::None: {
            std::vector<float> values(losses.begin(), losses.end());
            return Tensor(std::move(values), none_shape);
        }
        case Reduction::Sum:
        case Reduction::Mean: {
            double total = 0.0;
            for (double v : losses) total += v;
            if (reduction == Reduction::Mean) total /= static_cast<double>(losses.size());
            return scalar_tensor(static_cast<float>(total));
        }
    }
    throw ValueError(fmt::format("{}: unknown reduction {} (use None, Mean or Sum)", op,
                                 static_cast<int64_t>(reduction)));
}

// Each value must lie in [0, 1]; NaN fails the test too.
void check_probabilities(const char* what, const Tensor& values) {
    const float* v = values.data();
    for (int64_t i = 0; i < values.numel(); ++i)
        TT_CHECK(v[i] >= 0.0f && v[i] <= 1.0f, ValueError,
                 "binary_cross_entropy: {} {} at position {} is not in [0, 1]{}", what, v[i], i,
                 std::string(what) == "prediction" ? "; pass probabilities (apply sigmoid first)"
                                                   : "");
}

}  // namespace
// END SOLUTION

// ===========================================================================
// Mean squared error
// ===========================================================================

// (prediction - target)^2 per element, then reduced. Shapes must be equal:
// ShapeError "mse_loss: prediction of shape (3) and target of shape (3, 1) differ".
Tensor mse_loss(const Tensor& prediction, const Tensor& target, Reduction reduction) {
    Tensor out;
    // BEGIN SOLUTION
    check_same_shape("mse_loss", prediction, target);
    const Tensor p = untracked(prediction).contiguous();
    const Tensor t = untracked(target).contiguous();
    std::vector<double> losses(static_cast<size_t>(p.numel()));
    for (size_t i = 0; i < losses.size(); ++i) {
        const double diff = static_cast<double>(p.data()[i]) - t.data()[i];
        losses[i] = diff * diff;
    }
    out = reduce("mse_loss", losses, p.shape(), reduction);
    // END SOLUTION
    OpArgs args;
    args.ints = {static_cast<int64_t>(reduction)};
    return record(Op::MSELoss, out, {prediction, target}, args);
}

// ===========================================================================
// Cross-entropy on logits
// ===========================================================================

// loss[n] = -log_softmax(logits, 1)[n, target[n]], then reduced.
// Checks, in this order, with these messages:
//   logits not 2-D, or with no class     ShapeError "cross_entropy: logits must have shape (N, C) with C >= 1, got (3)"
//   target not of shape (N)              ShapeError "cross_entropy: target of shape (2, 1) does not fit logits of shape (2, 3); expected (2)"
//   target[n] not a whole number         ValueError "cross_entropy: target 1.5 at position 2 is not a class index (a whole number)"
//   target[n] outside [0, C)             ValueError "cross_entropy: target 3 at position 1 is out of range for 3 classes (0 to 2)"
// Take log_softmax of untracked(logits): the logits' own history must not
// gain a LogSoftmax node, the loss is recorded as one op below.
Tensor cross_entropy(const Tensor& logits, const Tensor& target, Reduction reduction) {
    Tensor out;
    // BEGIN SOLUTION
    TT_CHECK(logits.dim() == 2 && logits.size(1) >= 1, ShapeError,
             "cross_entropy: logits must have shape (N, C) with C >= 1, got {}",
             format_shape(logits.shape()));
    const int64_t samples = logits.size(0), classes = logits.size(1);
    TT_CHECK(target.shape() == Shape{samples}, ShapeError,
             "cross_entropy: target of shape {} does not fit logits of shape {}; expected ({})",
             format_shape(target.shape()), format_shape(logits.shape()), samples);
    const Tensor log_probs = log_softmax(untracked(logits), 1).contiguous();  // (N, C)
    const Tensor labels = untracked(target).contiguous();                     // (N)
    std::vector<double> losses(static_cast<size_t>(samples));
    for (int64_t n = 0; n < samples; ++n) {
        const float label = labels.data()[n];
        TT_CHECK(std::isfinite(label) && label == std::floor(label), ValueError,
                 "cross_entropy: target {} at position {} is not a class index (a whole number)",
                 label, n);
        TT_CHECK(label >= 0.0f && label < static_cast<float>(classes), ValueError,
                 "cross_entropy: target {} at position {} is out of range for {} classes (0 to {})",
                 label, n, classes, classes - 1);
        const auto k = static_cast<int64_t>(label);
        losses[static_cast<size_t>(n)] = -static_cast<double>(log_probs.data()[n * classes + k]);
    }
    out = reduce("cross_entropy", losses, {samples}, reduction);
    // END SOLUTION
    OpArgs args;
    args.ints = {static_cast<int64_t>(reduction)};
    return record(Op::CrossEntropyLoss, out, {logits, target}, args);
}

// ===========================================================================
// Binary cross-entropy on probabilities
// ===========================================================================

// -(t log q + (1 - t) log(1 - q)) with q = clamp(p, bce_epsilon, 1 - bce_epsilon),
// then reduced. Shapes must be equal (ShapeError, as in mse_loss). Every
// prediction and target must be in [0, 1]:
//   ValueError "binary_cross_entropy: prediction 1.5 at position 3 is not in [0, 1]; ..."
//   ValueError "binary_cross_entropy: target -1 at position 0 is not in [0, 1]"
// (position = the index in row-major order). Work in double: 1 - q loses
// most of its digits in float when q is close to 1.
Tensor binary_cross_entropy(const Tensor& prediction, const Tensor& target, Reduction reduction) {
    Tensor out;
    // BEGIN SOLUTION
    check_same_shape("binary_cross_entropy", prediction, target);
    const Tensor p = untracked(prediction).contiguous();
    const Tensor t = untracked(target).contiguous();
    check_probabilities("prediction", p);
    check_probabilities("target", t);
    const double eps = bce_epsilon;
    std::vector<double> losses(static_cast<size_t>(p.numel()));
    for (size_t i = 0; i < losses.size(); ++i) {
        const double q = std::min(std::max(static_cast<double>(p.data()[i]), eps), 1.0 - eps);
        const double y = t.data()[i];
        losses[i] = -(y * std::log(q) + (1.0 - y) * std::log1p(-q));
    }
    out = reduce("binary_cross_entropy", losses, p.shape(), reduction);
    // END SOLUTION
    OpArgs args;
    args.ints = {static_cast<int64_t>(reduction)};
    args.scalar = bce_epsilon;
    return record(Op::BCELoss, out, {prediction, target}, args);
}

}  // namespace tinytorch
