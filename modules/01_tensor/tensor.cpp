// tensor.cpp — module 01: your Tensor.
//
// Each function below says what it must do; tensor.hpp has the full contract
// and modules/01_tensor/README.md the concepts, hints and common mistakes.
// Run `tito module test 01` to check your work.
//
// Differentiable ops end with `return record(Op::..., out, {inputs});`. That
// line is provided: it lets module 06 differentiate the op. Compute `out`
// above it and leave the line as it is.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include "gemm.hpp"
#include "tensor.hpp"

namespace tinytorch {

// BEGIN SOLUTION HELPERS
namespace {

int64_t count_elements(const Shape& shape) {
    int64_t n = 1;
    for (int64_t extent : shape) n *= extent;
    return n;
}

// Strides that read `t` as if it had `shape` (which t broadcasts to):
// axes t lacks or has with size 1 get stride 0, so every index along them
// reads the same element.
Strides broadcast_strides(const Shape& shape, const Strides& strides, const Shape& target) {
    Strides out(target.size(), 0);
    const size_t lead = target.size() - shape.size();
    for (size_t axis = 0; axis < shape.size(); ++axis)
        if (shape[axis] != 1) out[lead + axis] = strides[axis];
    return out;
}
Strides broadcast_strides(const Tensor& t, const Shape& target) {
    return broadcast_strides(t.shape(), t.strides(), target);
}

// The one loop every elementwise op, copy and fill runs through.
//
// Walks all indices of `shape` in row-major order, one innermost row at a
// time, keeping a memory offset per operand: operand k moves strides[k][a]
// floats per step along axis a. Calls
//     row(offsets, length, steps)
// where offsets[k] is operand k's offset at the start of the row and steps[k]
// its stride along the innermost axis. Bodies specialise steps == 1 so the
// common contiguous case vectorises.
template <size_t N, class Row>
void for_each_row(const Shape& shape, const std::array<Strides, N>& strides, Row row) {
    std::array<int64_t, N> offsets{}, steps{};
    if (shape.empty()) {  // a scalar: one row of one element
        steps.fill(0);
        row(offsets, int64_t{1}, steps);
        return;
    }
    const size_t last = shape.size() - 1;
    for (size_t k = 0; k < N; ++k) steps[k] = strides[k][last];
    const int64_t length = shape[last];
    const int64_t rows = length == 0 ? 0 : count_elements(shape) / length;
    std::vector<int64_t> index(last, 0);
    for (int64_t r = 0; r < rows; ++r) {
        row(offsets, length, steps);
        // Advance the outer index like an odometer, moving each offset along.
        for (size_t axis = last; axis-- > 0;) {
            for (size_t k = 0; k < N; ++k) offsets[k] += strides[k][axis];
            if (++index[axis] < shape[axis]) break;
            for (size_t k = 0; k < N; ++k) offsets[k] -= strides[k][axis] * shape[axis];
            index[axis] = 0;
        }
    }
}

// out = f(x) elementwise; out is a new contiguous tensor of x's shape.
template <class F>
Tensor unary_map(const Tensor& x, F f) {
    Tensor out = empty(x.shape());
    float* dst = out.data();
    const float* src = x.data();
    for_each_row<2>(x.shape(), {out.strides(), x.strides()},
                    [&](const auto& at, int64_t length, const auto& step) {
                        float* o = dst + at[0];
                        const float* s = src + at[1];
                        if (step[1] == 1)
                            for (int64_t i = 0; i < length; ++i) o[i] = f(s[i]);
                        else
                            for (int64_t i = 0; i < length; ++i) o[i] = f(s[i * step[1]]);
                    });
    return out;
}

// out = f(a, b) elementwise with broadcasting; out is new and contiguous.
template <class F>
Tensor binary_map(const Tensor& a, const Tensor& b, F f) {
    const Shape shape = broadcast_shapes(a.shape(), b.shape());
    Tensor out = empty(shape);
    float* dst = out.data();
    const float* pa = a.data();
    const float* pb = b.data();
    for_each_row<3>(shape, {out.strides(), broadcast_strides(a, shape), broadcast_strides(b, shape)},
                    [&](const auto& at, int64_t length, const auto& step) {
                        float* o = dst + at[0];
                        const float* x = pa + at[1];
                        const float* y = pb + at[2];
                        // Fast paths: same-shape rows, and a row against a
                        // broadcast value (bias adds, scalar operands).
                        if (step[1] == 1 && step[2] == 1)
                            for (int64_t i = 0; i < length; ++i) o[i] = f(x[i], y[i]);
                        else if (step[1] == 1 && step[2] == 0)
                            for (int64_t i = 0; i < length; ++i) o[i] = f(x[i], *y);
                        else if (step[1] == 0 && step[2] == 1)
                            for (int64_t i = 0; i < length; ++i) o[i] = f(*x, y[i]);
                        else
                            for (int64_t i = 0; i < length; ++i)
                                o[i] = f(x[i * step[1]], y[i * step[2]]);
                    });
    return out;
}

// Splits `t`'s shape around `axis` as (outer, extent, inner), so that after
// contiguous() element (o, k, i) is at o * extent * inner + k * inner + i.
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

// Shape after reducing `axis`: removed, or kept with size 1.
Shape reduced_shape(const Shape& shape, int64_t axis, bool keepdims) {
    Shape out = shape;
    if (keepdims) out[static_cast<size_t>(axis)] = 1;
    else out.erase(out.begin() + axis);
    return out;
}

// Sum of every element, in double: a float total stops growing past 2^24 ones.
double total_of(const Tensor& t) {
    const Tensor x = t.contiguous();
    double total = 0.0;
    for (int64_t i = 0; i < x.numel(); ++i) total += x.data()[i];
    return total;
}

// Sum over one axis (already normalised), accumulated in double. Not recorded:
// sum() and mean() record themselves.
Tensor sum_over_axis(const Tensor& t, int64_t axis, bool keepdims) {
    const Tensor x = t.contiguous();
    const AxisSplit s = split_at(t.shape(), axis);
    Tensor out = empty(reduced_shape(t.shape(), axis, keepdims));
    std::vector<double> acc(static_cast<size_t>(s.inner));
    for (int64_t o = 0; o < s.outer; ++o) {
        std::fill(acc.begin(), acc.end(), 0.0);
        const float* block = x.data() + o * s.extent * s.inner;
        for (int64_t k = 0; k < s.extent; ++k)
            for (int64_t i = 0; i < s.inner; ++i) acc[static_cast<size_t>(i)] += block[k * s.inner + i];
        for (int64_t i = 0; i < s.inner; ++i)
            out.data()[o * s.inner + i] = static_cast<float>(acc[static_cast<size_t>(i)]);
    }
    return out;
}

// Replaces one -1 in `shape` by the size that makes numel match.
Shape infer_shape(Shape shape, int64_t numel, const char* op, const Shape& from) {
    int64_t known = 1, unknown_axis = -1;
    for (size_t a = 0; a < shape.size(); ++a) {
        if (shape[a] == -1) {
            TT_CHECK(unknown_axis < 0, ShapeError, "{}: only one size may be -1, got {}", op,
                     format_shape(shape));
            unknown_axis = static_cast<int64_t>(a);
        } else {
            TT_CHECK(shape[a] >= 0, ShapeError, "{}: invalid size {} in {}", op, shape[a],
                     format_shape(shape));
            known *= shape[a];
        }
    }
    if (unknown_axis >= 0) {
        TT_CHECK(known != 0 && numel % known == 0, ShapeError,
                 "{}: cannot infer the -1 in {} for {} elements (from shape {})", op,
                 format_shape(shape), numel, format_shape(from));
        shape[static_cast<size_t>(unknown_axis)] = numel / known;
        known = numel;
    }
    TT_CHECK(known == numel, ShapeError,
             "{}: shape {} holds {} elements but the tensor of shape {} has {}", op,
             format_shape(shape), known, format_shape(from), numel);
    return shape;
}

// Reads the nested list into `values`, recording the size of each depth in
// `shape` the first time it is seen and checking every later list against it.
void flatten_nested(const NestedValues& node, size_t depth, Shape& shape,
                    std::vector<float>& values) {
    if (node.is_value) {
        TT_CHECK(depth == shape.size(), ShapeError,
                 "Tensor: ragged nested list: a value at depth {} where depth {} has lists", depth,
                 depth);
        values.push_back(node.value);
        return;
    }
    const auto count = static_cast<int64_t>(node.items.size());
    if (depth == shape.size()) {
        TT_CHECK(values.empty(), ShapeError,
                 "Tensor: ragged nested list: a list at depth {} where other entries are values",
                 depth);
        // Appends `count` (depth == shape.size()). Written as resize, not
        // push_back: GCC 12 at -O3 reports a false -Warray-bounds on the
        // push_back into the still-empty vector, which breaks -Werror builds.
        shape.resize(depth + 1, count);
    } else {
        TT_CHECK(shape[depth] == count, ShapeError,
                 "Tensor: ragged nested list: expected {} entries at depth {}, got {}",
                 shape[depth], depth, count);
    }
    for (const NestedValues& item : node.items) flatten_nested(item, depth + 1, shape, values);
}

// A contiguous copy with no autograd history.
Tensor clone_without_grad(const Tensor& t) {
    Tensor out = empty(t.shape());
    out.copy_(t);
    return out;
}

// Fills a contiguous tensor from a generator, element by element in order.
template <class Draw>
Tensor generate(const Shape& shape, Draw draw) {
    Tensor out = empty(shape);
    float* dst = out.data();
    for (int64_t i = 0; i < out.numel(); ++i) dst[i] = draw();
    return out;
}

}  // namespace
// END SOLUTION

// ===========================================================================
// Shapes and layout
// ===========================================================================

// shape (2, 3, 4) -> strides (12, 4, 1): the last axis is contiguous and each
// earlier stride is the product of the sizes after it.
Strides contiguous_strides(const Shape& shape) {
    // BEGIN SOLUTION
    Strides strides(shape.size(), 1);
    for (size_t axis = shape.size(); axis-- > 1;)
        strides[axis - 1] = strides[axis] * std::max<int64_t>(shape[axis], 1);
    return strides;
    // END SOLUTION
}

// Align on the right; each pair of sizes must match or contain a 1.
Shape broadcast_shapes(const Shape& a, const Shape& b) {
    // BEGIN SOLUTION
    const size_t ndim = std::max(a.size(), b.size());
    Shape out(ndim);
    for (size_t i = 0; i < ndim; ++i) {
        // Sizes counted from the right; a missing axis acts as size 1.
        const int64_t x = i < a.size() ? a[a.size() - 1 - i] : 1;
        const int64_t y = i < b.size() ? b[b.size() - 1 - i] : 1;
        TT_CHECK(x == y || x == 1 || y == 1, ShapeError,
                 "cannot broadcast shapes {} and {}: sizes {} and {} differ at axis -{}",
                 format_shape(a), format_shape(b), x, y, i + 1);
        out[ndim - 1 - i] = x == 1 ? y : x;
    }
    return out;
    // END SOLUTION
}

bool Tensor::is_contiguous() const {
    // BEGIN SOLUTION
    int64_t expected = 1;
    for (int64_t axis = dim() - 1; axis >= 0; --axis) {
        const auto a = static_cast<size_t>(axis);
        if (shape()[a] == 1) continue;  // any stride works for a size-1 axis
        if (strides()[a] != expected) return false;
        expected *= shape()[a];
    }
    return true;
    // END SOLUTION
}

// ===========================================================================
// Creation
// ===========================================================================

Tensor::Tensor(std::initializer_list<NestedValues> values) {
    // BEGIN SOLUTION
    Shape shape;
    std::vector<float> flat;
    flatten_nested(NestedValues(values), 0, shape, flat);
    *this = Tensor(std::move(flat), std::move(shape));
    // END SOLUTION
}

Tensor::Tensor(std::vector<float> values, Shape shape) {
    // BEGIN SOLUTION
    const int64_t n = count_elements(shape);
    TT_CHECK(static_cast<int64_t>(values.size()) == n, ShapeError,
             "Tensor: {} values given for shape {}, which holds {}", values.size(),
             format_shape(shape), n);
    Tensor t = empty(shape);
    std::copy(values.begin(), values.end(), t.data());
    *this = t;
    // END SOLUTION
}

Tensor full(const Shape& shape, float value) {
    // BEGIN SOLUTION
    Tensor out = empty(shape);
    std::fill_n(out.data(), out.numel(), value);
    return out;
    // END SOLUTION
}

Tensor zeros(const Shape& shape) { return full(shape, 0.0f); }
Tensor ones(const Shape& shape) { return full(shape, 1.0f); }
Tensor scalar_tensor(float value) { return full({}, value); }
Tensor zeros_like(const Tensor& t) { return zeros(t.shape()); }
Tensor ones_like(const Tensor& t) { return ones(t.shape()); }

// [start, start + step, ...) up to but excluding stop: ceil((stop - start) / step) values.
Tensor arange(float start, float stop, float step) {
    // BEGIN SOLUTION
    TT_CHECK(step != 0.0f, ValueError, "arange: step must not be 0");
    const double span = (static_cast<double>(stop) - start) / step;
    const auto count = static_cast<int64_t>(std::max(0.0, std::ceil(span)));
    Tensor out = empty({count});
    for (int64_t i = 0; i < count; ++i)
        out.data()[i] = static_cast<float>(start + static_cast<double>(i) * step);
    return out;
    // END SOLUTION
}

Tensor eye(int64_t n, int64_t m) {
    // BEGIN SOLUTION
    if (m < 0) m = n;
    TT_CHECK(n >= 0, ValueError, "eye: n must be >= 0, got {}", n);
    Tensor out = zeros({n, m});
    for (int64_t i = 0; i < std::min(n, m); ++i) out.data()[i * m + i] = 1.0f;
    return out;
    // END SOLUTION
}

// Uniform in [0, 1), drawn in row-major order from `gen`.
Tensor rand(const Shape& shape, Generator& gen) {
    // BEGIN SOLUTION
    return generate(shape, [&] { return gen.uniform(); });
    // END SOLUTION
}

// Standard normal, drawn in row-major order from `gen`.
Tensor randn(const Shape& shape, Generator& gen) {
    // BEGIN SOLUTION
    return generate(shape, [&] { return gen.normal(); });
    // END SOLUTION
}

// n tensors of shape S -> one of shape (n, S...). Not recorded by autograd.
Tensor stack(const std::vector<Tensor>& tensors) {
    // BEGIN SOLUTION
    TT_CHECK(!tensors.empty(), ValueError, "stack: needs at least one tensor");
    const Shape& item = tensors[0].shape();
    Shape shape = item;
    shape.insert(shape.begin(), static_cast<int64_t>(tensors.size()));
    Tensor out = empty(shape);
    const int64_t per_item = count_elements(item);
    for (size_t i = 0; i < tensors.size(); ++i) {
        TT_CHECK(tensors[i].shape() == item, ShapeError,
                 "stack: tensor {} has shape {} but tensor 0 has {}", i,
                 format_shape(tensors[i].shape()), format_shape(item));
        Tensor row = Tensor::from_storage(out.storage(), item, contiguous_strides(item),
                                          static_cast<int64_t>(i) * per_item);
        row.copy_(tensors[i]);
    }
    return out;
    // END SOLUTION
}

// ===========================================================================
// Element access and in-place writes
// ===========================================================================

float& Tensor::at(std::initializer_list<int64_t> index) const {
    // BEGIN SOLUTION
    TT_CHECK(static_cast<int64_t>(index.size()) == dim(), IndexError,
             "at: {} indices given for a tensor with {} axes (shape {})", index.size(), dim(),
             format_shape(shape()));
    int64_t offset = 0;
    size_t axis = 0;
    for (int64_t i : index) {
        const int64_t extent = shape()[axis];
        TT_CHECK(i >= -extent && i < extent, IndexError,
                 "at: index {} is out of range for axis {} of size {} (shape {})", i, axis, extent,
                 format_shape(shape()));
        offset += (i < 0 ? i + extent : i) * strides()[axis];
        ++axis;
    }
    return data()[offset];
    // END SOLUTION
}

float Tensor::item() const {
    // BEGIN SOLUTION
    TT_CHECK(numel() == 1, ValueError,
             "item: only a one-element tensor has an item; this one has shape {} ({} elements)",
             format_shape(shape()), numel());
    return data()[0];
    // END SOLUTION
}

Tensor& Tensor::fill_(float value) {
    // BEGIN SOLUTION
    float* dst = data();
    for_each_row<1>(shape(), {strides()}, [&](const auto& at, int64_t length, const auto& step) {
        for (int64_t i = 0; i < length; ++i) dst[at[0] + i * step[0]] = value;
    });
    return *this;
    // END SOLUTION
}

Tensor& Tensor::copy_(const Tensor& src) {
    // BEGIN SOLUTION
    const Shape target = broadcast_shapes(src.shape(), shape());
    TT_CHECK(target == shape(), ShapeError, "copy_: source of shape {} does not broadcast to {}",
             format_shape(src.shape()), format_shape(shape()));
    float* dst = data();
    const float* from = src.data();
    for_each_row<2>(shape(), {strides(), broadcast_strides(src, shape())},
                    [&](const auto& at, int64_t length, const auto& step) {
                        for (int64_t i = 0; i < length; ++i)
                            dst[at[0] + i * step[0]] = from[at[1] + i * step[1]];
                    });
    return *this;
    // END SOLUTION
}

// ===========================================================================
// Elementwise arithmetic. Each records itself for autograd (module 06).
// ===========================================================================

Tensor operator+(const Tensor& a, const Tensor& b) {
    Tensor out;
    // BEGIN SOLUTION
    out = binary_map(a, b, [](float x, float y) { return x + y; });
    // END SOLUTION
    return record(Op::Add, out, {a, b});
}

Tensor operator-(const Tensor& a, const Tensor& b) {
    Tensor out;
    // BEGIN SOLUTION
    out = binary_map(a, b, [](float x, float y) { return x - y; });
    // END SOLUTION
    return record(Op::Sub, out, {a, b});
}

Tensor operator*(const Tensor& a, const Tensor& b) {
    Tensor out;
    // BEGIN SOLUTION
    out = binary_map(a, b, [](float x, float y) { return x * y; });
    // END SOLUTION
    return record(Op::Mul, out, {a, b});
}

Tensor operator/(const Tensor& a, const Tensor& b) {
    Tensor out;
    // BEGIN SOLUTION
    out = binary_map(a, b, [](float x, float y) { return x / y; });
    // END SOLUTION
    return record(Op::Div, out, {a, b});
}

Tensor operator-(const Tensor& x) {
    Tensor out;
    // BEGIN SOLUTION
    out = unary_map(x, [](float v) { return -v; });
    // END SOLUTION
    return record(Op::Neg, out, {x});
}

// A scalar operand is a shape () tensor; broadcasting does the rest.
Tensor operator+(const Tensor& a, float b) { return a + scalar_tensor(b); }
Tensor operator+(float a, const Tensor& b) { return scalar_tensor(a) + b; }
Tensor operator-(const Tensor& a, float b) { return a - scalar_tensor(b); }
Tensor operator-(float a, const Tensor& b) { return scalar_tensor(a) - b; }
Tensor operator*(const Tensor& a, float b) { return a * scalar_tensor(b); }
Tensor operator*(float a, const Tensor& b) { return scalar_tensor(a) * b; }
Tensor operator/(const Tensor& a, float b) { return a / scalar_tensor(b); }
Tensor operator/(float a, const Tensor& b) { return scalar_tensor(a) / b; }

// ===========================================================================
// Elementwise functions
// ===========================================================================

Tensor pow(const Tensor& x, float exponent) {
    Tensor out;
    // BEGIN SOLUTION
    if (exponent == 2.0f)  // the common case, exact and without a library call
        out = unary_map(x, [](float v) { return v * v; });
    else
        out = unary_map(x, [exponent](float v) { return std::pow(v, exponent); });
    // END SOLUTION
    OpArgs args;
    args.scalar = exponent;
    return record(Op::Pow, out, {x}, args);
}

Tensor exp(const Tensor& x) {
    Tensor out;
    // BEGIN SOLUTION
    out = unary_map(x, [](float v) { return std::exp(v); });
    // END SOLUTION
    return record(Op::Exp, out, {x});
}

Tensor log(const Tensor& x) {
    Tensor out;
    // BEGIN SOLUTION
    out = unary_map(x, [](float v) { return std::log(v); });
    // END SOLUTION
    return record(Op::Log, out, {x});
}

Tensor sqrt(const Tensor& x) {
    Tensor out;
    // BEGIN SOLUTION
    out = unary_map(x, [](float v) { return std::sqrt(v); });
    // END SOLUTION
    return record(Op::Sqrt, out, {x});
}

Tensor abs(const Tensor& x) {
    Tensor out;
    // BEGIN SOLUTION
    out = unary_map(x, [](float v) { return std::fabs(v); });
    // END SOLUTION
    return record(Op::Abs, out, {x});
}

// Values below `low` become low, above `high` become high. low > high throws ValueError.
Tensor clamp(const Tensor& x, float low, float high) {
    Tensor out;
    // BEGIN SOLUTION
    TT_CHECK(low <= high, ValueError, "clamp: low ({}) must not exceed high ({})", low, high);
    out = unary_map(x, [low, high](float v) { return std::min(std::max(v, low), high); });
    // END SOLUTION
    OpArgs args;
    args.scalar = low;
    args.scalar2 = high;
    return record(Op::Clamp, out, {x}, args);
}

// ===========================================================================
// Comparisons: 1.0 where true, 0.0 where false. Not differentiable.
// ===========================================================================

Tensor eq(const Tensor& a, const Tensor& b) {
    // BEGIN SOLUTION
    return binary_map(a, b, [](float x, float y) { return x == y ? 1.0f : 0.0f; });
    // END SOLUTION
}
Tensor ne(const Tensor& a, const Tensor& b) {
    // BEGIN SOLUTION
    return binary_map(a, b, [](float x, float y) { return x != y ? 1.0f : 0.0f; });
    // END SOLUTION
}
Tensor lt(const Tensor& a, const Tensor& b) {
    // BEGIN SOLUTION
    return binary_map(a, b, [](float x, float y) { return x < y ? 1.0f : 0.0f; });
    // END SOLUTION
}
Tensor le(const Tensor& a, const Tensor& b) {
    // BEGIN SOLUTION
    return binary_map(a, b, [](float x, float y) { return x <= y ? 1.0f : 0.0f; });
    // END SOLUTION
}
Tensor gt(const Tensor& a, const Tensor& b) {
    // BEGIN SOLUTION
    return binary_map(a, b, [](float x, float y) { return x > y ? 1.0f : 0.0f; });
    // END SOLUTION
}
Tensor ge(const Tensor& a, const Tensor& b) {
    // BEGIN SOLUTION
    return binary_map(a, b, [](float x, float y) { return x >= y ? 1.0f : 0.0f; });
    // END SOLUTION
}

// ===========================================================================
// Views. A view shares storage: build it with Tensor::from_storage(storage(),
// new_shape, new_strides, new_offset).
// ===========================================================================

Tensor Tensor::reshape(Shape new_shape) const {
    Tensor out;
    // BEGIN SOLUTION
    new_shape = infer_shape(std::move(new_shape), numel(), "reshape", shape());
    const Tensor source = is_contiguous() ? *this : contiguous();
    out = from_storage(source.storage(), new_shape, contiguous_strides(new_shape),
                       source.offset());
    // END SOLUTION
    OpArgs args;
    args.shape = shape();
    return record(Op::Reshape, out, {*this}, args);
}

Tensor Tensor::view(Shape new_shape) const {
    // BEGIN SOLUTION
    TT_CHECK(is_contiguous(), ShapeError,
             "view: the tensor of shape {} with strides {} is not contiguous; use reshape(), "
             "which copies when it must, or call contiguous() first",
             format_shape(shape()), format_shape(strides()));
    return reshape(std::move(new_shape));
    // END SOLUTION
}

Tensor Tensor::permute(std::vector<int64_t> order) const {
    Tensor out;
    // BEGIN SOLUTION
    TT_CHECK(static_cast<int64_t>(order.size()) == dim(), ShapeError,
             "permute: order {} names {} axes but the tensor of shape {} has {}",
             format_shape(order), order.size(), format_shape(shape()), dim());
    std::vector<bool> seen(order.size(), false);
    Shape new_shape(order.size());
    Strides new_strides(order.size());
    for (size_t i = 0; i < order.size(); ++i) {
        const auto axis = static_cast<size_t>(normalize_axis(order[i], dim(), "permute"));
        TT_CHECK(!seen[axis], ShapeError, "permute: axis {} appears twice in {}", axis,
                 format_shape(order));
        seen[axis] = true;
        order[i] = static_cast<int64_t>(axis);
        new_shape[i] = shape()[axis];
        new_strides[i] = strides()[axis];
    }
    out = from_storage(storage(), new_shape, new_strides, offset());
    // END SOLUTION
    OpArgs args;
    args.ints = order;  // normalised by the solution above: non-negative
    return record(Op::Permute, out, {*this}, args);
}

Tensor Tensor::transpose(int64_t axis0, int64_t axis1) const {
    // BEGIN SOLUTION
    std::vector<int64_t> order(static_cast<size_t>(dim()));
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
    std::swap(order[static_cast<size_t>(normalize_axis(axis0, dim(), "transpose"))],
              order[static_cast<size_t>(normalize_axis(axis1, dim(), "transpose"))]);
    return permute(order);
    // END SOLUTION
}

Tensor Tensor::flatten(int64_t start_axis, int64_t end_axis) const {
    // BEGIN SOLUTION
    if (dim() == 0) return reshape({1});
    const int64_t start = normalize_axis(start_axis, dim(), "flatten");
    const int64_t end = normalize_axis(end_axis, dim(), "flatten");
    TT_CHECK(start <= end, ValueError, "flatten: start axis {} is after end axis {}", start, end);
    Shape new_shape(shape().begin(), shape().begin() + start);
    int64_t merged = 1;
    for (int64_t a = start; a <= end; ++a) merged *= shape()[static_cast<size_t>(a)];
    new_shape.push_back(merged);
    new_shape.insert(new_shape.end(), shape().begin() + end + 1, shape().end());
    return reshape(new_shape);
    // END SOLUTION
}

Tensor Tensor::squeeze() const {
    // BEGIN SOLUTION
    Shape new_shape;
    for (int64_t extent : shape())
        if (extent != 1) new_shape.push_back(extent);
    return reshape(new_shape);
    // END SOLUTION
}

Tensor Tensor::squeeze(int64_t axis) const {
    // BEGIN SOLUTION
    const auto a = static_cast<size_t>(normalize_axis(axis, dim(), "squeeze"));
    TT_CHECK(dim() > 0 && shape()[a] == 1, ShapeError,
             "squeeze: axis {} has size {}, only a size-1 axis can be removed (shape {})", axis,
             dim() > 0 ? shape()[a] : 0, format_shape(shape()));
    Shape new_shape = shape();
    new_shape.erase(new_shape.begin() + static_cast<int64_t>(a));
    return reshape(new_shape);
    // END SOLUTION
}

Tensor Tensor::unsqueeze(int64_t axis) const {
    // BEGIN SOLUTION
    // The new axis may go anywhere from 0 to dim(), so there are dim()+1 places.
    const int64_t a = normalize_axis(axis, dim() + 1, "unsqueeze");
    Shape new_shape = shape();
    new_shape.insert(new_shape.begin() + a, 1);
    return reshape(new_shape);
    // END SOLUTION
}

Tensor Tensor::expand(Shape new_shape) const {
    Tensor out;
    // BEGIN SOLUTION
    TT_CHECK(new_shape.size() >= shape().size(), ShapeError,
             "expand: cannot expand shape {} to {}, which has fewer axes",
             format_shape(shape()), format_shape(new_shape));
    const size_t lead = new_shape.size() - shape().size();
    Strides new_strides(new_shape.size(), 0);
    for (size_t a = 0; a < new_shape.size(); ++a) {
        if (a < lead) {
            TT_CHECK(new_shape[a] >= 0, ShapeError, "expand: a new axis cannot be -1 in {}",
                     format_shape(new_shape));
            continue;  // new leading axes read the same data: stride 0
        }
        const int64_t extent = shape()[a - lead];
        if (new_shape[a] == -1) new_shape[a] = extent;
        TT_CHECK(extent == new_shape[a] || extent == 1, ShapeError,
                 "expand: cannot expand shape {} to {}: axis {} has size {}, not 1",
                 format_shape(shape()), format_shape(new_shape), a - lead, extent);
        new_strides[a] = extent == new_shape[a] ? strides()[a - lead] : 0;
    }
    out = from_storage(storage(), new_shape, new_strides, offset());
    // END SOLUTION
    OpArgs args;
    args.shape = shape();
    return record(Op::Expand, out, {*this}, args);
}

Tensor Tensor::contiguous() const {
    // BEGIN SOLUTION
    if (is_contiguous()) return *this;
    // END SOLUTION
    return clone();
}

Tensor Tensor::clone() const {
    Tensor out;
    // BEGIN SOLUTION
    out = clone_without_grad(*this);
    // END SOLUTION
    return record(Op::Contiguous, out, {*this});
}

// Python's slice rules on the first axis: negative start/stop count from the
// end, both are clamped into range, and step must be positive.
Tensor Tensor::slice(int64_t start, int64_t stop, int64_t step) const {
    Tensor out;
    // BEGIN SOLUTION
    TT_CHECK(dim() > 0, IndexError, "slice: a scalar tensor has no axis to slice");
    TT_CHECK(step > 0, ValueError, "slice: step must be positive, got {}", step);
    const int64_t extent = shape()[0];
    auto clamp_index = [extent](int64_t i) {
        if (i < 0) i += extent;
        return std::clamp<int64_t>(i, 0, extent);
    };
    start = clamp_index(start);
    stop = clamp_index(stop);
    const int64_t count = stop > start ? (stop - start + step - 1) / step : 0;
    Shape new_shape = shape();
    Strides new_strides = strides();
    new_shape[0] = count;
    new_strides[0] = strides()[0] * step;
    out = from_storage(storage(), new_shape, new_strides, offset() + start * strides()[0]);
    // END SOLUTION
    OpArgs args;
    args.ints = {start, stop, step};  // normalised by the solution above
    return record(Op::Slice, out, {*this}, args);
}

Tensor Tensor::operator[](int64_t index) const {
    // BEGIN SOLUTION
    TT_CHECK(dim() > 0, IndexError, "[]: a scalar tensor cannot be indexed");
    const int64_t extent = shape()[0];
    TT_CHECK(index >= -extent && index < extent, IndexError,
             "[]: index {} is out of range for axis 0 of size {} (shape {})", index, extent,
             format_shape(shape()));
    if (index < 0) index += extent;
    return slice(index, index + 1).squeeze(0);
    // END SOLUTION
}

// ===========================================================================
// Reductions
// ===========================================================================

// Sums accumulate in double: a float stops growing past 2^24 ones.
Tensor Tensor::sum() const {
    Tensor out;
    // BEGIN SOLUTION
    out = scalar_tensor(static_cast<float>(total_of(*this)));
    // END SOLUTION
    OpArgs args;
    args.all_axes = true;
    return record(Op::Sum, out, {*this}, args);
}

Tensor Tensor::sum(int64_t axis, bool keepdims) const {
    Tensor out;
    // BEGIN SOLUTION
    axis = normalize_axis(axis, dim(), "sum");
    out = dim() == 0 ? clone_without_grad(*this) : sum_over_axis(*this, axis, keepdims);
    // END SOLUTION
    OpArgs args;
    args.axis = axis;
    args.keepdims = keepdims;
    return record(Op::Sum, out, {*this}, args);
}

// The mean of no elements is NaN (0 / 0), as in NumPy.
Tensor Tensor::mean() const {
    Tensor out;
    // BEGIN SOLUTION
    out = scalar_tensor(static_cast<float>(total_of(*this) / static_cast<double>(numel())));
    // END SOLUTION
    OpArgs args;
    args.all_axes = true;
    return record(Op::Mean, out, {*this}, args);
}

Tensor Tensor::mean(int64_t axis, bool keepdims) const {
    Tensor out;
    // BEGIN SOLUTION
    axis = normalize_axis(axis, dim(), "mean");
    if (dim() == 0) {
        out = clone_without_grad(*this);
    } else {
        out = sum_over_axis(*this, axis, keepdims);
        const float scale = 1.0f / static_cast<float>(shape()[static_cast<size_t>(axis)]);
        for (int64_t i = 0; i < out.numel(); ++i) out.data()[i] *= scale;
    }
    // END SOLUTION
    OpArgs args;
    args.axis = axis;
    args.keepdims = keepdims;
    return record(Op::Mean, out, {*this}, args);
}

Tensor Tensor::max() const {
    Tensor out;
    // BEGIN SOLUTION
    TT_CHECK(numel() > 0, ValueError, "max: the tensor of shape {} is empty",
             format_shape(shape()));
    const Tensor x = contiguous();
    out = scalar_tensor(*std::max_element(x.data(), x.data() + x.numel()));
    // END SOLUTION
    OpArgs args;
    args.all_axes = true;
    return record(Op::Max, out, {*this}, args);
}

Tensor Tensor::max(int64_t axis, bool keepdims) const {
    Tensor out;
    // BEGIN SOLUTION
    axis = normalize_axis(axis, dim(), "max");
    if (dim() == 0) return max();  // records itself
    TT_CHECK(shape()[static_cast<size_t>(axis)] > 0, ValueError,
             "max: axis {} of shape {} is empty", axis, format_shape(shape()));
    const Tensor x = contiguous();
    const AxisSplit s = split_at(shape(), axis);
    out = empty(reduced_shape(shape(), axis, keepdims));
    for (int64_t o = 0; o < s.outer; ++o) {
        const float* block = x.data() + o * s.extent * s.inner;
        float* best = out.data() + o * s.inner;
        std::copy(block, block + s.inner, best);
        for (int64_t k = 1; k < s.extent; ++k)
            for (int64_t i = 0; i < s.inner; ++i) best[i] = std::max(best[i], block[k * s.inner + i]);
    }
    // END SOLUTION
    OpArgs args;
    args.axis = axis;
    args.keepdims = keepdims;
    return record(Op::Max, out, {*this}, args);
}

Tensor Tensor::argmax() const {
    // BEGIN SOLUTION
    TT_CHECK(numel() > 0, ValueError, "argmax: the tensor of shape {} is empty",
             format_shape(shape()));
    const Tensor x = contiguous();
    const float* first = x.data();
    return scalar_tensor(static_cast<float>(std::max_element(first, first + x.numel()) - first));
    // END SOLUTION
}

Tensor Tensor::argmax(int64_t axis, bool keepdims) const {
    // BEGIN SOLUTION
    axis = normalize_axis(axis, dim(), "argmax");
    if (dim() == 0) return argmax();
    TT_CHECK(shape()[static_cast<size_t>(axis)] > 0, ValueError,
             "argmax: axis {} of shape {} is empty", axis, format_shape(shape()));
    const Tensor x = contiguous();
    const AxisSplit s = split_at(shape(), axis);
    Tensor out = empty(reduced_shape(shape(), axis, keepdims));
    for (int64_t o = 0; o < s.outer; ++o) {
        const float* block = x.data() + o * s.extent * s.inner;
        for (int64_t i = 0; i < s.inner; ++i) {
            int64_t best = 0;
            for (int64_t k = 1; k < s.extent; ++k)
                if (block[k * s.inner + i] > block[best * s.inner + i]) best = k;
            out.data()[o * s.inner + i] = static_cast<float>(best);
        }
    }
    return out;
    // END SOLUTION
}

// ===========================================================================
// Matrix product
// ===========================================================================

// a (..., M, K) @ b (..., K, N) -> (..., M, N); batch axes broadcast.
// 1-D operands: a (K) acts as (1, K) and b (K) as (K, 1); the added axis is
// dropped from the result. Each matrix product runs through gemm().
Tensor Tensor::matmul(const Tensor& other) const {
    Tensor out;
    // BEGIN SOLUTION
    const Tensor& a = *this;
    const Tensor& b = other;
    TT_CHECK(a.dim() >= 1 && b.dim() >= 1, ShapeError,
             "matmul: both operands need at least one axis, got {} @ {}", format_shape(a.shape()),
             format_shape(b.shape()));
    // Promote 1-D operands to matrices (as plain views: only the matmul
    // itself is recorded).
    const Tensor a2 = a.dim() == 1 ? from_storage(a.storage(), {1, a.size(0)},
                                                  {0, a.strides()[0]}, a.offset())
                                   : a;
    const Tensor b2 = b.dim() == 1 ? from_storage(b.storage(), {b.size(0), 1},
                                                  {b.strides()[0], 0}, b.offset())
                                   : b;
    const int64_t M = a2.size(-2), K = a2.size(-1), N = b2.size(-1);
    TT_CHECK(b2.size(-2) == K, ShapeError, "matmul: inner dimensions differ: {} @ {}",
             format_shape(a.shape()), format_shape(b.shape()));

    // Broadcast the batch axes (all but the last two).
    const Shape a_batch(a2.shape().begin(), a2.shape().end() - 2);
    const Shape b_batch(b2.shape().begin(), b2.shape().end() - 2);
    const Shape batch = broadcast_shapes(a_batch, b_batch);
    Shape out_shape = batch;
    out_shape.push_back(M);
    out_shape.push_back(N);
    out = empty(out_shape);

    // Per batch index, the offset of each operand's matrix (stride 0 where broadcast).
    const int64_t count = count_elements(batch);
    std::vector<int64_t> a_offsets(static_cast<size_t>(count)), b_offsets(static_cast<size_t>(count));
    {
        const Strides a_strides(a2.strides().begin(), a2.strides().end() - 2);
        const Strides b_strides(b2.strides().begin(), b2.strides().end() - 2);
        size_t i = 0;
        for_each_row<2>(batch, {broadcast_strides(a_batch, a_strides, batch),
                                broadcast_strides(b_batch, b_strides, batch)},
                        [&](const auto& at, int64_t length, const auto& step) {
                            for (int64_t j = 0; j < length; ++j, ++i) {
                                a_offsets[i] = at[0] + j * step[0];
                                b_offsets[i] = at[1] + j * step[1];
                            }
                        });
    }
    const int64_t a_rs = a2.strides()[a2.shape().size() - 2], a_cs = a2.strides().back();
    const int64_t b_rs = b2.strides()[b2.shape().size() - 2], b_cs = b2.strides().back();
    for (int64_t i = 0; i < count; ++i) {
        const auto at = static_cast<size_t>(i);
        gemm(M, N, K, {a2.data() + a_offsets[at], a_rs, a_cs}, {b2.data() + b_offsets[at], b_rs, b_cs},
             out.data() + i * M * N, N, /*accumulate=*/false);
    }
    // Drop the axes that 1-D operands gained.
    if (a.dim() == 1 || b.dim() == 1) {
        Shape final_shape = batch;
        if (a.dim() > 1) final_shape.push_back(M);
        if (b.dim() > 1) final_shape.push_back(N);
        out = from_storage(out.storage(), final_shape, contiguous_strides(final_shape), 0);
    }
    // END SOLUTION
    return record(Op::MatMul, out, {*this, other});
}

}  // namespace tinytorch
