// layers.cpp — module 03: your Module tree walks and layers.
//
// Each function below says what it must do; layers.hpp has the full contract
// and modules/03_layers/README.md the concepts, hints and common mistakes.
// Run `tito module test 03` to check your work.
//
// Registration is provided (layers_base.cpp): inside a Module member function
// named_own_parameters() and named_children() list what was registered, in
// order. Layers build on recorded tensor ops (matmul, +, *, flatten), so
// there is no record(...) line to keep here: autograd sees those ops.
#include <algorithm>
#include <cmath>

#include "layers.hpp"

namespace tinytorch {

// BEGIN SOLUTION HELPERS
namespace {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

bool holds_tensor(const NamedTensors& list, const Tensor& t) {
    return std::any_of(list.begin(), list.end(),
                       [&t](const auto& entry) { return entry.second.is_same(t); });
}

// Depth first: the module's own parameters, then each child's under
// "<prefix><child>.". `visited` keeps a module reachable twice from being
// walked twice (and a cycle from recursing forever).
void collect_parameters(const Module& module, const std::string& prefix, NamedTensors& out,
                        std::vector<const Module*>& visited) {
    if (std::find(visited.begin(), visited.end(), &module) != visited.end()) return;
    visited.push_back(&module);
    for (const auto& [name, tensor] : module.named_own_parameters())
        if (!holds_tensor(out, tensor)) out.emplace_back(prefix + name, tensor);
    for (const auto& [name, child] : module.named_children())
        collect_parameters(*child, prefix + name + ".", out, visited);
}

}  // namespace
// END SOLUTION

// ===========================================================================
// Module: walking the tree of submodules
// ===========================================================================

// Own parameters first (registration order), then each child's, depth first,
// with names joined by '.'. A tensor met a second time is skipped.
std::vector<std::pair<std::string, Tensor>> Module::named_parameters() const {
    // BEGIN SOLUTION
    NamedTensors out;
    std::vector<const Module*> visited;
    collect_parameters(*this, "", out, visited);
    return out;
    // END SOLUTION
}

// The tensors of named_parameters(), in the same order.
std::vector<Tensor> Module::parameters() const {
    // BEGIN SOLUTION
    std::vector<Tensor> out;
    for (auto& entry : named_parameters()) out.push_back(std::move(entry.second));
    return out;
    // END SOLUTION
}

// Set the mode here and in every submodule (is_training() reads training_).
void Module::train(bool mode) {
    // BEGIN SOLUTION
    training_ = mode;
    for (const auto& entry : children_) entry.second->train(mode);
    // END SOLUTION
}

int64_t count_parameters(const Module& module) {
    // BEGIN SOLUTION
    int64_t total = 0;
    for (const Tensor& parameter : module.parameters()) total += parameter.numel();
    return total;
    // END SOLUTION
}

// ===========================================================================
// Linear
// ===========================================================================

// Check in, out >= 1 (ValueError: "Linear: in_features and out_features must
// be >= 1, got 0 and 3"). weight (in, out) ~ U(-bound, bound) with bound =
// sqrt(6 / in), one gen.uniform(-bound, bound) per element in row-major
// order; bias (out) zeros. Register both (register_parameter marks them
// requires_grad) and keep the returned handles in the members.
Linear::Linear(int64_t in, int64_t out, bool with_bias, Generator& gen)
    : in_features(in), out_features(out) {
    // BEGIN SOLUTION
    TT_CHECK(in >= 1 && out >= 1, ValueError,
             "Linear: in_features and out_features must be >= 1, got {} and {}", in, out);
    const float bound = std::sqrt(6.0f / static_cast<float>(in));
    Tensor initial = empty({in, out});
    for (int64_t i = 0; i < initial.numel(); ++i) initial.data()[i] = gen.uniform(-bound, bound);
    weight = register_parameter("weight", initial);
    if (with_bias) bias = register_parameter("bias", zeros({out}));
    // END SOLUTION
}

// x (..., in) -> x.matmul(weight) (..., out), plus bias when there is one.
// An input whose last axis is not in_features throws ShapeError:
// "Linear: expected 3 input features in the last axis, got input of shape (2, 5)".
Tensor Linear::forward(const Tensor& input) {
    // BEGIN SOLUTION
    TT_CHECK(input.dim() >= 1 && input.size(-1) == in_features, ShapeError,
             "Linear: expected {} input features in the last axis, got input of shape {}",
             in_features, format_shape(input.shape()));
    const Tensor product = input.matmul(weight);
    return bias.defined() ? product + bias : product;
    // END SOLUTION
}

// ===========================================================================
// Dropout
// ===========================================================================

// Reject p outside [0, 1] — NaN included — with ValueError:
// "Dropout: p must be a probability in [0, 1], got 1.5".
Dropout::Dropout(float p, Generator& gen) : p(p), gen_(&gen) {
    // BEGIN SOLUTION
    TT_CHECK(p >= 0.0f && p <= 1.0f, ValueError,
             "Dropout: p must be a probability in [0, 1], got {}", p);
    // END SOLUTION
}

// Evaluation: return the input. Training: build a mask of x's shape, one
// gen_->bernoulli(1 - p) per element in row-major order: 1 / (1 - p) where
// kept, 0 where dropped; return input * mask. Careful with p = 1.
Tensor Dropout::forward(const Tensor& input) {
    // BEGIN SOLUTION
    if (!is_training()) return input;
    const float keep = 1.0f - p;
    const float scale = keep > 0.0f ? 1.0f / keep : 0.0f;  // p = 1: all dropped, no 1/0
    Tensor mask = empty(input.shape());
    float* m = mask.data();
    for (int64_t i = 0; i < mask.numel(); ++i) m[i] = gen_->bernoulli(keep) ? scale : 0.0f;
    return input * mask;
    // END SOLUTION
}

// ===========================================================================
// Flatten and Sequential
// ===========================================================================

// Merge axes start_axis..end_axis (Tensor::flatten does the work).
Tensor Flatten::forward(const Tensor& input) {
    // BEGIN SOLUTION
    return input.flatten(start_axis, end_axis);
    // END SOLUTION
}

// Feed the input through each layer in turn (named_children(), in order).
Tensor Sequential::forward(const Tensor& input) {
    // BEGIN SOLUTION
    Tensor x = input;
    for (const auto& [name, layer] : named_children()) x = (*layer)(x);
    return x;
    // END SOLUTION
}

}  // namespace tinytorch
