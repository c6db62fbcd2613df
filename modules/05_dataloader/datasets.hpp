// datasets.hpp — readers for the image datasets the course trains on.
// Provided infrastructure, not student work: nothing here is stubbed, and the
// readers use only the provided parts of module 01 (Storage, from_storage,
// data()), so they work before any module is written.
//
//   TinyDigits       milestones/datasets/tinydigits/{train,test}.txt, 8 x 8 digits
//   CIFAR-10         the binary batches data_batch_1.bin ... data_batch_5.bin,
//                    test_batch.bin: 32 x 32 colour images in 10 classes
//   MNIST-style IDX  {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]:
//                    MNIST and Fashion-MNIST, 28 x 28 grey images
//
// Every reader gives an ImageSet: images (N, C, H, W) as floats in [0, 1]
// (the stored byte / 255, or the stored TinyDigits value) and labels (N) as
// class indices stored in floats. Make a dataset of it with
//     TensorDataset train(set.images, set.labels);
//
// A missing, truncated or corrupt file, a wrong magic number, mismatched
// image and label counts, or a label out of range throws FileError naming
// the file, what is wrong with it and, where there is one, what to do.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "tensor.hpp"

namespace tinytorch {

enum class Split { Train, Test };

struct ImageSet {
    Tensor images;        // (N, C, H, W), float32 in [0, 1]
    Tensor labels;        // (N), class indices 0 .. classes-1 as floats
    int64_t classes = 0;  // number of classes of the dataset
    int64_t size() const { return labels.size(0); }
};

// ---------------------------------------------------------------------------
// TinyDigits: 1000 training and 200 test images of 1 x 8 x 8, 10 classes.
// Format (see milestones/datasets/tinydigits/README.md): a line
// "tinydigits N H W", then N lines "label p1 ... p(H*W)", pixels in [0, 1].
// ---------------------------------------------------------------------------

// One TinyDigits file -> images (N, 1, H, W), labels (N), 10 classes.
ImageSet read_tinydigits(const std::filesystem::path& file);
// folder/train.txt or folder/test.txt.
ImageSet load_tinydigits(const std::filesystem::path& folder, Split split);
// The shipped folder, milestones/datasets/tinydigits, looked for in `start`
// and each of its parents (so it is found from anywhere inside a workspace).
// Throws FileError when no parent holds it.
std::filesystem::path find_tinydigits_dir(
    const std::filesystem::path& start = std::filesystem::current_path());

// ---------------------------------------------------------------------------
// CIFAR-10: records of 3073 bytes, a label byte (0..9) then 3072 pixel bytes,
// channel-major (1024 red, 1024 green, 1024 blue, each 32 rows of 32).
// ---------------------------------------------------------------------------

inline constexpr int64_t kCifar10RecordBytes = 1 + 3 * 32 * 32;

// One or more batch files, concatenated in order -> images (N, 3, 32, 32).
ImageSet read_cifar10(const std::vector<std::filesystem::path>& files);
// Train: data_batch_1.bin ... data_batch_5.bin (50,000 images); Test:
// test_batch.bin (10,000), all in `folder`.
ImageSet load_cifar10(const std::filesystem::path& folder, Split split);
// Where `tito data download cifar10` puts the batches:
// $XDG_CACHE_HOME/tinytorch/cifar-10-batches-bin, or
// ~/.cache/tinytorch/cifar-10-batches-bin when XDG_CACHE_HOME is unset, empty
// or relative. Throws FileError when neither it nor HOME is set.
std::filesystem::path default_cifar10_dir();
// "airplane", "automobile", ... in label order.
const std::array<std::string_view, 10>& cifar10_classes();

// ---------------------------------------------------------------------------
// IDX (MNIST, Fashion-MNIST): big-endian headers, plain or gzip-compressed.
//   images: magic 0x00000803, then N, rows, cols (uint32 each), N*rows*cols bytes
//   labels: magic 0x00000801, then N, then N bytes
// ---------------------------------------------------------------------------

// An images file and its labels file -> images (N, 1, rows, cols), labels (N).
// Labels must lie in [0, classes).
ImageSet read_idx(const std::filesystem::path& images_file,
                  const std::filesystem::path& labels_file, int64_t classes = 10);
// folder/{train,t10k}-images-idx3-ubyte and -labels-idx1-ubyte, each with or
// without .gz (the compressed one is used when both exist). MNIST and
// Fashion-MNIST name their files alike: 60,000 training and 10,000 test images.
ImageSet load_mnist(const std::filesystem::path& folder, Split split);
// Where Debian's dataset-fashion-mnist package installs its files:
// /usr/share/datasets/fashion-mnist.
std::filesystem::path default_fashion_mnist_dir();
// "T-shirt/top", "Trouser", ... in label order.
const std::array<std::string_view, 10>& fashion_mnist_classes();

}  // namespace tinytorch
