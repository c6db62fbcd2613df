// autograd.hpp — module 06: automatic differentiation.
//
// Modules 01–04 record every differentiable op as a Node (graph.hpp): the op
// tag, its inputs, and what its derivative needs. This module brings that
// graph to life:
//   - derivatives.cpp: one derivative rule per Op (backward_rule);
//   - autograd.cpp: the engine behind Tensor::backward() — a topological
//     order of the graph, gradients accumulated into each leaf's .grad,
//     broadcast gradients summed back to their input's shape — plus
//     detach(), zero_grad() and the NoGradGuard.
//
//     Tensor w = randn({3, 2}).requires_grad_();
//     Tensor loss = (x.matmul(w) - y).pow(2).mean();   // x (N, 3), y (N, 2)
//     loss.backward();                                  // w.grad() (3, 2)
//
// Conventions (as in PyTorch):
//   - Only leaves with requires_grad (tensors made by you, not by an op, such
//     as parameters) get .grad. Intermediate results pass their gradient on
//     and keep none.
//   - .grad accumulates: a second backward adds to it. Call zero_grad() (or
//     an optimizer's) between training steps.
//   - backward() frees the graph's saved values; a second backward through
//     the same graph throws GraphError unless the first one passed
//     retain_graph = true.
//   - Derivative rules run with recording off: no graph of the backward pass
//     is built (no higher-order gradients).
//
// Who writes what: autograd.cpp and derivatives.cpp are yours; this header is
// the contract the tests check; do not change it.
#pragma once

#include <vector>

#include "losses.hpp"
#include "tensor.hpp"

namespace tinytorch {

// RAII: recording off in this thread while alive; restores the previous mode (nests).
//     {
//         NoGradGuard no_grad;
//         w.copy_(w - 0.1f * w.grad());   // an update that must not enter the graph
//     }
class NoGradGuard {
public:
    NoGradGuard();
    ~NoGradGuard();
    NoGradGuard(const NoGradGuard&) = delete;
    NoGradGuard& operator=(const NoGradGuard&) = delete;

private:
    bool previous_;  // the mode to restore
};

// grad (broadcast result) summed over the axes broadcasting added or stretched,
// so it has `shape`. Used by the rules and by module 09's custom ops.
//     sum_to_shape(g (4, 2, 3), (2, 1)) sums axis 0 and axis 2 -> (2, 1)
// `shape` must broadcast to grad's shape (ShapeError showing both otherwise).
// Returns grad itself when the shapes already agree.
Tensor sum_to_shape(const Tensor& grad, const Shape& shape);

// One derivative rule per Op (derivatives.cpp): the gradients of node.inputs
// given the gradient of node.output() (undefined Tensor for an input that needs none).
// grad_output has the output's shape; gradient i must have input i's shape.
// Op::Custom nodes carry their own rule (node.custom_backward) and are not
// handled here (GraphError).
std::vector<Tensor> backward_rule(const Node& node, const Tensor& grad_output);

}  // namespace tinytorch
