// Module 08 — the pieces of the loop: counting correct predictions and
// stopping on a NaN or infinite loss.
#include <cmath>

#include "testing.hpp"
#include "training.hpp"

using namespace tinytorch;

TEST(CountCorrect, CountsRowsWhoseArgmaxIsTheLabel) {
    Tensor logits({{0.1f, 2.0f, 0.3f},    // argmax 1
                   {5.0f, -1.0f, 0.0f},   // argmax 0
                   {0.0f, 0.0f, 9.0f},    // argmax 2
                   {1.0f, 3.0f, 2.0f}});  // argmax 1
    Tensor labels({1, 2, 2, 1});          // right, wrong, right, right
    EXPECT_EQ(count_correct(logits, labels), 3);
}

TEST(CountCorrect, TheFirstLargestEntryWinsATie) {
    Tensor logits({{4.0f, 4.0f}, {1.0f, 1.0f}});
    EXPECT_EQ(count_correct(logits, Tensor({0, 1})), 1);
}

TEST(CountCorrect, RejectsLabelsOfAnotherLength) {
    EXPECT_THROW_WITH(count_correct(zeros({4, 3}), zeros({3})), ShapeError,
                      "expects logits (N, C) and labels (N), got logits (4, 3) and labels (3)");
}

TEST(CheckLossIsFinite, AcceptsAFiniteLoss) {
    EXPECT_NO_THROW(check_loss_is_finite(2.5f, 0, 0, 10, 0.1f));
}

TEST(CheckLossIsFinite, NaNStopsTrainingNamingEpochBatchAndLearningRate) {
    EXPECT_THROW_WITH(check_loss_is_finite(NAN, 1, 16, 32, 0.5f), TrainingError,
                      "the loss is nan at epoch 2, batch 17 of 32");
    EXPECT_THROW_WITH(check_loss_is_finite(NAN, 1, 16, 32, 0.5f), TrainingError,
                      "The learning rate 0.5 is probably too high: try 0.05");
}

TEST(CheckLossIsFinite, InfinityStopsTrainingToo) {
    EXPECT_THROW_WITH(check_loss_is_finite(INFINITY, 0, 0, 5, 1.0f), TrainingError,
                      "the loss is inf at epoch 1, batch 1 of 5");
}

TEST(CheckLossIsFinite, IsATinyTorchError) {
    EXPECT_THROW(check_loss_is_finite(-INFINITY, 0, 0, 1, 1.0f), Error);
}
