// spatial.hpp — module 09: convolution, pooling and batch normalisation for
// images, each with its backward function.
//
// Everything is NCHW: a batch of images is (N, C, H, W) — N images, C
// channels, H rows, W columns, the last axis contiguous — and every op here
// takes and returns that layout.
//
//     Sequential cnn{Conv2d(3, 32, 3, 1, 1), ReLU{}, MaxPool2d(2),     // (N, 3, 32, 32) -> (N, 32, 16, 16)
//                    Conv2d(32, 64, 3, 1, 1), ReLU{}, MaxPool2d(2),    //                -> (N, 64, 8, 8)
//                    Flatten(), Linear(4096, 10)};                     //                -> (N, 10)
//
// Choices made once for the whole module:
//   - Square kernels (one `kernel` size), the same stride and padding on both
//     axes.
//   - Output size: out = floor((in + 2 * padding - kernel) / stride) + 1, on H
//     and W alike (conv_output_size). A kernel larger than the padded input
//     throws ShapeError.
//   - Padding is zeros for convolution and average pooling, -inf for max
//     pooling (a padded position never wins). Pooling padding is at most
//     kernel / 2, as in PyTorch, so every window holds a real element.
//   - Average pooling divides by kernel * kernel, padded zeros included
//     (PyTorch's default, count_include_pad = true).
//   - Max pooling ties: the first maximum in row-major window order takes the
//     value and, in backward, the whole gradient.
//
// Autograd: these ops come after module 06, so each forward records itself
// with record_custom(name, out, inputs, backward) (graph.hpp), passing a
// lambda that calls the op's backward function below with what it saved.
// The backward functions are plain functions too, so they can be tested
// (and used) without the engine.
//
// Who writes what: spatial.cpp is yours — every function declared here except
// max_pool2d, whose body (and every record_custom line) is provided.
//
// This header is the contract the tests check; do not change it.
#pragma once

#include <cstdint>
#include <vector>

#include "layers.hpp"
#include "tensor.hpp"

namespace tinytorch {

// ---------------------------------------------------------------------------
// Sizes and the im2col layout
// ---------------------------------------------------------------------------

// The number of window positions along one axis:
//     floor((input_size + 2 * padding - kernel) / stride) + 1,
// or 0 when the kernel is larger than the padded input (no window fits).
// conv_output_size(32, 3, 1, 1) = 32; conv_output_size(7, 3, 2, 1) = 4.
int64_t conv_output_size(int64_t input_size, int64_t kernel, int64_t stride, int64_t padding);

// image (C, H, W) -> columns (C*K*K, OH*OW): one column per output position,
// holding the window that the kernel sees there, zeros where it overlaps the
// padding.
//     row    r = (c * K + ki) * K + kj      (the order of a weight (OC, C, K, K))
//     column p = oh * OW + ow               (the order of an output plane)
//     columns[r][p] = image[c][oh * stride - padding + ki][ow * stride - padding + kj]
// Then weight.reshape({OC, C*K*K}).matmul(columns) is the convolution of the
// image, already in (OC, OH*OW) = (OC, OH, OW) order.
Tensor im2col(const Tensor& image, int64_t kernel, int64_t stride, int64_t padding);

// The adjoint of im2col: columns (C*K*K, OH*OW) -> image (C, H, W). Every
// entry of `columns` is added into the pixel im2col copied it from; entries
// that came from the padding are dropped. A pixel seen by several windows
// receives the sum. image_shape is (C, H, W).
Tensor col2im(const Tensor& columns, const Shape& image_shape, int64_t kernel, int64_t stride,
              int64_t padding);

// Which gradients a backward function computes; the others come back
// undefined. The recorded ops ask for those of the inputs that require grad:
// a network's input images need none, which spares the first convolution its
// whole col2im. For batch norm, `weight` is gamma and `bias` is beta.
struct NeededGradients {
    bool input = true;
    bool weight = true;
    bool bias = true;
};

// ---------------------------------------------------------------------------
// Convolution
// ---------------------------------------------------------------------------

// x (N, C, H, W), weight (OC, C, K, K), bias (OC) or undefined -> (N, OC, OH, OW)
//     out[n][o][i][j] = bias[o] + sum_{c, ki, kj} weight[o][c][ki][kj]
//                                  * x[n][c][i * stride - padding + ki][j * stride - padding + kj]
// (a cross-correlation, as in every deep-learning library), zeros outside x.
// Errors: ShapeError for x or weight not 4-D, a non-square kernel, channel
// counts that differ, a bias not (OC), a kernel larger than the padded input;
// ValueError for stride < 1 or padding < 0. Messages show the shapes.
// Records "Conv2d" with inputs {x, weight, bias}.
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
              int64_t stride = 1, int64_t padding = 0);

struct Conv2dGradients {
    Tensor input;   // (N, C, H, W)
    Tensor weight;  // (OC, C, K, K)
    Tensor bias;    // (OC)
};

// grad_output (N, OC, OH, OW) -> the gradients of conv2d(x, weight, bias,
// stride, padding). Per image n, with col = im2col(x[n]) and dY = grad_output[n]
// seen as (OC, OH*OW):
//     weight += dY col^T       (summed over the batch)
//     bias   += dY summed over OH*OW
//     input[n] = col2im(weight^T dY)
Conv2dGradients conv2d_backward(const Tensor& grad_output, const Tensor& x, const Tensor& weight,
                                int64_t stride, int64_t padding, NeededGradients needed = {});

// ---------------------------------------------------------------------------
// Pooling
// ---------------------------------------------------------------------------

// The output of max pooling and, for each output element, where its value
// came from: the index h * W + w within its own (n, c) plane of the input.
struct MaxPool2dResult {
    Tensor output;                // (N, C, OH, OW)
    std::vector<int32_t> argmax;  // N*C*OH*OW entries, in the output's row-major order
};

// x (N, C, H, W) -> (N, C, OH, OW): the largest value of each kernel x kernel
// window, windows `stride` apart (stride -1 means stride = kernel), -inf
// padding. The first maximum in row-major window order wins ties.
// Errors: ShapeError for x not 4-D or a window larger than the padded input;
// ValueError for kernel < 1, stride < 1 (other than -1), padding < 0 or
// padding > kernel / 2.
MaxPool2dResult max_pool2d_with_indices(const Tensor& x, int64_t kernel, int64_t stride = -1,
                                        int64_t padding = 0);

// The same output, recorded as "MaxPool2d" (provided: it calls
// max_pool2d_with_indices and keeps the indices for backward).
Tensor max_pool2d(const Tensor& x, int64_t kernel, int64_t stride = -1, int64_t padding = 0);

// grad_output (N, C, OH, OW) -> grad_input (input_shape = (N, C, H, W)):
// zeros, plus each output's gradient added at its argmax.
Tensor max_pool2d_backward(const Tensor& grad_output, const std::vector<int32_t>& argmax,
                           const Shape& input_shape);

// x (N, C, H, W) -> (N, C, OH, OW): the mean of each window, dividing by
// kernel * kernel (padded zeros count). Same arguments and errors as max
// pooling. Records "AvgPool2d" with inputs {x}.
Tensor avg_pool2d(const Tensor& x, int64_t kernel, int64_t stride = -1, int64_t padding = 0);

// grad_output (N, C, OH, OW) -> grad_input (input_shape): each output's
// gradient spread evenly, 1 / (kernel * kernel) to every real pixel of its
// window (the padded share is dropped).
Tensor avg_pool2d_backward(const Tensor& grad_output, const Shape& input_shape, int64_t kernel,
                           int64_t stride = -1, int64_t padding = 0);

// ---------------------------------------------------------------------------
// Batch normalisation
// ---------------------------------------------------------------------------

// x (N, C, H, W), gamma, beta, running_mean, running_var (C) -> (N, C, H, W)
//     out = gamma[c] * (x - mean[c]) / sqrt(var[c] + eps) + beta[c]
// Training: mean and var are the batch's, over N, H and W (M = N*H*W values
// per channel), var the biased one (divide by M). The running statistics
// are then updated in place:
//     running_mean = (1 - momentum) * running_mean + momentum * mean
//     running_var  = (1 - momentum) * running_var  + momentum * var * M / (M - 1)
// (the unbiased variance, as PyTorch does). Evaluation: mean and var are the
// running statistics, which are left unchanged.
// Errors: ShapeError for x not 4-D or a parameter or statistic not (C);
// ValueError in training with M < 2 (no variance to measure).
// Records "BatchNorm2d" with inputs {x, gamma, beta}.
Tensor batch_norm2d(const Tensor& x, const Tensor& gamma, const Tensor& beta, Tensor& running_mean,
                    Tensor& running_var, bool training, float momentum = 0.1f, float eps = 1e-5f);

struct BatchNorm2dGradients {
    Tensor input;  // (N, C, H, W)
    Tensor gamma;  // (C)
    Tensor beta;   // (C)
};

// grad_output (N, C, H, W) -> the gradients of batch_norm2d, given the mean
// (C) and inv_std = 1 / sqrt(var + eps) (C) the forward used. With
// x_hat = (x - mean) * inv_std and dy = grad_output, per channel:
//     beta  = sum dy                gamma = sum dy * x_hat
//     training: input = gamma * inv_std * (dy - mean(dy) - x_hat * mean(dy * x_hat))
//     eval:     input = gamma * inv_std * dy     (the statistics are constants)
BatchNorm2dGradients batch_norm2d_backward(const Tensor& grad_output, const Tensor& x,
                                           const Tensor& mean, const Tensor& inv_std,
                                           const Tensor& gamma, bool training,
                                           NeededGradients needed = {});

// ---------------------------------------------------------------------------
// Modules
// ---------------------------------------------------------------------------

// Conv2d: conv2d(x, weight, bias, stride, padding) with its own parameters.
// x (N, in_channels, H, W) -> (N, out_channels, OH, OW).
//
// Initialisation — Kaiming (He) uniform, as Linear (module 03), with
// fan_in = in_channels * kernel * kernel, the number of products each output
// sums:
//     weight ~ U(-bound, bound),  bound = sqrt(6 / fan_in)
// one gen.uniform(-bound, bound) per element in row-major (OC, C, K, K)
// order; the bias starts at 0. Conv2d(3, 32, 3) has 32*3*3*3 + 32 = 896
// parameters.
class Conv2d : public Module {
public:
    // in_channels, out_channels and kernel_size must be >= 1, stride >= 1 and
    // padding >= 0 (ValueError otherwise).
    Conv2d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, int64_t stride = 1,
           int64_t padding = 0, bool bias = true, Generator& gen = default_generator());
    Tensor forward(const Tensor& input) override;

    int64_t in_channels;
    int64_t out_channels;
    int64_t kernel_size;
    int64_t stride;
    int64_t padding;
    Tensor weight;  // (out_channels, in_channels, kernel_size, kernel_size)
    Tensor bias;    // (out_channels); undefined when built with bias = false
};

// MaxPool2d: max_pool2d(x, kernel_size, stride, padding). No parameters.
// stride -1 means stride = kernel_size. x (N, C, H, W) -> (N, C, OH, OW).
class MaxPool2d : public Module {
public:
    // The same checks as max_pool2d_with_indices, made here (ValueError).
    explicit MaxPool2d(int64_t kernel_size, int64_t stride = -1, int64_t padding = 0);
    Tensor forward(const Tensor& input) override;

    int64_t kernel_size;
    int64_t stride;  // the stride used: kernel_size when built with -1
    int64_t padding;
};

// AvgPool2d: avg_pool2d(x, kernel_size, stride, padding). No parameters.
class AvgPool2d : public Module {
public:
    explicit AvgPool2d(int64_t kernel_size, int64_t stride = -1, int64_t padding = 0);
    Tensor forward(const Tensor& input) override;

    int64_t kernel_size;
    int64_t stride;  // the stride used: kernel_size when built with -1
    int64_t padding;
};

// BatchNorm2d: batch_norm2d over num_features channels.
// x (N, num_features, H, W) -> the same shape.
// Parameters "gamma" (ones) and "beta" (zeros); buffers "running_mean"
// (zeros) and "running_var" (ones), which checkpoints save. Training mode
// normalises with the batch's statistics and updates the running ones;
// eval() switches to the running statistics.
class BatchNorm2d : public Module {
public:
    // num_features >= 1, eps > 0 and momentum in [0, 1] (ValueError otherwise).
    explicit BatchNorm2d(int64_t num_features, float eps = 1e-5f, float momentum = 0.1f);
    Tensor forward(const Tensor& input) override;

    int64_t num_features;
    float eps;
    float momentum;
    Tensor gamma;         // (num_features), a parameter
    Tensor beta;          // (num_features), a parameter
    Tensor running_mean;  // (num_features), a buffer
    Tensor running_var;   // (num_features), a buffer
};

}  // namespace tinytorch
