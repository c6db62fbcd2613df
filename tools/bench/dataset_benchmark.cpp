// dataset_benchmark — loading the course's datasets, and epochs of batches.
//
//   build/release/bin/dataset_benchmark
//
//   BM_LoadTinyDigits          both TinyDigits files (1200 images of 8 x 8)
//   BM_LoadFashionMnistTrain   the 60,000 Fashion-MNIST training images, gzip
//                              IDX from Debian's dataset-fashion-mnist package
//   BM_FashionMnistEpoch       one shuffled epoch of DataLoader batches of 64
//                              over them (938 batches)
//   BM_AugmentedCifarEpoch     one shuffled epoch, batches of 64, over a
//                              CIFAR-10-sized set (50,000 x 3 x 32 x 32, random
//                              values) with RandomCrop(32, 4) and
//                              RandomHorizontalFlip: the milestone's input
//                              pipeline
//
// The Fashion-MNIST benchmarks run only where the package's files exist.
// "items_per_second" counts images.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "dataloader.hpp"
#include "datasets.hpp"

using namespace tinytorch;
namespace fs = std::filesystem;

namespace {

const fs::path kTinyDigits = fs::path(TINYTORCH_SOURCE_DIR) / "milestones" / "datasets" / "tinydigits";

bool fashion_mnist_installed() {
    return fs::exists(default_fashion_mnist_dir() / "train-images-idx3-ubyte.gz") &&
           fs::exists(default_fashion_mnist_dir() / "train-labels-idx1-ubyte.gz");
}

// Runs one epoch of `loader` per iteration, touching every batch.
void run_epochs(benchmark::State& state, DataLoader& loader, int64_t images) {
    for (auto _ : state)
        for (const Batch& batch : loader) benchmark::DoNotOptimize(batch.inputs.data());
    state.SetItemsProcessed(state.iterations() * images);
}

// In a student's tree the DataLoader may still be a stub: report that
// instead of crashing.
template <class Body>
void unless_stubbed(benchmark::State& state, Body body) {
    try {
        body();
    } catch (const NotImplemented& stub) {
        state.SkipWithError(stub.what());
        for (auto _ : state) {
        }
    }
}

void BM_LoadTinyDigits(benchmark::State& state) {
    for (auto _ : state) {
        const ImageSet train = load_tinydigits(kTinyDigits, Split::Train);
        const ImageSet test = load_tinydigits(kTinyDigits, Split::Test);
        benchmark::DoNotOptimize(train.images.data());
        benchmark::DoNotOptimize(test.images.data());
    }
    state.SetItemsProcessed(state.iterations() * 1200);
}

void BM_LoadFashionMnistTrain(benchmark::State& state) {
    int64_t images = 0;
    for (auto _ : state) {
        const ImageSet train = load_mnist(default_fashion_mnist_dir(), Split::Train);
        images = train.size();
        benchmark::DoNotOptimize(train.images.data());
    }
    if (images != 60000) state.SkipWithError("expected 60,000 training images");
    state.SetItemsProcessed(state.iterations() * images);
}

void BM_FashionMnistEpoch(benchmark::State& state) {
    const ImageSet train = load_mnist(default_fashion_mnist_dir(), Split::Train);
    unless_stubbed(state, [&] {
        TensorDataset dataset(train.images, train.labels);
        DataLoader loader(dataset, 64, /*shuffle=*/true, /*drop_last=*/false, /*seed=*/1);
        run_epochs(state, loader, train.size());
    });
}

void BM_AugmentedCifarEpoch(benchmark::State& state) {
    unless_stubbed(state, [&] {
        constexpr int64_t kImages = 50000;
        Generator gen(7);
        const Tensor images = rand({kImages, 3, 32, 32}, gen);
        Tensor labels = arange(0, kImages);
        TensorDataset dataset(images, labels);
        DataLoader loader(dataset, 64, true, false, 1,
                          Compose({RandomCrop(32, 4), RandomHorizontalFlip(0.5f)}));
        run_epochs(state, loader, kImages);
    });
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RegisterBenchmark("BM_LoadTinyDigits", BM_LoadTinyDigits)->Unit(benchmark::kMillisecond);
    if (fashion_mnist_installed()) {
        benchmark::RegisterBenchmark("BM_LoadFashionMnistTrain", BM_LoadFashionMnistTrain)
            ->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark("BM_FashionMnistEpoch", BM_FashionMnistEpoch)
            ->Unit(benchmark::kMillisecond);
    } else {
        std::fprintf(stderr, "Fashion-MNIST is not installed in %s (sudo apt-get install "
                             "dataset-fashion-mnist); its benchmarks are skipped\n",
                     default_fashion_mnist_dir().c_str());
    }
    benchmark::RegisterBenchmark("BM_AugmentedCifarEpoch", BM_AugmentedCifarEpoch)
        ->Unit(benchmark::kMillisecond);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
