// optimizers.cpp — module 07: your optimizer checks and update rules.
//
// Each function below says what it must do; optimizers.hpp has the contract
// and the update formulas, and modules/07_optimizers/README.md the concepts,
// hints and common mistakes. Run `tito module test 07` to check your work.
//
// step() (provided) calls update() once per parameter that has a gradient,
// under a NoGradGuard. Write each rule with tensor arithmetic and store the
// result in place with copy_: `param.copy_(param - lr() * d)` changes the
// model's own tensor; `param = param - ...` would only rebind the local name.
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "optimizers.hpp"

namespace tinytorch {

// ===========================================================================
// Optimizer
// ===========================================================================

// params_ is set for you. Check the list as optimizers.hpp says, in this
// order for each parameter i: defined, requires_grad (name i and the shape),
// a leaf, not the same tensor as an earlier one (a.is_same(b)). Then set the
// learning rate through set_lr(lr), which checks it.
Optimizer::Optimizer(std::string kind, std::vector<Tensor> params, float lr)
    : params_(std::move(params)), kind_(std::move(kind)) {
    // BEGIN SOLUTION
    TT_CHECK(!params_.empty(), ValueError,
             "{}: got no parameters to optimize; pass the model's parameters(), e.g. "
             "SGD(model.parameters(), 0.1f)",
             kind_);
    for (size_t i = 0; i < params_.size(); ++i) {
        const Tensor& param = params_[i];
        TT_CHECK(param.defined(), ValueError, "{}: parameter {} is undefined", kind_, i);
        TT_CHECK(param.requires_grad(), ValueError,
                 "{}: parameter {} of shape {} does not require grad, so it would never get a "
                 "gradient; pass tensors with requires_grad (a module's parameters())",
                 kind_, i, format_shape(param.shape()));
        TT_CHECK(param.is_leaf(), ValueError,
                 "{}: parameter {} of shape {} is not a leaf (it was computed by a {}); optimize "
                 "the tensors it was computed from",
                 kind_, i, format_shape(param.shape()), param.grad_fn()->name());
        for (size_t j = 0; j < i; ++j)
            TT_CHECK(!param.is_same(params_[j]), ValueError,
                     "{}: parameter {} is the same tensor as parameter {}; it would be updated "
                     "twice per step",
                     kind_, i, j);
    }
    set_lr(lr);
    // END SOLUTION
}

// For every parameter, drop its gradient (p.zero_grad()).
void Optimizer::zero_grad() {
    // BEGIN SOLUTION
    for (const Tensor& param : params_) param.zero_grad();
    // END SOLUTION
}

// ===========================================================================
// SGD
// ===========================================================================

// d = grad + weight_decay_ * param (only when weight_decay_ is not 0).
// With momentum_ > 0: on this parameter's first update the buffer
// momentum_buffers_[index] becomes a copy of d (clone()); afterwards
// buf = momentum_ * buf + d, in place (copy_). Then d = d + momentum_ * buf
// with nesterov_, else d = buf. Finally param = param - lr() * d, in place.
void SGD::update(size_t index, Tensor param, const Tensor& grad) {
    // BEGIN SOLUTION
    Tensor d = grad;
    if (weight_decay_ != 0.0f) d = d + weight_decay_ * param;
    if (momentum_ != 0.0f) {
        Tensor& buffer = momentum_buffers_[index];
        if (!buffer.defined())
            buffer = d.clone();
        else
            buffer.copy_(momentum_ * buffer + d);
        d = nesterov_ ? d + momentum_ * buffer : buffer;
    }
    param.copy_(param - lr() * d);
    // END SOLUTION
}

// ===========================================================================
// Adam and AdamW
// ===========================================================================

// Adam's coupled weight decay: the gradient becomes grad + weight_decay_ *
// param (when weight_decay_ is not 0) before the Adam rule sees it.
void Adam::update(size_t index, Tensor param, const Tensor& grad) {
    // BEGIN SOLUTION
    adam_update(index, param, weight_decay_ != 0.0f ? grad + weight_decay_ * param : grad);
    // END SOLUTION
}

// On moments_[index] = {m, v, t}: create m and v as zeros of param's shape on
// the first update; t = t + 1; m = beta1 m + (1 - beta1) g;
// v = beta2 v + (1 - beta2) g g (both in place); then, with the bias
// corrections bc1 = 1 - beta1^t and bc2 = 1 - beta2^t (compute them in
// double: 1 - 0.999^t loses digits in float),
//     param = param - (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps).
void Adam::adam_update(size_t index, Tensor param, const Tensor& grad) {
    // BEGIN SOLUTION
    Moments& moments = moments_[index];
    if (!moments.exp_avg.defined()) {
        moments.exp_avg = zeros(param.shape());
        moments.exp_avg_sq = zeros(param.shape());
    }
    const int64_t t = ++moments.step;
    Tensor& m = moments.exp_avg;
    Tensor& v = moments.exp_avg_sq;
    m.copy_(beta1_ * m + (1.0f - beta1_) * grad);
    v.copy_(beta2_ * v + (1.0f - beta2_) * (grad * grad));
    const double bias_correction1 = 1.0 - std::pow(static_cast<double>(beta1_), t);
    const double bias_correction2 = 1.0 - std::pow(static_cast<double>(beta2_), t);
    const auto step_size = static_cast<float>(lr() / bias_correction1);
    const auto root_correction2 = static_cast<float>(std::sqrt(bias_correction2));
    const Tensor denominator = sqrt(v) / root_correction2 + eps_;
    param.copy_(param - step_size * (m / denominator));
    // END SOLUTION
}

// Decoupled weight decay: param = param * (1 - lr() * weight_decay_) in place
// (when weight_decay_ is not 0), then adam_update with grad unchanged.
void AdamW::update(size_t index, Tensor param, const Tensor& grad) {
    // BEGIN SOLUTION
    if (weight_decay_ != 0.0f) param.copy_(param * (1.0f - lr() * weight_decay_));
    adam_update(index, param, grad);
    // END SOLUTION
}

}  // namespace tinytorch
