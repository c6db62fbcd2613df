// dataloader.cpp — module 05: your datasets, batches, shuffling and transforms.
//
// Each function below says what it must do; dataloader.hpp has the full
// contract and modules/05_dataloader/README.md the concepts, hints and common
// mistakes. Run `tito module test 05` to check your work.
//
// Nothing here is differentiable, so nothing calls record(): work on the raw
// floats (data(), strides) and build views with Tensor::from_storage. Speed
// matters: an epoch of CIFAR-10 moves 50,000 images of 3 x 32 x 32 floats,
// so copy whole rows, never one element at a time through at().
#include <algorithm>
#include <numeric>
#include <utility>

#include "dataloader.hpp"

namespace tinytorch {

namespace {

// The transform generator is seeded with the loader's seed mixed with this
// constant (2^64 divided by the golden ratio), so its stream is unrelated to
// the order generator's.
constexpr uint64_t kTransformSeedMix = 0x9E3779B97F4A7C15ull;

}  // namespace

// BEGIN SOLUTION HELPERS
namespace {

// Row `index` of t's first axis as a view: shape t.shape()[1:], same strides
// after the first, offset moved by index rows. Unlike t[index] it records
// nothing, whatever t requires.
Tensor row_view(const Tensor& t, int64_t index) {
    const Shape shape(t.shape().begin() + 1, t.shape().end());
    const Strides strides(t.strides().begin() + 1, t.strides().end());
    return Tensor::from_storage(t.storage(), shape, strides, t.offset() + index * t.strides()[0]);
}

// t's values in row-major order without recording: t itself when it is
// contiguous, else a copy (copy_ is not recorded; contiguous() may be).
Tensor contiguous_values(const Tensor& t) {
    if (t.is_contiguous()) return t;
    Tensor out = empty(t.shape());
    out.copy_(t);
    return out;
}

// Copies src's elements in row-major order into the fresh contiguous tensor
// `out`, starting `offset` floats in: one block copy when src is contiguous,
// else copy_ into a view of that stretch of out, which walks src's strides.
void copy_into(const Tensor& src, const Tensor& out, int64_t offset) {
    if (src.is_contiguous()) {
        std::copy_n(src.data(), src.numel(), out.data() + offset);
        return;
    }
    Tensor::from_storage(out.storage(), src.shape(), contiguous_strides(src.shape()), offset)
        .copy_(src);
}

// examples[i].*field for every i, stacked into (n, shape of example 0).
Tensor stack_field(const std::vector<Example>& examples, Tensor Example::*field, const char* what) {
    const Shape& item = (examples[0].*field).shape();
    Shape shape = item;
    shape.insert(shape.begin(), static_cast<int64_t>(examples.size()));
    Tensor out = empty(shape);
    int64_t per_example = 1;
    for (int64_t extent : item) per_example *= extent;
    for (size_t i = 0; i < examples.size(); ++i) {
        const Tensor& t = examples[i].*field;
        TT_CHECK(t.shape() == item, ShapeError,
                 "collate: example {} has {} shape {} but example 0 has {}; every example of a "
                 "batch must have the same shape",
                 i, what, format_shape(t.shape()), format_shape(item));
        copy_into(t, out, static_cast<int64_t>(i) * per_example);
    }
    return out;
}

}  // namespace
// END SOLUTION

// ===========================================================================
// TensorDataset
// ===========================================================================

// Keeps both tensors as they are (no copy). Both need a first axis, and the
// first axes must have the same size.
TensorDataset::TensorDataset(Tensor inputs, Tensor targets)
    : inputs_(std::move(inputs)), targets_(std::move(targets)) {
    // BEGIN SOLUTION
    TT_CHECK(inputs_.dim() >= 1 && targets_.dim() >= 1, ShapeError,
             "TensorDataset: inputs {} and targets {} both need a first axis that indexes the "
             "examples",
             format_shape(inputs_.shape()), format_shape(targets_.shape()));
    TT_CHECK(inputs_.size(0) == targets_.size(0), ShapeError,
             "TensorDataset: inputs of shape {} hold {} examples but targets of shape {} hold {}; "
             "the first axes must agree",
             format_shape(inputs_.shape()), inputs_.size(0), format_shape(targets_.shape()),
             targets_.size(0));
    // END SOLUTION
}

// The number of examples: the size of the first axis.
int64_t TensorDataset::size() const {
    // BEGIN SOLUTION
    return inputs_.size(0);
    // END SOLUTION
}

// (inputs[index], targets[index]) as views, not recorded. Index in [0, size()).
Example TensorDataset::get(int64_t index) const {
    // BEGIN SOLUTION
    TT_CHECK(index >= 0 && index < size(), IndexError,
             "TensorDataset: index {} is out of range for a dataset of {} examples", index, size());
    return {row_view(inputs_, index), row_view(targets_, index)};
    // END SOLUTION
}

// ===========================================================================
// Batching
// ===========================================================================

// n examples -> inputs (n, ...) and targets (n, ...). Allocate each result
// once with empty() and copy every example into its row.
Batch collate(const std::vector<Example>& examples) {
    // BEGIN SOLUTION
    TT_CHECK(!examples.empty(), ValueError, "collate: needs at least one example, got none");
    return {stack_field(examples, &Example::input, "input"),
            stack_field(examples, &Example::target, "target")};
    // END SOLUTION
}

// ===========================================================================
// Transforms
// ===========================================================================

Normalize::Normalize(std::vector<float> mean, std::vector<float> std)
    : mean_(std::move(mean)), std_(std::move(std)) {
    // BEGIN SOLUTION
    TT_CHECK(!mean_.empty() && mean_.size() == std_.size(), ValueError,
             "Normalize: needs as many stds as means, and at least one; got {} means and {} stds",
             mean_.size(), std_.size());
    for (size_t c = 0; c < std_.size(); ++c)
        TT_CHECK(std_[c] > 0.0f, ValueError, "Normalize: std[{}] is {}; every std must be positive",
                 c, std_[c]);
    // END SOLUTION
}

// sample (C, ...): channel c is the block sample[c]; each of its values v
// becomes (v - mean[c]) / std[c]. One mean and std serve every channel.
Tensor Normalize::operator()(const Tensor& sample, Generator& /*gen*/) const {
    Tensor out;
    // BEGIN SOLUTION
    TT_CHECK(sample.dim() >= 1, ShapeError,
             "Normalize: the sample needs a channel axis first, got shape {}",
             format_shape(sample.shape()));
    const int64_t channels = sample.size(0);
    const auto given = static_cast<int64_t>(mean_.size());
    TT_CHECK(given == 1 || given == channels, ShapeError,
             "Normalize: the sample of shape {} has {} channels but {} means and stds were given",
             format_shape(sample.shape()), channels, given);
    const Tensor x = contiguous_values(sample);
    out = empty(sample.shape());
    const int64_t per_channel = channels == 0 ? 0 : sample.numel() / channels;
    for (int64_t c = 0; c < channels; ++c) {
        const auto k = static_cast<size_t>(given == 1 ? 0 : c);
        const float mean = mean_[k], std = std_[k];
        const float* src = x.data() + c * per_channel;
        float* dst = out.data() + c * per_channel;
        for (int64_t i = 0; i < per_channel; ++i) dst[i] = (src[i] - mean) / std;
    }
    // END SOLUTION
    return out;
}

RandomHorizontalFlip::RandomHorizontalFlip(float p) : p_(p) {
    // BEGIN SOLUTION
    TT_CHECK(p_ >= 0.0f && p_ <= 1.0f, ValueError,
             "RandomHorizontalFlip: p must be a probability in [0, 1], got {}", p_);
    // END SOLUTION
}

// One gen.bernoulli(p) per call; on true, every row along the last axis is
// reversed: out[..., w] = sample[..., W - 1 - w].
Tensor RandomHorizontalFlip::operator()(const Tensor& sample, Generator& gen) const {
    Tensor out;
    // BEGIN SOLUTION
    TT_CHECK(sample.dim() >= 1, ShapeError,
             "RandomHorizontalFlip: the sample needs at least one axis, got shape {}",
             format_shape(sample.shape()));
    if (!gen.bernoulli(p_)) return sample;
    const Tensor x = contiguous_values(sample);
    out = empty(sample.shape());
    const int64_t width = sample.size(-1);
    const int64_t rows = width == 0 ? 0 : sample.numel() / width;
    for (int64_t r = 0; r < rows; ++r) {
        const float* src = x.data() + r * width;
        std::reverse_copy(src, src + width, out.data() + r * width);
    }
    // END SOLUTION
    return out;
}

RandomCrop::RandomCrop(int64_t size, int64_t padding) : size_(size), padding_(padding) {
    // BEGIN SOLUTION
    TT_CHECK(size_ > 0, ValueError, "RandomCrop: size must be positive, got {}", size_);
    TT_CHECK(padding_ >= 0, ValueError, "RandomCrop: padding must not be negative, got {}",
             padding_);
    // END SOLUTION
}

// sample (C, H, W) -> (C, size, size). With top and left drawn as the header
// says, output pixel (y, x) of every channel is the input pixel
// (top + y - padding, left + x - padding), or 0 where that lies outside the
// image (in the padding).
Tensor RandomCrop::operator()(const Tensor& sample, Generator& gen) const {
    Tensor out;
    // BEGIN SOLUTION
    TT_CHECK(sample.dim() == 3, ShapeError,
             "RandomCrop: expects a (C, H, W) sample, got shape {}", format_shape(sample.shape()));
    const int64_t channels = sample.size(0), height = sample.size(1), width = sample.size(2);
    const int64_t padded_height = height + 2 * padding_, padded_width = width + 2 * padding_;
    TT_CHECK(padded_height >= size_ && padded_width >= size_, ShapeError,
             "RandomCrop: cannot cut {} x {} out of a sample of shape {} padded by {} to {} x {}",
             size_, size_, format_shape(sample.shape()), padding_, padded_height, padded_width);
    const int64_t top = gen.randint(0, padded_height - size_ + 1);
    const int64_t left = gen.randint(0, padded_width - size_ + 1);

    const Tensor x = contiguous_values(sample);
    out = zeros({channels, size_, size_});
    // Output column j reads input column first_column + j; only the columns
    // inside [0, width) are copied, the rest stay 0.
    const int64_t first_column = left - padding_;
    const int64_t j_begin = std::max<int64_t>(0, -first_column);
    const int64_t j_end = std::min<int64_t>(size_, width - first_column);
    for (int64_t c = 0; c < channels; ++c) {
        for (int64_t y = 0; y < size_; ++y) {
            const int64_t row = top + y - padding_;
            if (row < 0 || row >= height || j_begin >= j_end) continue;
            const float* src = x.data() + (c * height + row) * width + first_column;
            float* dst = out.data() + (c * size_ + y) * size_;
            std::copy(src + j_begin, src + j_end, dst + j_begin);
        }
    }
    // END SOLUTION
    return out;
}

Compose::Compose(std::vector<Transform> transforms) : transforms_(std::move(transforms)) {}

// transforms_[0] first, each on the previous output, all with `gen`.
Tensor Compose::operator()(const Tensor& sample, Generator& gen) const {
    Tensor out;
    // BEGIN SOLUTION
    out = sample;
    for (const Transform& transform : transforms_) out = transform(out, gen);
    // END SOLUTION
    return out;
}

// ===========================================================================
// DataLoader
// ===========================================================================

// The members are set for you; check the arguments.
DataLoader::DataLoader(const Dataset& dataset, int64_t batch_size, bool shuffle, bool drop_last,
                       uint64_t seed, Transform transform)
    : dataset_(&dataset),
      batch_size_(batch_size),
      shuffle_(shuffle),
      drop_last_(drop_last),
      order_generator_(seed),
      transform_generator_(seed ^ kTransformSeedMix),
      transform_(std::move(transform)) {
    // BEGIN SOLUTION
    TT_CHECK(batch_size_ > 0, ValueError, "DataLoader: batch_size must be positive, got {}",
             batch_size_);
    // END SOLUTION
}

// n examples in batches of batch_size_: is the last, partial batch kept?
int64_t DataLoader::num_batches() const {
    // BEGIN SOLUTION
    const int64_t n = dataset_->size();
    return drop_last_ ? n / batch_size_ : (n + batch_size_ - 1) / batch_size_;
    // END SOLUTION
}

// 0..n-1, shuffled in place when shuffle_ by Fisher-Yates: for i from n-1
// down to 1, swap element i with element order_generator_.randint(0, i + 1).
std::vector<int64_t> DataLoader::next_epoch_order() {
    std::vector<int64_t> order;
    // BEGIN SOLUTION
    order.resize(static_cast<size_t>(dataset_->size()));
    std::iota(order.begin(), order.end(), int64_t{0});
    if (shuffle_)
        for (size_t i = order.size(); i-- > 1;)
            std::swap(order[i], order[static_cast<size_t>(
                                    order_generator_.randint(0, static_cast<int64_t>(i) + 1))]);
    // END SOLUTION
    return order;
}

// Gather the batch's examples (dataset_->get), transform each input with
// transform_generator_ when a transform is set, then collate.
Batch DataLoader::load_batch(const std::vector<int64_t>& order, int64_t batch_index) {
    // BEGIN SOLUTION
    const int64_t n = dataset_->size();
    TT_CHECK(static_cast<int64_t>(order.size()) == n, ValueError,
             "DataLoader: an order of {} indices was given for a dataset of {} examples",
             order.size(), n);
    TT_CHECK(batch_index >= 0 && batch_index < num_batches(), IndexError,
             "DataLoader: batch {} is out of range for an epoch of {} batches", batch_index,
             num_batches());
    const int64_t first = batch_index * batch_size_;
    const int64_t last = std::min(first + batch_size_, n);
    std::vector<Example> examples;
    examples.reserve(static_cast<size_t>(last - first));
    for (int64_t position = first; position < last; ++position) {
        Example example = dataset_->get(order[static_cast<size_t>(position)]);
        if (transform_) example.input = transform_(example.input, transform_generator_);
        examples.push_back(std::move(example));
    }
    return collate(examples);
    // END SOLUTION
}

}  // namespace tinytorch
