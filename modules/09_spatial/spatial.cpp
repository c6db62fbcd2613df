// spatial.cpp — module 09: your convolution, pooling and batch norm.
//
// Each function below says what it must do; spatial.hpp has the full
// contract and modules/09_spatial/README.md the concepts (im2col, the
// backward passes), hints and common mistakes. Run `tito module test 09` to
// check your work.
//
// The differentiable ops end with a provided `return record_custom(...)`
// line whose lambda calls your backward function with what it saved.
// Compute `out` (and whatever else the line names) above it and leave the
// line as it is. Read inputs through untracked(x).contiguous() (graph.hpp):
// then data()[i] is element i, and nothing you compute enters the graph.
//
// Speed matters here: milestone 04 spends nearly all of its time in
// conv2d and conv2d_backward. Get them right with plain loops first (the
// tests only check values), then make them fast: im2col plus gemm() (module
// 01, gemm.hpp), one image per thread. tools/bench/spatial_benchmark.cpp
// measures them.
#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "gemm.hpp"
#include "spatial.hpp"

namespace tinytorch {

// BEGIN SOLUTION HELPERS
namespace {

// ---------------------------------------------------------------------------
// Geometry: the sizes of one convolution or pooling, checked once.
// ---------------------------------------------------------------------------
struct Geometry {
    int64_t channels = 0, height = 0, width = 0;  // one input image (C, H, W)
    int64_t kernel = 1, stride = 1, padding = 0;
    int64_t out_height = 0, out_width = 0;

    int64_t plane() const { return height * width; }
    int64_t out_plane() const { return out_height * out_width; }
    int64_t image() const { return channels * plane(); }
    // Rows of the im2col matrix: one per (channel, kernel row, kernel column).
    int64_t patch() const { return channels * kernel * kernel; }
};

// Division rounding toward -inf (C++'s / rounds toward zero).
int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

// Output positions o in [first, last) whose input index o * stride - padding
// + k lies inside [0, size); the others read padding.
std::pair<int64_t, int64_t> valid_outputs(int64_t k, int64_t size, int64_t out_size,
                                          int64_t stride, int64_t padding) {
    const int64_t first = std::clamp<int64_t>(-floor_div(k - padding, stride), 0, out_size);
    const int64_t last = std::min(out_size, floor_div(size - 1 + padding - k, stride) + 1);
    return {first, std::max(first, last)};
}

// ---------------------------------------------------------------------------
// Threads: one image (or one plane, one channel) per thread, and gemm()
// called single-threaded inside (it notices the parallel region).
// ---------------------------------------------------------------------------
int max_threads() {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

int thread_index() {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

bool in_parallel_region() {
#ifdef _OPENMP
    return omp_in_parallel() != 0;
#else
    return false;
#endif
}

// Below this many multiply-adds (or elements, for the memory-bound ops) a
// team of threads costs more than it saves.
constexpr int64_t kParallelWork = int64_t{1} << 16;

// ---------------------------------------------------------------------------
// Sums: 16 float lanes the compiler vectorises (one accumulator would be a
// serial chain: float addition does not reassociate without -ffast-math),
// returned in double. Callers sum short runs (one plane) and add the runs
// in double, so no lane adds up more than a plane's worth of values.
// ---------------------------------------------------------------------------
constexpr int64_t kLanes = 16;

template <class Term>
double lane_sum(int64_t n, Term term) {
    float lanes[kLanes] = {};
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes)
        for (int64_t l = 0; l < kLanes; ++l) lanes[l] += term(i + l);
    double total = 0.0;
    for (; i < n; ++i) total += term(i);
    for (const float lane : lanes) total += lane;
    return total;
}

// ---------------------------------------------------------------------------
// im2col and col2im on one contiguous image (the layout is in spatial.hpp).
// ---------------------------------------------------------------------------

// image (C, H, W) -> columns (C*K*K, OH*OW), row-major.
// The runs are short (OW = 16 floats in the CIFAR network), so plain loops
// the compiler vectorises beat a memcpy/fill call per run.
void im2col_image(const float* image, const Geometry& g, float* columns) {
    const int64_t K = g.kernel, S = g.stride, P = g.padding, OW = g.out_width;
    for (int64_t c = 0; c < g.channels; ++c) {
        const float* plane = image + c * g.plane();
        for (int64_t ki = 0; ki < K; ++ki) {
            const auto [oh_first, oh_last] = valid_outputs(ki, g.height, g.out_height, S, P);
            for (int64_t kj = 0; kj < K; ++kj) {
                float* row = columns + ((c * K + ki) * K + kj) * g.out_plane();
                const auto [ow_first, ow_last] = valid_outputs(kj, g.width, OW, S, P);
                for (int64_t i = 0; i < oh_first * OW; ++i) row[i] = 0.0f;  // rows above the image
                if (S == 1 && OW == g.width) {
                    // "Same" padding: the valid rows are the plane shifted by a
                    // constant offset, one long copy; then the columns that
                    // wrapped around from the neighbouring row are zeroed.
                    const int64_t shift = (ki - P) * g.width + (kj - P);
                    const int64_t begin = std::max(oh_first * OW, -shift);
                    const int64_t end = std::min(oh_last * OW, g.plane() - shift);
                    for (int64_t i = begin; i < end; ++i) row[i] = plane[i + shift];
                    for (int64_t oh = oh_first; oh < oh_last; ++oh) {
                        for (int64_t ow = 0; ow < ow_first; ++ow) row[oh * OW + ow] = 0.0f;
                        for (int64_t ow = ow_last; ow < OW; ++ow) row[oh * OW + ow] = 0.0f;
                    }
                    for (int64_t i = oh_last * OW; i < g.out_plane(); ++i) row[i] = 0.0f;
                    continue;
                }
                for (int64_t oh = oh_first; oh < oh_last; ++oh) {
                    float* out = row + oh * OW;
                    const float* in = plane + (oh * S - P + ki) * g.width;
                    for (int64_t ow = 0; ow < ow_first; ++ow) out[ow] = 0.0f;
                    if (S == 1) {
                        for (int64_t ow = ow_first; ow < ow_last; ++ow) out[ow] = in[ow - P + kj];
                    } else {
                        for (int64_t ow = ow_first; ow < ow_last; ++ow) out[ow] = in[ow * S - P + kj];
                    }
                    for (int64_t ow = ow_last; ow < OW; ++ow) out[ow] = 0.0f;
                }
                for (int64_t i = oh_last * OW; i < g.out_plane(); ++i) row[i] = 0.0f;  // below
            }
        }
    }
}

// columns (C*K*K, OH*OW) -> image (C, H, W): image += col2im(columns).
void col2im_image(const float* columns, const Geometry& g, float* image) {
    const int64_t K = g.kernel, S = g.stride, P = g.padding, OW = g.out_width;
    for (int64_t c = 0; c < g.channels; ++c) {
        float* plane = image + c * g.plane();
        for (int64_t ki = 0; ki < K; ++ki) {
            const auto [oh_first, oh_last] = valid_outputs(ki, g.height, g.out_height, S, P);
            for (int64_t kj = 0; kj < K; ++kj) {
                const float* row = columns + ((c * K + ki) * K + kj) * g.out_plane();
                const auto [ow_first, ow_last] = valid_outputs(kj, g.width, OW, S, P);
                for (int64_t oh = oh_first; oh < oh_last; ++oh) {
                    const float* in = row + oh * OW;
                    float* out = plane + (oh * S - P + ki) * g.width;
                    if (S == 1) {
                        for (int64_t ow = ow_first; ow < ow_last; ++ow) out[ow - P + kj] += in[ow];
                    } else {
                        for (int64_t ow = ow_first; ow < ow_last; ++ow) out[ow * S - P + kj] += in[ow];
                    }
                }
            }
        }
    }
}

// A 1x1 kernel with stride 1 and no padding: the columns are the image itself.
bool columns_are_image(const Geometry& g) {
    return g.kernel == 1 && g.stride == 1 && g.padding == 0;
}

// ---------------------------------------------------------------------------
// Convolution kernels on contiguous buffers.
// ---------------------------------------------------------------------------

// x (N, C, H, W), w (OC, C*K*K), b (OC) or null -> y (N, OC, OH*OW).
// Per image: y rows start at the bias, then y += w * im2col(x[n]) — the
// product lands in (OC, OH*OW), which is NCHW, so no permute follows.
void conv2d_forward_batch(const float* x, const float* w, const float* b, const Geometry& g,
                          int64_t batch, int64_t out_channels, float* y) {
    const int64_t work = batch * out_channels * g.patch() * g.out_plane();
    const bool over_batch = batch > 1 && work >= kParallelWork && !in_parallel_region();
#pragma omp parallel if (over_batch)
    {
        Tensor scratch = columns_are_image(g) ? Tensor() : empty({g.patch(), g.out_plane()});
#pragma omp for schedule(static)
        for (int64_t n = 0; n < batch; ++n) {
            const float* image = x + n * g.image();
            const float* col = image;
            if (scratch.defined()) {
                im2col_image(image, g, scratch.data());
                col = scratch.data();
            }
            float* out = y + n * out_channels * g.out_plane();
            if (b != nullptr)
                for (int64_t o = 0; o < out_channels; ++o)
                    std::fill_n(out + o * g.out_plane(), g.out_plane(), b[o]);
            gemm(out_channels, g.out_plane(), g.patch(), {w, g.patch(), 1}, {col, g.out_plane(), 1},
                 out, g.out_plane(), /*accumulate=*/b != nullptr);
        }
    }
}

// dst (cols x rows) = src (rows x cols) transposed, in tiles that stay in L1.
// Within a tile the reads run along src's rows: reading down a column of a
// (32 x 1024) gradient would touch 16 lines 4 KB apart, which share one set
// of the L1 cache and evict each other.
void transpose(const float* src, int64_t rows, int64_t cols, float* dst) {
    constexpr int64_t kTile = 16;
    for (int64_t i0 = 0; i0 < rows; i0 += kTile)
        for (int64_t j0 = 0; j0 < cols; j0 += kTile) {
            const int64_t i1 = std::min(i0 + kTile, rows), j1 = std::min(j0 + kTile, cols);
            for (int64_t i = i0; i < i1; ++i)
                for (int64_t j = j0; j < j1; ++j) dst[j * rows + i] = src[i * cols + j];
        }
}

// dy (N, OC, OH*OW), x (N, C, H, W), w (OC, C*K*K) ->
//   dx (N, C, H, W), dw (OC, C*K*K), db (OC); each computed only when non-null.
// Images are split over threads; each thread sums its images' dw and db in
// its own buffer, and the buffers are added in thread order after, so the
// result does not depend on timing.
//
// The weight gradient is computed transposed, dw^T (C*K*K x OC) += col *
// dy^T, with dy^T copied out per image: gemm() reads its right operand
// fastest row-major, and dy (OC x OH*OW) is smaller than col
// (C*K*K x OH*OW), so it is the cheaper one to transpose.
void conv2d_backward_batch(const float* dy, const float* x, const float* w, const Geometry& g,
                           int64_t batch, int64_t out_channels, float* dx, float* dw, float* db) {
    const int64_t OC = out_channels, patch = g.patch(), out_plane = g.out_plane();
    const int64_t work = batch * OC * patch * out_plane;
    const bool over_batch = batch > 1 && work >= kParallelWork && !in_parallel_region();
    const int threads = over_batch ? max_threads() : 1;
    std::vector<float> partial_dw_t(dw ? static_cast<size_t>(threads * patch * OC) : 0, 0.0f);
    std::vector<double> partial_db(db ? static_cast<size_t>(threads * OC) : 0, 0.0);
#pragma omp parallel num_threads(threads) if (over_batch)
    {
        const int t = thread_index();
        float* my_dw_t = dw ? partial_dw_t.data() + t * patch * OC : nullptr;
        double* my_db = db ? partial_db.data() + t * OC : nullptr;
        const bool copy_columns = !columns_are_image(g);
        Tensor col = dw && copy_columns ? empty({patch, out_plane}) : Tensor();
        Tensor grad_t = dw ? empty({out_plane, OC}) : Tensor();
        Tensor dcol = dx && copy_columns ? empty({patch, out_plane}) : Tensor();
#pragma omp for schedule(static)
        for (int64_t n = 0; n < batch; ++n) {
            const float* grad = dy + n * OC * out_plane;
            const float* image = x + n * g.image();
            if (my_dw_t) {  // dw^T += col (C*K*K x OH*OW) * dy^T (OH*OW x OC)
                const float* columns = image;
                if (copy_columns) {
                    im2col_image(image, g, col.data());
                    columns = col.data();
                }
                transpose(grad, OC, out_plane, grad_t.data());
                gemm(patch, OC, out_plane, {columns, out_plane, 1}, {grad_t.data(), OC, 1}, my_dw_t,
                     OC, /*accumulate=*/true);
            }
            if (my_db)
                for (int64_t o = 0; o < OC; ++o)
                    my_db[o] += lane_sum(out_plane, [row = grad + o * out_plane](int64_t i) { return row[i]; });
            if (dx) {  // dcol = w^T (C*K*K x OC) * dy (OC x OH*OW); dx = col2im(dcol)
                float* image_grad = dx + n * g.image();
                if (copy_columns) {
                    gemm(patch, out_plane, OC, {w, 1, patch}, {grad, out_plane, 1}, dcol.data(),
                         out_plane, false);
                    std::fill_n(image_grad, g.image(), 0.0f);
                    col2im_image(dcol.data(), g, image_grad);
                } else {
                    gemm(patch, out_plane, OC, {w, 1, patch}, {grad, out_plane, 1}, image_grad,
                         out_plane, false);
                }
            }
        }
    }
    if (dw) {
        std::fill_n(dw, OC * patch, 0.0f);
        for (int t = 0; t < threads; ++t) {
            const float* part = partial_dw_t.data() + t * patch * OC;
            for (int64_t o = 0; o < OC; ++o)
                for (int64_t r = 0; r < patch; ++r) dw[o * patch + r] += part[r * OC + o];
        }
    }
    if (db)
        for (int64_t o = 0; o < OC; ++o) {
            double total = 0.0;
            for (int t = 0; t < threads; ++t) total += partial_db[static_cast<size_t>(t * OC + o)];
            db[o] = static_cast<float>(total);
        }
}

// ---------------------------------------------------------------------------
// Argument and shape checks shared by the ops and their backward functions.
// ---------------------------------------------------------------------------

void check_image_batch(const char* op, const char* name, const Shape& shape) {
    TT_CHECK(shape.size() == 4, ShapeError, "{}: expected {} of shape (N, C, H, W), got {}", op,
             name, format_shape(shape));
}

// The output size on both axes of an input whose last three axes are
// (C, H, W); throws when no window fits, showing the input as `name`.
Geometry make_geometry(const char* op, const char* name, const Shape& shape, int64_t kernel,
                       int64_t stride, int64_t padding) {
    const size_t axes = shape.size();
    Geometry g;
    g.channels = shape[axes - 3];
    g.height = shape[axes - 2];
    g.width = shape[axes - 1];
    g.kernel = kernel;
    g.stride = stride;
    g.padding = padding;
    g.out_height = conv_output_size(g.height, kernel, stride, padding);
    g.out_width = conv_output_size(g.width, kernel, stride, padding);
    TT_CHECK(g.out_height > 0 && g.out_width > 0, ShapeError,
             "{}: kernel {} is larger than the input {}x{} padded by {}: {} {}", op, kernel,
             g.height, g.width, padding, name, format_shape(shape));
    return g;
}

Geometry conv_geometry(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t stride,
                       int64_t padding) {
    check_image_batch("conv2d", "x", x.shape());
    TT_CHECK(weight.dim() == 4, ShapeError, "conv2d: expected weight of shape (OC, C, K, K), got {}",
             format_shape(weight.shape()));
    TT_CHECK(weight.size(2) == weight.size(3), ShapeError,
             "conv2d: only square kernels are supported, got weight of shape {}",
             format_shape(weight.shape()));
    TT_CHECK(x.size(1) == weight.size(1), ShapeError,
             "conv2d: x has {} channels but weight expects {}: x {}, weight {}", x.size(1),
             weight.size(1), format_shape(x.shape()), format_shape(weight.shape()));
    TT_CHECK(!bias.defined() || bias.shape() == Shape{weight.size(0)}, ShapeError,
             "conv2d: bias must have shape ({}) for weight {}, got {}", weight.size(0),
             format_shape(weight.shape()), format_shape(bias.shape()));
    TT_CHECK(stride >= 1, ValueError, "conv2d: stride must be >= 1, got {}", stride);
    TT_CHECK(padding >= 0, ValueError, "conv2d: padding must be >= 0, got {}", padding);
    return make_geometry("conv2d", "x", x.shape(), weight.size(2), stride, padding);
}

// Resolves stride -1 to the kernel size and checks the pooling arguments.
int64_t pool_stride(const char* op, int64_t kernel, int64_t stride, int64_t padding) {
    TT_CHECK(kernel >= 1, ValueError, "{}: kernel must be >= 1, got {}", op, kernel);
    if (stride == -1) stride = kernel;
    TT_CHECK(stride >= 1, ValueError, "{}: stride must be >= 1 (or -1 for stride = kernel), got {}",
             op, stride);
    TT_CHECK(padding >= 0 && padding <= kernel / 2, ValueError,
             "{}: padding must be between 0 and kernel / 2 = {}, got {}", op, kernel / 2, padding);
    return stride;
}

Geometry pool_geometry(const char* op, const Shape& x_shape, int64_t kernel, int64_t stride,
                       int64_t padding) {
    check_image_batch(op, "x", x_shape);
    stride = pool_stride(op, kernel, stride, padding);
    return make_geometry(op, "x", x_shape, kernel, stride, padding);
}

Shape pooled_shape(const Shape& x_shape, const Geometry& g) {
    return {x_shape[0], x_shape[1], g.out_height, g.out_width};
}

void check_grad_shape(const char* op, const Tensor& grad_output, const Shape& expected) {
    TT_CHECK(grad_output.shape() == expected, ShapeError, "{}: grad_output must have shape {}, got {}",
             op, format_shape(expected), format_shape(grad_output.shape()));
}

void check_channel_vector(const char* name, const Tensor& t, const Shape& x_shape) {
    TT_CHECK(t.defined() && t.shape() == Shape{x_shape[1]}, ShapeError,
             "batch_norm2d: {} must have shape ({}) for x {}, got {}", name, x_shape[1],
             format_shape(x_shape), t.defined() ? format_shape(t.shape()) : "an undefined tensor");
}

// Runs body(plane) for each of `planes` planes, split over threads when the
// planes hold enough elements between them.
template <class Body>
void for_each_plane(int64_t planes, int64_t elements, Body body) {
    const bool parallel = planes > 1 && elements >= kParallelWork && !in_parallel_region();
#pragma omp parallel for schedule(static) if (parallel)
    for (int64_t p = 0; p < planes; ++p) body(p);
}

}  // namespace
// END SOLUTION

// ===========================================================================
// Sizes and the im2col layout
// ===========================================================================

// floor((input_size + 2 * padding - kernel) / stride) + 1, or 0 when the
// kernel does not fit. Careful: C++'s `/` rounds toward zero, so check the
// fit before dividing.
int64_t conv_output_size(int64_t input_size, int64_t kernel, int64_t stride, int64_t padding) {
    // BEGIN SOLUTION
    const int64_t span = input_size + 2 * padding - kernel;
    return span < 0 ? 0 : span / stride + 1;
    // END SOLUTION
}

// image (C, H, W) -> (C*K*K, OH*OW), the layout in spatial.hpp. Throw
// ShapeError for an image that is not 3-D ("im2col: expected image of shape
// (C, H, W), got (2, 3)") or a kernel that does not fit ("im2col: kernel 3 is
// larger than the input 2x2 padded by 0: image (1, 2, 2)"); ValueError for
// kernel or stride < 1 or padding < 0.
Tensor im2col(const Tensor& image, int64_t kernel, int64_t stride, int64_t padding) {
    // BEGIN SOLUTION
    TT_CHECK(image.dim() == 3, ShapeError, "im2col: expected image of shape (C, H, W), got {}",
             format_shape(image.shape()));
    TT_CHECK(kernel >= 1 && stride >= 1 && padding >= 0, ValueError,
             "im2col: kernel and stride must be >= 1 and padding >= 0, got {}, {} and {}", kernel,
             stride, padding);
    const Geometry g = make_geometry("im2col", "image", image.shape(), kernel, stride, padding);
    const Tensor in = untracked(image).contiguous();
    Tensor columns = empty({g.patch(), g.out_plane()});
    im2col_image(in.data(), g, columns.data());
    return columns;
    // END SOLUTION
}

// columns (C*K*K, OH*OW) -> image (C, H, W): start from zeros and add each
// entry back where im2col took it from, skipping the padding. Throw
// ShapeError when image_shape is not 3-D or columns is not
// (C*K*K, OH*OW) for it ("col2im: columns must have shape (18, 4) for image
// (2, 3, 3) with kernel 3, got (18, 5)").
Tensor col2im(const Tensor& columns, const Shape& image_shape, int64_t kernel, int64_t stride,
              int64_t padding) {
    // BEGIN SOLUTION
    TT_CHECK(image_shape.size() == 3, ShapeError,
             "col2im: expected image_shape (C, H, W), got {}", format_shape(image_shape));
    TT_CHECK(kernel >= 1 && stride >= 1 && padding >= 0, ValueError,
             "col2im: kernel and stride must be >= 1 and padding >= 0, got {}, {} and {}", kernel,
             stride, padding);
    const Geometry g = make_geometry("col2im", "image", image_shape, kernel, stride, padding);
    TT_CHECK(columns.shape() == Shape({g.patch(), g.out_plane()}), ShapeError,
             "col2im: columns must have shape ({}, {}) for image {} with kernel {}, got {}",
             g.patch(), g.out_plane(), format_shape(image_shape), kernel,
             format_shape(columns.shape()));
    const Tensor in = untracked(columns).contiguous();
    Tensor image = zeros(image_shape);
    col2im_image(in.data(), g, image.data());
    return image;
    // END SOLUTION
}

// ===========================================================================
// Convolution
// ===========================================================================

// x (N, C, H, W) * weight (OC, C, K, K) + bias (OC) -> out (N, OC, OH, OW).
// Check the shapes first (the messages are in the module guide and the
// tests), then compute. A correct first version: for each image,
// weight.reshape({OC, C*K*K}).matmul(im2col(x[n], ...)) plus the bias. The
// fast one calls gemm() on raw pointers, one image per thread, and writes
// the product straight into out's storage.
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t stride,
              int64_t padding) {
    Tensor out;
    // BEGIN SOLUTION
    const Geometry g = conv_geometry(x, weight, bias, stride, padding);
    const int64_t batch = x.size(0), out_channels = weight.size(0);
    const Tensor in = untracked(x).contiguous();
    const Tensor w = untracked(weight).contiguous();
    const Tensor b = bias.defined() ? untracked(bias).contiguous() : Tensor();
    out = empty({batch, out_channels, g.out_height, g.out_width});
    conv2d_forward_batch(in.data(), w.data(), b.defined() ? b.data() : nullptr, g, batch,
                         out_channels, out.data());
    // END SOLUTION
    // Backward rebuilds the columns from x (cheaper than keeping them, see
    // the module guide) and computes only the gradients that are needed.
    const NeededGradients needed{x.requires_grad(), weight.requires_grad(),
                                 bias.defined() && bias.requires_grad()};
    return record_custom("Conv2d", out, {x, weight, bias},
                         [x = untracked(x), weight = untracked(weight), stride, padding,
                          needed](const Tensor& grad_output) {
                             Conv2dGradients grads =
                                 conv2d_backward(grad_output, x, weight, stride, padding, needed);
                             return std::vector<Tensor>{grads.input, grads.weight, grads.bias};
                         });
}

// The gradients of conv2d (formulas in spatial.hpp), each only when
// `needed` asks for it (leave the others undefined). Check that grad_output
// is (N, OC, OH, OW) for x and weight ("conv2d_backward: grad_output must
// have shape (2, 4, 3, 3), got (2, 4, 3, 2)").
Conv2dGradients conv2d_backward(const Tensor& grad_output, const Tensor& x, const Tensor& weight,
                                int64_t stride, int64_t padding, NeededGradients needed) {
    // BEGIN SOLUTION
    const Geometry g = conv_geometry(x, weight, Tensor(), stride, padding);
    const int64_t batch = x.size(0), out_channels = weight.size(0);
    check_grad_shape("conv2d_backward", grad_output,
                     {batch, out_channels, g.out_height, g.out_width});
    const Tensor dy = untracked(grad_output).contiguous();
    const Tensor in = untracked(x).contiguous();
    const Tensor w = untracked(weight).contiguous();
    Conv2dGradients grads;
    if (needed.input) grads.input = empty(x.shape());
    if (needed.weight) grads.weight = empty(weight.shape());
    if (needed.bias) grads.bias = empty({out_channels});
    const auto data_or_null = [](const Tensor& t) { return t.defined() ? t.data() : nullptr; };
    conv2d_backward_batch(dy.data(), in.data(), w.data(), g, batch, out_channels,
                          data_or_null(grads.input), data_or_null(grads.weight),
                          data_or_null(grads.bias));
    return grads;
    // END SOLUTION
}

// ===========================================================================
// Pooling
// ===========================================================================

// For each (n, c) plane and output position, scan the window's real pixels
// (the -inf padding never wins) in row-major order, keep the first maximum
// and its index h * W + w within the plane. Checks and messages: spatial.hpp
// and the module guide (the op's name in messages is "max_pool2d").
MaxPool2dResult max_pool2d_with_indices(const Tensor& x, int64_t kernel, int64_t stride,
                                        int64_t padding) {
    MaxPool2dResult result;
    // BEGIN SOLUTION
    const Geometry g = pool_geometry("max_pool2d", x.shape(), kernel, stride, padding);
    TT_CHECK(g.plane() <= std::numeric_limits<int32_t>::max(), ShapeError,
             "max_pool2d: planes of {}x{} are too large for 32-bit indices", g.height, g.width);
    const Tensor in = untracked(x).contiguous();
    result.output = empty(pooled_shape(x.shape(), g));
    result.argmax.resize(static_cast<size_t>(result.output.numel()));
    const float* src = in.data();
    float* dst = result.output.data();
    int32_t* where = result.argmax.data();
    const int64_t planes = x.size(0) * g.channels;
    for_each_plane(planes, in.numel(), [&](int64_t p) {
        const float* plane = src + p * g.plane();
        for (int64_t oh = 0; oh < g.out_height; ++oh) {
            const int64_t h0 = std::max<int64_t>(oh * g.stride - g.padding, 0);
            const int64_t h1 = std::min(oh * g.stride - g.padding + g.kernel, g.height);
            for (int64_t ow = 0; ow < g.out_width; ++ow) {
                const int64_t w0 = std::max<int64_t>(ow * g.stride - g.padding, 0);
                const int64_t w1 = std::min(ow * g.stride - g.padding + g.kernel, g.width);
                int64_t best = h0 * g.width + w0;
                for (int64_t h = h0; h < h1; ++h)
                    for (int64_t w = w0; w < w1; ++w)
                        if (plane[h * g.width + w] > plane[best]) best = h * g.width + w;
                const int64_t o = p * g.out_plane() + oh * g.out_width + ow;
                dst[o] = plane[best];
                where[o] = static_cast<int32_t>(best);
            }
        }
    });
    // END SOLUTION
    return result;
}

// Provided: the recorded op. Backward needs only the indices and x's shape.
Tensor max_pool2d(const Tensor& x, int64_t kernel, int64_t stride, int64_t padding) {
    MaxPool2dResult result = max_pool2d_with_indices(x, kernel, stride, padding);
    return record_custom("MaxPool2d", result.output, {x},
                         [argmax = std::move(result.argmax),
                          input_shape = x.shape()](const Tensor& grad_output) {
                             return std::vector<Tensor>{
                                 max_pool2d_backward(grad_output, argmax, input_shape)};
                         });
}

// zeros(input_shape), then each plane's gradient added at its argmax. Check
// that input_shape is 4-D, that grad_output is 4-D with the same N and C,
// and that argmax has one entry per element of grad_output (ShapeError).
Tensor max_pool2d_backward(const Tensor& grad_output, const std::vector<int32_t>& argmax,
                           const Shape& input_shape) {
    // BEGIN SOLUTION
    check_image_batch("max_pool2d_backward", "input_shape", input_shape);
    TT_CHECK(grad_output.dim() == 4 && grad_output.size(0) == input_shape[0] &&
                 grad_output.size(1) == input_shape[1],
             ShapeError, "max_pool2d_backward: grad_output {} does not match input_shape {}",
             format_shape(grad_output.shape()), format_shape(input_shape));
    TT_CHECK(static_cast<int64_t>(argmax.size()) == grad_output.numel(), ShapeError,
             "max_pool2d_backward: argmax has {} entries for grad_output {}", argmax.size(),
             format_shape(grad_output.shape()));
    const Tensor dy = untracked(grad_output).contiguous();
    Tensor dx = zeros(input_shape);
    const int64_t in_plane = input_shape[2] * input_shape[3];
    const int64_t out_plane = grad_output.size(2) * grad_output.size(3);
    const float* src = dy.data();
    const int32_t* where = argmax.data();
    float* dst = dx.data();
    for_each_plane(input_shape[0] * input_shape[1], dx.numel(), [&](int64_t p) {
        float* plane = dst + p * in_plane;
        for (int64_t o = p * out_plane; o < (p + 1) * out_plane; ++o) plane[where[o]] += src[o];
    });
    return dx;
    // END SOLUTION
}

// The mean of each window: the sum of its real pixels divided by
// kernel * kernel. Same checks as max pooling, named "avg_pool2d".
Tensor avg_pool2d(const Tensor& x, int64_t kernel, int64_t stride, int64_t padding) {
    Tensor out;
    // BEGIN SOLUTION
    const Geometry g = pool_geometry("avg_pool2d", x.shape(), kernel, stride, padding);
    const Tensor in = untracked(x).contiguous();
    out = empty(pooled_shape(x.shape(), g));
    const float* src = in.data();
    float* dst = out.data();
    const float scale = 1.0f / static_cast<float>(g.kernel * g.kernel);
    for_each_plane(x.size(0) * g.channels, in.numel(), [&](int64_t p) {
        const float* plane = src + p * g.plane();
        for (int64_t oh = 0; oh < g.out_height; ++oh) {
            const int64_t h0 = std::max<int64_t>(oh * g.stride - g.padding, 0);
            const int64_t h1 = std::min(oh * g.stride - g.padding + g.kernel, g.height);
            for (int64_t ow = 0; ow < g.out_width; ++ow) {
                const int64_t w0 = std::max<int64_t>(ow * g.stride - g.padding, 0);
                const int64_t w1 = std::min(ow * g.stride - g.padding + g.kernel, g.width);
                float sum = 0.0f;
                for (int64_t h = h0; h < h1; ++h)
                    for (int64_t w = w0; w < w1; ++w) sum += plane[h * g.width + w];
                dst[p * g.out_plane() + oh * g.out_width + ow] = sum * scale;
            }
        }
    });
    // END SOLUTION
    return record_custom("AvgPool2d", out, {x},
                         [input_shape = x.shape(), kernel, stride, padding](const Tensor& grad_output) {
                             return std::vector<Tensor>{avg_pool2d_backward(
                                 grad_output, input_shape, kernel, stride, padding)};
                         });
}

// zeros(input_shape), then each output's gradient / (kernel * kernel) added
// to every real pixel of its window. Check the arguments as avg_pool2d does
// (on input_shape) and that grad_output has the pooled shape ("avg_pool2d_backward:
// grad_output must have shape (1, 1, 2, 2), got (1, 1, 3, 3)").
Tensor avg_pool2d_backward(const Tensor& grad_output, const Shape& input_shape, int64_t kernel,
                           int64_t stride, int64_t padding) {
    // BEGIN SOLUTION
    const Geometry g = pool_geometry("avg_pool2d_backward", input_shape, kernel, stride, padding);
    check_grad_shape("avg_pool2d_backward", grad_output, pooled_shape(input_shape, g));
    const Tensor dy = untracked(grad_output).contiguous();
    Tensor dx = zeros(input_shape);
    const float* src = dy.data();
    float* dst = dx.data();
    const float scale = 1.0f / static_cast<float>(g.kernel * g.kernel);
    for_each_plane(input_shape[0] * g.channels, dx.numel(), [&](int64_t p) {
        float* plane = dst + p * g.plane();
        for (int64_t oh = 0; oh < g.out_height; ++oh) {
            const int64_t h0 = std::max<int64_t>(oh * g.stride - g.padding, 0);
            const int64_t h1 = std::min(oh * g.stride - g.padding + g.kernel, g.height);
            for (int64_t ow = 0; ow < g.out_width; ++ow) {
                const int64_t w0 = std::max<int64_t>(ow * g.stride - g.padding, 0);
                const int64_t w1 = std::min(ow * g.stride - g.padding + g.kernel, g.width);
                const float share = src[p * g.out_plane() + oh * g.out_width + ow] * scale;
                for (int64_t h = h0; h < h1; ++h)
                    for (int64_t w = w0; w < w1; ++w) plane[h * g.width + w] += share;
            }
        }
    });
    return dx;
    // END SOLUTION
}

// ===========================================================================
// Batch normalisation
// ===========================================================================

// Per channel c, over its M = N*H*W values: in training, the batch mean and
// biased variance, then the running statistics updated in place (unbiased
// variance, see spatial.hpp); in evaluation, the running statistics as they
// are. Fill `mean` and `inv_std` = 1 / sqrt(var + eps) (C each, the
// statistics actually used) — backward needs them — and out =
// gamma * (x - mean) * inv_std + beta. Two passes over each channel: one for
// its statistics, one to normalise. Messages are in the module guide.
Tensor batch_norm2d(const Tensor& x, const Tensor& gamma, const Tensor& beta, Tensor& running_mean,
                    Tensor& running_var, bool training, float momentum, float eps) {
    Tensor out, mean, inv_std;
    // BEGIN SOLUTION
    check_image_batch("batch_norm2d", "x", x.shape());
    check_channel_vector("gamma", gamma, x.shape());
    check_channel_vector("beta", beta, x.shape());
    check_channel_vector("running_mean", running_mean, x.shape());
    check_channel_vector("running_var", running_var, x.shape());
    const int64_t batch = x.size(0), channels = x.size(1), plane = x.size(2) * x.size(3);
    const int64_t count = batch * plane;  // M, the values per channel
    TT_CHECK(!training || count > 1, ValueError,
             "batch_norm2d: training needs more than one value per channel to measure a "
             "variance, got x {}",
             format_shape(x.shape()));
    const Tensor in = untracked(x).contiguous();
    const Tensor g = untracked(gamma).contiguous(), b = untracked(beta).contiguous();
    out = empty(x.shape());
    mean = empty({channels});
    inv_std = empty({channels});
    Tensor var = empty({channels});
    if (training) {
        // Sums of x - shift, with shift a value of the channel: the variance
        // E[(x-s)^2] - E[x-s]^2 then loses no digits to a large mean.
        for_each_plane(channels, in.numel(), [&](int64_t c) {
            const float* first = in.data() + c * plane;
            const float shift = first[0];
            double sum = 0.0, sum_sq = 0.0;
            for (int64_t n = 0; n < batch; ++n) {
                const float* v = first + n * channels * plane;
                sum += lane_sum(plane, [v, shift](int64_t i) { return v[i] - shift; });
                sum_sq += lane_sum(plane, [v, shift](int64_t i) {
                    const float d = v[i] - shift;
                    return d * d;
                });
            }
            const double m = static_cast<double>(count);
            const double centred = sum / m;
            mean.data()[c] = static_cast<float>(shift + centred);
            var.data()[c] = static_cast<float>(std::max(0.0, sum_sq / m - centred * centred));
        });
        Tensor rm = untracked(running_mean), rv = untracked(running_var);
        const float unbias = static_cast<float>(count) / static_cast<float>(count - 1);
        for (int64_t c = 0; c < channels; ++c) {
            float& running_m = rm.at({c});
            float& running_v = rv.at({c});
            running_m = (1.0f - momentum) * running_m + momentum * mean.data()[c];
            running_v = (1.0f - momentum) * running_v + momentum * var.data()[c] * unbias;
        }
    } else {
        mean.copy_(untracked(running_mean));
        var.copy_(untracked(running_var));
    }
    for (int64_t c = 0; c < channels; ++c) inv_std.data()[c] = 1.0f / std::sqrt(var.data()[c] + eps);
    for_each_plane(channels, in.numel(), [&](int64_t c) {
        const float scale = g.data()[c] * inv_std.data()[c];
        const float offset = b.data()[c] - mean.data()[c] * scale;
        for (int64_t n = 0; n < batch; ++n) {
            const float* src = in.data() + (n * channels + c) * plane;
            float* dst = out.data() + (n * channels + c) * plane;
            for (int64_t i = 0; i < plane; ++i) dst[i] = src[i] * scale + offset;
        }
    });
    // END SOLUTION
    const NeededGradients needed{x.requires_grad(), gamma.requires_grad(), beta.requires_grad()};
    return record_custom("BatchNorm2d", out, {x, gamma, beta},
                         [x = untracked(x), gamma = untracked(gamma), mean, inv_std, training,
                          needed](const Tensor& grad_output) {
                             BatchNorm2dGradients grads = batch_norm2d_backward(
                                 grad_output, x, mean, inv_std, gamma, training, needed);
                             return std::vector<Tensor>{grads.input, grads.gamma, grads.beta};
                         });
}

// The gradients of batch_norm2d (formulas in spatial.hpp), each only when
// `needed` asks for it (weight = gamma, bias = beta). Two passes per channel:
// the sums of dy and dy * x_hat, then the input gradient. Check that
// grad_output has x's shape and that mean, inv_std and gamma are (C).
BatchNorm2dGradients batch_norm2d_backward(const Tensor& grad_output, const Tensor& x,
                                           const Tensor& mean, const Tensor& inv_std,
                                           const Tensor& gamma, bool training,
                                           NeededGradients needed) {
    // BEGIN SOLUTION
    check_image_batch("batch_norm2d_backward", "x", x.shape());
    check_grad_shape("batch_norm2d_backward", grad_output, x.shape());
    check_channel_vector("mean", mean, x.shape());
    check_channel_vector("inv_std", inv_std, x.shape());
    check_channel_vector("gamma", gamma, x.shape());
    const int64_t batch = x.size(0), channels = x.size(1), plane = x.size(2) * x.size(3);
    const Tensor in = untracked(x).contiguous(), dy = untracked(grad_output).contiguous();
    const Tensor m = untracked(mean).contiguous(), s = untracked(inv_std).contiguous();
    const Tensor g = untracked(gamma).contiguous();
    BatchNorm2dGradients grads;
    if (needed.input) grads.input = empty(x.shape());
    if (needed.weight) grads.gamma = empty({channels});
    if (needed.bias) grads.beta = empty({channels});
    const double count = static_cast<double>(batch * plane);
    for_each_plane(channels, in.numel(), [&](int64_t c) {
        const float mu = m.data()[c], inv = s.data()[c];
        // Pass 1: sum dy and sum dy * (x - mean); x_hat = (x - mean) * inv_std.
        double sum_dy = 0.0, sum_dy_centred = 0.0;
        for (int64_t n = 0; n < batch; ++n) {
            const float* v = in.data() + (n * channels + c) * plane;
            const float* d = dy.data() + (n * channels + c) * plane;
            sum_dy += lane_sum(plane, [d](int64_t i) { return d[i]; });
            sum_dy_centred += lane_sum(plane, [v, d, mu](int64_t i) { return d[i] * (v[i] - mu); });
        }
        const double sum_dy_xhat = sum_dy_centred * inv;
        if (needed.bias) grads.beta.data()[c] = static_cast<float>(sum_dy);
        if (needed.weight) grads.gamma.data()[c] = static_cast<float>(sum_dy_xhat);
        if (!needed.input) return;
        // Pass 2: dx = gamma * inv_std * (dy - mean(dy) - x_hat * mean(dy * x_hat)),
        // the two mean terms only in training (in eval the statistics are constants).
        const float scale = g.data()[c] * inv;
        const float mean_dy = training ? static_cast<float>(sum_dy / count) : 0.0f;
        const float xhat_coeff = training ? static_cast<float>(sum_dy_xhat / count) * inv : 0.0f;
        for (int64_t n = 0; n < batch; ++n) {
            const float* v = in.data() + (n * channels + c) * plane;
            const float* d = dy.data() + (n * channels + c) * plane;
            float* dx = grads.input.data() + (n * channels + c) * plane;
            for (int64_t i = 0; i < plane; ++i)
                dx[i] = scale * (d[i] - mean_dy - (v[i] - mu) * xhat_coeff);
        }
    });
    return grads;
    // END SOLUTION
}

// ===========================================================================
// Modules
// ===========================================================================

// Check the sizes ("Conv2d: in_channels, out_channels and kernel_size must
// be >= 1, got 3, 0 and 3"; "Conv2d: stride must be >= 1 and padding >= 0,
// got 0 and 0"), then weight (OC, C, K, K) ~ U(-bound, bound) with bound =
// sqrt(6 / (C*K*K)), one gen.uniform per element in row-major order, and a
// zero bias (OC) when `with_bias`. Register both as Linear does.
Conv2d::Conv2d(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding,
               bool with_bias, Generator& gen)
    : in_channels(in), out_channels(out), kernel_size(kernel), stride(stride), padding(padding) {
    // BEGIN SOLUTION
    TT_CHECK(in >= 1 && out >= 1 && kernel >= 1, ValueError,
             "Conv2d: in_channels, out_channels and kernel_size must be >= 1, got {}, {} and {}",
             in, out, kernel);
    TT_CHECK(stride >= 1 && padding >= 0, ValueError,
             "Conv2d: stride must be >= 1 and padding >= 0, got {} and {}", stride, padding);
    const float bound = std::sqrt(6.0f / static_cast<float>(in * kernel * kernel));
    Tensor initial = empty({out, in, kernel, kernel});
    for (int64_t i = 0; i < initial.numel(); ++i) initial.data()[i] = gen.uniform(-bound, bound);
    weight = register_parameter("weight", initial);
    if (with_bias) bias = register_parameter("bias", zeros({out}));
    // END SOLUTION
}

Tensor Conv2d::forward(const Tensor& input) {
    // BEGIN SOLUTION
    return conv2d(input, weight, bias, stride, padding);
    // END SOLUTION
}

// Check the arguments as max_pool2d does ("MaxPool2d" in the messages) and
// keep the resolved stride (-1 becomes kernel_size).
MaxPool2d::MaxPool2d(int64_t kernel, int64_t stride, int64_t padding)
    : kernel_size(kernel), stride(stride), padding(padding) {
    // BEGIN SOLUTION
    this->stride = pool_stride("MaxPool2d", kernel, stride, padding);
    // END SOLUTION
}

Tensor MaxPool2d::forward(const Tensor& input) {
    // BEGIN SOLUTION
    return max_pool2d(input, kernel_size, stride, padding);
    // END SOLUTION
}

// The same for AvgPool2d ("AvgPool2d" in the messages).
AvgPool2d::AvgPool2d(int64_t kernel, int64_t stride, int64_t padding)
    : kernel_size(kernel), stride(stride), padding(padding) {
    // BEGIN SOLUTION
    this->stride = pool_stride("AvgPool2d", kernel, stride, padding);
    // END SOLUTION
}

Tensor AvgPool2d::forward(const Tensor& input) {
    // BEGIN SOLUTION
    return avg_pool2d(input, kernel_size, stride, padding);
    // END SOLUTION
}

// Check the arguments ("BatchNorm2d: num_features must be >= 1, got 0";
// "BatchNorm2d: eps must be > 0 and momentum in [0, 1], got 0 and 0.1"),
// then register gamma (ones) and beta (zeros) as parameters and running_mean
// (zeros) and running_var (ones) as buffers, in that order.
BatchNorm2d::BatchNorm2d(int64_t features, float eps, float momentum)
    : num_features(features), eps(eps), momentum(momentum) {
    // BEGIN SOLUTION
    TT_CHECK(features >= 1, ValueError, "BatchNorm2d: num_features must be >= 1, got {}", features);
    TT_CHECK(eps > 0.0f && momentum >= 0.0f && momentum <= 1.0f, ValueError,
             "BatchNorm2d: eps must be > 0 and momentum in [0, 1], got {} and {}", eps, momentum);
    gamma = register_parameter("gamma", ones({features}));
    beta = register_parameter("beta", zeros({features}));
    running_mean = register_buffer("running_mean", zeros({features}));
    running_var = register_buffer("running_var", ones({features}));
    // END SOLUTION
}

// Training mode (is_training()) uses and updates the batch statistics;
// evaluation uses the running ones.
Tensor BatchNorm2d::forward(const Tensor& input) {
    // BEGIN SOLUTION
    return batch_norm2d(input, gamma, beta, running_mean, running_var, is_training(), momentum, eps);
    // END SOLUTION
}

}  // namespace tinytorch
