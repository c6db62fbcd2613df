// dataloader.hpp — module 05: datasets, batching, shuffling, transforms.
//
// Training reads data in mini-batches: B examples stacked into one tensor, in
// a fresh random order every epoch, often with random augmentation. This
// module is that pipeline:
//
//     Dataset            size() examples, get(i) -> Example {input, target}
//     TensorDataset      a Dataset over two tensors whose first axis indexes examples
//     collate            examples -> Batch {inputs (B, ...), targets (B, ...)}
//     DataLoader         range-for over the batches of one epoch:
//                            for (const Batch& batch : loader) { ... }
//     Normalize, RandomHorizontalFlip, RandomCrop, Compose
//                        per-sample transforms of a (C, H, W) input
//
// Data loading is not differentiable: nothing here records an autograd node,
// and batches never require a gradient.
//
// Reproducibility: a DataLoader owns two Generators, both seeded from its
// `seed`: one draws the order of each epoch, the other feeds the transforms.
// Two loaders with the same arguments yield the same batches, epoch after
// epoch, and a transform's draws never change the shuffling.
//
// Who writes what:
//   - dataloader.cpp is yours (module 05).
//   - The Dataset interface, the DataLoader's iterator and its state() /
//     load_state() (below) and the dataset readers (datasets.hpp) are provided.
//
// This header is the contract the tests check; do not change it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tensor.hpp"

namespace tinytorch {

// ---------------------------------------------------------------------------
// Examples, batches and datasets
// ---------------------------------------------------------------------------

// One example: an input (an image (C, H, W), a feature vector (F), ...) and
// its target (a class index as a shape () tensor, a regression target, ...).
struct Example {
    Tensor input;
    Tensor target;
};

// Examples stacked along a new first axis: inputs (B, ...), targets (B, ...).
struct Batch {
    Tensor inputs;
    Tensor targets;
};

// Anything with a size and random access to its examples. Provided.
// Every get(i) of one dataset returns inputs of one shape and targets of one
// shape (the batches stack them). The returned tensors may be views of the
// dataset's own storage: read them, do not write to them.
class Dataset {
public:
    virtual ~Dataset() = default;
    virtual int64_t size() const = 0;
    virtual Example get(int64_t index) const = 0;
};

// A dataset over two tensors whose first axis indexes the examples:
// inputs (N, ...) and targets (N, ...); example i is (inputs[i], targets[i]).
// Labels of shape (N) give targets of shape (), which batch to (B).
class TensorDataset : public Dataset {
public:
    // The first axes must agree, else ShapeError showing both shapes; a
    // tensor without axes (shape ()) is rejected with ShapeError as well.
    // Neither tensor is copied; they may be non-contiguous views.
    TensorDataset(Tensor inputs, Tensor targets);

    int64_t size() const override;
    // Views of row `index` of both tensors (no copy), not recorded by
    // autograd. An index outside [0, size()) throws IndexError.
    Example get(int64_t index) const override;

    const Tensor& inputs() const { return inputs_; }
    const Tensor& targets() const { return targets_; }

private:
    Tensor inputs_;
    Tensor targets_;
};

// Stacks n examples into one batch: inputs (n, input shape...), targets
// (n, target shape...), both new contiguous tensors that do not require a
// gradient. Every example's input must have the shape of example 0's input,
// and its target the shape of example 0's target, else ShapeError naming the
// example and both shapes; no examples at all is a ValueError. Copies whole rows (one copy per
// example and tensor), so stacking a batch of 64 CIFAR images costs about as
// much as copying their bytes once.
Batch collate(const std::vector<Example>& examples);

// ---------------------------------------------------------------------------
// Transforms: per-sample functions of the input, drawing any randomness from
// the generator they are given (the DataLoader passes its own).
// ---------------------------------------------------------------------------

// Any callable `Tensor(const Tensor& sample, Generator& gen)`: the classes
// below, a Compose of them, or your own lambda.
using Transform = std::function<Tensor(const Tensor& sample, Generator& gen)>;

// (x - mean[c]) / std[c] for every element of channel c of a sample (C, ...).
// With one mean and one std, the same values apply to every channel.
class Normalize {
public:
    // mean and std must have the same, non-zero length (ValueError) and
    // every std must be positive (ValueError naming it).
    Normalize(std::vector<float> mean, std::vector<float> std);
    // sample (C, ...) -> a new tensor of the same shape. A sample whose
    // channel count differs from the number of means throws ShapeError.
    // Draws nothing from `gen`.
    Tensor operator()(const Tensor& sample, Generator& gen) const;

private:
    std::vector<float> mean_;
    std::vector<float> std_;
};

// Reverses the last axis (the width of a (C, H, W) image) with probability p.
class RandomHorizontalFlip {
public:
    // p outside [0, 1] throws ValueError.
    explicit RandomHorizontalFlip(float p = 0.5f);
    // sample (..., W) -> same shape. Draws exactly one gen.bernoulli(p) per
    // call, flipped or not, so later draws do not depend on the outcome. When
    // it does not flip it may return `sample` itself.
    Tensor operator()(const Tensor& sample, Generator& gen) const;

private:
    float p_;
};

// Pads a (C, H, W) sample with `padding` zeros on every side of H and W, then
// cuts out a size x size window at a random position:
//     top  = gen.randint(0, H + 2 * padding - size + 1)   drawn first
//     left = gen.randint(0, W + 2 * padding - size + 1)   drawn second
// Output (C, size, size). The usual CIFAR-10 augmentation is RandomCrop(32, 4).
class RandomCrop {
public:
    // size must be positive and padding non-negative (ValueError).
    explicit RandomCrop(int64_t size, int64_t padding = 0);
    // A sample that is not 3-D, or whose padded H or W is smaller than size,
    // throws ShapeError showing its shape.
    Tensor operator()(const Tensor& sample, Generator& gen) const;

private:
    int64_t size_;
    int64_t padding_;
};

// Applies transforms one after the other, each to the previous one's output,
// all drawing from the same generator. No transforms: the sample unchanged.
class Compose {
public:
    explicit Compose(std::vector<Transform> transforms);
    Tensor operator()(const Tensor& sample, Generator& gen) const;

private:
    std::vector<Transform> transforms_;
};

// ---------------------------------------------------------------------------
// DataLoader
// ---------------------------------------------------------------------------

// Iterates over a dataset in batches of batch_size, one epoch per range-for:
//
//     DataLoader loader(train_set, 64, /*shuffle=*/true, /*drop_last=*/false, /*seed=*/1);
//     for (int epoch = 0; epoch < 10; ++epoch)
//         for (const Batch& batch : loader)  // batch.inputs (64, 3, 32, 32), batch.targets (64)
//             ...
//
// Each epoch visits every example once, in order 0..n-1 without shuffle, in a
// new random order with it. The last batch holds the n % batch_size examples
// left over, unless drop_last drops it. The transform, when given, is applied
// to each example's input (never its target) before the batch is stacked.
//
// The loader keeps a reference to the dataset, which must outlive it (a
// temporary dataset is refused at compile time).
class DataLoader {
public:
    class Iterator;

    // batch_size must be positive (ValueError).
    DataLoader(const Dataset& dataset, int64_t batch_size, bool shuffle = false,
               bool drop_last = false, uint64_t seed = 0, Transform transform = {});
    DataLoader(Dataset&& dataset, int64_t batch_size, bool shuffle = false, bool drop_last = false,
               uint64_t seed = 0, Transform transform = {}) = delete;

    const Dataset& dataset() const { return *dataset_; }
    int64_t batch_size() const { return batch_size_; }

    // Batches per epoch: ceil(n / batch_size), or floor(n / batch_size) with
    // drop_last.
    int64_t num_batches() const;

    // The order in which the next epoch visits the examples: 0, 1, ..., n-1
    // without shuffle; with shuffle, a fresh permutation of them made by the
    // Fisher-Yates shuffle drawing from the order generator. Every call starts
    // a new epoch (begin() calls it), so successive calls give the sequence of
    // orders a training run sees.
    std::vector<int64_t> next_epoch_order();

    // Batch number `batch_index` of an epoch that visits the examples in
    // `order`: the examples order[batch_index * batch_size] up to (not
    // including) order[min((batch_index + 1) * batch_size, n)], in that order,
    // each input passed through the transform (drawing from the transform
    // generator), stacked by collate(). `order` must hold n indices
    // (ValueError); batch_index outside [0, num_batches()) throws IndexError.
    Batch load_batch(const std::vector<int64_t>& order, int64_t batch_index);

    // Range-for support (provided, below). begin() starts a new epoch.
    Iterator begin();
    Iterator end();

    // The state of both generators (provided). A loader over the same dataset
    // that loads another's state() continues with the same epoch orders and
    // transform draws: checkpoints (module 08) save it so a resumed run sees
    // the batches an uninterrupted one would. load_state() throws ValueError
    // for a state that Generator::state() did not write, and then changes
    // nothing.
    struct State {
        std::string order_generator;
        std::string transform_generator;
    };
    State state() const { return {order_generator_.state(), transform_generator_.state()}; }
    void load_state(const State& state) {
        Generator order, transform;
        order.set_state(state.order_generator);
        transform.set_state(state.transform_generator);
        order_generator_ = order;
        transform_generator_ = transform;
    }

private:
    const Dataset* dataset_;
    int64_t batch_size_;
    bool shuffle_;
    bool drop_last_;
    Generator order_generator_;      // draws each epoch's order
    Generator transform_generator_;  // feeds the transform
    Transform transform_;
};

// An input iterator over the batches of one epoch. Provided. Each batch is
// loaded when first dereferenced and dropped when the iterator moves on, so
// an epoch over a large dataset holds one batch at a time.
class DataLoader::Iterator {
public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Batch;
    using difference_type = std::ptrdiff_t;
    using pointer = const Batch*;
    using reference = const Batch&;

    Iterator() = default;

    const Batch& operator*() const {
        if (!batch_) batch_ = loader_->load_batch(*order_, index_);
        return *batch_;
    }
    const Batch* operator->() const { return &**this; }
    Iterator& operator++() {
        ++index_;
        batch_.reset();
        return *this;
    }
    void operator++(int) { ++*this; }
    // Iterators of one epoch compare by position; end() is one past the last batch.
    bool operator==(const Iterator& other) const { return index_ == other.index_; }

private:
    friend class DataLoader;
    Iterator(DataLoader* loader, std::shared_ptr<const std::vector<int64_t>> order, int64_t index)
        : loader_(loader), order_(std::move(order)), index_(index) {}

    DataLoader* loader_ = nullptr;
    std::shared_ptr<const std::vector<int64_t>> order_;  // shared by the copies of one epoch
    int64_t index_ = 0;
    mutable std::optional<Batch> batch_;
};

inline DataLoader::Iterator DataLoader::begin() {
    return Iterator(this, std::make_shared<const std::vector<int64_t>>(next_epoch_order()), 0);
}

inline DataLoader::Iterator DataLoader::end() { return Iterator(this, nullptr, num_batches()); }

}  // namespace tinytorch
