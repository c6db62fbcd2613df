// spatial_reference.hpp — direct, double-precision definitions of module 09's
// ops and their gradients, for the hidden tests to compare against. Loops
// over contiguous copies; no im2col, no gemm, nothing shared with the code
// under test.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "tensor.hpp"

namespace tinytorch::reference {

struct Dims {
    int64_t N, C, H, W;
    explicit Dims(const Tensor& t) : N(t.size(0)), C(t.size(1)), H(t.size(2)), W(t.size(3)) {}
    int64_t at(int64_t n, int64_t c, int64_t h, int64_t w) const { return ((n * C + c) * H + h) * W + w; }
};

inline int64_t out_size(int64_t in, int64_t K, int64_t S, int64_t P) { return (in + 2 * P - K) / S + 1; }

// Values of a tensor in row-major order, as doubles.
inline std::vector<double> values(const Tensor& t) {
    const Tensor c = untracked(t).contiguous();
    return std::vector<double>(c.data(), c.data() + c.numel());
}

inline Tensor to_tensor(const std::vector<double>& v, const Shape& shape) {
    std::vector<float> f(v.begin(), v.end());
    return Tensor(f, shape);
}

// Calls f(n, o, i, j, c, ki, kj, h, w) for every product term of a convolution
// whose input position (h, w) is inside the image.
template <class F>
void for_each_conv_term(const Dims& x, int64_t OC, int64_t K, int64_t S, int64_t P, F f) {
    const int64_t OH = out_size(x.H, K, S, P), OW = out_size(x.W, K, S, P);
    for (int64_t n = 0; n < x.N; ++n)
        for (int64_t o = 0; o < OC; ++o)
            for (int64_t i = 0; i < OH; ++i)
                for (int64_t j = 0; j < OW; ++j)
                    for (int64_t c = 0; c < x.C; ++c)
                        for (int64_t ki = 0; ki < K; ++ki)
                            for (int64_t kj = 0; kj < K; ++kj) {
                                const int64_t h = i * S - P + ki, w = j * S - P + kj;
                                if (h >= 0 && h < x.H && w >= 0 && w < x.W) f(n, o, i, j, c, ki, kj, h, w);
                            }
}

inline Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t S, int64_t P) {
    const Dims d(x);
    const int64_t OC = weight.size(0), K = weight.size(2);
    const int64_t OH = out_size(d.H, K, S, P), OW = out_size(d.W, K, S, P);
    const std::vector<double> xv = values(x), wv = values(weight);
    std::vector<double> out(static_cast<size_t>(d.N * OC * OH * OW), 0.0);
    const auto out_at = [&](int64_t n, int64_t o, int64_t i, int64_t j) { return ((n * OC + o) * OH + i) * OW + j; };
    for_each_conv_term(d, OC, K, S, P, [&](int64_t n, int64_t o, int64_t i, int64_t j, int64_t c, int64_t ki, int64_t kj, int64_t h, int64_t w) {
        out[static_cast<size_t>(out_at(n, o, i, j))] +=
            wv[static_cast<size_t>(((o * d.C + c) * K + ki) * K + kj)] * xv[static_cast<size_t>(d.at(n, c, h, w))];
    });
    if (bias.defined()) {
        const std::vector<double> bv = values(bias);
        for (int64_t n = 0; n < d.N; ++n)
            for (int64_t o = 0; o < OC; ++o)
                for (int64_t p = 0; p < OH * OW; ++p) out[static_cast<size_t>((n * OC + o) * OH * OW + p)] += bv[static_cast<size_t>(o)];
    }
    return to_tensor(out, {d.N, OC, OH, OW});
}

struct ConvGrads {
    Tensor input, weight, bias;
};

inline ConvGrads conv2d_backward(const Tensor& dy, const Tensor& x, const Tensor& weight, int64_t S, int64_t P) {
    const Dims d(x);
    const int64_t OC = weight.size(0), K = weight.size(2);
    const int64_t OH = out_size(d.H, K, S, P), OW = out_size(d.W, K, S, P);
    const std::vector<double> xv = values(x), wv = values(weight), gv = values(dy);
    std::vector<double> dx(xv.size(), 0.0), dw(wv.size(), 0.0), db(static_cast<size_t>(OC), 0.0);
    for_each_conv_term(d, OC, K, S, P, [&](int64_t n, int64_t o, int64_t i, int64_t j, int64_t c, int64_t ki, int64_t kj, int64_t h, int64_t w) {
        const size_t wi = static_cast<size_t>(((o * d.C + c) * K + ki) * K + kj);
        const size_t xi = static_cast<size_t>(d.at(n, c, h, w));
        const double g = gv[static_cast<size_t>(((n * OC + o) * OH + i) * OW + j)];
        dx[xi] += wv[wi] * g;
        dw[wi] += xv[xi] * g;
    });
    for (int64_t n = 0; n < d.N; ++n)
        for (int64_t o = 0; o < OC; ++o)
            for (int64_t p = 0; p < OH * OW; ++p) db[static_cast<size_t>(o)] += gv[static_cast<size_t>((n * OC + o) * OH * OW + p)];
    return {to_tensor(dx, x.shape()), to_tensor(dw, weight.shape()), to_tensor(db, {OC})};
}

// Max (-inf padding, first maximum wins) or average (divide by K*K) pooling,
// and the gradient of either for a given dy.
struct Pooled {
    Tensor output, input_grad;
};

inline Pooled pool2d(const Tensor& x, const Tensor& dy, int64_t K, int64_t S, int64_t P, bool take_max) {
    const Dims d(x);
    const int64_t OH = out_size(d.H, K, S, P), OW = out_size(d.W, K, S, P);
    const std::vector<double> xv = values(x);
    const std::vector<double> gv = dy.defined() ? values(dy) : std::vector<double>(static_cast<size_t>(d.N * d.C * OH * OW), 0.0);
    std::vector<double> out(static_cast<size_t>(d.N * d.C * OH * OW)), dx(xv.size(), 0.0);
    for (int64_t n = 0; n < d.N; ++n)
        for (int64_t c = 0; c < d.C; ++c)
            for (int64_t i = 0; i < OH; ++i)
                for (int64_t j = 0; j < OW; ++j) {
                    const size_t o = static_cast<size_t>(((n * d.C + c) * OH + i) * OW + j);
                    double best = -std::numeric_limits<double>::infinity(), sum = 0.0;
                    int64_t best_at = -1;
                    for (int64_t ki = 0; ki < K; ++ki)
                        for (int64_t kj = 0; kj < K; ++kj) {
                            const int64_t h = i * S - P + ki, w = j * S - P + kj;
                            if (h < 0 || h >= d.H || w < 0 || w >= d.W) continue;
                            const double v = xv[static_cast<size_t>(d.at(n, c, h, w))];
                            sum += v;
                            if (v > best) best = v, best_at = d.at(n, c, h, w);
                            if (!take_max) dx[static_cast<size_t>(d.at(n, c, h, w))] += gv[o] / double(K * K);
                        }
                    out[o] = take_max ? best : sum / double(K * K);
                    if (take_max) dx[static_cast<size_t>(best_at)] += gv[o];
                }
    return {to_tensor(out, {d.N, d.C, OH, OW}), to_tensor(dx, x.shape())};
}

// Batch norm in double: training statistics (biased variance) or the given ones.
struct Normalised {
    Tensor output, mean, var;
};

inline Normalised batch_norm2d(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor* stats_mean,
                               const Tensor* stats_var, double eps) {
    const Dims d(x);
    const std::vector<double> xv = values(x), gv = values(gamma), bv = values(beta);
    std::vector<double> mean(static_cast<size_t>(d.C), 0.0), var(static_cast<size_t>(d.C), 0.0), out(xv.size());
    const double M = double(d.N * d.H * d.W);
    for (int64_t c = 0; c < d.C; ++c) {
        double s = 0.0, ss = 0.0;
        for (int64_t n = 0; n < d.N; ++n)
            for (int64_t p = 0; p < d.H * d.W; ++p) s += xv[static_cast<size_t>((n * d.C + c) * d.H * d.W + p)];
        const double m = s / M;
        for (int64_t n = 0; n < d.N; ++n)
            for (int64_t p = 0; p < d.H * d.W; ++p) {
                const double v = xv[static_cast<size_t>((n * d.C + c) * d.H * d.W + p)] - m;
                ss += v * v;
            }
        mean[static_cast<size_t>(c)] = stats_mean ? double(stats_mean->at({c})) : m;
        var[static_cast<size_t>(c)] = stats_var ? double(stats_var->at({c})) : ss / M;
    }
    for (int64_t n = 0; n < d.N; ++n)
        for (int64_t c = 0; c < d.C; ++c)
            for (int64_t p = 0; p < d.H * d.W; ++p) {
                const size_t i = static_cast<size_t>((n * d.C + c) * d.H * d.W + p);
                const size_t k = static_cast<size_t>(c);
                out[i] = gv[k] * (xv[i] - mean[k]) / std::sqrt(var[k] + eps) + bv[k];
            }
    return {to_tensor(out, x.shape()), to_tensor(mean, {d.C}), to_tensor(var, {d.C})};
}

}  // namespace tinytorch::reference
