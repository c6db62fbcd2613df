// derivatives.cpp — module 06: your derivative rules, one per Op.
//
// The engine (autograd.cpp) calls backward_rule(node, grad) for each node of
// the graph: `grad` is d loss / d node.output(), of the output's shape, and
// the rule returns d loss / d node.input(i) for each input — the chain rule,
// one op at a time. Each rule below states its shapes, the forward formula
// and the derivative beside it.
//
// What a rule can read:
//   node.input(i)    the tensors the op was called with (with their layout:
//                    read their values through .contiguous())
//   node.output()    the op's result (saves recomputing exp, sigmoid, ...)
//   node.args        what the op stored for you: see graph.hpp (OpArgs) and
//                    losses.hpp (the losses)
// Rules run with recording off, so tensor arithmetic inside them (grad * x,
// sum_to_shape, matmul) builds no graph. Return an undefined Tensor for an
// input that needs no gradient (needs_grad below), and give every gradient
// its input's shape: the engine checks.
//
// Run `tito module test 06` to check your rules; each is checked against
// finite differences.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "autograd.hpp"

namespace tinytorch {

namespace {

using Gradients = std::vector<Tensor>;

// Provided: true when input i of `node` wants a gradient. Skip the work for
// the others (the images fed to a network never need one).
[[maybe_unused]] bool needs_grad(const Node& node, size_t i) {
    const Tensor& input = node.input(i);
    return input.defined() && input.requires_grad();
}

// Provided: the reduction a loss stored in args.ints (losses.hpp).
[[maybe_unused]] Reduction reduction_of(const Node& node) {
    TT_CHECK(node.args.ints.size() == 1 && node.args.ints[0] >= 0 && node.args.ints[0] <= 2,
             ValueError, "{}: unknown reduction stored in the node (args.ints should hold 0, 1 "
             "or 2)", node.name());
    return static_cast<Reduction>(node.args.ints[0]);
}

}  // namespace

// BEGIN SOLUTION HELPERS
namespace {

// The gradient of input i from a broadcast-shaped one, or none if it needs none.
Tensor reduced_for(const Node& node, size_t i, const Tensor& grad) {
    return needs_grad(node, i) ? sum_to_shape(grad, node.input(i).shape()) : Tensor();
}

// out[j] = f(g[j], x[j]) over tensors of one shape; out is new and contiguous.
// One pass, no intermediate tensors: what every elementwise rule needs.
template <class F>
Tensor pointwise(const Tensor& g, const Tensor& x, F f) {
    const Tensor gc = g.contiguous(), xc = x.contiguous();
    Tensor out = empty(x.shape());
    const float* gp = gc.data();
    const float* xp = xc.data();
    float* o = out.data();
    const int64_t n = out.numel();
#pragma omp parallel for schedule(static) if (n >= (int64_t{1} << 16))
    for (int64_t j = 0; j < n; ++j) o[j] = f(gp[j], xp[j]);
    return out;
}

// A contiguous tensor seen as (outer, extent, inner) around `axis`: element
// (o, k, i) is at o * extent * inner + k * inner + i.
struct AxisSplit {
    int64_t outer = 1, extent = 1, inner = 1;
};
AxisSplit split_at(const Shape& shape, int64_t axis) {
    AxisSplit s;
    for (int64_t a = 0; a < static_cast<int64_t>(shape.size()); ++a) {
        const int64_t n = shape[static_cast<size_t>(a)];
        if (a < axis) s.outer *= n;
        else if (a == axis) s.extent = n;
        else s.inner *= n;
    }
    return s;
}

// `shape` with `axis` set to 1 (a scalar stays a scalar): the keepdims shape.
Shape keepdims_shape(Shape shape, int64_t axis) {
    if (!shape.empty()) shape[static_cast<size_t>(axis)] = 1;
    return shape;
}

// The gradient of a reduction's output spread back over the input's shape:
// a view that repeats each value along the reduced axis (or everywhere).
Tensor spread_reduced(const Node& node, const Tensor& grad) {
    const Shape& in = node.input(0).shape();
    if (node.args.all_axes) return grad.reshape({}).expand(in);
    return grad.reshape(keepdims_shape(in, node.args.axis)).expand(in);
}

// Per-element scale a loss's gradient gets from its reduction: one value for
// Mean (grad / count) and Sum, grad itself (one per element) for None.
struct LossScale {
    Tensor per_element;  // contiguous, for None
    float scalar = 0.0f;
    float at(int64_t j) const { return per_element.defined() ? per_element.data()[j] : scalar; }
};
LossScale loss_scale(const Node& node, const Tensor& grad, int64_t count) {
    LossScale s;
    switch (reduction_of(node)) {
        case Reduction::None: s.per_element = grad.contiguous(); break;
        case Reduction::Mean: s.scalar = grad.item() / static_cast<float>(count); break;
        case Reduction::Sum: s.scalar = grad.item(); break;
    }
    return s;
}

}  // namespace
// END SOLUTION

namespace {

// ===========================================================================
// Elementwise arithmetic (module 01). a and b broadcast to out's shape, so a
// gradient of out's shape must be summed back to each input's shape.
// ===========================================================================

// out = a + b                    ->  da = g,  db = g            (each sum_to_shape'd)
Gradients add_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    return {reduced_for(node, 0, grad), reduced_for(node, 1, grad)};
    // END SOLUTION
}

// out = a - b                    ->  da = g,  db = -g
Gradients sub_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    return {reduced_for(node, 0, grad), needs_grad(node, 1) ? reduced_for(node, 1, -grad) : Tensor()};
    // END SOLUTION
}

// out = a * b                    ->  da = g * b,  db = g * a
// (x * x has x as both inputs: each gets g * x and the engine adds them.)
Gradients mul_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    const Tensor& a = node.input(0);
    const Tensor& b = node.input(1);
    return {needs_grad(node, 0) ? reduced_for(node, 0, grad * b) : Tensor(),
            needs_grad(node, 1) ? reduced_for(node, 1, grad * a) : Tensor()};
    // END SOLUTION
}

// out = a / b                    ->  da = g / b,  db = -g * a / b^2
Gradients div_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    const Tensor& a = node.input(0);
    const Tensor& b = node.input(1);
    return {needs_grad(node, 0) ? reduced_for(node, 0, grad / b) : Tensor(),
            needs_grad(node, 1) ? reduced_for(node, 1, -(grad * a) / (b * b)) : Tensor()};
    // END SOLUTION
}

// out = -x                       ->  dx = -g
Gradients neg_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    return {-grad};
    // END SOLUTION
}

// ===========================================================================
// Elementwise functions (module 01): x and out have one shape, as has g.
// ===========================================================================

// out = x^p  (p = args.scalar)   ->  dx = g * p * x^(p-1)       (p = 0: dx = 0)
Gradients pow_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    const float p = node.args.scalar;
    if (p == 0.0f) return {zeros(node.input(0).shape())};
    if (p == 2.0f) return {pointwise(grad, node.input(0), [](float g, float x) { return 2.0f * x * g; })};
    return {pointwise(grad, node.input(0), [p](float g, float x) { return g * p * std::pow(x, p - 1.0f); })};
    // END SOLUTION
}

// out = e^x                      ->  dx = g * out
Gradients exp_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    return {pointwise(grad, node.output(), [](float g, float e) { return g * e; })};
    // END SOLUTION
}

// out = log x                    ->  dx = g / x
Gradients log_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    return {pointwise(grad, node.input(0), [](float g, float x) { return g / x; })};
    // END SOLUTION
}

// out = sqrt x                   ->  dx = g / (2 out)
Gradients sqrt_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    return {pointwise(grad, node.output(), [](float g, float r) { return g / (2.0f * r); })};
    // END SOLUTION
}

// out = |x|                      ->  dx = g * sign(x)           (sign(0) = 0, as in PyTorch)
Gradients abs_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    return {pointwise(grad, node.input(0), [](float g, float x) {
        return x > 0.0f ? g : (x < 0.0f ? -g : 0.0f);
    })};
    // END SOLUTION
}

// out = min(max(x, low), high)   ->  dx = g where low <= x <= high, else 0
// (low = args.scalar, high = args.scalar2; the bounds themselves pass g, as in PyTorch)
Gradients clamp_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    const float low = node.args.scalar, high = node.args.scalar2;
    return {pointwise(grad, node.input(0), [low, high](float g, float x) {
        return x >= low && x <= high ? g : 0.0f;
    })};
    // END SOLUTION
}

// ===========================================================================
// Matrix product (module 01)
// ===========================================================================

// out = a @ b: a (..., M, K) @ b (..., K, N) -> (..., M, N), batch axes
// broadcast. A 1-D a (K) acts as (1, K) and a 1-D b (K) as (K, 1); those
// added axes are missing from out (and from g).
//     da = g @ b^T   (..., M, K)      db = a^T @ g   (..., K, N)
// then sum over the batch axes broadcasting added, and back to 1-D if the
// input was. Transposes are views (transpose(-1, -2)): matmul reads them
// through their strides, no copy.
Gradients matmul_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    const Tensor& a = node.input(0);
    const Tensor& b = node.input(1);
    const Tensor a2 = a.dim() == 1 ? a.reshape({1, a.size(0)}) : a;
    const Tensor b2 = b.dim() == 1 ? b.reshape({b.size(0), 1}) : b;
    const int64_t M = a2.size(-2), K = a2.size(-1), N = b2.size(-1);
    // g with the axes a 1-D operand dropped put back: (batch..., M, N).
    Shape g_shape = broadcast_shapes(Shape(a2.shape().begin(), a2.shape().end() - 2),
                                     Shape(b2.shape().begin(), b2.shape().end() - 2));
    g_shape.push_back(M);
    g_shape.push_back(N);
    const Tensor g2 = grad.reshape(g_shape);

    Tensor da, db;
    if (needs_grad(node, 0))
        da = sum_to_shape(g2.matmul(b2.transpose(-1, -2)), a2.shape()).reshape(a.shape());
    if (needs_grad(node, 1)) {
        if (b2.dim() == 2 && a2.dim() > 2) {
            // x (B, T, K) @ W (K, N), as in a Linear layer on a batch of
            // sequences: fold the batch into the rows, one (K, B*T) @ (B*T, N)
            // product instead of B products summed afterwards.
            db = a2.reshape({-1, K}).transpose(0, 1).matmul(g2.reshape({-1, N}));
        } else {
            db = sum_to_shape(a2.transpose(-1, -2).matmul(g2), b2.shape());
        }
        db = db.reshape(b.shape());
    }
    return {da, db};
    // END SOLUTION
}

// ===========================================================================
// Views and copies (module 01): the gradient takes the inverse path.
// ===========================================================================

// out = x.reshape(...)  (args.shape = x's shape)    ->  dx = g.reshape(x's shape)
Gradients reshape_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    return {grad.reshape(node.args.shape)};
    // END SOLUTION
}

// out = x.permute(order)  (args.ints = order)       ->  dx = g.permute(inverse of order)
// out axis i is x axis order[i], so x axis order[i] comes back from g axis i.
Gradients permute_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    const std::vector<int64_t>& order = node.args.ints;
    std::vector<int64_t> inverse(order.size());
    for (size_t i = 0; i < order.size(); ++i) inverse[static_cast<size_t>(order[i])] = static_cast<int64_t>(i);
    return {grad.permute(inverse)};
    // END SOLUTION
}

// out = x.expand(shape)  (args.shape = x's shape)   ->  dx = sum_to_shape(g, x's shape)
Gradients expand_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    return {sum_to_shape(grad, node.args.shape)};
    // END SOLUTION
}

// out = x.slice(start, stop, step) on axis 0  (args.ints = {start, stop, step})
//     ->  dx = zeros of x's shape, with g in the rows the slice took
Gradients slice_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    const std::vector<int64_t>& s = node.args.ints;
    Tensor dx = zeros(node.input(0).shape());
    dx.slice(s[0], s[1], s[2]).copy_(grad);
    return {dx};
    // END SOLUTION
}

// out = x.clone() / x.contiguous()  (a copy)        ->  dx = g
Gradients contiguous_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    return {grad};
    // END SOLUTION
}

// ===========================================================================
// Reductions (module 01). args.all_axes: over everything (out is ()); else
// over args.axis, kept with size 1 when args.keepdims.
// ===========================================================================

// out = sum x                    ->  dx = g repeated along the reduced axis (or everywhere)
// Without keepdims, g lacks the axis: reshape it to the keepdims shape first.
Gradients sum_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    return {spread_reduced(node, grad)};
    // END SOLUTION
}

// out = sum x / n                ->  dx = g / n repeated      (n = the number of elements reduced)
Gradients mean_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    const Tensor& x = node.input(0);
    const int64_t n = node.args.all_axes || x.dim() == 0 ? x.numel() : x.size(node.args.axis);
    return {spread_reduced(node, grad * (1.0f / static_cast<float>(n)))};
    // END SOLUTION
}

// out = max x                    ->  dx = g at the maximal element, 0 elsewhere
// On ties the whole gradient goes to the first maximal element in row-major
// order (the one argmax picks), not shared between them — as PyTorch's max
// over an axis does.
Gradients max_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    const Tensor x = node.input(0).contiguous();
    Tensor dx = zeros(x.shape());
    const Tensor g = grad.contiguous();
    if (node.args.all_axes) {
        const float* v = x.data();
        dx.data()[std::max_element(v, v + x.numel()) - v] = g.item();
        return {dx};
    }
    const AxisSplit s = split_at(x.shape(), node.args.axis);
    for (int64_t o = 0; o < s.outer; ++o) {
        const float* block = x.data() + o * s.extent * s.inner;
        for (int64_t i = 0; i < s.inner; ++i) {
            int64_t best = 0;
            for (int64_t k = 1; k < s.extent; ++k)
                if (block[k * s.inner + i] > block[best * s.inner + i]) best = k;
            dx.data()[(o * s.extent + best) * s.inner + i] = g.data()[o * s.inner + i];
        }
    }
    return {dx};
    // END SOLUTION
}

// ===========================================================================
// Activations (module 02): x, out and g have one shape.
// ===========================================================================

// out = max(x, 0)                ->  dx = g where x > 0, else 0   (0 at x = 0, as in PyTorch)
Gradients relu_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    return {pointwise(grad, node.input(0), [](float g, float x) { return x > 0.0f ? g : 0.0f; })};
    // END SOLUTION
}

// out = x (x >= 0), s x (x < 0)  ->  dx = g where x > 0, s g elsewhere   (s = args.scalar)
Gradients leaky_relu_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    const float slope = node.args.scalar;
    return {pointwise(grad, node.input(0), [slope](float g, float x) { return x > 0.0f ? g : slope * g; })};
    // END SOLUTION
}

// out = 1 / (1 + e^-x)           ->  dx = g * out * (1 - out)
Gradients sigmoid_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    return {pointwise(grad, node.output(), [](float g, float s) { return g * s * (1.0f - s); })};
    // END SOLUTION
}

// out = tanh x                   ->  dx = g * (1 - out^2)
Gradients tanh_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    return {pointwise(grad, node.output(), [](float g, float t) { return g * (1.0f - t * t); })};
    // END SOLUTION
}

// out = 0.5 x (1 + tanh u),  u = k (x + 0.044715 x^3),  k = sqrt(2 / pi)
//     ->  dx = g * (0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) k (1 + 3 * 0.044715 x^2))
// (module 02's tanh approximation, differentiated exactly; work in double as
// the forward does)
Gradients gelu_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    return {pointwise(grad, node.input(0), [](float g, float xf) {
        const double x = xf;
        constexpr double k = std::numbers::sqrt2 * std::numbers::inv_sqrtpi;  // sqrt(2 / pi)
        constexpr double c = 0.044715;
        const double t = std::tanh(k * (x + c * x * x * x));
        const double slope = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * k * (1.0 + 3.0 * c * x * x);
        return static_cast<float>(g * slope);
    })};
    // END SOLUTION
}

// Along args.axis, per slice s = out:
//     out = softmax x            ->  dx = s * (g - sum(g * s))
Gradients softmax_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    const Tensor s = node.output().contiguous();
    const Tensor g = grad.contiguous();
    Tensor dx = empty(s.shape());
    const AxisSplit split = split_at(s.shape(), node.args.axis);
    for (int64_t o = 0; o < split.outer; ++o) {
        for (int64_t i = 0; i < split.inner; ++i) {
            const int64_t first = o * split.extent * split.inner + i;
            double dot = 0.0;
            for (int64_t k = 0; k < split.extent; ++k) {
                const int64_t j = first + k * split.inner;
                dot += static_cast<double>(g.data()[j]) * s.data()[j];
            }
            for (int64_t k = 0; k < split.extent; ++k) {
                const int64_t j = first + k * split.inner;
                dx.data()[j] = static_cast<float>(s.data()[j] * (g.data()[j] - dot));
            }
        }
    }
    return {dx};
    // END SOLUTION
}

// Along args.axis, per slice:
//     out = log_softmax x        ->  dx = g - exp(out) * sum(g)
Gradients log_softmax_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    const Tensor y = node.output().contiguous();
    const Tensor g = grad.contiguous();
    Tensor dx = empty(y.shape());
    const AxisSplit split = split_at(y.shape(), node.args.axis);
    for (int64_t o = 0; o < split.outer; ++o) {
        for (int64_t i = 0; i < split.inner; ++i) {
            const int64_t first = o * split.extent * split.inner + i;
            double total = 0.0;
            for (int64_t k = 0; k < split.extent; ++k) total += g.data()[first + k * split.inner];
            for (int64_t k = 0; k < split.extent; ++k) {
                const int64_t j = first + k * split.inner;
                dx.data()[j] = static_cast<float>(g.data()[j] - std::exp(static_cast<double>(y.data()[j])) * total);
            }
        }
    }
    return {dx};
    // END SOLUTION
}

// ===========================================================================
// Losses (module 04): see losses.hpp for exactly what each records. The
// target (input 1) gets no gradient. With g the incoming gradient:
//   scale = g / count for Mean (count = numel, or N for cross-entropy),
//           g for Sum, g[i] per element (per sample) for None.
// ===========================================================================

// loss = (p - t)^2, reduced      ->  dp = 2 (p - t) * scale
Gradients mse_loss_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    const Tensor p = node.input(0).contiguous();
    const Tensor t = node.input(1).contiguous();
    const LossScale scale = loss_scale(node, grad, p.numel());
    Tensor dp = empty(p.shape());
    for (int64_t j = 0; j < p.numel(); ++j)
        dp.data()[j] = 2.0f * (p.data()[j] - t.data()[j]) * scale.at(j);
    return {dp, Tensor()};
    // END SOLUTION
}

// loss[n] = -log_softmax(logits, 1)[n, target[n]], reduced; logits (N, C), target (N)
//     ->  dlogits = (softmax(logits, 1) - onehot(target)) * scale[n]     (the fused rule)
Gradients cross_entropy_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    const Tensor& logits = node.input(0);
    const Tensor labels = node.input(1).contiguous();
    const int64_t samples = logits.size(0), classes = logits.size(1);
    const LossScale scale = loss_scale(node, grad, samples);
    Tensor dlogits = softmax(logits, 1).contiguous();  // recording is off: a plain tensor
    for (int64_t n = 0; n < samples; ++n) {
        float* row = dlogits.data() + n * classes;
        row[static_cast<int64_t>(labels.data()[n])] -= 1.0f;
        const float s = scale.at(n);
        for (int64_t c = 0; c < classes; ++c) row[c] *= s;
    }
    return {dlogits, Tensor()};
    // END SOLUTION
}

// loss = -(t log q + (1 - t) log(1 - q)),  q = clamp(p, eps, 1 - eps)  (eps = args.scalar)
//     ->  dp = (q - t) / (q (1 - q)) * scale      (the clamp passes the gradient through)
// Work in double: q (1 - q) is tiny near 0 and 1.
Gradients bce_loss_backward(const Node& node, const Tensor& grad) {
    // BEGIN SOLUTION
    const Tensor p = node.input(0).contiguous();
    const Tensor t = node.input(1).contiguous();
    const double eps = node.args.scalar;
    const LossScale scale = loss_scale(node, grad, p.numel());
    Tensor dp = empty(p.shape());
    for (int64_t j = 0; j < p.numel(); ++j) {
        const double q = std::clamp(static_cast<double>(p.data()[j]), eps, 1.0 - eps);
        dp.data()[j] = static_cast<float>((q - t.data()[j]) / (q * (1.0 - q)) * scale.at(j));
    }
    return {dp, Tensor()};
    // END SOLUTION
}

}  // namespace

// ===========================================================================
// The dispatch (provided): one rule per Op.
// ===========================================================================

std::vector<Tensor> backward_rule(const Node& node, const Tensor& grad_output) {
    switch (node.op) {
        case Op::Add: return add_backward(node, grad_output);
        case Op::Sub: return sub_backward(node, grad_output);
        case Op::Mul: return mul_backward(node, grad_output);
        case Op::Div: return div_backward(node, grad_output);
        case Op::Neg: return neg_backward(node, grad_output);
        case Op::Pow: return pow_backward(node, grad_output);
        case Op::Exp: return exp_backward(node, grad_output);
        case Op::Log: return log_backward(node, grad_output);
        case Op::Sqrt: return sqrt_backward(node, grad_output);
        case Op::Abs: return abs_backward(node, grad_output);
        case Op::Clamp: return clamp_backward(node, grad_output);
        case Op::MatMul: return matmul_backward(node, grad_output);
        case Op::Reshape: return reshape_backward(node, grad_output);
        case Op::Permute: return permute_backward(node, grad_output);
        case Op::Expand: return expand_backward(node, grad_output);
        case Op::Slice: return slice_backward(node, grad_output);
        case Op::Contiguous: return contiguous_backward(node, grad_output);
        case Op::Sum: return sum_backward(node, grad_output);
        case Op::Mean: return mean_backward(node, grad_output);
        case Op::Max: return max_backward(node, grad_output);
        case Op::ReLU: return relu_backward(node, grad_output);
        case Op::LeakyReLU: return leaky_relu_backward(node, grad_output);
        case Op::Sigmoid: return sigmoid_backward(node, grad_output);
        case Op::Tanh: return tanh_backward(node, grad_output);
        case Op::GELU: return gelu_backward(node, grad_output);
        case Op::Softmax: return softmax_backward(node, grad_output);
        case Op::LogSoftmax: return log_softmax_backward(node, grad_output);
        case Op::MSELoss: return mse_loss_backward(node, grad_output);
        case Op::CrossEntropyLoss: return cross_entropy_backward(node, grad_output);
        case Op::BCELoss: return bce_loss_backward(node, grad_output);
        case Op::Custom: break;
    }
    throw GraphError(fmt::format(
        "backward_rule: {} has no rule here; a custom op's node carries its own "
        "(node.custom_backward), which the engine calls instead",
        node.name()));
}

}  // namespace tinytorch
