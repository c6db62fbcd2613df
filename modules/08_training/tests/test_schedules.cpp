// Module 08 — learning-rate schedules: their values per epoch, and the
// Trainer applying them once per epoch.
#include <cmath>

#include "testing.hpp"
#include "tiny_problem.hpp"
#include "training.hpp"

using namespace tinytorch;
using tinytorch::testing::TinyProblem;

TEST(StepSchedule, MultipliesByGammaEveryStepSizeEpochs) {
    StepSchedule schedule(0.1f, /*step_size=*/3, /*gamma=*/0.5f);
    // 0.1 * 0.5^floor(epoch / 3)
    const float expected[] = {0.1f, 0.1f, 0.1f, 0.05f, 0.05f, 0.05f, 0.025f, 0.025f, 0.025f, 0.0125f};
    for (int epoch = 0; epoch < 10; ++epoch)
        EXPECT_FLOAT_EQ(schedule.lr_at(epoch), expected[epoch]) << "epoch " << epoch;
}

TEST(StepSchedule, StepSizeOneDecaysEveryEpoch) {
    StepSchedule schedule(1.0f, 1, 0.1f);
    EXPECT_FLOAT_EQ(schedule.lr_at(0), 1.0f);
    EXPECT_FLOAT_EQ(schedule.lr_at(1), 0.1f);
    EXPECT_FLOAT_EQ(schedule.lr_at(2), 0.01f);
}

TEST(CosineSchedule, FallsFromBaseToZeroAlongHalfACosine) {
    CosineSchedule schedule(0.1f, /*total_epochs=*/4);
    // 0.1 * (1 + cos(pi * epoch / 4)) / 2
    EXPECT_FLOAT_EQ(schedule.lr_at(0), 0.1f);
    EXPECT_FLOAT_EQ(schedule.lr_at(1), 0.08535534f);  // 0.1 * (1 + 0.70710678) / 2
    EXPECT_FLOAT_EQ(schedule.lr_at(2), 0.05f);       // 0.1 * (1 + 0) / 2
    EXPECT_FLOAT_EQ(schedule.lr_at(3), 0.01464466f);  // 0.1 * (1 - 0.70710678) / 2
    EXPECT_FLOAT_EQ(schedule.lr_at(4), 0.0f);
}

TEST(CosineSchedule, EndsAtMinLrAndStaysThere) {
    CosineSchedule schedule(1.0f, 2, /*min_lr=*/0.5f);
    EXPECT_FLOAT_EQ(schedule.lr_at(0), 1.0f);
    EXPECT_FLOAT_EQ(schedule.lr_at(1), 0.75f);  // 0.5 + 0.5 * (1 + cos(pi / 2)) / 2
    EXPECT_FLOAT_EQ(schedule.lr_at(2), 0.5f);
    EXPECT_FLOAT_EQ(schedule.lr_at(7), 0.5f);
}

TEST(CosineSchedule, CurrentLrFollowsTheEpochCounter) {
    CosineSchedule schedule(0.1f, 4);
    schedule.step();
    schedule.step();
    EXPECT_EQ(schedule.epoch(), 2);
    EXPECT_FLOAT_EQ(schedule.current_lr(), 0.05f);
}

TEST(Trainer, AppliesTheScheduleOncePerEpochNotPerBatch) {
    TinyProblem problem;
    Linear model(1, 2);
    SGD sgd(model.parameters(), 1.0f);  // replaced by the schedule's rate
    StepSchedule schedule(0.1f, 1, 0.5f);
    std::vector<float> rates;  // the rate during every batch
    Trainer trainer(model, sgd, CrossEntropyLoss{},
                    {.schedule = &schedule,
                     .on_batch = [&](const BatchProgress&) { rates.push_back(sgd.lr()); }});
    for (int epoch = 0; epoch < 3; ++epoch) trainer.train_epoch(problem.loader);
    const std::vector<float> expected{0.1f, 0.1f, 0.1f, 0.1f, 0.05f, 0.05f,
                                      0.05f, 0.05f, 0.025f, 0.025f, 0.025f, 0.025f};
    EXPECT_EQ(rates, expected);
    EXPECT_EQ(schedule.epoch(), 3);
    ASSERT_EQ(trainer.history().size(), 3u);
    EXPECT_FLOAT_EQ(trainer.history()[2].lr, 0.025f);
}
