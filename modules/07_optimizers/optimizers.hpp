// optimizers.hpp — module 07: optimizers turn gradients into parameter updates.
//
// After loss.backward() every parameter p holds its gradient g = d loss / d p
// in p.grad(). An optimizer moves each parameter a little against it:
//
//     SGD sgd(model.parameters(), {.lr = 0.1f, .momentum = 0.9f});
//     for (const Batch& batch : loader) {
//         sgd.zero_grad();                                  // drop last step's gradients
//         Tensor loss = criterion(model(batch.inputs), batch.targets);
//         loss.backward();                                  // fill p.grad()
//         sgd.step();                                       // p -= lr * (update rule)
//     }
//
// The update rules follow PyTorch's torch.optim exactly (same formulas, same
// order of operations, same defaults):
//
//   SGD     d = g + weight_decay * p                       (weight_decay: L2, coupled)
//           momentum: buf = d on a parameter's first update, then
//                     buf = momentum * buf + d
//                     d = d + momentum * buf   (nesterov)   or   d = buf
//           p = p - lr * d
//   Adam    g = g + weight_decay * p                       (coupled L2, as torch.optim.Adam)
//           t = t + 1                                      (this parameter's step count)
//           m = beta1 * m + (1 - beta1) * g                (m, v start at 0)
//           v = beta2 * v + (1 - beta2) * g * g
//           p = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
//   AdamW   p = p * (1 - lr * weight_decay)                (decoupled decay, first)
//           then the Adam rule above without the weight_decay term
//
// Who writes what:
//   - optimizers.cpp is yours: the Optimizer constructor's checks, zero_grad,
//     and the three update rules (SGD::update, Adam::update, Adam::adam_update,
//     AdamW::update).
//   - optimizer_base.cpp is provided: step() (the loop over parameters, under
//     a NoGradGuard), the learning rate, the optimizers' constructors (which
//     check their hyper-parameters) and state() / load_state().
//
// This header is the contract the tests check; do not change it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tensor.hpp"

namespace tinytorch {

// ---------------------------------------------------------------------------
// OptimizerState: everything an optimizer knows, as plain values.
// ---------------------------------------------------------------------------
// state() returns it, load_state() takes it back; a checkpoint (module 08)
// stores it in a file. The round trip is exact: an optimizer that loads the
// state of another continues bit for bit as the other would have.
struct OptimizerState {
    std::string kind;                 // "SGD", "Adam" or "AdamW"
    int64_t step_count = 0;           // step() calls so far
    float lr = 0.0f;                  // the current learning rate (schedules change it)
    std::vector<Shape> parameter_shapes;  // one per parameter, in order
    // The other hyper-parameters by name, in a fixed order: "momentum",
    // "weight_decay", "nesterov" (0 or 1) for SGD; "beta1", "beta2", "eps",
    // "weight_decay" for Adam and AdamW.
    std::vector<std::pair<std::string, float>> hyper_parameters;
    // Per-parameter tensors, named "<what>.<parameter index>": "momentum_buffer.0"
    // (SGD), "exp_avg.2" and "exp_avg_sq.2" (Adam, AdamW). A parameter that has
    // had no update yet has none. The tensors are copies: stepping the
    // optimizer later does not change a state already taken.
    std::vector<std::pair<std::string, Tensor>> tensors;
    // Per-parameter counters: "step.2" (Adam, AdamW: that parameter's t).
    std::vector<std::pair<std::string, int64_t>> counters;
};

// ---------------------------------------------------------------------------
// Optimizer: the base of every optimizer.
// ---------------------------------------------------------------------------
class Optimizer {
public:
    // Keeps the parameters (handles to the model's own tensors, so updates
    // reach the model) and the learning rate. Yours: the checks. Throws
    // ValueError for
    //   - an empty list ("SGD: got no parameters to optimize ..."),
    //   - an undefined tensor ("parameter 1 is undefined"),
    //   - a tensor without requires_grad, naming its index and shape
    //     ("SGD: parameter 1 of shape (3, 2) does not require grad ..."),
    //   - a tensor that is not a leaf (it was computed by a recorded op),
    //   - the same tensor twice ("parameter 2 is the same tensor as parameter 0"),
    //   - a learning rate that is negative or not finite (set_lr's check).
    // `kind` names the optimizer in every message ("SGD", "Adam", "AdamW").
    Optimizer(std::string kind, std::vector<Tensor> params, float lr);
    virtual ~Optimizer() = default;
    Optimizer(const Optimizer&) = delete;
    Optimizer& operator=(const Optimizer&) = delete;

    // One update of every parameter that has a gradient (provided): under a
    // NoGradGuard, for each parameter i whose grad() is defined, calls
    // update(i, param, grad); parameters without a gradient yet are skipped
    // and keep their state. A gradient whose shape differs from its
    // parameter's throws ShapeError naming the index and both shapes.
    // Then counts the step.
    void step();

    // Drops every parameter's gradient (yours), as PyTorch's
    // zero_grad(set_to_none=True): afterwards p.grad() is undefined, so the
    // next backward() writes fresh gradients instead of adding to old ones.
    void zero_grad();

    // The learning rate step() uses now (provided). set_lr takes effect at the
    // next step(); a learning-rate schedule (module 08) calls it every epoch.
    // A negative or non-finite rate throws ValueError.
    float lr() const { return lr_; }
    void set_lr(float lr);

    const std::string& kind() const { return kind_; }
    const std::vector<Tensor>& params() const { return params_; }
    int64_t step_count() const { return step_count_; }

    // Everything needed to continue exactly from here (provided).
    OptimizerState state() const;
    // Takes back a state() of an optimizer of the same kind over parameters of
    // the same shapes (provided): the learning rate, step count, the other
    // hyper-parameters and every per-parameter tensor and counter. Anything
    // else throws ValueError naming both sides ("cannot load the state of an
    // Adam optimizer into an SGD optimizer", "parameter 1 has shape (4) in the
    // state but (3, 2) here") and leaves this optimizer unchanged.
    void load_state(const OptimizerState& state);

protected:
    // The update rule for one parameter (yours, in each optimizer). `param` is
    // a handle to the model's own tensor (any layout): change its values in
    // place, e.g. param.copy_(param - lr() * d); assigning to `param` would
    // only rebind the local handle. `grad` has param's shape. Runs under a
    // NoGradGuard, so tensor arithmetic here records nothing.
    virtual void update(size_t index, Tensor param, const Tensor& grad) = 0;

    // state() / load_state() of the subclass's own part (provided).
    // load_extra() must check everything before it changes anything.
    virtual void save_extra(OptimizerState& state) const = 0;
    virtual void load_extra(const OptimizerState& state) = 0;

    std::vector<Tensor> params_;

private:
    std::string kind_;
    float lr_ = 0.0f;
    int64_t step_count_ = 0;
};

// ---------------------------------------------------------------------------
// SGD: stochastic gradient descent, with optional momentum (heavy-ball or
// Nesterov) and L2 weight decay. As torch.optim.SGD with dampening 0.
// ---------------------------------------------------------------------------
struct SGDOptions {
    float lr = 0.01f;
    float momentum = 0.0f;      // 0 = plain SGD; 0.9 is the usual choice
    float weight_decay = 0.0f;  // adds weight_decay * p to the gradient
    bool nesterov = false;      // needs momentum > 0
};

class SGD : public Optimizer {
public:
    // Provided. momentum and weight_decay must be finite and >= 0, and
    // nesterov needs momentum > 0 (ValueError otherwise).
    SGD(std::vector<Tensor> params, SGDOptions options);
    SGD(std::vector<Tensor> params, float lr) : SGD(std::move(params), SGDOptions{.lr = lr}) {}

    float momentum() const { return momentum_; }
    float weight_decay() const { return weight_decay_; }
    bool nesterov() const { return nesterov_; }

protected:
    // Yours: the SGD rule of the table at the top of this file. With momentum,
    // momentum_buffers_[index] is undefined until this parameter's first
    // update, which sets it to a copy of d; later updates change it in place.
    void update(size_t index, Tensor param, const Tensor& grad) override;
    void save_extra(OptimizerState& state) const override;
    void load_extra(const OptimizerState& state) override;

    float momentum_;
    float weight_decay_;
    bool nesterov_;
    std::vector<Tensor> momentum_buffers_;  // one per parameter; undefined until used
};

// ---------------------------------------------------------------------------
// Adam: adaptive moments (Kingma & Ba, 2015), as torch.optim.Adam without amsgrad.
// ---------------------------------------------------------------------------
struct AdamOptions {
    float lr = 1e-3f;
    float beta1 = 0.9f;         // decay of the first moment (the mean of g)
    float beta2 = 0.999f;       // decay of the second moment (the mean of g * g)
    float eps = 1e-8f;          // keeps the division finite where v is 0
    float weight_decay = 0.0f;  // Adam: coupled L2 (added to g); AdamW: decoupled
};

// The defaults of torch.optim.AdamW: the same as Adam's but weight_decay 0.01.
struct AdamWOptions {
    float lr = 1e-3f;
    float beta1 = 0.9f;
    float beta2 = 0.999f;
    float eps = 1e-8f;
    float weight_decay = 1e-2f;
};

class Adam : public Optimizer {
public:
    // Provided. beta1 and beta2 must lie in [0, 1), eps and weight_decay be
    // finite and >= 0 (ValueError otherwise).
    Adam(std::vector<Tensor> params, AdamOptions options);
    explicit Adam(std::vector<Tensor> params) : Adam(std::move(params), AdamOptions{}) {}

    float beta1() const { return beta1_; }
    float beta2() const { return beta2_; }
    float eps() const { return eps_; }
    float weight_decay() const { return weight_decay_; }

protected:
    // What Adam keeps for each parameter.
    struct Moments {
        Tensor exp_avg;     // m, the parameter's shape; undefined until the first update
        Tensor exp_avg_sq;  // v, the same
        int64_t step = 0;   // t: how many updates this parameter has had
    };

    Adam(std::string kind, std::vector<Tensor> params, AdamOptions options);

    // Yours: adds the coupled weight decay to the gradient (when
    // weight_decay_ is not 0), then calls adam_update.
    void update(size_t index, Tensor param, const Tensor& grad) override;
    // Yours: the Adam rule itself, without weight decay, on moments_[index]:
    // creates m and v as zeros on the parameter's first update, counts t, and
    // applies the bias-corrected step of the table at the top of this file.
    void adam_update(size_t index, Tensor param, const Tensor& grad);
    void save_extra(OptimizerState& state) const override;
    void load_extra(const OptimizerState& state) override;

    float beta1_;
    float beta2_;
    float eps_;
    float weight_decay_;
    std::vector<Moments> moments_;  // one per parameter
};

// ---------------------------------------------------------------------------
// AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as
// torch.optim.AdamW. The decay shrinks the weights directly instead of
// passing through m and v, so it is not scaled down where gradients are large.
// ---------------------------------------------------------------------------
class AdamW : public Adam {
public:
    // Provided; the same checks as Adam.
    AdamW(std::vector<Tensor> params, AdamWOptions options);
    explicit AdamW(std::vector<Tensor> params) : AdamW(std::move(params), AdamWOptions{}) {}

protected:
    // Yours: p = p * (1 - lr * weight_decay), then adam_update with the
    // gradient as it is.
    void update(size_t index, Tensor param, const Tensor& grad) override;
};

}  // namespace tinytorch
