// graph.cpp — the recording mechanism of graph.hpp. Provided infrastructure.
#include "graph.hpp"

#include <utility>

namespace tinytorch {

namespace {
thread_local bool grad_mode = true;
}

const char* op_name(Op op) {
    switch (op) {
        case Op::Add: return "Add";
        case Op::Sub: return "Sub";
        case Op::Mul: return "Mul";
        case Op::Div: return "Div";
        case Op::Neg: return "Neg";
        case Op::Pow: return "Pow";
        case Op::Exp: return "Exp";
        case Op::Log: return "Log";
        case Op::Sqrt: return "Sqrt";
        case Op::Abs: return "Abs";
        case Op::Clamp: return "Clamp";
        case Op::MatMul: return "MatMul";
        case Op::Reshape: return "Reshape";
        case Op::Permute: return "Permute";
        case Op::Expand: return "Expand";
        case Op::Slice: return "Slice";
        case Op::Contiguous: return "Contiguous";
        case Op::Sum: return "Sum";
        case Op::Mean: return "Mean";
        case Op::Max: return "Max";
        case Op::ReLU: return "ReLU";
        case Op::LeakyReLU: return "LeakyReLU";
        case Op::Sigmoid: return "Sigmoid";
        case Op::Tanh: return "Tanh";
        case Op::GELU: return "GELU";
        case Op::Softmax: return "Softmax";
        case Op::LogSoftmax: return "LogSoftmax";
        case Op::MSELoss: return "MSELoss";
        case Op::CrossEntropyLoss: return "CrossEntropyLoss";
        case Op::BCELoss: return "BCELoss";
        case Op::Custom: return "Custom";
    }
    return "Unknown";
}

std::string Node::name() const {
    return (op == Op::Custom ? custom_name : std::string(op_name(op))) + "Backward";
}

const Tensor& Node::output() const {
    if (released_)
        throw GraphError(fmt::format(
            "{}: the graph was already run backward and its saved values freed; call "
            "backward(gradient, /*retain_graph=*/true) the first time to backpropagate twice",
            name()));
    return output_value;
}

const Tensor& Node::input(size_t i) const {
    output();  // same released check and message
    TT_CHECK(i < inputs.size(), IndexError, "{}: input {} requested, the op has {} inputs", name(),
             i, inputs.size());
    return inputs[i];
}

void Node::release() {
    released_ = true;
    output_value = Tensor();
    custom_backward = nullptr;  // frees whatever the custom op captured
    inputs.clear();             // the saved inputs, and the graph's edges with them
}

Node::~Node() {
    // Destroying the last handle to a node destroys its inputs, whose nodes
    // destroy their inputs, and so on: one nested call per op of the chain.
    // Instead, each node whose last owner is this teardown is moved to a
    // list and emptied there, so every destructor runs on an input-free node.
    std::vector<std::shared_ptr<Node>> orphans;
    auto take_inputs = [&orphans](std::vector<Tensor>& from) {
        for (Tensor& input : from) {
            if (!input.defined()) continue;
            std::shared_ptr<Node> upstream = input.grad_fn();
            input = Tensor();  // may free the input; its node survives in `upstream`
            if (upstream && upstream.use_count() == 1) orphans.push_back(std::move(upstream));
        }
        from.clear();
    };
    take_inputs(inputs);
    while (!orphans.empty()) {
        std::shared_ptr<Node> node = std::move(orphans.back());
        orphans.pop_back();
        take_inputs(node->inputs);
    }  // each `node` is destroyed here, with no inputs left
}

bool grad_mode_enabled() { return grad_mode; }
void set_grad_mode_enabled(bool enabled) { grad_mode = enabled; }

bool should_record(const std::vector<Tensor>& inputs) {
    if (!grad_mode) return false;
    for (const Tensor& input : inputs)
        if (input.defined() && input.requires_grad()) return true;
    return false;
}

namespace {
Tensor attach(std::shared_ptr<Node> node, Tensor out) {
    // An op may hand back one of its inputs unchanged (contiguous() of a
    // contiguous tensor); give the result a handle of its own so the node
    // never becomes its own input.
    for (const Tensor& input : node->inputs)
        if (out.is_same(input)) out = untracked(out);
    node->output_value = untracked(out);
    out.requires_grad_(true);
    out.set_grad_fn(std::move(node));
    return out;
}
}  // namespace

Tensor record(Op op, Tensor out, std::vector<Tensor> inputs, OpArgs args) {
    if (!should_record(inputs)) return out;
    auto node = std::make_shared<Node>();
    node->op = op;
    node->args = std::move(args);
    node->inputs = std::move(inputs);
    return attach(std::move(node), std::move(out));
}

Tensor record_custom(std::string name, Tensor out, std::vector<Tensor> inputs,
                     BackwardFunction backward) {
    if (!should_record(inputs)) return out;
    auto node = std::make_shared<Node>();
    node->op = Op::Custom;
    node->custom_name = std::move(name);
    node->custom_backward = std::move(backward);
    node->inputs = std::move(inputs);
    return attach(std::move(node), std::move(out));
}

}  // namespace tinytorch
