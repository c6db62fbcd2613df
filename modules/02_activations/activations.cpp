// activations.cpp — module 02: your activation functions.
//
// Each function below says what it must do; activations.hpp has the full
// contract and modules/02_activations/README.md the concepts, hints and
// common mistakes. Run `tito module test 02` to check your work.
//
// Each function ends with a provided `return record(Op::..., out, {x}, args);`
// line that lets module 06 differentiate it. Compute `out` above that line —
// a new contiguous tensor of x's shape, computed from x's float values (read
// them through untracked(x).contiguous(), see graph.hpp) — and leave the
// line as it is.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "activations.hpp"

namespace tinytorch {

// BEGIN SOLUTION HELPERS
namespace {

// out[i] = f(x[i]) for every element; out is new, contiguous, and not recorded.
// The loop is split over threads for large tensors: exp and tanh cost enough
// per element to make that pay.
template <class F>
Tensor map_values(const Tensor& x, F f) {
    const Tensor in = untracked(x).contiguous();
    Tensor out = empty(x.shape());
    const float* src = in.data();
    float* dst = out.data();
    const int64_t n = in.numel();
#pragma omp parallel for schedule(static) if (n >= (int64_t{1} << 16))
    for (int64_t i = 0; i < n; ++i) dst[i] = f(src[i]);
    return out;
}

// 1 / (1 + e^-v) without overflow: for v < 0, e^-v could be huge, so use the
// equal form e^v / (1 + e^v), whose e^v is at most 1.
float stable_sigmoid(float v) {
    if (v >= 0.0f) return 1.0f / (1.0f + std::exp(-v));
    const float e = std::exp(v);
    return e / (1.0f + e);
}

// The tanh approximation of GELU, in double: for x around -5 the factor
// 1 + tanh(...) cancels to a small number, which float would round badly.
float gelu_tanh(float v) {
    const double x = v;
    constexpr double k = std::numbers::sqrt2 * std::numbers::inv_sqrtpi;  // sqrt(2 / pi)
    return static_cast<float>(0.5 * x * (1.0 + std::tanh(k * (x + 0.044715 * x * x * x))));
}

// Softmax or log-softmax of a contiguous tensor along `axis` (normalised).
//
// Seen as a block (outer, extent, inner), element (o, k, i) is at
// o * extent * inner + k * inner + i; each (o, i) is one slice of `extent`
// values, inner floats apart. Per slice: m = max, s = sum exp(v - m), then
// softmax = exp(v - m) / s and log_softmax = v - m - log(s). The sum runs in
// double; every exp argument is <= 0, so nothing overflows.
Tensor softmax_along(const Tensor& in, int64_t axis, bool take_log) {
    int64_t outer = 1, extent = 1, inner = 1;
    for (int64_t a = 0; a < in.dim(); ++a) {
        const int64_t n = in.shape()[static_cast<size_t>(a)];
        if (a < axis) outer *= n;
        else if (a == axis) extent = n;
        else inner *= n;
    }
    Tensor out = empty(in.shape());
    const float* src = in.data();
    float* dst = out.data();
    for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i = 0; i < inner; ++i) {
            const float* x = src + o * extent * inner + i;
            float* y = dst + o * extent * inner + i;
            float m = -std::numeric_limits<float>::infinity();
            for (int64_t k = 0; k < extent; ++k) m = std::max(m, x[k * inner]);
            double s = 0.0;
            for (int64_t k = 0; k < extent; ++k) s += std::exp(static_cast<double>(x[k * inner] - m));
            if (take_log) {
                const double log_s = std::log(s);
                for (int64_t k = 0; k < extent; ++k)
                    y[k * inner] = static_cast<float>(static_cast<double>(x[k * inner] - m) - log_s);
            } else {
                for (int64_t k = 0; k < extent; ++k)
                    y[k * inner] = static_cast<float>(std::exp(static_cast<double>(x[k * inner] - m)) / s);
            }
        }
    }
    return out;
}

}  // namespace
// END SOLUTION

// ===========================================================================
// Elementwise activations: out has x's shape, out[i] = f(x[i]).
// ===========================================================================

// max(x, 0): negatives become 0, the rest pass through.
Tensor relu(const Tensor& x) {
    Tensor out;
    // BEGIN SOLUTION
    out = map_values(x, [](float v) { return v < 0.0f ? 0.0f : v; });
    // END SOLUTION
    return record(Op::ReLU, out, {x});
}

// x where x >= 0, negative_slope * x where x < 0.
Tensor leaky_relu(const Tensor& x, float negative_slope) {
    Tensor out;
    // BEGIN SOLUTION
    out = map_values(x, [negative_slope](float v) { return v < 0.0f ? negative_slope * v : v; });
    // END SOLUTION
    OpArgs args;
    args.scalar = negative_slope;
    return record(Op::LeakyReLU, out, {x}, args);
}

// 1 / (1 + exp(-x)). exp(-x) overflows to inf for x < -88; find a form of
// the same function that never exponentiates a large positive number.
Tensor sigmoid(const Tensor& x) {
    Tensor out;
    // BEGIN SOLUTION
    out = map_values(x, stable_sigmoid);
    // END SOLUTION
    return record(Op::Sigmoid, out, {x});
}

// Hyperbolic tangent. Inside namespace tinytorch, write std::tanh for the
// float version: plain tanh names this function.
Tensor tanh(const Tensor& x) {
    Tensor out;
    // BEGIN SOLUTION
    out = map_values(x, [](float v) { return std::tanh(v); });
    // END SOLUTION
    return record(Op::Tanh, out, {x});
}

// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) — this approximation and
// no other (module 06 differentiates this exact formula).
Tensor gelu(const Tensor& x) {
    Tensor out;
    // BEGIN SOLUTION
    out = map_values(x, gelu_tanh);
    // END SOLUTION
    return record(Op::GELU, out, {x});
}

// ===========================================================================
// Softmax over one axis.
// ===========================================================================

// exp(x - max) / sum(exp(x - max)) along `axis`. First turn `axis` into a
// non-negative one with normalize_axis(axis, x.dim(), "softmax") — it throws
// the IndexError for you — and keep it in `axis`: the record line below
// stores it for module 06.
Tensor softmax(const Tensor& x, int64_t axis) {
    Tensor out;
    // BEGIN SOLUTION
    axis = normalize_axis(axis, x.dim(), "softmax");
    out = softmax_along(untracked(x).contiguous(), axis, /*take_log=*/false);
    // END SOLUTION
    OpArgs args;
    args.axis = axis;  // normalised above: in [0, dim)
    return record(Op::Softmax, out, {x}, args);
}

// x - max - log(sum(exp(x - max))) along `axis` (normalise it as in softmax,
// with "log_softmax" as the name). Do not take the log of softmax(): a
// probability that underflows to 0 would give -inf.
Tensor log_softmax(const Tensor& x, int64_t axis) {
    Tensor out;
    // BEGIN SOLUTION
    axis = normalize_axis(axis, x.dim(), "log_softmax");
    out = softmax_along(untracked(x).contiguous(), axis, /*take_log=*/true);
    // END SOLUTION
    OpArgs args;
    args.axis = axis;  // normalised above: in [0, dim)
    return record(Op::LogSoftmax, out, {x}, args);
}

}  // namespace tinytorch
