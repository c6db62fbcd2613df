// training_benchmark — optimizer steps, checkpoint files and a training epoch.
//
//   build/release/bin/training_benchmark
//
//   BM_SGDMomentumStep/n   one SGD step (momentum, weight decay) over n parameters
//   BM_AdamStep/n          one Adam step over n parameters
//   BM_AdamWStep/n         one AdamW step over n parameters
//   BM_CheckpointWrite/n   save_checkpoint of a Trainer with Adam over n
//                          parameters (the file holds 3n floats): encode, write,
//                          fsync, rename — the disk's sync time dominates
//   BM_CheckpointRead/n    load_checkpoint of the same file
//   BM_TinyDigitsMLPEpoch  one training epoch of the 64-32-10 MLP of the
//                          integration test on TinyDigits (1000 images, batches of 32)
//
// "items_per_second" counts parameters (steps, checkpoints) or images (epoch).
// In a student's tree, a benchmark whose module is still a stub reports so.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "datasets.hpp"
#include "training.hpp"

using namespace tinytorch;
namespace fs = std::filesystem;

namespace {

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

// n parameters as one weight matrix (n / 1024, 1024), with a gradient.
Tensor parameter_with_grad(int64_t n) {
    Generator gen(1);
    Tensor p = randn({n / 1024, 1024}, gen);
    p.requires_grad_();
    p.set_grad(randn({n / 1024, 1024}, gen));
    return p;
}

template <class MakeOptimizer>
void run_steps(benchmark::State& state, MakeOptimizer make) {
    unless_stubbed(state, [&] {
        const Tensor p = parameter_with_grad(state.range(0));
        auto optimizer = make(std::vector<Tensor>{p});
        for (auto _ : state) {
            optimizer.step();
            benchmark::DoNotOptimize(p.data());
        }
        state.SetItemsProcessed(state.iterations() * state.range(0));
    });
}

void BM_SGDMomentumStep(benchmark::State& state) {
    run_steps(state, [](std::vector<Tensor> params) {
        return SGD(std::move(params), {.lr = 0.01f, .momentum = 0.9f, .weight_decay = 1e-4f});
    });
}

void BM_AdamStep(benchmark::State& state) {
    run_steps(state, [](std::vector<Tensor> params) { return Adam(std::move(params)); });
}

void BM_AdamWStep(benchmark::State& state) {
    run_steps(state, [](std::vector<Tensor> params) { return AdamW(std::move(params)); });
}

// A folder for the checkpoint files, removed at the end.
struct BenchFolder {
    BenchFolder() {
        std::string pattern = (fs::temp_directory_path() / "bench-XXXXXX").string();
        path = ::mkdtemp(pattern.data());
    }
    ~BenchFolder() { fs::remove_all(path); }
    fs::path path;
};

// A Trainer over one Linear(1024, n / 1024) whose Adam has taken one step,
// so its moments exist.
struct CheckpointSetup {
    explicit CheckpointSetup(int64_t n)
        : model(1024, n / 1024), adam(model.parameters()), trainer(model, adam, MSELoss{}) {
        for (const Tensor& p : model.parameters()) p.set_grad(ones(p.shape()));
        adam.step();
    }
    Linear model;
    Adam adam;
    Trainer trainer;
};

void BM_CheckpointWrite(benchmark::State& state) {
    unless_stubbed(state, [&] {
        BenchFolder folder;
        CheckpointSetup setup(state.range(0));
        for (auto _ : state) setup.trainer.save_checkpoint(folder.path / "bench.ckpt");
        state.SetItemsProcessed(state.iterations() * state.range(0));
        state.SetBytesProcessed(state.iterations() * state.range(0) * 3 * 4);
    });
}

void BM_CheckpointRead(benchmark::State& state) {
    unless_stubbed(state, [&] {
        BenchFolder folder;
        CheckpointSetup setup(state.range(0));
        setup.trainer.save_checkpoint(folder.path / "bench.ckpt");
        for (auto _ : state) setup.trainer.load_checkpoint(folder.path / "bench.ckpt");
        state.SetItemsProcessed(state.iterations() * state.range(0));
        state.SetBytesProcessed(state.iterations() * state.range(0) * 3 * 4);
    });
}

void BM_TinyDigitsMLPEpoch(benchmark::State& state) {
    const ImageSet set = load_tinydigits(find_tinydigits_dir(TINYTORCH_SOURCE_DIR), Split::Train);
    unless_stubbed(state, [&] {
        TensorDataset train(set.images, set.labels);
        DataLoader loader(train, 32, true, false, 1);
        Generator gen(42);
        Sequential model{Flatten(), Linear(64, 32, true, gen), ReLU{}, Linear(32, 10, true, gen)};
        SGD sgd(model.parameters(), {.lr = 0.05f, .momentum = 0.9f});
        Trainer trainer(model, sgd, CrossEntropyLoss{});
        for (auto _ : state) trainer.train_epoch(loader);
        state.SetItemsProcessed(state.iterations() * set.size());
    });
}

}  // namespace

BENCHMARK(BM_SGDMomentumStep)->Arg(1 << 16)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_AdamStep)->Arg(1 << 16)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_AdamWStep)->Arg(1 << 16)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CheckpointWrite)->Arg(1 << 20)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CheckpointRead)->Arg(1 << 20)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TinyDigitsMLPEpoch)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
