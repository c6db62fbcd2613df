// Hidden tests of module 08: the same contract as the visible tests with
// other values, random inputs against references computed here,
// non-contiguous gradients and logits, size-1 axes, and a training loop
// compared step for step with one written out by hand.
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "testing.hpp"
#include "training.hpp"

using namespace tinytorch;
using tinytorch::testing::random_tensor;

namespace {

std::vector<Tensor> snapshot(const Module& model) {
    std::vector<Tensor> values;
    for (const Tensor& p : model.parameters()) values.push_back(untracked(p).clone());
    return values;
}

// Twelve points in 3 classes, 3 features.
TensorDataset make_dataset(int64_t n = 12) {
    Generator gen(8);
    std::vector<float> labels(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) labels[static_cast<size_t>(i)] = static_cast<float>(i % 3);
    return TensorDataset(random_tensor({n, 3}, gen), Tensor(labels, {n}));
}

}  // namespace

TEST(SchedulesHidden, StepScheduleMatchesTheClosedForm) {
    StepSchedule schedule(0.7f, 4, 0.3f);
    for (int64_t epoch = 0; epoch < 13; ++epoch)
        EXPECT_FLOAT_EQ(schedule.lr_at(epoch),
                        static_cast<float>(0.7f * std::pow(0.3, static_cast<double>(epoch / 4))))
            << "epoch " << epoch;
}

TEST(SchedulesHidden, CosineScheduleMatchesTheFormulaWithAFloor) {
    CosineSchedule schedule(0.3f, 7, 0.01f);
    for (int64_t epoch = 0; epoch < 7; ++epoch) {
        const double expected =
            0.01f + (0.3f - 0.01f) * (1.0 + std::cos(std::numbers::pi * static_cast<double>(epoch) / 7.0)) / 2.0;
        EXPECT_NEAR(schedule.lr_at(epoch), expected, 1e-7) << "epoch " << epoch;
    }
    EXPECT_FLOAT_EQ(schedule.lr_at(7), 0.01f);
    EXPECT_FLOAT_EQ(schedule.lr_at(100), 0.01f);
}

TEST(SchedulesHidden, OneEpochCosineStartsAtBase) {
    CosineSchedule schedule(0.5f, 1);
    EXPECT_FLOAT_EQ(schedule.lr_at(0), 0.5f);
    EXPECT_FLOAT_EQ(schedule.lr_at(1), 0.0f);
}

TEST(ClipGradNormHidden, RandomGradientsMatchTheReference) {
    Generator gen(21);
    std::vector<Tensor> params;
    double sum = 0.0;
    std::vector<Tensor> grads;
    for (const Shape& shape : {Shape{4, 5}, Shape{1}, Shape{2, 1, 3}}) {
        Tensor p = zeros(shape);
        p.requires_grad_();
        Tensor g = random_tensor(shape, gen, -3.0f, 3.0f);
        for (int64_t i = 0; i < g.numel(); ++i) sum += static_cast<double>(g.data()[i]) * g.data()[i];
        grads.push_back(g.clone());
        p.set_grad(g);
        params.push_back(p);
    }
    const double norm = std::sqrt(sum);
    EXPECT_NEAR(clip_grad_norm(params, 2.0f), norm, 1e-4 * norm);
    const float scale = static_cast<float>(2.0 / (norm + 1e-6));
    for (size_t i = 0; i < params.size(); ++i)
        EXPECT_TENSOR_NEAR(params[i].grad(), grads[i] * scale, 1e-5f);
}

TEST(ClipGradNormHidden, ReadsAndScalesANonContiguousGradient) {
    Tensor p = zeros({3, 2});
    p.requires_grad_();
    Tensor g = Tensor({{0.0f, 3.0f, 0.0f}, {4.0f, 0.0f, 0.0f}}).transpose(0, 1);  // (3, 2)
    p.set_grad(g);
    EXPECT_FLOAT_EQ(clip_grad_norm({p}, 1.0f), 5.0f);
    EXPECT_TENSOR_NEAR(p.grad(), Tensor({{0.0f, 0.8f}, {0.6f, 0.0f}, {0.0f, 0.0f}}), 1e-5f);
}

TEST(ClipGradNormHidden, NoGradientsAtAllGiveZero) {
    Tensor p = ones({2});
    p.requires_grad_();
    EXPECT_EQ(clip_grad_norm({p}, 1.0f), 0.0f);
    EXPECT_FALSE(p.grad().defined());
}

TEST(ClipGradNormHidden, ANormExactlyAtTheMaximumIsLeftAlone) {
    Tensor p = zeros({2});
    p.requires_grad_();
    p.set_grad(Tensor({0.6f, 0.8f}));
    clip_grad_norm({p}, 1.0f);
    EXPECT_TENSOR_EQ(p.grad(), Tensor({0.6f, 0.8f}));
}

TEST(CountCorrectHidden, RandomLogitsMatchAReferenceLoop) {
    Generator gen(31);
    const Tensor logits = random_tensor({50, 7}, gen);
    std::vector<float> labels(50);
    int64_t expected = 0;
    for (int64_t n = 0; n < 50; ++n) {
        labels[static_cast<size_t>(n)] = static_cast<float>(gen.randint(0, 7));
        int64_t best = 0;
        for (int64_t c = 1; c < 7; ++c)
            if (logits.at({n, c}) > logits.at({n, best})) best = c;
        if (best == static_cast<int64_t>(labels[static_cast<size_t>(n)])) ++expected;
    }
    EXPECT_EQ(count_correct(logits, Tensor(labels, {50})), expected);
}

TEST(CountCorrectHidden, NonContiguousLogitsAndASingleRow) {
    Tensor logits = Tensor({{1.0f, 9.0f}, {5.0f, 2.0f}, {0.0f, 3.0f}}).transpose(0, 1);  // (2, 3)
    // rows: (1, 5, 0) -> 1 and (9, 2, 3) -> 0
    EXPECT_EQ(count_correct(logits, Tensor({1, 0})), 2);
    EXPECT_EQ(count_correct(Tensor({{0.5f, 0.1f}}), Tensor({1})), 0);
}

TEST(CountCorrectHidden, OneClassAlwaysPredictsZero) {
    EXPECT_EQ(count_correct(zeros({3, 1}), Tensor({0, 0, 0})), 3);
}

TEST(CountCorrectHidden, RejectsOneDimensionalLogits) {
    EXPECT_THROW_WITH(count_correct(zeros({4}), zeros({4})), ShapeError, "got logits (4) and labels (4)");
}

TEST(CheckLossIsFiniteHidden, NegativeInfinityAndLargeIndices) {
    EXPECT_THROW_WITH(check_loss_is_finite(-INFINITY, 9, 99, 100, 2.0f), TrainingError,
                      "the loss is -inf at epoch 10, batch 100 of 100. The learning rate 2 is "
                      "probably too high: try 0.2");
}

TEST(CheckLossIsFiniteHidden, AHugeFiniteLossIsNotAnError) {
    EXPECT_NO_THROW(check_loss_is_finite(1e30f, 0, 0, 1, 0.1f));
}

TEST(TrainerHidden, TrainEpochIsExactlyTheHandWrittenLoop) {
    const TensorDataset dataset = make_dataset(10);
    DataLoader loader(dataset, 4);  // batches of 4, 4, 2
    Generator gen_a(3), gen_b(3);
    Sequential a{Linear(3, 5, true, gen_a), ReLU{}, Linear(5, 3, true, gen_a)};
    Sequential b{Linear(3, 5, true, gen_b), ReLU{}, Linear(5, 3, true, gen_b)};
    SGD sgd_a(a.parameters(), {.lr = 0.3f, .momentum = 0.9f});
    SGD sgd_b(b.parameters(), {.lr = 0.3f, .momentum = 0.9f});
    Trainer trainer(a, sgd_a, CrossEntropyLoss{}, {.clip_grad_norm = 0.5f});
    trainer.train_epoch(loader);
    trainer.train_epoch(loader);
    CrossEntropyLoss criterion;
    for (int epoch = 0; epoch < 2; ++epoch) {
        for (const Batch& batch : loader) {
            sgd_b.zero_grad();
            const Tensor loss = criterion(b(batch.inputs), batch.targets);
            loss.backward();
            clip_grad_norm(b.parameters(), 0.5f);
            sgd_b.step();
        }
    }
    const auto pa = a.parameters(), pb = b.parameters();
    for (size_t i = 0; i < pa.size(); ++i) EXPECT_TENSOR_EQ(pa[i], pb[i]);
}

TEST(TrainerHidden, ThePartialLastBatchIsWeightedByItsSize) {
    const TensorDataset dataset = make_dataset(5);
    DataLoader loader(dataset, 2);  // 2, 2, 1
    Generator gen(4);
    Linear model(3, 3, true, gen);
    SGD sgd(model.parameters(), 0.0f);
    Trainer trainer(model, sgd, CrossEntropyLoss{});
    const EpochResult result = trainer.train_epoch(loader);
    const Tensor logits = model(dataset.inputs());
    EXPECT_NEAR(result.loss, cross_entropy(logits, dataset.targets()).item(), 1e-6);
    EXPECT_DOUBLE_EQ(result.accuracy,
                     static_cast<double>(count_correct(logits, dataset.targets())) / 5.0);
    EXPECT_EQ(result.examples, 5);
    EXPECT_EQ(result.batches, 3);
}

TEST(TrainerHidden, DropLastLoadersCountOnlyTheBatchesSeen) {
    const TensorDataset dataset = make_dataset(5);
    DataLoader loader(dataset, 2, false, /*drop_last=*/true);
    Linear model(3, 3);
    SGD sgd(model.parameters(), 0.1f);
    Trainer trainer(model, sgd, CrossEntropyLoss{});
    const EpochResult result = trainer.evaluate(loader);
    EXPECT_EQ(result.examples, 4);
    EXPECT_EQ(result.batches, 2);
}

TEST(TrainerHidden, ANaNLossIsCaughtBeforeTheParametersChange) {
    const TensorDataset dataset = make_dataset(6);
    DataLoader loader(dataset, 3);
    Linear model(3, 3);
    SGD sgd(model.parameters(), 0.1f);
    const std::vector<Tensor> before = snapshot(model);
    Trainer trainer(model, sgd, [](const Tensor& outputs, const Tensor& targets) {
        return cross_entropy(outputs, targets) * INFINITY;
    });
    EXPECT_THROW_WITH(trainer.train_epoch(loader), TrainingError, "at epoch 1, batch 1 of 2");
    const auto params = model.parameters();
    for (size_t i = 0; i < params.size(); ++i) {
        EXPECT_TENSOR_EQ(params[i], before[i]);
        EXPECT_FALSE(params[i].grad().defined()) << "no backward through a NaN loss";
    }
    EXPECT_TRUE(trainer.history().empty());
}

TEST(TrainerHidden, EvaluateRestoresTheModeWhenABatchThrows) {
    const TensorDataset dataset = make_dataset(6);
    DataLoader loader(dataset, 2);
    Linear model(3, 3);
    SGD sgd(model.parameters(), 0.1f);
    int calls = 0;
    Trainer trainer(model, sgd, [&](const Tensor& outputs, const Tensor& targets) {
        if (++calls == 2) throw std::runtime_error("a broken batch");
        return cross_entropy(outputs, targets);
    });
    EXPECT_THROW(trainer.evaluate(loader), std::runtime_error);
    EXPECT_TRUE(model.is_training());
}

TEST(TrainerHidden, EvaluateKeepsExistingGradientsAndRecordsNothingBeforeTraining) {
    const TensorDataset dataset = make_dataset(4);
    DataLoader loader(dataset, 4);
    Linear model(3, 3);
    model.weight.set_grad(full({3, 3}, 0.25f));
    SGD sgd(model.parameters(), 0.1f);
    Trainer trainer(model, sgd, CrossEntropyLoss{});
    trainer.evaluate(loader);
    EXPECT_TENSOR_EQ(model.weight.grad(), full({3, 3}, 0.25f));
    EXPECT_TRUE(trainer.history().empty());
}

TEST(TrainerHidden, TrainEpochPutsAModelInEvaluationModeBackIntoTraining) {
    const TensorDataset dataset = make_dataset(4);
    DataLoader loader(dataset, 2);
    Sequential model{Linear(3, 3), Dropout(0.5f)};
    model.eval();
    SGD sgd(model.parameters(), 0.1f);
    bool training_during_batches = false;
    Trainer trainer(model, sgd, CrossEntropyLoss{},
                    {.on_batch = [&](const BatchProgress&) { training_during_batches = model.is_training(); }});
    trainer.train_epoch(loader);
    EXPECT_TRUE(training_during_batches);
}

TEST(TrainerHidden, HistoryRecordsTheCosineRateOfEachEpoch) {
    const TensorDataset dataset = make_dataset(6);
    DataLoader loader(dataset, 3);
    Linear model(3, 3);
    Adam adam(model.parameters());
    CosineSchedule schedule(0.02f, 3, 0.002f);
    Trainer trainer(model, adam, CrossEntropyLoss{}, {.schedule = &schedule});
    for (int epoch = 0; epoch < 4; ++epoch) trainer.train_epoch(loader);
    for (int64_t epoch = 0; epoch < 4; ++epoch)
        EXPECT_EQ(trainer.history()[static_cast<size_t>(epoch)].lr, schedule.lr_at(epoch));
    EXPECT_EQ(adam.lr(), 0.002f);
}

TEST(TrainerHidden, RegressionHasNoAccuracyInTrainingOrEvaluation) {
    TensorDataset data(Tensor({{1.0f}, {2.0f}, {3.0f}}), Tensor({{1.0f}, {2.0f}, {3.0f}}));
    DataLoader loader(data, 2);
    Linear model(1, 1);
    SGD sgd(model.parameters(), 0.01f);
    Trainer trainer(model, sgd, MSELoss{});
    EXPECT_TRUE(std::isnan(trainer.train_epoch(loader).accuracy));
    EXPECT_TRUE(std::isnan(trainer.evaluate(loader).accuracy));
}
