// optimizer_base.cpp — module 07, provided: the parameter loop of step(), the
// learning rate, the optimizers' constructors and their state round trip.
//
// What a student writes lives in optimizers.cpp; this file is the plumbing
// around it. state() copies every tensor it hands out and load_state() checks
// everything before it changes anything, so a failed load leaves the
// optimizer as it was.
#include <algorithm>
#include <cmath>
#include <optional>

#include "autograd.hpp"
#include "optimizers.hpp"

namespace tinytorch {

namespace {

// "exp_avg.3"
std::string per_parameter_name(const char* what, size_t index) {
    return fmt::format("{}.{}", what, index);
}

void check_non_negative(const std::string& kind, const char* name, float value) {
    TT_CHECK(std::isfinite(value) && value >= 0.0f, ValueError,
             "{}: {} must be a finite number >= 0, got {}", kind, name, value);
}

void check_beta(const std::string& kind, const char* name, float value) {
    TT_CHECK(value >= 0.0f && value < 1.0f, ValueError, "{}: {} must lie in [0, 1), got {}", kind,
             name, value);
}

// The value of hyper-parameter `name` in `state`, or ValueError naming it.
float hyper_parameter(const OptimizerState& state, const std::string& name) {
    for (const auto& [key, value] : state.hyper_parameters)
        if (key == name) return value;
    throw ValueError(fmt::format("{} state: the hyper-parameter \"{}\" is missing", state.kind,
                                 name));
}

// The per-parameter tensor `name`, if the state has one; a tensor whose shape
// is not its parameter's throws ValueError naming both.
std::optional<Tensor> state_tensor(const OptimizerState& state, const std::string& name,
                                   const Shape& parameter_shape) {
    for (const auto& [key, tensor] : state.tensors) {
        if (key != name) continue;
        TT_CHECK(tensor.defined() && tensor.shape() == parameter_shape, ValueError,
                 "{} state: \"{}\" has shape {} but its parameter has shape {}", state.kind, name,
                 tensor.defined() ? format_shape(tensor.shape()) : "undefined",
                 format_shape(parameter_shape));
        return tensor;
    }
    return std::nullopt;
}

std::optional<int64_t> state_counter(const OptimizerState& state, const std::string& name) {
    for (const auto& [key, value] : state.counters)
        if (key == name) return value;
    return std::nullopt;
}

// Every tensor and counter name of `state` must be one this optimizer knows
// (a typo or an index past the last parameter is an error, not ignored).
void check_known_names(const OptimizerState& state, const std::vector<std::string>& tensor_names,
                       const std::vector<std::string>& counter_names) {
    for (const auto& entry : state.tensors)
        TT_CHECK(std::find(tensor_names.begin(), tensor_names.end(), entry.first) !=
                     tensor_names.end(),
                 ValueError, "{} state: unexpected tensor \"{}\" for {} parameters", state.kind,
                 entry.first, state.parameter_shapes.size());
    for (const auto& entry : state.counters)
        TT_CHECK(std::find(counter_names.begin(), counter_names.end(), entry.first) !=
                     counter_names.end(),
                 ValueError, "{} state: unexpected counter \"{}\" for {} parameters", state.kind,
                 entry.first, state.parameter_shapes.size());
}

}  // namespace

// ===========================================================================
// Optimizer
// ===========================================================================

void Optimizer::step() {
    NoGradGuard no_grad;
    for (size_t i = 0; i < params_.size(); ++i) {
        const Tensor& param = params_[i];
        const Tensor grad = param.grad();
        if (!grad.defined()) continue;
        TT_CHECK(grad.shape() == param.shape(), ShapeError,
                 "{}: the gradient of parameter {} has shape {} but the parameter has shape {}",
                 kind_, i, format_shape(grad.shape()), format_shape(param.shape()));
        update(i, param, untracked(grad));
    }
    ++step_count_;
}

void Optimizer::set_lr(float lr) {
    TT_CHECK(std::isfinite(lr) && lr >= 0.0f, ValueError,
             "{}: the learning rate must be a finite number >= 0, got {}", kind_, lr);
    lr_ = lr;
}

OptimizerState Optimizer::state() const {
    OptimizerState state;
    state.kind = kind_;
    state.step_count = step_count_;
    state.lr = lr_;
    for (const Tensor& param : params_) state.parameter_shapes.push_back(param.shape());
    save_extra(state);
    return state;
}

void Optimizer::load_state(const OptimizerState& state) {
    TT_CHECK(state.kind == kind_, ValueError,
             "cannot load the state of an {} optimizer into an {} optimizer", state.kind, kind_);
    TT_CHECK(state.parameter_shapes.size() == params_.size(), ValueError,
             "{}: the state is of {} parameters but this optimizer has {}", kind_,
             state.parameter_shapes.size(), params_.size());
    for (size_t i = 0; i < params_.size(); ++i)
        TT_CHECK(state.parameter_shapes[i] == params_[i].shape(), ValueError,
                 "{}: parameter {} has shape {} in the state but {} here", kind_, i,
                 format_shape(state.parameter_shapes[i]), format_shape(params_[i].shape()));
    TT_CHECK(state.step_count >= 0, ValueError, "{}: the state's step count {} is negative", kind_,
             state.step_count);
    TT_CHECK(std::isfinite(state.lr) && state.lr >= 0.0f, ValueError,
             "{}: the state's learning rate {} is not a finite number >= 0", kind_, state.lr);
    load_extra(state);  // checks its part, then changes it
    lr_ = state.lr;
    step_count_ = state.step_count;
}

// ===========================================================================
// SGD
// ===========================================================================

SGD::SGD(std::vector<Tensor> params, SGDOptions options)
    : Optimizer("SGD", std::move(params), options.lr),
      momentum_(options.momentum),
      weight_decay_(options.weight_decay),
      nesterov_(options.nesterov) {
    check_non_negative(kind(), "momentum", momentum_);
    check_non_negative(kind(), "weight_decay", weight_decay_);
    TT_CHECK(!nesterov_ || momentum_ > 0.0f, ValueError,
             "SGD: Nesterov momentum needs a momentum > 0, got momentum {}", momentum_);
    momentum_buffers_.resize(params_.size());
}

void SGD::save_extra(OptimizerState& state) const {
    state.hyper_parameters = {{"momentum", momentum_},
                              {"weight_decay", weight_decay_},
                              {"nesterov", nesterov_ ? 1.0f : 0.0f}};
    for (size_t i = 0; i < momentum_buffers_.size(); ++i)
        if (momentum_buffers_[i].defined())
            state.tensors.emplace_back(per_parameter_name("momentum_buffer", i),
                                       momentum_buffers_[i].clone());
}

void SGD::load_extra(const OptimizerState& state) {
    const float momentum = hyper_parameter(state, "momentum");
    const float weight_decay = hyper_parameter(state, "weight_decay");
    const float nesterov = hyper_parameter(state, "nesterov");
    check_non_negative(kind(), "momentum", momentum);
    check_non_negative(kind(), "weight_decay", weight_decay);
    TT_CHECK(nesterov == 0.0f || (nesterov == 1.0f && momentum > 0.0f), ValueError,
             "SGD state: nesterov {} with momentum {} is not a valid setting", nesterov, momentum);
    std::vector<std::string> names;
    std::vector<Tensor> buffers(params_.size());
    for (size_t i = 0; i < params_.size(); ++i) {
        names.push_back(per_parameter_name("momentum_buffer", i));
        if (auto buffer = state_tensor(state, names.back(), params_[i].shape()))
            buffers[i] = buffer->clone();
    }
    check_known_names(state, names, {});
    momentum_ = momentum;
    weight_decay_ = weight_decay;
    nesterov_ = nesterov == 1.0f;
    momentum_buffers_ = std::move(buffers);
}

// ===========================================================================
// Adam and AdamW
// ===========================================================================

Adam::Adam(std::vector<Tensor> params, AdamOptions options)
    : Adam("Adam", std::move(params), options) {}

Adam::Adam(std::string kind, std::vector<Tensor> params, AdamOptions options)
    : Optimizer(std::move(kind), std::move(params), options.lr),
      beta1_(options.beta1),
      beta2_(options.beta2),
      eps_(options.eps),
      weight_decay_(options.weight_decay) {
    check_beta(this->kind(), "beta1", beta1_);
    check_beta(this->kind(), "beta2", beta2_);
    check_non_negative(this->kind(), "eps", eps_);
    check_non_negative(this->kind(), "weight_decay", weight_decay_);
    moments_.resize(params_.size());
}

AdamW::AdamW(std::vector<Tensor> params, AdamWOptions options)
    : Adam("AdamW", std::move(params),
           AdamOptions{.lr = options.lr,
                       .beta1 = options.beta1,
                       .beta2 = options.beta2,
                       .eps = options.eps,
                       .weight_decay = options.weight_decay}) {}

void Adam::save_extra(OptimizerState& state) const {
    state.hyper_parameters = {
        {"beta1", beta1_}, {"beta2", beta2_}, {"eps", eps_}, {"weight_decay", weight_decay_}};
    for (size_t i = 0; i < moments_.size(); ++i) {
        const Moments& m = moments_[i];
        if (m.exp_avg.defined()) {
            state.tensors.emplace_back(per_parameter_name("exp_avg", i), m.exp_avg.clone());
            state.tensors.emplace_back(per_parameter_name("exp_avg_sq", i), m.exp_avg_sq.clone());
        }
        if (m.step > 0) state.counters.emplace_back(per_parameter_name("step", i), m.step);
    }
}

void Adam::load_extra(const OptimizerState& state) {
    const float beta1 = hyper_parameter(state, "beta1");
    const float beta2 = hyper_parameter(state, "beta2");
    const float eps = hyper_parameter(state, "eps");
    const float weight_decay = hyper_parameter(state, "weight_decay");
    check_beta(kind(), "beta1", beta1);
    check_beta(kind(), "beta2", beta2);
    check_non_negative(kind(), "eps", eps);
    check_non_negative(kind(), "weight_decay", weight_decay);
    std::vector<std::string> tensor_names, counter_names;
    std::vector<Moments> moments(params_.size());
    for (size_t i = 0; i < params_.size(); ++i) {
        tensor_names.push_back(per_parameter_name("exp_avg", i));
        tensor_names.push_back(per_parameter_name("exp_avg_sq", i));
        counter_names.push_back(per_parameter_name("step", i));
        const auto exp_avg = state_tensor(state, tensor_names[2 * i], params_[i].shape());
        const auto exp_avg_sq = state_tensor(state, tensor_names[2 * i + 1], params_[i].shape());
        const auto step = state_counter(state, counter_names.back());
        TT_CHECK(exp_avg.has_value() == exp_avg_sq.has_value() &&
                     exp_avg.has_value() == step.has_value(),
                 ValueError,
                 "{} state: parameter {} needs all or none of exp_avg, exp_avg_sq and step", kind(),
                 i);
        if (!exp_avg) continue;
        TT_CHECK(*step > 0, ValueError, "{} state: step.{} is {}, it must be positive", kind(), i,
                 *step);
        moments[i] = {exp_avg->clone(), exp_avg_sq->clone(), *step};
    }
    check_known_names(state, tensor_names, counter_names);
    beta1_ = beta1;
    beta2_ = beta2;
    eps_ = eps;
    weight_decay_ = weight_decay;
    moments_ = std::move(moments);
}

}  // namespace tinytorch
