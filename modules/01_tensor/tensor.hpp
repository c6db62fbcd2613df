// tensor.hpp — module 01: the Tensor.
//
// A Tensor is a view onto shared storage: a shape, strides (how many floats to
// step in memory per index along each axis) and an offset. Views — reshape,
// transpose, expand, slicing — make a new view onto the same storage and copy
// nothing. `Tensor` itself is a cheap handle (one shared pointer): copying a
// Tensor gives a second handle to the same tensor, as in PyTorch.
//
// Everything here is float32 and row-major (the last axis is contiguous).
//
// Who writes what:
//   - tensor.cpp and gemm.cpp are yours (module 01): creation, elementwise
//     math with broadcasting, views, reductions, matmul and its kernel.
//   - tensor_base.cpp, errors.cpp, random.cpp and graph.cpp are provided.
//   - backward(), detach() and zero_grad() are declared here but written in
//     module 06 (autograd), once every differentiable op exists.
//
// This header is the contract the tests check; do not change it.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "errors.hpp"
#include "random.hpp"

namespace tinytorch {

using Shape = std::vector<int64_t>;
using Strides = std::vector<int64_t>;

// ---------------------------------------------------------------------------
// Storage: a 64-byte aligned float buffer shared by every view of it. Provided.
// ---------------------------------------------------------------------------
class Storage {
public:
    explicit Storage(int64_t size);  // uninitialised
    ~Storage();
    Storage(const Storage&) = delete;
    Storage& operator=(const Storage&) = delete;

    float* data() const { return data_; }
    int64_t size() const { return size_; }

private:
    float* data_;
    int64_t size_;
};

// One value or a nested list of them: lets you write Tensor({{1, 2}, {3, 4}}).
struct NestedValues {
    NestedValues(float value) : value(value), is_value(true) {}  // NOLINT: implicit on purpose
    NestedValues(std::initializer_list<NestedValues> items) : items(items) {}

    std::vector<NestedValues> items;
    float value = 0.0f;
    bool is_value = false;
};

struct TensorImpl;
struct Node;  // an autograd graph node, see graph.hpp

class Tensor {
public:
    // An undefined tensor: no storage. defined() is false. Used for "no
    // gradient yet" and as the default of optional tensor arguments.
    Tensor() = default;

    // ---- creation (yours, tensor.cpp) -----------------------------------
    // From nested lists: Tensor({1, 2, 3}) has shape (3),
    // Tensor({{1, 2}, {3, 4}}) shape (2, 2). Ragged lists throw ShapeError.
    Tensor(std::initializer_list<NestedValues> values);
    // From values in row-major order and a shape; their counts must agree.
    Tensor(std::vector<float> values, Shape shape);

    // A view onto `storage` (provided). Used by every view operation.
    static Tensor from_storage(std::shared_ptr<Storage> storage, Shape shape, Strides strides,
                               int64_t offset);

    // ---- metadata (provided, tensor_base.cpp) ---------------------------
    bool defined() const { return impl_ != nullptr; }
    const Shape& shape() const;
    int64_t size(int64_t axis) const;  // shape()[axis], negative axes count from the end
    const Strides& strides() const;
    int64_t offset() const;
    int64_t dim() const;     // number of axes; 0 for a scalar
    int64_t numel() const;   // number of elements; 1 for a scalar, 0 if any axis is 0
    float* data() const;     // address of element (0, 0, ...): storage + offset
    const std::shared_ptr<Storage>& storage() const;
    bool is_same(const Tensor& other) const { return impl_ == other.impl_; }
    std::string to_string() const;  // shape-aware, truncated when large

    // ---- layout (yours) -------------------------------------------------
    // True when the elements lie in row-major order with no gaps, so that
    // data()[i] is the i-th element. Size-1 axes may have any stride.
    bool is_contiguous() const;

    // ---- element access (yours) -----------------------------------------
    // t.at({i, j}) is a reference to element (i, j). Negative indices count
    // from the end. Out of range throws IndexError naming the axis and size.
    float& at(std::initializer_list<int64_t> index) const;
    // The value of a one-element tensor (any shape); otherwise ValueError.
    float item() const;

    // ---- views and shape (yours) ----------------------------------------
    // The same elements in another shape; at most one size may be -1 (inferred).
    // Returns a view when the layout allows, a contiguous copy otherwise.
    Tensor reshape(Shape shape) const;
    // Like reshape, but never copies: a non-contiguous input throws ShapeError.
    Tensor view(Shape shape) const;
    Tensor transpose(int64_t axis0, int64_t axis1) const;  // swap two axes (a view)
    Tensor permute(std::vector<int64_t> order) const;       // reorder all axes (a view)
    Tensor flatten(int64_t start_axis = 0, int64_t end_axis = -1) const;
    Tensor squeeze() const;                 // drop every size-1 axis
    Tensor squeeze(int64_t axis) const;     // drop that axis, which must have size 1
    Tensor unsqueeze(int64_t axis) const;   // insert a size-1 axis at `axis`
    // Broadcast to `shape` without copying: size-1 axes get stride 0; new
    // leading axes may be added. -1 keeps an axis as it is.
    Tensor expand(Shape shape) const;
    Tensor contiguous() const;  // itself if contiguous, else a row-major copy
    Tensor clone() const;       // always a contiguous copy
    // Rows start, start+step, ... (< stop) of the first axis (a view).
    // Negative start/stop count from the end; they are clamped like Python's.
    Tensor slice(int64_t start, int64_t stop, int64_t step = 1) const;
    // Row i of the first axis, with that axis removed (a view).
    Tensor operator[](int64_t index) const;

    // ---- reductions (yours) ---------------------------------------------
    // Over every element (a scalar result), or over one axis; keepdims keeps
    // that axis with size 1 so the result broadcasts against the input.
    Tensor sum() const;
    Tensor sum(int64_t axis, bool keepdims = false) const;
    Tensor mean() const;
    Tensor mean(int64_t axis, bool keepdims = false) const;
    Tensor max() const;
    Tensor max(int64_t axis, bool keepdims = false) const;
    // Index of the largest element (the first one on ties), as a float.
    // argmax() indexes the flattened tensor.
    Tensor argmax() const;
    Tensor argmax(int64_t axis, bool keepdims = false) const;

    // ---- matrix product (yours) -----------------------------------------
    // NumPy semantics: 1-D x 1-D is a dot product; 2-D x 2-D a matrix product;
    // a 1-D operand is promoted to a matrix and the added axis removed after;
    // more than 2 axes are batches of matrices whose batch axes broadcast.
    Tensor matmul(const Tensor& other) const;

    // ---- in-place (yours) — not recorded by autograd --------------------
    Tensor& fill_(float value);
    Tensor& zero_() { return fill_(0.0f); }
    // Copy src's values into this tensor's elements; src broadcasts to shape().
    Tensor& copy_(const Tensor& src);

    // ---- autograd state (provided) --------------------------------------
    // requires_grad marks a leaf whose gradient backward() should compute.
    bool requires_grad() const;
    Tensor& requires_grad_(bool enabled = true);
    // The accumulated gradient: undefined until a backward pass reaches it.
    Tensor grad() const;
    void set_grad(const Tensor& grad) const;
    // The node that produced this tensor (null for leaves and untracked results).
    const std::shared_ptr<Node>& grad_fn() const;
    void set_grad_fn(std::shared_ptr<Node> node) const;
    bool is_leaf() const { return grad_fn() == nullptr; }

    // ---- autograd (module 06, autograd.cpp) -----------------------------
    // Backpropagate from this tensor. A one-element tensor (a loss) needs no
    // gradient (the seed is 1); any other shape needs `gradient` of its
    // shape. Gradients are added into the .grad of every leaf that requires
    // grad (intermediate results keep none). Unless retain_graph, the
    // graph's saved values are freed and a second backward through it throws.
    void backward(const Tensor& gradient = Tensor(), bool retain_graph = false) const;
    // The same values, cut off from the graph (shares storage).
    Tensor detach() const;
    // Drop the accumulated gradient (grad() is undefined again).
    void zero_grad() const;

private:
    std::shared_ptr<TensorImpl> impl_;
    TensorImpl& impl() const;  // throws ValueError on an undefined tensor
};

// The state behind a Tensor handle. Views share `storage`, never the impl.
struct TensorImpl {
    std::shared_ptr<Storage> storage;
    Shape shape;
    Strides strides;
    int64_t offset = 0;
    // Autograd bookkeeping (module 06 gives it meaning).
    bool requires_grad = false;
    Tensor grad;
    std::shared_ptr<Node> grad_fn;
};

std::ostream& operator<<(std::ostream& out, const Tensor& tensor);

// ---------------------------------------------------------------------------
// Shapes (yours)
// ---------------------------------------------------------------------------
// Row-major strides: for shape (2, 3, 4) they are (12, 4, 1).
Strides contiguous_strides(const Shape& shape);
// NumPy broadcasting: align shapes on the right; each pair of sizes must be
// equal or contain a 1. (2, 1, 4) and (3, 1) give (2, 3, 4). A mismatch throws
// ShapeError showing both shapes.
Shape broadcast_shapes(const Shape& a, const Shape& b);

// ---------------------------------------------------------------------------
// Creation (empty is provided; the rest are yours)
// ---------------------------------------------------------------------------
Tensor empty(const Shape& shape);  // uninitialised contiguous tensor
Tensor zeros(const Shape& shape);
Tensor ones(const Shape& shape);
Tensor full(const Shape& shape, float value);
Tensor scalar_tensor(float value);                       // shape ()
Tensor arange(float start, float stop, float step = 1);  // [start, stop)
Tensor eye(int64_t n, int64_t m = -1);                   // n x m identity (m = n by default)
Tensor rand(const Shape& shape, Generator& gen = default_generator());   // uniform [0, 1)
Tensor randn(const Shape& shape, Generator& gen = default_generator());  // normal(0, 1)
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
// Stack equal-shaped tensors along a new first axis: n tensors of shape S -> (n, S...).
Tensor stack(const std::vector<Tensor>& tensors);

// ---------------------------------------------------------------------------
// Elementwise math with broadcasting (yours). Differentiable ones record
// themselves for autograd; comparisons give 0/1 masks and are not recorded.
// ---------------------------------------------------------------------------
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& x);
// A scalar on either side acts as a shape () tensor.
Tensor operator+(const Tensor& a, float b);
Tensor operator+(float a, const Tensor& b);
Tensor operator-(const Tensor& a, float b);
Tensor operator-(float a, const Tensor& b);
Tensor operator*(const Tensor& a, float b);
Tensor operator*(float a, const Tensor& b);
Tensor operator/(const Tensor& a, float b);
Tensor operator/(float a, const Tensor& b);

Tensor pow(const Tensor& x, float exponent);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor clamp(const Tensor& x, float low, float high);

Tensor eq(const Tensor& a, const Tensor& b);  // 1 where a == b, else 0
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
inline Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
inline Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
inline Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
inline Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
inline Tensor operator<(const Tensor& a, float b) { return lt(a, scalar_tensor(b)); }
inline Tensor operator<=(const Tensor& a, float b) { return le(a, scalar_tensor(b)); }
inline Tensor operator>(const Tensor& a, float b) { return gt(a, scalar_tensor(b)); }
inline Tensor operator>=(const Tensor& a, float b) { return ge(a, scalar_tensor(b)); }

inline Tensor matmul(const Tensor& a, const Tensor& b) { return a.matmul(b); }

// ---------------------------------------------------------------------------
// Testing helper (provided): same shape and |a - b| <= atol + rtol * |b|
// elementwise. NaNs are never close.
// ---------------------------------------------------------------------------
bool allclose(const Tensor& a, const Tensor& b, float rtol = 1e-5f, float atol = 1e-6f);

}  // namespace tinytorch

#include "graph.hpp"  // the autograd recording mechanism every op uses
