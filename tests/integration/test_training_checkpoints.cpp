// Trainer checkpoints (module 08, provided): a file of another model,
// optimizer, schedule or loader is refused with the reason and changes
// nothing; a save killed halfway loses nothing; and a resumed run continues
// bit for bit like an uninterrupted one.

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include "checkpoint_file.hpp"
#include "killed_save.hpp"
#include "testing.hpp"
#include "training.hpp"

using namespace tinytorch;
using tinytorch::testing::kill_save_halfway;
using tinytorch::testing::TempFolder;
namespace fs = std::filesystem;

namespace {

// 48 examples of 4 features in 3 classes, fixed by a seed.
struct Problem {
    Problem() : dataset(make_inputs(), make_labels()) {}
    static Tensor make_inputs() {
        Generator gen(100);
        return randn({48, 4}, gen);
    }
    static Tensor make_labels() {
        std::vector<float> labels(48);
        for (size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<float>(i % 3);
        return Tensor(labels, {48});
    }
    TensorDataset dataset;
};

// A transform that draws from the loader's transform generator.
Tensor jitter(const Tensor& x, Generator& gen) { return x + 0.05f * gen.uniform(-1.0f, 1.0f); }

DataLoader make_loader(const Dataset& dataset, uint64_t seed = 5) {
    return DataLoader(dataset, 8, /*shuffle=*/true, /*drop_last=*/false, seed, jitter);
}

// Built from the default generator (Linear's init, Dropout's masks).
std::unique_ptr<Sequential> make_model() {
    return std::make_unique<Sequential>(Linear(4, 16), ReLU{}, Dropout(0.2f), Linear(16, 3));
}

// Everything one run needs, built from fresh objects.
struct TrainingRun {
    explicit TrainingRun(const Dataset& dataset, uint64_t loader_seed = 5)
        : model(make_model()),
          loader(make_loader(dataset, loader_seed)),
          adam(model->parameters(), {.lr = 0.05f, .weight_decay = 1e-3f}),
          schedule(0.05f, 4),
          trainer(*model, adam, CrossEntropyLoss{}, {.schedule = &schedule, .clip_grad_norm = 1.0f}) {}
    std::unique_ptr<Sequential> model;
    DataLoader loader;
    Adam adam;
    CosineSchedule schedule;
    Trainer trainer;
};

std::vector<Tensor> snapshot(const Module& model) {
    std::vector<Tensor> values;
    for (const Tensor& p : model.parameters()) values.push_back(untracked(p).clone());
    return values;
}

void expect_parameters(const Module& model, const std::vector<Tensor>& expected) {
    const auto params = model.parameters();
    ASSERT_EQ(params.size(), expected.size());
    for (size_t i = 0; i < params.size(); ++i) EXPECT_TENSOR_EQ(params[i], expected[i]);
}

// A model with a buffer, as BatchNorm keeps its running statistics.
struct WithBuffer : Module {
    WithBuffer() {
        scale = register_parameter("scale", ones({2}));
        running_mean = register_buffer("running_mean", zeros({2}));
    }
    Tensor forward(const Tensor& input) override { return input * scale; }
    Tensor scale, running_mean;
};

}  // namespace

TEST(TrainingCheckpoint, ResumedRunContinuesBitForBitLikeAnUninterruptedOne) {
    Problem problem;
    TempFolder folder;
    const fs::path path = folder.path / "run.ckpt";

    manual_seed(10);
    TrainingRun uninterrupted(problem.dataset);
    for (int epoch = 0; epoch < 4; ++epoch) uninterrupted.trainer.train_epoch(uninterrupted.loader);
    const std::string generator_after = default_generator().state();

    manual_seed(10);
    TrainingRun first_half(problem.dataset);
    for (int epoch = 0; epoch < 2; ++epoch) first_half.trainer.train_epoch(first_half.loader);
    first_half.trainer.save_checkpoint(path, first_half.loader);

    // Fresh objects with other initial weights, another default-generator
    // state and another loader seed: the checkpoint restores all of it.
    manual_seed(777);
    TrainingRun second_half(problem.dataset, /*loader_seed=*/6);
    second_half.trainer.load_checkpoint(path, second_half.loader);
    EXPECT_EQ(second_half.trainer.epoch(), 2);
    EXPECT_EQ(second_half.schedule.epoch(), 2);
    for (int epoch = 0; epoch < 2; ++epoch) second_half.trainer.train_epoch(second_half.loader);

    expect_parameters(*second_half.model, snapshot(*uninterrupted.model));
    const OptimizerState a = uninterrupted.adam.state(), b = second_half.adam.state();
    EXPECT_EQ(b.step_count, a.step_count);
    EXPECT_EQ(b.lr, a.lr);
    EXPECT_EQ(b.counters, a.counters);
    ASSERT_EQ(b.tensors.size(), a.tensors.size());
    for (size_t i = 0; i < a.tensors.size(); ++i) {
        EXPECT_EQ(b.tensors[i].first, a.tensors[i].first);
        EXPECT_TENSOR_EQ(b.tensors[i].second, a.tensors[i].second);
    }
    ASSERT_EQ(second_half.trainer.history().size(), 4u);
    for (size_t e = 0; e < 4; ++e) {
        EXPECT_EQ(second_half.trainer.history()[e].train.loss, uninterrupted.trainer.history()[e].train.loss);
        EXPECT_EQ(second_half.trainer.history()[e].lr, uninterrupted.trainer.history()[e].lr);
    }
    EXPECT_EQ(default_generator().state(), generator_after);
}

TEST(TrainingCheckpoint, ASaveKilledHalfwayLosesNothing) {
    Problem problem;
    TempFolder folder;
    const fs::path path = folder.path / "run.ckpt";
    manual_seed(3);
    TrainingRun run(problem.dataset);
    run.trainer.train_epoch(run.loader);
    run.trainer.save_checkpoint(path, run.loader);  // the last good checkpoint
    const std::vector<Tensor> saved = snapshot(*run.model);
    const OptimizerState saved_optimizer = run.adam.state();
    run.trainer.train_epoch(run.loader);  // the run moves on

    ASSERT_TRUE(kill_save_halfway([&] { run.trainer.save_checkpoint(path, run.loader); }, 256));

    manual_seed(99);
    TrainingRun restored(problem.dataset);
    restored.trainer.load_checkpoint(path, restored.loader);
    expect_parameters(*restored.model, saved);
    EXPECT_EQ(restored.adam.state().step_count, saved_optimizer.step_count);
    EXPECT_EQ(restored.trainer.epoch(), 1);
}

TEST(TrainingCheckpoint, AnotherModelShapeIsRefusedNamingTheParameterAndBothShapes) {
    TempFolder folder;
    const fs::path path = folder.path / "wide.ckpt";
    Linear wide(4, 3);
    SGD wide_sgd(wide.parameters(), 0.1f);
    Trainer(wide, wide_sgd, CrossEntropyLoss{}).save_checkpoint(path);
    Linear narrow(4, 2);
    SGD narrow_sgd(narrow.parameters(), 0.1f);
    Trainer trainer(narrow, narrow_sgd, CrossEntropyLoss{});
    EXPECT_THROW_WITH(trainer.load_checkpoint(path), FileError,
                      "wide.ckpt does not fit this model: parameter \"weight\" has shape (4, 3) in the "
                      "file but (4, 2) in the model");
}

TEST(TrainingCheckpoint, AModelWithMoreLayersNamesTheMissingParameter) {
    TempFolder folder;
    const fs::path path = folder.path / "small.ckpt";
    Sequential small{Linear(2, 2)};
    save_model(path, small);
    Sequential large{Linear(2, 2), ReLU{}, Linear(2, 2)};
    EXPECT_THROW_WITH(load_model(path, large), FileError,
                      "the model has a parameter \"2.weight\" of shape (2, 2) that the file lacks");
}

TEST(TrainingCheckpoint, AModelWithFewerLayersNamesTheExtraParameter) {
    TempFolder folder;
    const fs::path path = folder.path / "large.ckpt";
    Sequential large{Linear(2, 2), ReLU{}, Linear(2, 2)};
    save_model(path, large);
    Sequential small{Linear(2, 2)};
    EXPECT_THROW_WITH(load_model(path, small), FileError,
                      "the file has a parameter \"2.weight\" that the model lacks");
}

TEST(TrainingCheckpoint, AnotherOptimizerIsRefused) {
    TempFolder folder;
    const fs::path path = folder.path / "adam.ckpt";
    Linear model(2, 2);
    Adam adam(model.parameters());
    Trainer(model, adam, CrossEntropyLoss{}).save_checkpoint(path);
    SGD sgd(model.parameters(), 0.1f);
    Trainer trainer(model, sgd, CrossEntropyLoss{});
    EXPECT_THROW_WITH(trainer.load_checkpoint(path), FileError,
                      "it holds the state of an Adam optimizer, this trainer has an SGD optimizer");
}

TEST(TrainingCheckpoint, AScheduleMismatchIsRefusedEitherWay) {
    TempFolder folder;
    const fs::path with = folder.path / "with.ckpt", without = folder.path / "without.ckpt";
    Linear model(2, 2);
    SGD sgd(model.parameters(), 0.1f);
    CosineSchedule cosine(0.1f, 10);
    StepSchedule step(0.1f, 2);
    Trainer(model, sgd, CrossEntropyLoss{}, {.schedule = &cosine}).save_checkpoint(with);
    Trainer(model, sgd, CrossEntropyLoss{}).save_checkpoint(without);
    Trainer plain(model, sgd, CrossEntropyLoss{});
    Trainer stepped(model, sgd, CrossEntropyLoss{}, {.schedule = &step});
    EXPECT_THROW_WITH(plain.load_checkpoint(with), FileError,
                      "the file holds the state of a CosineSchedule but the trainer has no schedule");
    EXPECT_THROW_WITH(stepped.load_checkpoint(without), FileError,
                      "the trainer has a StepSchedule but the file holds no schedule");
    EXPECT_THROW_WITH(stepped.load_checkpoint(with), FileError,
                      "the file holds the state of a CosineSchedule, the trainer has a StepSchedule");
}

TEST(TrainingCheckpoint, AnotherLoaderIsRefused) {
    Problem problem;
    TempFolder folder;
    const fs::path path = folder.path / "run.ckpt";
    Linear model(4, 3);
    SGD sgd(model.parameters(), 0.1f);
    Trainer trainer(model, sgd, CrossEntropyLoss{});
    DataLoader loader(problem.dataset, 8, true);
    trainer.save_checkpoint(path, loader);
    DataLoader other(problem.dataset, 16, true);
    EXPECT_THROW_WITH(trainer.load_checkpoint(path, other), FileError,
                      "saved from a loader of 48 examples in batches of 8, this one has 48 examples "
                      "in batches of 16");
}

TEST(TrainingCheckpoint, ResumingTheLoaderNeedsACheckpointSavedWithIt) {
    Problem problem;
    TempFolder folder;
    const fs::path path = folder.path / "run.ckpt";
    Linear model(4, 3);
    SGD sgd(model.parameters(), 0.1f);
    Trainer trainer(model, sgd, CrossEntropyLoss{});
    trainer.save_checkpoint(path);
    DataLoader loader(problem.dataset, 8, true);
    EXPECT_THROW_WITH(trainer.load_checkpoint(path, loader), FileError,
                      "holds no DataLoader state: it was saved with save_checkpoint(path)");
}

TEST(TrainingCheckpoint, AModelFileIsNotATrainerCheckpoint) {
    TempFolder folder;
    const fs::path path = folder.path / "model.ckpt";
    Linear model(2, 2);
    save_model(path, model);
    SGD sgd(model.parameters(), 0.1f);
    Trainer trainer(model, sgd, CrossEntropyLoss{});
    EXPECT_THROW_WITH(trainer.load_checkpoint(path), FileError,
                      "holds only a model (it was written by save_model); read it with load_model");
}

TEST(TrainingCheckpoint, LoadModelReadsTheModelOfATrainerCheckpoint) {
    TempFolder folder;
    const fs::path path = folder.path / "run.ckpt";
    Generator gen_a(1), gen_b(2);
    Linear model(3, 2, true, gen_a);
    SGD sgd(model.parameters(), 0.1f);
    Trainer(model, sgd, CrossEntropyLoss{}).save_checkpoint(path);
    Linear other(3, 2, true, gen_b);
    load_model(path, other);
    EXPECT_TENSOR_EQ(other.weight, model.weight);
}

TEST(TrainingCheckpoint, BuffersAreSavedAndRestored) {
    TempFolder folder;
    const fs::path path = folder.path / "buffers.ckpt";
    WithBuffer model;
    model.running_mean.copy_(Tensor({0.25f, -4.0f}));
    save_model(path, model);
    WithBuffer fresh;
    load_model(path, fresh);
    EXPECT_TENSOR_EQ(fresh.running_mean, Tensor({0.25f, -4.0f}));
}

TEST(TrainingCheckpoint, ARefusedLoadChangesNothing) {
    Problem problem;
    TempFolder folder;
    const fs::path path = folder.path / "run.ckpt";
    manual_seed(4);
    TrainingRun source(problem.dataset);
    source.trainer.train_epoch(source.loader);
    source.trainer.save_checkpoint(path);  // no loader state in it

    manual_seed(5);
    TrainingRun target(problem.dataset);
    target.trainer.train_epoch(target.loader);
    const std::vector<Tensor> before = snapshot(*target.model);
    const OptimizerState optimizer_before = target.adam.state();
    const std::string generator_before = default_generator().state();
    // Everything fits but the loader part: the model and optimizer checks
    // have passed when it fails, and still nothing may change.
    EXPECT_THROW(target.trainer.load_checkpoint(path, target.loader), FileError);
    expect_parameters(*target.model, before);
    EXPECT_EQ(target.adam.state().step_count, optimizer_before.step_count);
    EXPECT_TENSOR_EQ(target.adam.state().tensors[0].second, optimizer_before.tensors[0].second);
    EXPECT_EQ(target.schedule.epoch(), 1);
    EXPECT_EQ(target.trainer.history().size(), 1u);
    EXPECT_EQ(default_generator().state(), generator_before);
}

TEST(TrainingCheckpoint, ATruncatedCheckpointIsRefused) {
    TempFolder folder;
    const fs::path path = folder.path / "run.ckpt";
    Linear model(8, 8);
    SGD sgd(model.parameters(), 0.1f);
    Trainer trainer(model, sgd, CrossEntropyLoss{});
    trainer.save_checkpoint(path);
    std::string bytes;
    {
        std::ifstream in(path, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() - 100);
    EXPECT_THROW_WITH(trainer.load_checkpoint(path), FileError, "run.ckpt is truncated");
}
