// activations.hpp — module 02: activation functions.
//
// The nonlinearities that sit between layers: ReLU, LeakyReLU, Sigmoid, Tanh,
// GELU, and Softmax / LogSoftmax over one axis. Without them a stack of
// Linear layers (module 03) collapses into a single matrix product.
//
// Each comes twice:
//   - a free function, relu(x), softmax(x, axis) — yours, in activations.cpp;
//   - a callable object, ReLU{}, Softmax{axis} — provided below: its
//     operator() calls the function. Objects carry their settings (a slope, an
//     axis), so they can be stored and passed around; module 03's Sequential
//     accepts them as layers.
//
// Every function returns a new contiguous tensor of the input's shape and
// records itself for autograd with one Op (graph.hpp); module 06 writes the
// derivative of each:
//     relu         Op::ReLU
//     leaky_relu   Op::LeakyReLU    args.scalar = negative_slope
//     sigmoid      Op::Sigmoid
//     tanh         Op::Tanh
//     gelu         Op::GELU         (the tanh approximation below)
//     softmax      Op::Softmax      args.axis = the axis, in [0, dim)
//     log_softmax  Op::LogSoftmax   args.axis = the axis, in [0, dim)
// with inputs {x}. Nothing else is recorded: the arithmetic inside each
// function works on plain float data, not on recorded tensor ops.
//
// This header is the contract the tests check; do not change it.
#pragma once

#include <cstdint>

#include "tensor.hpp"

namespace tinytorch {

// ---------------------------------------------------------------------------
// Elementwise activations (yours). x: any shape -> out: the same shape.
// ---------------------------------------------------------------------------
// max(x, 0).
Tensor relu(const Tensor& x);
// x where x >= 0, negative_slope * x where x < 0.
Tensor leaky_relu(const Tensor& x, float negative_slope = 0.01f);
// 1 / (1 + exp(-x)), computed so that no intermediate overflows: exactly 0
// for x = -1000 and exactly 1 for x = 1000, never NaN for a finite x.
Tensor sigmoid(const Tensor& x);
// (exp(x) - exp(-x)) / (exp(x) + exp(-x)); +-1 for large |x|.
Tensor tanh(const Tensor& x);
// GELU by its tanh approximation (the one GPT-2 and BERT use):
//     gelu(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
// Module 06 differentiates exactly this formula, not the erf form
// x * Phi(x); the two differ by up to about 5e-4 (gelu(1) is 0.841192 here,
// 0.841345 with erf).
Tensor gelu(const Tensor& x);

// ---------------------------------------------------------------------------
// Softmax over one axis (yours). x: any shape -> out: the same shape.
// ---------------------------------------------------------------------------
// Along `axis`, out = exp(x - max) / sum(exp(x - max)): every slice along the
// axis is positive and sums to 1. Subtracting the slice's max first keeps
// exp() from overflowing (inputs 1000, 1001, 1002 give the same result as 0,
// 1, 2). A negative axis counts from the end; out of range throws IndexError.
Tensor softmax(const Tensor& x, int64_t axis = -1);
// log(softmax(x, axis)), computed stably as
//     x - max - log(sum(exp(x - max)))
// so it stays finite where softmax underflows to 0 (logits 1000 and -1000 give
// 0 and -2000). Module 04's cross-entropy is built on it.
Tensor log_softmax(const Tensor& x, int64_t axis = -1);

// ---------------------------------------------------------------------------
// Callable objects (provided): settings as members, operator() calls the
// function. ReLU{}(x) == relu(x); Softmax{0}(x) == softmax(x, 0).
// ---------------------------------------------------------------------------
struct ReLU {
    Tensor operator()(const Tensor& x) const { return relu(x); }
};

struct LeakyReLU {
    float negative_slope = 0.01f;
    Tensor operator()(const Tensor& x) const { return leaky_relu(x, negative_slope); }
};

struct Sigmoid {
    Tensor operator()(const Tensor& x) const { return sigmoid(x); }
};

struct Tanh {
    Tensor operator()(const Tensor& x) const { return tanh(x); }
};

struct GELU {
    Tensor operator()(const Tensor& x) const { return gelu(x); }
};

struct Softmax {
    int64_t axis = -1;
    Tensor operator()(const Tensor& x) const { return softmax(x, axis); }
};

struct LogSoftmax {
    int64_t axis = -1;
    Tensor operator()(const Tensor& x) const { return log_softmax(x, axis); }
};

}  // namespace tinytorch
