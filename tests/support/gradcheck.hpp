// gradcheck.hpp — check gradients from backward() against finite differences.
//
// For a function f of some tensors, backward() gives the analytic gradient;
// central differences give a numerical one:
//
//     d L / d x_j  ~  (L(x_j + h) - L(x_j - h)) / 2h
//
// Both are taken of one scalar, L = sum(f(inputs) * R), where R is a fixed
// random projection of f's output shape (uniform in [-1, 1], seeded): one
// scalar exercises every output element with a different weight, so a rule
// that swaps, drops or mis-scales elements cannot cancel out.
//
//     auto f = [](const std::vector<Tensor>& x) { return x[0] * x[1]; };
//     EXPECT_GRADIENTS_MATCH(f, {randn({2, 3}).requires_grad_(), randn({3})});
//
// Inputs that require grad must be leaves; they are checked, element by
// element. The others are constants (a target, a mask).
//
// Step and tolerance (float32 throughout, since every op is float32):
//   - step h = 1e-2, for inputs of order 1. The truncation error of a central
//     difference is h^2 / 6 * |f'''|, about 2e-5 here; float32 rounding in
//     L(x + h) - L(x - h) contributes about eps * |L| / h = 6e-8 * |L| / 1e-2,
//     under 1e-4 for the |L| of a few tens these tests produce. A smaller h
//     would drown the difference in rounding; a larger one in curvature.
//     The step actually taken is (x + h) - (x - h) as rounded to float, and
//     the quotient divides by that, so rounding of x + h costs nothing.
//   - tolerance 1e-2, absolute and relative: analytic and numeric must agree
//     within 1e-2 * (1 + |numeric|). Over module 06's rule tests the worst
//     disagreement of correct rules is about 5e-4 (BCE, whose 1 / (q (1 - q))
//     curves sharply), a margin of some 20 times; a wrong rule is off by far
//     more (a missing factor, a wrong sign, a gradient routed to the wrong
//     element are off by O(1); a matmul rule scaled by 1.02 already fails).
//   - L itself is accumulated in double.
// Keep inputs of order 1 and away from kinks (ReLU and abs at 0, clamp's
// bounds, ties in max) by more than h: finite differences straddling a kink
// measure neither side's derivative.
//
// The finite differences evaluate f with recording off (NoGradGuard), so f
// must not depend on grad mode, and must be deterministic (no dropout).
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "autograd.hpp"
#include "tensor.hpp"

namespace tinytorch::testing {

inline constexpr float kGradcheckStep = 1e-2f;
inline constexpr float kGradcheckTolerance = 1e-2f;
inline constexpr uint64_t kGradcheckProjectionSeed = 20240613;

using DifferentiableFunction = std::function<Tensor(const std::vector<Tensor>&)>;

namespace detail {

// Calls visit(offset, index) for every element of `shape` with `strides`, in
// row-major order; offset is the element's position relative to data().
template <class Visit>
void for_each_element(const Shape& shape, const Strides& strides, Visit visit) {
    int64_t count = 1;
    for (int64_t extent : shape) count *= extent;
    std::vector<int64_t> index(shape.size(), 0);
    for (int64_t n = 0; n < count; ++n) {
        int64_t offset = 0;
        for (size_t a = 0; a < shape.size(); ++a) offset += index[a] * strides[a];
        visit(offset, index);
        for (size_t a = shape.size(); a-- > 0;) {
            if (++index[a] < shape[a]) break;
            index[a] = 0;
        }
    }
}

// sum(out * projection) in double.
inline double project(const Tensor& out, const Tensor& projection) {
    const Tensor values = out.contiguous();
    double total = 0.0;
    for (int64_t i = 0; i < values.numel(); ++i)
        total += static_cast<double>(values.data()[i]) * projection.data()[i];
    return total;
}

inline std::string format_index(const std::vector<int64_t>& index) {
    std::ostringstream out;
    out << "(";
    for (size_t a = 0; a < index.size(); ++a) out << (a ? ", " : "") << index[a];
    out << ")";
    return out.str();
}

}  // namespace detail

// Success when, for every input that requires grad, backward()'s gradient
// matches central differences within `tolerance` (absolute and relative).
// The failure message names the input, the worst element, both values, and
// prints both gradients.
inline ::testing::AssertionResult gradients_match(const DifferentiableFunction& f,
                                                  const std::vector<Tensor>& inputs,
                                                  float tolerance = kGradcheckTolerance,
                                                  float step = kGradcheckStep) {
    for (size_t i = 0; i < inputs.size(); ++i) {
        if (!inputs[i].defined())
            return ::testing::AssertionFailure() << "gradcheck: input " << i << " is undefined";
        if (inputs[i].requires_grad() && !inputs[i].is_leaf())
            return ::testing::AssertionFailure()
                   << "gradcheck: input " << i << " requires grad but is not a leaf "
                   << "(make it with requires_grad_() on a fresh tensor)";
        inputs[i].zero_grad();
    }

    // Analytic: one backward pass with the projection as the output's gradient.
    Tensor out = f(inputs);
    Generator gen(kGradcheckProjectionSeed);
    Tensor projection = rand(out.shape(), gen) * 2.0f - 1.0f;
    out.backward(projection);

    NoGradGuard no_grad;
    bool any_checked = false;
    for (size_t i = 0; i < inputs.size(); ++i) {
        const Tensor& x = inputs[i];
        if (!x.requires_grad()) continue;
        any_checked = true;
        const Tensor analytic = x.grad().defined() ? x.grad().contiguous() : zeros(x.shape());
        if (analytic.shape() != x.shape())
            return ::testing::AssertionFailure()
                   << "gradcheck: input " << i << " of shape " << format_shape(x.shape())
                   << " got a gradient of shape " << format_shape(analytic.shape());
        Tensor numeric = empty(x.shape());

        double worst_excess = 0.0;
        std::string worst;
        int64_t flat = 0;
        float* base = x.data();
        detail::for_each_element(x.shape(), x.strides(), [&](int64_t offset, const std::vector<int64_t>& index) {
            float& value = base[offset];
            const float original = value;
            const float up = original + step, down = original - step;
            value = up;
            const double above = detail::project(f(inputs), projection);
            value = down;
            const double below = detail::project(f(inputs), projection);
            value = original;
            const double estimate = (above - below) / (static_cast<double>(up) - down);
            numeric.data()[flat] = static_cast<float>(estimate);
            const double got = analytic.data()[flat];
            const double allowed = tolerance * (1.0 + std::fabs(estimate));
            const double excess = std::fabs(got - estimate) - allowed;
            if (!(excess <= 0.0) && (worst.empty() || !(excess <= worst_excess))) {
                worst_excess = excess;
                std::ostringstream message;
                message << "element " << detail::format_index(index) << ": backward gives " << got
                        << ", finite differences " << estimate;
                worst = message.str();
            }
            ++flat;
        });
        if (!worst.empty())
            return ::testing::AssertionFailure()
                   << "gradient of input " << i << " (shape " << format_shape(x.shape())
                   << ") does not match finite differences (step " << fmt::format("{}", step)
                   << ", tolerance " << fmt::format("{}", tolerance) << ")\n  worst " << worst
                   << "\n  backward:           " << analytic.to_string()
                   << "\n  finite differences: " << numeric.to_string();
    }
    if (!any_checked)
        return ::testing::AssertionFailure()
               << "gradcheck: no input requires grad, so nothing was checked";
    return ::testing::AssertionSuccess();
}

// ---------------------------------------------------------------------------
// Inputs that suit finite differences: of order 1, away from kinks.
// ---------------------------------------------------------------------------
// Uniform in [low, high).
inline Tensor uniform_tensor(const Shape& shape, float low, float high, Generator& gen) {
    Tensor t = empty(shape);
    for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = gen.uniform(low, high);
    return t;
}

// Magnitude uniform in [min_abs, max_abs), random sign: never within min_abs
// of 0, where ReLU, abs and division have their kinks and poles.
inline Tensor signed_uniform(const Shape& shape, float min_abs, float max_abs, Generator& gen) {
    Tensor t = empty(shape);
    for (int64_t i = 0; i < t.numel(); ++i) {
        const float magnitude = gen.uniform(min_abs, max_abs);
        t.data()[i] = gen.bernoulli(0.5f) ? magnitude : -magnitude;
    }
    return t;
}

// The values (k - n/2) * spacing for k = 0..n-1, shuffled: no two within
// `spacing` of each other, so the maximum of any slice is unique and a step
// of spacing / 2 does not change which element it is.
inline Tensor distinct_values(const Shape& shape, Generator& gen, float spacing = 0.1f) {
    Tensor t = empty(shape);
    const int64_t n = t.numel();
    for (int64_t i = 0; i < n; ++i)
        t.data()[i] = (static_cast<float>(i) - static_cast<float>(n) / 2.0f) * spacing;
    for (int64_t i = n - 1; i > 0; --i) std::swap(t.data()[i], t.data()[gen.randint(0, i + 1)]);
    return t;
}

}  // namespace tinytorch::testing

// EXPECT_GRADIENTS_MATCH(f, {inputs...} [, tolerance [, step]])
// Every argument goes to gradients_match as written, so braces and lambdas
// with commas need no extra parentheses.
#define EXPECT_GRADIENTS_MATCH(...) EXPECT_TRUE(::tinytorch::testing::gradients_match(__VA_ARGS__))
#define ASSERT_GRADIENTS_MATCH(...) ASSERT_TRUE(::tinytorch::testing::gradients_match(__VA_ARGS__))
