// autograd.cpp — module 06: your backward engine.
//
// Tensor::backward walks the graph that modules 01–04 recorded, from the
// tensor it is called on back to the leaves, calling one derivative rule per
// node (backward_rule in derivatives.cpp, or a custom op's own function) and
// adding up the gradients that meet at each tensor. autograd.hpp has the
// contract and modules/06_autograd/README.md the concepts, hints and common
// mistakes. Run `tito module test 06` to check your work.
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "autograd.hpp"

namespace tinytorch {

// ===========================================================================
// Grad mode
// ===========================================================================

// Remember the current mode (grad_mode_enabled(), graph.hpp) in previous_,
// then switch recording off (set_grad_mode_enabled).
NoGradGuard::NoGradGuard() {
    // BEGIN SOLUTION
    previous_ = grad_mode_enabled();
    set_grad_mode_enabled(false);
    // END SOLUTION
}

// Provided: restores the mode the constructor saved. (A destructor must never
// throw, so it cannot be a stub; it only runs once your constructor has.)
NoGradGuard::~NoGradGuard() { set_grad_mode_enabled(previous_); }

// ===========================================================================
// Broadcast reduction
// ===========================================================================

// grad (..., broadcast shape) -> `shape`: sum over the leading axes `shape`
// lacks, and over the axes where `shape` has size 1 but grad does not (keep
// those with size 1). Check first that `shape` broadcasts to grad's shape:
//   ShapeError "sum_to_shape: a gradient of shape (2, 3) cannot be summed to shape (4)"
// Shapes already equal: return grad as it is (the common case, no copy).
Tensor sum_to_shape(const Tensor& grad, const Shape& shape) {
    // BEGIN SOLUTION
    const Shape& from = grad.shape();
    if (from == shape) return grad;
    bool fits = shape.size() <= from.size();
    const size_t lead = fits ? from.size() - shape.size() : 0;
    for (size_t a = 0; fits && a < shape.size(); ++a)
        fits = shape[a] == from[lead + a] || shape[a] == 1;
    TT_CHECK(fits, ShapeError, "sum_to_shape: a gradient of shape {} cannot be summed to shape {}",
             format_shape(from), format_shape(shape));

    Tensor out = grad;
    // The leading axes in one pass: seen as (lead elements, rest), sum axis 0.
    if (lead > 0) {
        int64_t rest = 1;
        for (size_t a = lead; a < from.size(); ++a) rest *= from[a];
        out = out.reshape({-1, rest}).sum(0);
        Shape kept(from.begin() + static_cast<int64_t>(lead), from.end());
        out = out.reshape(kept);
    }
    // Then each stretched size-1 axis, kept with size 1.
    for (size_t a = 0; a < shape.size(); ++a)
        if (shape[a] == 1 && out.shape()[a] != 1) out = out.sum(static_cast<int64_t>(a), true);
    return out.reshape(shape);
    // END SOLUTION
}

// ===========================================================================
// Graph-level helpers
// ===========================================================================

// A handle to the same values, with no history and no requires_grad: what
// untracked() in graph.hpp does.
Tensor Tensor::detach() const {
    // BEGIN SOLUTION
    return untracked(*this);
    // END SOLUTION
}

// Drop the accumulated gradient (set it to an undefined Tensor).
void Tensor::zero_grad() const {
    // BEGIN SOLUTION
    set_grad(Tensor());
    // END SOLUTION
}

// BEGIN SOLUTION HELPERS
namespace {

// The nodes reachable from `root`, each once, ordered so that every node
// comes before the nodes of its inputs (reverse post-order of a depth-first
// search). The search keeps its own stack, so a chain 100,000 ops deep needs
// no 100,000 nested calls. Throws GraphError, before any rule runs, when the
// graph was freed by an earlier backward.
std::vector<std::shared_ptr<Node>> topological_order(const std::shared_ptr<Node>& root) {
    std::vector<std::shared_ptr<Node>> post_order;
    std::unordered_set<const Node*> seen{root.get()};
    // (node, index of the next input to look at)
    std::vector<std::pair<std::shared_ptr<Node>, size_t>> stack{{root, 0}};
    while (!stack.empty()) {
        auto& [node, next] = stack.back();
        TT_CHECK(!node->released(), GraphError,
                 "backward: {} was already run backward and its saved values freed; pass "
                 "retain_graph = true to the first backward() to backpropagate through the "
                 "graph twice",
                 node->name());
        if (next < node->inputs.size()) {
            const Tensor& input = node->inputs[next++];
            if (input.defined() && input.grad_fn() && seen.insert(input.grad_fn().get()).second)
                stack.emplace_back(input.grad_fn(), 0);  // invalidates node/next: used no more
        } else {
            post_order.push_back(std::move(node));
            stack.pop_back();
        }
    }
    return {post_order.rbegin(), post_order.rend()};
}

// a += b elementwise; a is contiguous, b has a's shape (any layout).
void add_in_place(Tensor& a, const Tensor& b) {
    const Tensor src = b.contiguous();
    float* dst = a.data();
    const float* from = src.data();
    const int64_t n = a.numel();
    for (int64_t i = 0; i < n; ++i) dst[i] += from[i];
}

// The gradient flowing into one node's output, summed over its consumers.
// The first contribution is kept as it is (it may be a view or shared with
// another slot, so it is never written to); the second makes a fresh sum the
// slot owns, and later ones are added into that in place.
struct GradientSlot {
    Tensor sum;
    bool owned = false;

    void add(const Tensor& grad) {
        if (!sum.defined()) {
            sum = grad;
        } else if (owned) {
            add_in_place(sum, grad);
        } else {
            sum = sum + grad;  // recording is off: a plain new tensor
            owned = true;
        }
    }
};

// A leaf's .grad accumulates across backward calls. It is always a tensor
// the leaf owns (a contiguous copy), so adding into it in place is safe.
void accumulate_into_leaf(const Tensor& leaf, const Tensor& grad) {
    const Tensor existing = leaf.grad();
    if (!existing.defined()) {
        leaf.set_grad(grad.clone());
        return;
    }
    TT_CHECK(existing.shape() == leaf.shape(), ShapeError,
             "backward: the leaf of shape {} holds a .grad of shape {}; call zero_grad() first",
             format_shape(leaf.shape()), format_shape(existing.shape()));
    if (existing.is_contiguous()) {
        Tensor target = existing;
        add_in_place(target, grad);
    } else {
        leaf.set_grad(existing + grad);
    }
}

// The gradients of node's inputs: its own function for a custom op (module
// 09), the rule of derivatives.cpp otherwise. Checks what comes back, since
// a rule that forgets sum_to_shape would otherwise corrupt gradients later.
std::vector<Tensor> run_rule(const Node& node, const Tensor& grad_output) {
    std::vector<Tensor> grads =
        node.op == Op::Custom ? node.custom_backward(grad_output) : backward_rule(node, grad_output);
    TT_CHECK(grads.size() == node.inputs.size(), GraphError,
             "{} returned {} gradients for its {} inputs; return one per input (an undefined "
             "Tensor for an input that needs none)",
             node.name(), grads.size(), node.inputs.size());
    for (size_t i = 0; i < grads.size(); ++i)
        TT_CHECK(!grads[i].defined() || grads[i].shape() == node.inputs[i].shape(), ShapeError,
                 "{} returned a gradient of shape {} for input {} of shape {}; a gradient must "
                 "have its input's shape (sum_to_shape undoes broadcasting)",
                 node.name(), format_shape(grads[i].shape()), i,
                 format_shape(node.inputs[i].shape()));
    return grads;
}

// The whole backward pass from `root` (the output's node) seeded with `seed`.
void run_backward(const std::shared_ptr<Node>& root, const Tensor& seed, bool retain_graph) {
    const std::vector<std::shared_ptr<Node>> order = topological_order(root);
    std::unordered_map<const Node*, size_t> position;
    position.reserve(order.size());
    for (size_t i = 0; i < order.size(); ++i) position.emplace(order[i].get(), i);

    std::vector<GradientSlot> slots(order.size());
    slots[0].add(seed);
    NoGradGuard no_grad;  // the rules' arithmetic must not build a graph of its own
    for (size_t i = 0; i < order.size(); ++i) {
        const Node& node = *order[i];
        // All of the node's consumers come earlier in the order, so its
        // gradient is complete. It is missing only when every consumer gave
        // it none (a loss's target computed by an op): nothing flows on.
        const Tensor grad_output = std::move(slots[i].sum);
        slots[i] = GradientSlot{};  // free it as soon as it is used
        if (!grad_output.defined()) continue;
        const std::vector<Tensor> grads = run_rule(node, grad_output);
        for (size_t k = 0; k < grads.size(); ++k) {
            const Tensor& input = node.inputs[k];
            if (!grads[k].defined() || !input.defined() || !input.requires_grad()) continue;
            if (input.grad_fn())
                slots[position.at(input.grad_fn().get())].add(grads[k]);
            else
                accumulate_into_leaf(input, grads[k]);  // only leaves keep a .grad
        }
    }
    if (!retain_graph)
        for (const std::shared_ptr<Node>& node : order) node->release();
}

}  // namespace
// END SOLUTION

// ===========================================================================
// Tensor::backward
// ===========================================================================

// Backpropagate from this tensor:
//   1. Check the call. The tensor must require grad (GraphError "backward: the
//      tensor does not require grad ..." otherwise). Without `gradient`, it
//      must hold one element (then the seed is 1); otherwise GraphError
//      "backward: a tensor of shape (2, 3) needs a gradient of its shape ...".
//      A given gradient must have the tensor's shape (ShapeError).
//   2. A leaf (no grad_fn) just accumulates the seed into its .grad.
//   3. Otherwise order the nodes so each comes before its inputs' nodes —
//      iteratively (a 100k-op chain must not recurse 100k deep) and visiting
//      a node shared by two paths once.
//   4. Walk that order with recording off (NoGradGuard): each node's
//      gradient is complete once every consumer has run (skip a node that
//      received none: a rule may return an undefined gradient); call the rule
//      (node.custom_backward for Op::Custom, backward_rule otherwise), check
//      each gradient has its input's shape (ShapeError naming node.name() and
//      both shapes), and add it to the input's node — or, for a leaf that
//      requires grad, into its .grad (accumulate, never overwrite).
//   5. Unless retain_graph, release() every node of the pass.
void Tensor::backward(const Tensor& gradient, bool retain_graph) const {
    // BEGIN SOLUTION
    TT_CHECK(requires_grad(), GraphError,
             "backward: the tensor does not require grad and has no grad_fn, so there is "
             "nothing to differentiate; mark the leaves you want gradients for with "
             "requires_grad_() before computing it");
    Tensor seed = gradient;
    if (!seed.defined()) {
        TT_CHECK(numel() == 1, GraphError,
                 "backward: a tensor of shape {} needs a gradient of its shape; only a "
                 "one-element tensor (a loss) can be differentiated without one: call "
                 "backward(gradient) or reduce it first, e.g. .sum().backward()",
                 format_shape(shape()));
        seed = ones(shape());
    }
    TT_CHECK(seed.shape() == shape(), ShapeError,
             "backward: the gradient has shape {} but the tensor has shape {}",
             format_shape(seed.shape()), format_shape(shape()));
    if (is_leaf()) {
        accumulate_into_leaf(*this, untracked(seed));
        return;
    }
    run_backward(grad_fn(), untracked(seed), retain_graph);
    // END SOLUTION
}

}  // namespace tinytorch
