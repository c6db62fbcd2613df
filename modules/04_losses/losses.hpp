// losses.hpp — module 04: loss functions.
//
// A loss turns a model's output and the right answer into one number that
// training drives down: mean squared error for regression, cross-entropy for
// classification (on raw logits), binary cross-entropy on probabilities.
//
//     CrossEntropyLoss criterion;
//     Tensor loss = criterion(logits, labels);   // logits (N, C), labels (N) -> ()
//
// Each loss is a free function (yours, losses.cpp) and a callable object
// (provided, below) that holds the reduction and calls the function.
//
// This header is the contract the tests check; do not change it.
//
// ---------------------------------------------------------------------------
// What each loss records for autograd (module 06 reads exactly this)
// ---------------------------------------------------------------------------
// Each loss is one node — no intermediate op is recorded — with
//     inputs    {prediction, target}   node.input(0), node.input(1), as passed in
//     args.ints {static_cast<int64_t>(reduction)}   one entry, see Reduction
//     output    the loss: shape () for Mean and Sum; per element for None
// and per loss:
//   Op::MSELoss           prediction and target of one shape.
//                         d loss / d prediction = 2 (prediction - target) * g,
//                         g = grad_output / numel for Mean, grad_output for
//                         Sum, grad_output[i] elementwise for None.
//   Op::CrossEntropyLoss  input(0) the logits (N, C), input(1) the class
//                         indices (N) as floats. The fused rule:
//                         d loss / d logits = (softmax(logits, 1) - onehot(target)) * g,
//                         g = grad_output / N for Mean (a scalar), grad_output
//                         for Sum, grad_output[n] per row for None.
//   Op::BCELoss           probabilities and targets of one shape; args.scalar
//                         is the clamping epsilon (bce_epsilon). With
//                         q = clamp(p, eps, 1 - eps):
//                         d loss / d p = (q - t) / (q (1 - q)) * g, g as for MSE.
//                         The clamp passes the gradient straight through, so a
//                         saturated wrong prediction (p = 0, t = 1) is still
//                         pushed the right way instead of getting 0.
// No gradient flows to the target (it never requires grad in practice).
#pragma once

#include <cstdint>

#include "activations.hpp"
#include "tensor.hpp"

namespace tinytorch {

// How per-element (or per-sample) losses become the result. The values are
// what args.ints[0] holds in the recorded node. Any other value (a cast from
// a bad integer) makes a loss throw ValueError "unknown reduction".
enum class Reduction : int64_t {
    None = 0,  // no reduction: one loss per element (MSE, BCE) or per sample (cross-entropy)
    Mean = 1,  // their mean, shape () — the default; the mean of no losses is NaN
    Sum = 2,   // their sum, shape ()
};

// Probabilities are clamped into [bce_epsilon, 1 - bce_epsilon] before their
// logs are taken, so p = 0 or 1 gives a large finite loss (at most
// -log(1e-7) = 16.118) instead of inf, and its gradient stays finite.
inline constexpr float bce_epsilon = 1e-7f;

// ---------------------------------------------------------------------------
// Free functions (yours, losses.cpp)
// ---------------------------------------------------------------------------
// Mean squared error: (prediction - target)^2, reduced.
// prediction and target must have the same shape (ShapeError showing both
// otherwise — no broadcasting: (N, 1) against (N) is a bug, not a (N, N) loss).
Tensor mse_loss(const Tensor& prediction, const Tensor& target,
                Reduction reduction = Reduction::Mean);

// Cross-entropy of raw, unnormalised logits against class indices:
//     loss[n] = -log_softmax(logits, 1)[n, target[n]]
// computed through the stable log_softmax of module 02, so logits of +-1000
// give finite losses.
// logits (N, C) with C >= 1; target (N) holding whole numbers in [0, C) as
// floats. Otherwise: ShapeError for the shapes; ValueError naming the value
// and its position for a target that is not a whole number or is out of
// range ("target 3 at position 1 is out of range for 3 classes").
// Result: (N) for None, () otherwise.
Tensor cross_entropy(const Tensor& logits, const Tensor& target,
                     Reduction reduction = Reduction::Mean);

// Binary cross-entropy of probabilities (e.g. a sigmoid's output) against
// targets in [0, 1]:
//     loss = -(t log(q) + (1 - t) log(1 - q)),   q = clamp(p, bce_epsilon, 1 - bce_epsilon)
// Same shapes required (ShapeError). A prediction or target outside [0, 1]
// (or NaN) throws ValueError naming the value and its position — logits passed
// by mistake are caught here.
Tensor binary_cross_entropy(const Tensor& prediction, const Tensor& target,
                            Reduction reduction = Reduction::Mean);

// ---------------------------------------------------------------------------
// Callable objects (provided): MSELoss{}(p, t), CrossEntropyLoss{Reduction::Sum}(logits, y).
// ---------------------------------------------------------------------------
struct MSELoss {
    Reduction reduction = Reduction::Mean;
    Tensor operator()(const Tensor& prediction, const Tensor& target) const {
        return mse_loss(prediction, target, reduction);
    }
};

struct CrossEntropyLoss {
    Reduction reduction = Reduction::Mean;
    Tensor operator()(const Tensor& logits, const Tensor& target) const {
        return cross_entropy(logits, target, reduction);
    }
};

struct BinaryCrossEntropyLoss {
    Reduction reduction = Reduction::Mean;
    Tensor operator()(const Tensor& prediction, const Tensor& target) const {
        return binary_cross_entropy(prediction, target, reduction);
    }
};

}  // namespace tinytorch
