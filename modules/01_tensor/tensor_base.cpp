// tensor_base.cpp — the parts of Tensor that are provided: storage, metadata
// accessors, autograd state, printing and allclose.
#include <algorithm>
#include <cmath>
#include <new>
#include <ostream>

#include "tensor.hpp"

namespace tinytorch {

// ---------------------------------------------------------------------------
// Storage
// ---------------------------------------------------------------------------
namespace {
constexpr std::align_val_t kStorageAlignment{64};  // one cache line, one AVX-512 register
}

Storage::Storage(int64_t size) : data_(nullptr), size_(size) {
    TT_CHECK(size >= 0, ValueError, "Storage: size must be >= 0, got {}", size);
    // Never a null pointer, even for size 0, so data() is always valid.
    const auto bytes = static_cast<size_t>(std::max<int64_t>(size, 1)) * sizeof(float);
    data_ = static_cast<float*>(::operator new(bytes, kStorageAlignment));
}

Storage::~Storage() { ::operator delete(data_, kStorageAlignment); }

// ---------------------------------------------------------------------------
// Construction of views and metadata
// ---------------------------------------------------------------------------
Tensor Tensor::from_storage(std::shared_ptr<Storage> storage, Shape shape, Strides strides,
                            int64_t offset) {
    TT_CHECK(storage != nullptr, ValueError, "from_storage: storage is null");
    TT_CHECK(shape.size() == strides.size(), ShapeError,
             "from_storage: shape {} has {} axes but {} strides were given", format_shape(shape),
             shape.size(), strides.size());
    Tensor t;
    t.impl_ = std::make_shared<TensorImpl>();
    t.impl_->storage = std::move(storage);
    t.impl_->shape = std::move(shape);
    t.impl_->strides = std::move(strides);
    t.impl_->offset = offset;
    return t;
}

TensorImpl& Tensor::impl() const {
    TT_CHECK(impl_ != nullptr, ValueError,
             "this tensor is undefined (default-constructed); create it with zeros(), "
             "Tensor({{...}}) or another factory first");
    return *impl_;
}

const Shape& Tensor::shape() const { return impl().shape; }
int64_t Tensor::size(int64_t axis) const {
    TT_CHECK(dim() > 0, IndexError, "size({}): a scalar tensor has no axes", axis);
    return impl().shape[static_cast<size_t>(normalize_axis(axis, dim(), "size"))];
}
const Strides& Tensor::strides() const { return impl().strides; }
int64_t Tensor::offset() const { return impl().offset; }
int64_t Tensor::dim() const { return static_cast<int64_t>(impl().shape.size()); }
int64_t Tensor::numel() const {
    int64_t n = 1;
    for (int64_t extent : impl().shape) n *= extent;
    return n;
}
float* Tensor::data() const { return impl().storage->data() + impl().offset; }
const std::shared_ptr<Storage>& Tensor::storage() const { return impl().storage; }

Tensor empty(const Shape& shape) {
    int64_t n = 1;
    for (int64_t extent : shape) {
        TT_CHECK(extent >= 0, ShapeError, "empty: negative size in shape {}", format_shape(shape));
        n *= extent;
    }
    return Tensor::from_storage(std::make_shared<Storage>(n), shape, contiguous_strides(shape), 0);
}

// ---------------------------------------------------------------------------
// Autograd state
// ---------------------------------------------------------------------------
bool Tensor::requires_grad() const { return impl().requires_grad; }
Tensor& Tensor::requires_grad_(bool enabled) {
    impl().requires_grad = enabled;
    return *this;
}
Tensor Tensor::grad() const { return impl().grad; }
void Tensor::set_grad(const Tensor& grad) const { impl().grad = grad; }
const std::shared_ptr<Node>& Tensor::grad_fn() const { return impl().grad_fn; }
void Tensor::set_grad_fn(std::shared_ptr<Node> node) const { impl().grad_fn = std::move(node); }

// ---------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------
namespace {

constexpr int64_t kSummarizeAbove = 1000;  // elements; larger tensors elide
constexpr int64_t kEdgeItems = 3;          // shown at each end of an elided axis

// Calls visit(index) for every index of `shape`, in row-major order.
template <class Visit>
void for_each_index(const Shape& shape, Visit visit) {
    int64_t count = 1;
    for (int64_t extent : shape) count *= extent;
    std::vector<int64_t> index(shape.size(), 0);
    for (int64_t i = 0; i < count; ++i) {
        visit(index);
        for (size_t axis = shape.size(); axis-- > 0;) {
            if (++index[axis] < shape[axis]) break;
            index[axis] = 0;
        }
    }
}

float element_at(const Tensor& t, const std::vector<int64_t>& index) {
    int64_t offset = 0;
    for (size_t axis = 0; axis < index.size(); ++axis) offset += index[axis] * t.strides()[axis];
    return t.data()[offset];
}

struct NumberStyle {
    bool integers = true;  // every value is a whole number: print "3."
    bool scientific = false;
};

NumberStyle choose_style(const Tensor& t) {
    NumberStyle style;
    float largest = 0.0f, smallest = INFINITY;
    for_each_index(t.shape(), [&](const std::vector<int64_t>& index) {
        const float v = element_at(t, index);
        if (!std::isfinite(v)) return;
        if (v != std::floor(v)) style.integers = false;
        largest = std::max(largest, std::fabs(v));
        if (v != 0.0f) smallest = std::min(smallest, std::fabs(v));
    });
    style.scientific = largest >= 1e8f || (!style.integers && (largest >= 1e5f || smallest < 1e-4f));
    return style;
}

std::string format_number(float v, const NumberStyle& style) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    if (style.scientific) return fmt::format("{:.4e}", v);
    if (style.integers) return fmt::format("{:.0f}.", v);
    return fmt::format("{:.4f}", v);
}

void print_axis(std::string& out, const Tensor& t, std::vector<int64_t>& index, size_t axis,
                bool summarize, const NumberStyle& style, size_t indent) {
    const int64_t extent = t.shape()[axis];
    const bool innermost = axis + 1 == t.shape().size();
    const bool elide = summarize && extent > 2 * kEdgeItems;
    // Between rows of a matrix: a newline per remaining axis, then align under '['.
    auto separate = [&] {
        out += ',';
        out.append(innermost ? 0 : t.shape().size() - axis - 1, '\n');
        out.append(innermost ? 1 : indent + 1, ' ');
    };
    out += '[';
    for (int64_t i = 0; i < extent; ++i) {
        if (elide && i == kEdgeItems) {
            out += "...";
            separate();
            i = extent - kEdgeItems;
        }
        index[axis] = i;
        if (innermost)
            out += format_number(element_at(t, index), style);
        else
            print_axis(out, t, index, axis + 1, summarize, style, indent + 1);
        if (i + 1 < extent) separate();
    }
    out += ']';
}

}  // namespace

std::string Tensor::to_string() const {
    if (!defined()) return "tensor(undefined)";
    const std::string prefix = "tensor(";
    std::string out = prefix;
    if (dim() == 0) {
        out += format_number(data()[0], choose_style(*this));
    } else if (numel() == 0) {
        out += "[]";
    } else {
        std::vector<int64_t> index(static_cast<size_t>(dim()), 0);
        print_axis(out, *this, index, 0, numel() > kSummarizeAbove, choose_style(*this),
                   prefix.size());
    }
    out += ", shape=" + format_shape(shape());
    if (requires_grad()) out += ", requires_grad";
    return out + ")";
}

std::ostream& operator<<(std::ostream& out, const Tensor& tensor) {
    return out << tensor.to_string();
}

// ---------------------------------------------------------------------------
// allclose
// ---------------------------------------------------------------------------
bool allclose(const Tensor& a, const Tensor& b, float rtol, float atol) {
    if (!a.defined() || !b.defined() || a.shape() != b.shape()) return false;
    bool close = true;
    for_each_index(a.shape(), [&](const std::vector<int64_t>& index) {
        const float x = element_at(a, index), y = element_at(b, index);
        const bool same_infinity = std::isinf(x) && x == y;
        if (!same_infinity && !(std::fabs(x - y) <= atol + rtol * std::fabs(y))) close = false;
    });
    return close;
}

}  // namespace tinytorch
