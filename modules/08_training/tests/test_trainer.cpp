// Module 08 — the Trainer: it learns, counts, reports, evaluates without
// training, stops on a NaN loss, clips, and checkpoints.
#include <cmath>
#include <filesystem>

#include "testing.hpp"
#include "tiny_problem.hpp"
#include "training.hpp"

using namespace tinytorch;
using tinytorch::testing::TempFolder;
using tinytorch::testing::TinyProblem;

namespace {

// A Linear(1, 2) that predicts class 1 exactly where x > 0.25: logits (0, x - 0.25).
void set_threshold_model(Linear& model) {
    model.weight.copy_(Tensor({{0.0f, 1.0f}}));
    model.bias.copy_(Tensor({0.0f, -0.25f}));
}

}  // namespace

TEST(Trainer, LossFallsOnASeparableProblem) {
    TinyProblem problem;
    Generator gen(1);
    Linear model(1, 2, true, gen);
    SGD sgd(model.parameters(), 0.5f);
    Trainer trainer(model, sgd, CrossEntropyLoss{});
    const EpochResult first = trainer.train_epoch(problem.loader);
    for (int epoch = 0; epoch < 8; ++epoch) trainer.train_epoch(problem.loader);
    const EpochResult last = trainer.history().back().train;
    EXPECT_LT(last.loss, 0.5 * first.loss);
    EXPECT_EQ(last.accuracy, 1.0);
}

TEST(Trainer, HistoryHasOneRecordPerEpoch) {
    TinyProblem problem;
    Linear model(1, 2);
    SGD sgd(model.parameters(), 0.1f);
    Trainer trainer(model, sgd, CrossEntropyLoss{});
    const EpochResult first = trainer.train_epoch(problem.loader);
    trainer.train_epoch(problem.loader);
    ASSERT_EQ(trainer.history().size(), 2u);
    EXPECT_EQ(trainer.epoch(), 2);
    EXPECT_EQ(trainer.history()[0].epoch, 0);
    EXPECT_EQ(trainer.history()[1].epoch, 1);
    EXPECT_EQ(trainer.history()[0].lr, 0.1f);
    EXPECT_EQ(trainer.history()[0].train.loss, first.loss);
    EXPECT_EQ(trainer.history()[0].train.examples, 8);
    EXPECT_EQ(trainer.history()[0].train.batches, 4);
    EXPECT_FALSE(trainer.history()[0].evaluation.has_value());
}

TEST(Trainer, AccuracyAndLossAreCountedOverTheWholeEpoch) {
    TinyProblem problem;
    Linear model(1, 2);
    // Logits (0, x - 0.75): class 1 where x > 0.75, so only x = 0.5 is wrong.
    model.weight.copy_(Tensor({{0.0f, 1.0f}}));
    model.bias.copy_(Tensor({0.0f, -0.75f}));
    SGD sgd(model.parameters(), 0.0f);         // lr 0: the model stays as it is
    Trainer trainer(model, sgd, CrossEntropyLoss{});
    const EpochResult result = trainer.train_epoch(problem.loader);
    EXPECT_DOUBLE_EQ(result.accuracy, 7.0 / 8.0);
    // The mean loss per example equals the loss of all eight at once.
    const Tensor all = cross_entropy(model(problem.dataset.inputs()), problem.dataset.targets());
    EXPECT_NEAR(result.loss, all.item(), 1e-6);
}

TEST(Trainer, AccuracyIsNaNForRegression) {
    TensorDataset data(Tensor({{1.0f}, {2.0f}}), Tensor({{2.0f}, {4.0f}}));
    DataLoader loader(data, 2);
    Linear model(1, 1);
    SGD sgd(model.parameters(), 0.01f);
    Trainer trainer(model, sgd, MSELoss{});
    EXPECT_TRUE(std::isnan(trainer.train_epoch(loader).accuracy));
}

TEST(Trainer, EvaluateLeavesParametersUntouchedAndRestoresTrainingMode) {
    TinyProblem problem;
    Sequential model{Linear(1, 4), ReLU{}, Dropout(0.5f), Linear(4, 2)};
    SGD sgd(model.parameters(), {.lr = 0.5f, .momentum = 0.9f});
    Trainer trainer(model, sgd, CrossEntropyLoss{});
    std::vector<Tensor> before;
    for (const Tensor& p : model.parameters()) before.push_back(untracked(p).clone());
    const OptimizerState optimizer_before = sgd.state();

    const EpochResult first = trainer.evaluate(problem.loader);
    const EpochResult second = trainer.evaluate(problem.loader);

    EXPECT_TRUE(model.is_training());
    const auto params = model.parameters();
    for (size_t i = 0; i < params.size(); ++i) {
        EXPECT_TENSOR_EQ(params[i], before[i]);
        EXPECT_FALSE(params[i].grad().defined()) << "evaluate must not compute gradients";
    }
    EXPECT_EQ(sgd.state().step_count, optimizer_before.step_count);
    // In evaluation mode Dropout is the identity: both passes agree.
    EXPECT_EQ(first.loss, second.loss);
    EXPECT_EQ(first.examples, 8);
}

TEST(Trainer, EvaluateKeepsAModelInEvaluationModeThere) {
    TinyProblem problem;
    Linear model(1, 2);
    model.eval();
    SGD sgd(model.parameters(), 0.1f);
    Trainer trainer(model, sgd, CrossEntropyLoss{});
    trainer.evaluate(problem.loader);
    EXPECT_FALSE(model.is_training());
}

TEST(Trainer, EvaluateCountsAccuracyAndIsRecordedWithTheLastEpoch) {
    TinyProblem problem;
    Linear model(1, 2);
    set_threshold_model(model);
    SGD sgd(model.parameters(), 0.0f);
    Trainer trainer(model, sgd, CrossEntropyLoss{});
    trainer.train_epoch(problem.loader);
    const EpochResult result = trainer.evaluate(problem.loader);
    EXPECT_DOUBLE_EQ(result.accuracy, 1.0);
    ASSERT_TRUE(trainer.history()[0].evaluation.has_value());
    EXPECT_EQ(trainer.history()[0].evaluation->loss, result.loss);
}

TEST(Trainer, ReportsEveryBatchInOrderAndEveryEpoch) {
    TinyProblem problem;
    Linear model(1, 2);
    SGD sgd(model.parameters(), 0.1f);
    std::vector<BatchProgress> reports;
    int epochs_reported = 0;
    Trainer trainer(model, sgd, CrossEntropyLoss{},
                    {.on_batch = [&](const BatchProgress& p) { reports.push_back(p); },
                     .on_epoch = [&](const EpochRecord& r) {
                         EXPECT_EQ(r.epoch, epochs_reported);
                         ++epochs_reported;
                     }});
    trainer.train_epoch(problem.loader);
    trainer.evaluate(problem.loader);
    ASSERT_EQ(reports.size(), 8u);
    for (int64_t i = 0; i < 4; ++i) {
        EXPECT_TRUE(reports[i].training);
        EXPECT_EQ(reports[i].epoch, 0);
        EXPECT_EQ(reports[i].batch, i);
        EXPECT_EQ(reports[i].batches, 4);
        EXPECT_EQ(reports[i].so_far.examples, 2 * (i + 1));
        EXPECT_FALSE(reports[i + 4].training);
        EXPECT_EQ(reports[i + 4].batch, i);
    }
    EXPECT_EQ(epochs_reported, 1);
}

TEST(Trainer, ANaNLossStopsTrainingNamingTheEpochAndBatch) {
    TinyProblem problem;
    Linear model(1, 2);
    SGD sgd(model.parameters(), 0.1f);
    int calls = 0;
    // The loss of the third batch of the second epoch is NaN.
    const LossFunction poisoned = [&](const Tensor& outputs, const Tensor& targets) {
        const Tensor loss = cross_entropy(outputs, targets);
        return ++calls == 4 + 3 ? loss * NAN : loss;
    };
    Trainer trainer(model, sgd, poisoned);
    trainer.train_epoch(problem.loader);
    EXPECT_THROW_WITH(trainer.train_epoch(problem.loader), TrainingError,
                      "the loss is nan at epoch 2, batch 3 of 4. The learning rate 0.1");
}

TEST(Trainer, ADivergingRunIsStoppedInsteadOfPrintingNaNs) {
    TensorDataset data(Tensor({{10.0f}, {-10.0f}, {5.0f}, {-5.0f}}), Tensor({{1.0f}, {-1.0f}, {2.0f}, {0.0f}}));
    DataLoader loader(data, 1);
    Linear model(1, 1);
    SGD sgd(model.parameters(), 100.0f);  // far too large: every step overshoots
    Trainer trainer(model, sgd, MSELoss{});
    EXPECT_THROW_WITH(
        for (int epoch = 0; epoch < 100; ++epoch) trainer.train_epoch(loader), TrainingError,
        "The learning rate 100 is probably too high: try 10");
}

TEST(Trainer, ClipsTheGradientsOfEveryStep) {
    // One example x = 1, target 100, w = b = 0: d loss / dw = d loss / db = 2 * (0 - 100) = -200,
    // norm 200 * sqrt(2). Clipped to norm 1: both -1 / sqrt(2). With lr 1, w = b = 0.7071068.
    TensorDataset data(Tensor({{1.0f}}), Tensor({{100.0f}}));
    DataLoader loader(data, 1);
    Linear model(1, 1);
    model.weight.fill_(0.0f);
    SGD sgd(model.parameters(), 1.0f);
    Trainer trainer(model, sgd, MSELoss{}, {.clip_grad_norm = 1.0f});
    trainer.train_epoch(loader);
    EXPECT_TENSOR_NEAR(model.weight, Tensor({{0.7071068f}}), 1e-5f);
    EXPECT_TENSOR_NEAR(model.bias, Tensor({0.7071068f}), 1e-5f);
}

TEST(Trainer, CheckpointRoundTripRestoresModelOptimizerAndHistory) {
    TinyProblem problem;
    TempFolder folder;
    const auto path = folder.path / "run.ckpt";
    Generator gen_a(1), gen_b(2);
    Sequential model{Linear(1, 3, true, gen_a), ReLU{}, Linear(3, 2, true, gen_a)};
    Adam adam(model.parameters(), {.lr = 0.05f});
    Trainer trainer(model, adam, CrossEntropyLoss{});
    trainer.train_epoch(problem.loader);
    trainer.save_checkpoint(path);

    Sequential fresh{Linear(1, 3, true, gen_b), ReLU{}, Linear(3, 2, true, gen_b)};
    Adam fresh_adam(fresh.parameters());
    Trainer resumed(fresh, fresh_adam, CrossEntropyLoss{});
    resumed.load_checkpoint(path);

    const auto saved = model.named_parameters(), loaded = fresh.named_parameters();
    for (size_t i = 0; i < saved.size(); ++i) EXPECT_TENSOR_EQ(loaded[i].second, saved[i].second);
    const OptimizerState a = adam.state(), b = fresh_adam.state();
    EXPECT_EQ(b.step_count, a.step_count);
    EXPECT_EQ(b.lr, a.lr);
    ASSERT_EQ(b.tensors.size(), a.tensors.size());
    for (size_t i = 0; i < a.tensors.size(); ++i) EXPECT_TENSOR_EQ(b.tensors[i].second, a.tensors[i].second);
    ASSERT_EQ(resumed.history().size(), 1u);
    EXPECT_EQ(resumed.history()[0].train.loss, trainer.history()[0].train.loss);
}
