// layers.hpp — module 03: the Module base class and the first layers.
//
// A Module is a piece of a network: it holds parameters (tensors that
// training will change) and submodules, and maps an input tensor to an
// output in forward(). Call it like a function: model(x). Modules nest, so
// parameters(), named_parameters() and train()/eval() walk the whole tree.
//
//     Sequential model{Linear(784, 128), ReLU{}, Dropout(0.2), Linear(128, 10)};
//     Tensor logits = model(x);              // x (N, 784) -> logits (N, 10)
//     model.named_parameters();              // "0.weight" (784, 128), "0.bias" (128),
//                                            // "3.weight" (128, 10), "3.bias" (10)
//     model.eval();                          // Dropout becomes the identity
//
// Layers here add no autograd Op of their own: Linear is a recorded matmul
// and add, Dropout a recorded multiplication by a constant mask, Flatten a
// recorded reshape. Module 06 differentiates them through those ops.
//
// Who writes what:
//   - layers.cpp is yours: the tree walks (parameters, named_parameters,
//     train), Linear, Dropout, Flatten, Sequential::forward and
//     count_parameters.
//   - layers_base.cpp is provided: registration (register_parameter,
//     register_module, register_buffer), named_buffers, Sequential::add and
//     the Lambda wrapper.
//
// This header is the contract the tests check; do not change it.
#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "activations.hpp"
#include "tensor.hpp"

namespace tinytorch {

// ---------------------------------------------------------------------------
// Module: the base of every layer and model.
// ---------------------------------------------------------------------------
// A module owns its parameters through Tensor handles: the member `weight` of
// a Linear and the entry "weight" in its registry are the same tensor. Change
// a parameter's values in place (weight.copy_(...), an optimizer step); do not
// assign a new tensor to the member, or the registry keeps the old one.
//
// Modules are moved, never copied (a copy would silently share or silently
// not share its parameters). To put one module in two places, hold it in a
// std::shared_ptr and register the pointer.
class Module {
public:
    Module() = default;
    virtual ~Module() = default;
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;
    Module(Module&&) = default;
    Module& operator=(Module&&) = default;

    // The computation: input -> output. Each layer documents its shapes.
    virtual Tensor forward(const Tensor& input) = 0;
    // model(x) is model.forward(x). Provided.
    Tensor operator()(const Tensor& input) { return forward(input); }

    // ---- the tree walks (yours, layers.cpp) -----------------------------
    // Every parameter of this module and of all its submodules, each tensor
    // once even when reachable twice (a shared submodule, a tied weight):
    // this module's own parameters in registration order, then each
    // submodule's, depth first, in registration order.
    std::vector<Tensor> parameters() const;
    // The same list with dotted names: a parameter "weight" of the submodule
    // registered as "fc1" is "fc1.weight"; deeper ones "block.0.weight". A
    // tensor reachable twice appears once, under the first name met.
    std::vector<std::pair<std::string, Tensor>> named_parameters() const;
    // Sets training mode (true) or evaluation mode (false) on this module and
    // every submodule, recursively. Dropout reads it.
    void train(bool mode = true);

    // ---- provided ---------------------------------------------------------
    void eval() { train(false); }
    // New modules start in training mode, as in PyTorch.
    bool is_training() const { return training_; }
    // This module's direct submodules and own parameters, in registration order.
    const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& named_children() const {
        return children_;
    }
    const std::vector<std::pair<std::string, Tensor>>& named_own_parameters() const {
        return own_parameters_;
    }
    // Buffers: state that is not trained by gradients but belongs to the
    // model, such as BatchNorm's running statistics (module 09). Checkpoints
    // (module 08) save them beside the parameters. Every buffer of this module
    // and its submodules with dotted names, each tensor once, in the order of
    // named_parameters(): own buffers first, then each submodule's, depth first.
    std::vector<std::pair<std::string, Tensor>> named_buffers() const;
    const std::vector<std::pair<std::string, Tensor>>& named_own_buffers() const {
        return own_buffers_;
    }

protected:
    // Registers `value` as a parameter called `name`, marks it requires_grad,
    // and returns it (the same handle), so a constructor writes
    //     weight = register_parameter("weight", initial_values);
    // Throws ValueError for an empty name, a name with a '.', a name already
    // used in this module, or an undefined tensor.
    Tensor register_parameter(std::string name, Tensor value);
    // Registers a submodule called `name` and returns it, so a model writes
    //     fc1 = register_module("fc1", std::make_shared<Linear>(4, 8));
    // The same name rules as register_parameter; a null module throws too.
    template <std::derived_from<Module> M>
    std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> module) {
        register_child(std::move(name), module);
        return module;
    }
    // Registers `value` as a buffer called `name` (it does not require grad
    // and is not among parameters()) and returns it. The same name rules.
    Tensor register_buffer(std::string name, Tensor value);

private:
    void register_child(std::string name, std::shared_ptr<Module> module);
    void check_new_name(const std::string& name, const char* what) const;

    std::vector<std::pair<std::string, Tensor>> own_parameters_;
    std::vector<std::pair<std::string, Tensor>> own_buffers_;
    std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
    bool training_ = true;
};

// The total number of scalar parameters: the sum of numel() over
// module.parameters(). Linear(784, 128) has 784 * 128 + 128 = 100480. (Yours.)
int64_t count_parameters(const Module& module);

// ---------------------------------------------------------------------------
// Linear: y = x W + b.
// ---------------------------------------------------------------------------
// x (..., in_features) -> y (..., out_features); typically (N, in) -> (N, out).
// weight is (in_features, out_features), so forward is x.matmul(weight) +
// bias with no transpose; bias is (out_features), or undefined without bias.
//
// Initialisation — Kaiming (He) uniform, for the ReLU networks of this course:
//     weight ~ U(-bound, bound),  bound = sqrt(6 / in_features)
// drawn in row-major order, one gen.uniform(-bound, bound) per element;
// the bias starts at 0. Why: each output sums in_features products, so its
// variance grows with in_features; scaling the weights' variance to
// 2 / in_features (= bound^2 / 3) keeps the variance of the activations about
// constant from layer to layer once ReLU has zeroed half of them. Xavier
// (bound = sqrt(6 / (in + out))) aims at tanh and sigmoid instead.
class Linear : public Module {
public:
    // in_features and out_features must be >= 1 (ValueError otherwise).
    Linear(int64_t in_features, int64_t out_features, bool bias = true,
           Generator& gen = default_generator());
    Tensor forward(const Tensor& input) override;

    int64_t in_features;
    int64_t out_features;
    Tensor weight;  // (in_features, out_features)
    Tensor bias;    // (out_features); undefined when built with bias = false
};

// ---------------------------------------------------------------------------
// Dropout: randomly zero activations while training.
// ---------------------------------------------------------------------------
// Training: each element is kept with probability 1 - p and scaled by
// 1 / (1 - p) ("inverted dropout", so the expected value is unchanged and
// evaluation needs no rescaling), or set to 0. One gen.bernoulli(1 - p) per
// element, in row-major order, decides "kept". p = 1 zeroes everything.
// The result is input * mask with a mask tensor that does not require grad,
// so autograd needs no rule of its own. Evaluation: returns the input itself.
// x: any shape -> the same shape.
class Dropout : public Module {
public:
    // p must be in [0, 1]; anything else (NaN too) throws ValueError naming p.
    explicit Dropout(float p = 0.5f, Generator& gen = default_generator());
    Tensor forward(const Tensor& input) override;

    float p;

private:
    Generator* gen_;  // the generator the masks are drawn from
};

// ---------------------------------------------------------------------------
// Flatten: merge axes start_axis..end_axis into one, keeping the batch axis.
// ---------------------------------------------------------------------------
// With the defaults, x (N, C, H, W) -> (N, C*H*W): the bridge from
// convolutions (module 09) to Linear layers. A view when x is contiguous.
class Flatten : public Module {
public:
    explicit Flatten(int64_t start_axis = 1, int64_t end_axis = -1)
        : start_axis(start_axis), end_axis(end_axis) {}
    Tensor forward(const Tensor& input) override;

    int64_t start_axis;
    int64_t end_axis;
};

// ---------------------------------------------------------------------------
// Lambda: a stateless function as a module (provided).
// ---------------------------------------------------------------------------
// Holds any callable Tensor -> Tensor — the activation objects of module 02
// (ReLU{}, Softmax{1}), a free function, a lambda. It has no parameters and
// behaves the same in training and evaluation. Sequential wraps callables in
// it for you.
class Lambda : public Module {
public:
    explicit Lambda(std::function<Tensor(const Tensor&)> function)
        : function_(std::move(function)) {}
    Tensor forward(const Tensor& input) override { return function_(input); }

private:
    std::function<Tensor(const Tensor&)> function_;
};

// A type Sequential accepts as a layer: a module passed by value (moved in),
// a std::shared_ptr to a module (shared), or a callable Tensor -> Tensor.
template <class T>
concept SequentialLayer =
    std::derived_from<std::remove_cvref_t<T>, Module> ||
    std::convertible_to<T, std::shared_ptr<Module>> ||
    std::is_invocable_r_v<Tensor, std::remove_cvref_t<T>&, const Tensor&>;

// ---------------------------------------------------------------------------
// Sequential: layers applied one after another.
// ---------------------------------------------------------------------------
// forward(x) = layer_n( ... layer_1(layer_0(x))); with no layers, x itself.
// Layers are registered under their position, "0", "1", ..., so parameter
// names read "0.weight", "2.bias" — activations take a position too, as in
// PyTorch. Module 02's activation objects are plain callables, not modules:
// add() wraps each in a Lambda, so they sit in a Sequential like any layer.
class Sequential : public Module {
public:
    Sequential() = default;
    // Sequential model{Linear(4, 8), ReLU{}, Linear(8, 2)};
    // (One Sequential as the only argument is a move, not a nesting: write
    // Sequential{std::make_shared<Sequential>(...)} to nest a single one.)
    template <SequentialLayer... Layers>
        requires(sizeof...(Layers) > 0)
    explicit Sequential(Layers&&... layers) {
        (add(std::forward<Layers>(layers)), ...);
    }

    // Appends a layer (provided). A module given by value is moved in; pass a
    // std::shared_ptr to share one; anything else callable is wrapped in a
    // Lambda. Returns *this, so adds chain.
    template <SequentialLayer Layer>
    Sequential& add(Layer&& layer) {
        using T = std::remove_cvref_t<Layer>;
        if constexpr (std::convertible_to<Layer, std::shared_ptr<Module>>) {
            return add_module(std::shared_ptr<Module>(std::forward<Layer>(layer)));
        } else if constexpr (std::derived_from<T, Module>) {
            static_assert(!std::is_lvalue_reference_v<Layer>,
                          "Sequential::add: modules cannot be copied; pass a new one "
                          "(add(Linear(4, 8))), std::move(layer), or a std::shared_ptr to share it");
            return add_module(std::make_shared<T>(std::move(layer)));
        } else {
            return add_module(std::make_shared<Lambda>(std::forward<Layer>(layer)));
        }
    }

    // Runs the layers in order (yours).
    Tensor forward(const Tensor& input) override;

    // The number of layers, and layer i (provided; i out of range throws IndexError).
    size_t size() const { return named_children().size(); }
    Module& operator[](size_t index) const;

private:
    Sequential& add_module(std::shared_ptr<Module> module);
};

}  // namespace tinytorch
