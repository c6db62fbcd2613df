// graph.hpp — how ops record themselves for autograd. Provided infrastructure.
//
// Autograd arrives in module 06, but the ops it differentiates are written in
// modules 01–04. So every differentiable op ends with one line,
//
//     return record(Op::Mul, out, {a, b});
//
// which, when some input requires a gradient, attaches a Node to `out`: the op
// tag, the inputs (the graph's edges) and any arguments backward needs (an
// axis, an exponent, the input's shape). Until module 06 nothing reads these
// nodes; module 06 writes one derivative rule per Op and the engine that walks
// the graph. Ops defined after module 06 (convolution, pooling) pass their own
// backward function to record_custom() instead of adding an Op.
//
// Cost when no input requires a gradient (inference, the tests of modules
// 01–05): one flag check per op.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tensor.hpp"

namespace tinytorch {

enum class Op {
    // module 01: elementwise
    Add, Sub, Mul, Div, Neg, Pow, Exp, Log, Sqrt, Abs, Clamp,
    // module 01: matrix product, views, copies
    MatMul, Reshape, Permute, Expand, Slice, Contiguous,
    // module 01: reductions
    Sum, Mean, Max,
    // module 02: activations
    ReLU, LeakyReLU, Sigmoid, Tanh, GELU, Softmax, LogSoftmax,
    // module 04: losses
    MSELoss, CrossEntropyLoss, BCELoss,
    // module 09 and later: the node carries its own backward function
    Custom,
};

// "Mul" for Op::Mul; nodes print as "MulBackward".
const char* op_name(Op op);

// What a rule needs beyond the inputs and the output. Each op fills only the
// fields its comment names; the rest keep their defaults.
struct OpArgs {
    float scalar = 0.0f;    // Pow: exponent. LeakyReLU: negative slope. Clamp: low.
    float scalar2 = 0.0f;   // Clamp: high.
    int64_t axis = 0;       // Sum, Mean, Max, Softmax, LogSoftmax: the axis.
    bool all_axes = false;  // Sum, Mean, Max: reduced over every element.
    bool keepdims = false;  // Sum, Mean, Max.
    Shape shape;            // Reshape, Expand: the input's shape, to go back to.
    std::vector<int64_t> ints;  // Permute: the order. Slice: start, stop, step.
                                // Losses: the reduction (see losses.hpp).
};

// Maps the gradient of a custom op's output to one gradient per input (an
// undefined Tensor for an input that needs none).
using BackwardFunction = std::function<std::vector<Tensor>(const Tensor& grad_output)>;

struct Node {
    Node() = default;
    // Takes the chain of nodes behind it apart with a loop, not recursion:
    // a graph 100,000 ops deep would otherwise overflow the stack when freed.
    ~Node();
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;

    Op op = Op::Custom;
    OpArgs args;
    std::string custom_name;           // Custom: e.g. "Conv2d"
    BackwardFunction custom_backward;  // Custom: the rule itself
    std::vector<Tensor> inputs;        // the tensors the op was called with (edges)

    // The op's output, as a handle that shares its storage but not its
    // autograd state (holding the real output would make a cycle).
    const Tensor& output() const;
    // The i-th input, checked: throws GraphError once the node is released.
    const Tensor& input(size_t i) const;

    // "MulBackward", "Conv2dBackward".
    std::string name() const;

    // After a backward pass without retain_graph, the engine releases each
    // node: saved values (the output, the inputs, a custom op's captures) are
    // dropped and a second pass through it must throw.
    bool released() const { return released_; }
    void release();

    Tensor output_value;  // set by record(); read it through output()

private:
    bool released_ = false;
};

// A handle to x's values (same storage, shape, strides and offset) without its
// autograd state, so ops applied to it record nothing. Inside an op, read the
// input through it and only the op itself enters the graph:
//     const Tensor in = untracked(x).contiguous();   // in.data()[i] is element i
// (Module 06's x.detach() does the same once autograd exists.)
inline Tensor untracked(const Tensor& x) {
    return Tensor::from_storage(x.storage(), x.shape(), x.strides(), x.offset());
}

// Recording is on unless a NoGradGuard (module 06) switched it off in this
// thread; optimizer updates and evaluation run without it.
bool grad_mode_enabled();
void set_grad_mode_enabled(bool enabled);

// True when `inputs` contain a tensor that requires grad and grad mode is on.
bool should_record(const std::vector<Tensor>& inputs);

// Attach a node to `out` if should_record(inputs); return `out` either way.
Tensor record(Op op, Tensor out, std::vector<Tensor> inputs, OpArgs args = {});

// The same for an op that brings its own backward function.
Tensor record_custom(std::string name, Tensor out, std::vector<Tensor> inputs,
                     BackwardFunction backward);

}  // namespace tinytorch
