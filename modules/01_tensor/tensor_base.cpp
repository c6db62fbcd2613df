// tensor_base.cpp — the parts of Tensor that are provided: storage, metadata
// accessors, autograd state, printing and allclose.
#include <algorithm>
#include <cmath>
#include <mutex>
#include <new>
#include <ostream>
#include <unordered_map>
#include <vector>

#include "tensor.hpp"

namespace tinytorch {

// ---------------------------------------------------------------------------
// Storage
// ---------------------------------------------------------------------------
namespace {
constexpr std::align_val_t kStorageAlignment{64};  // one cache line, one AVX-512 register

// Large blocks are recycled. A training step allocates the same large
// tensors (activations, their gradients: megabytes each) every step and
// frees them at its end; the C library hands such blocks back to the
// kernel, so every step would pay again for fresh pages — a page fault and
// a zeroed page per 4 KB, about a third of a CNN training step. Freed blocks
// of at least kMinBytes wait here instead, by exact size, for the next
// request of that size; at most kMaxCachedBytes wait at once (beyond that a
// block is freed), so the cache holds at most one step's worth of tensors
// more than the program itself. A recycled block is not zeroed: empty()
// promises nothing about its contents. Under AddressSanitizer nothing is
// recycled, so a use after free is still caught.
class BlockCache {
public:
    static constexpr size_t kMinBytes = size_t{1} << 20;
    static constexpr size_t kMaxCachedBytes = size_t{1} << 30;

    // A cached block of exactly `bytes`, or null.
    float* take(size_t bytes) {
        std::lock_guard<std::mutex> lock(mutex_);
        auto found = free_.find(bytes);
        if (found == free_.end() || found->second.empty()) return nullptr;
        float* block = found->second.back();
        found->second.pop_back();
        cached_bytes_ -= bytes;
        return block;
    }
    // Keeps the block for reuse; false when the cache is full.
    bool give(float* block, size_t bytes) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (cached_bytes_ + bytes > kMaxCachedBytes) return false;
        free_[bytes].push_back(block);
        cached_bytes_ += bytes;
        return true;
    }

private:
    std::mutex mutex_;
    std::unordered_map<size_t, std::vector<float*>> free_;
    size_t cached_bytes_ = 0;
};

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kRecycleBlocks = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kRecycleBlocks = false;
#else
constexpr bool kRecycleBlocks = true;
#endif
#else
constexpr bool kRecycleBlocks = true;
#endif

// Never destroyed: a Storage freed during static destruction may still
// reach it. What it holds at exit goes back with the process.
BlockCache& block_cache() {
    static BlockCache* cache = new BlockCache;
    return *cache;
}

size_t storage_bytes(int64_t size) {
    // Never a null pointer, even for size 0, so data() is always valid.
    return static_cast<size_t>(std::max<int64_t>(size, 1)) * sizeof(float);
}
}  // namespace

Storage::Storage(int64_t size) : data_(nullptr), size_(size) {
    TT_CHECK(size >= 0, ValueError, "Storage: size must be >= 0, got {}", size);
    const size_t bytes = storage_bytes(size);
    if (kRecycleBlocks && bytes >= BlockCache::kMinBytes) data_ = block_cache().take(bytes);
    if (data_ == nullptr) data_ = static_cast<float*>(::operator new(bytes, kStorageAlignment));
}

Storage::~Storage() {
    const size_t bytes = storage_bytes(size_);
    if (kRecycleBlocks && bytes >= BlockCache::kMinBytes && block_cache().give(data_, bytes)) return;
    ::operator delete(data_, kStorageAlignment);
}

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
