// finite_differences.hpp — numerical gradients for checking module 09's
// backward functions directly, without the autograd engine.
//
// For an op f and fixed weights R of f's output shape, the scalar
//     L(x) = sum(f(x) * R)
// has dL/dx = backward(grad_output = R). Each entry of that gradient is
// estimated by a central difference
//     (L(x + h e_i) - L(x - h e_i)) / 2h,
// with L summed in double. Convolution and pooling are (piecewise) linear,
// so the estimate is exact up to float rounding; batch norm is smooth.
#pragma once

#include <functional>

#include "tensor.hpp"

namespace tinytorch::testing {

// sum(out * weights) in double; both of the same shape.
inline double weighted_sum(const Tensor& out, const Tensor& weights) {
    const Tensor a = untracked(out).contiguous(), b = untracked(weights).contiguous();
    double total = 0.0;
    for (int64_t i = 0; i < a.numel(); ++i)
        total += static_cast<double>(a.data()[i]) * static_cast<double>(b.data()[i]);
    return total;
}

// The gradient of sum(f(x) * weights) with respect to x, by central
// differences of step h: a tensor of x's shape.
inline Tensor numerical_gradient(const std::function<Tensor(const Tensor&)>& f, const Tensor& x,
                                 const Tensor& weights, float h = 1e-2f) {
    Tensor point = untracked(x).clone();
    Tensor gradient = empty(x.shape());
    for (int64_t i = 0; i < point.numel(); ++i) {
        const float original = point.data()[i];
        point.data()[i] = original + h;
        const double up = weighted_sum(f(point), weights);
        point.data()[i] = original - h;
        const double down = weighted_sum(f(point), weights);
        point.data()[i] = original;
        gradient.data()[i] = static_cast<float>((up - down) / (2.0 * static_cast<double>(h)));
    }
    return gradient;
}

}  // namespace tinytorch::testing
