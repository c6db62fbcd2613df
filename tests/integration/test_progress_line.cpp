// The progress line (module 08, provided): what it shows, redrawing on a
// terminal and plain lines otherwise.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "progress.hpp"
#include "testing.hpp"

using namespace tinytorch;

namespace {

BatchProgress progress(bool training, int64_t epoch, int64_t batch, int64_t batches,
                       double seconds, double accuracy = 0.861) {
    BatchProgress p;
    p.training = training;
    p.epoch = epoch;
    p.batch = batch;
    p.batches = batches;
    p.so_far.loss = 0.41234;
    p.so_far.accuracy = accuracy;
    p.so_far.examples = 64 * (batch + 1);
    p.so_far.batches = batch + 1;
    p.so_far.seconds = seconds;
    return p;
}

// Everything written to `file` so far.
std::string contents(std::FILE* file) {
    std::fflush(file);
    std::rewind(file);
    std::string text;
    for (int c; (c = std::fgetc(file)) != EOF;) text.push_back(static_cast<char>(c));
    return text;
}

}  // namespace

TEST(ProgressLine, ShowsEpochBatchLossAccuracySpeedAndTimeLeft) {
    ProgressLine line(10);
    // 120 batches of 64 in 5 s: 1536 img/s. At 5 / 120 s per batch, the 662
    // batches left in this epoch and 8 more epochs of 782 take 288 s.
    EXPECT_EQ(line.format(progress(true, 1, 119, 782, 5.0)),
              "epoch 2/10  batch 120/782  loss 0.4123  acc 86.1%  1536 img/s  left 4:48");
}

TEST(ProgressLine, EvaluationPassesCountOnlyTheirOwnBatches) {
    ProgressLine line(10);
    EXPECT_EQ(line.format(progress(false, 1, 1, 4, 1.0)),
              "eval  batch 2/4  loss 0.4123  acc 86.1%  128 img/s  left 1s");
}

TEST(ProgressLine, LeavesOutWhatItDoesNotKnow) {
    ProgressLine line;  // total epochs unknown
    EXPECT_EQ(line.format(progress(true, 0, 0, 3, 0.0, kNoAccuracy)), "epoch 1  batch 1/3  loss 0.4123");
}

TEST(ProgressLine, RedrawsInPlaceOnATerminal) {
    std::FILE* out = std::tmpfile();
    ProgressLine line(1, out);
    line.set_terminal(true);
    line.set_intervals(0.0, 0.0);
    line.update(progress(true, 0, 0, 2, 1.0));
    line.update(progress(true, 0, 1, 2, 2.0));
    const std::string text = contents(out);
    std::fclose(out);
    EXPECT_EQ(text,
              "\repoch 1/1  batch 1/2  loss 0.4123  acc 86.1%  64 img/s  left 1s\x1b[K"
              "\repoch 1/1  batch 2/2  loss 0.4123  acc 86.1%  64 img/s  left 0s\x1b[K\n");
}

TEST(ProgressLine, PrintsPlainLinesWhenNotATerminal) {
    std::FILE* out = std::tmpfile();
    ProgressLine line(0, out);  // a file is not a terminal
    EXPECT_FALSE(line.terminal());
    line.set_intervals(0.1, 10.0);
    for (int64_t b = 0; b < 30; ++b) line.update(progress(true, 0, b, 30, 1.0 * static_cast<double>(b + 1)));
    const std::string text = contents(out);
    std::fclose(out);
    // The first batch, one line every 10 s (batches 11 and 21), and the last.
    EXPECT_EQ(text.find('\r'), std::string::npos);
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4);
    EXPECT_NE(text.find("batch 1/30 "), std::string::npos);
    EXPECT_NE(text.find("batch 11/30 "), std::string::npos);
    EXPECT_NE(text.find("batch 21/30 "), std::string::npos);
    EXPECT_NE(text.find("batch 30/30 "), std::string::npos);
}

TEST(ProgressLine, PlugsIntoTheTrainer) {
    std::FILE* out = std::tmpfile();
    ProgressLine line(1, out);
    TensorDataset data(Tensor({{1.0f}, {2.0f}, {3.0f}}), Tensor({0, 1, 1}));
    DataLoader loader(data, 1);
    Linear model(1, 2);
    SGD sgd(model.parameters(), 0.1f);
    Trainer trainer(model, sgd, CrossEntropyLoss{}, {.on_batch = line.callback()});
    trainer.train_epoch(loader);
    const std::string text = contents(out);
    std::fclose(out);
    EXPECT_NE(text.find("epoch 1/1  batch 1/3"), std::string::npos) << text;
    EXPECT_NE(text.find("epoch 1/1  batch 3/3"), std::string::npos) << text;
}

TEST(FormatDuration, ReadsLikeAClock) {
    EXPECT_EQ(format_duration(42.4), "42s");
    EXPECT_EQ(format_duration(187.0), "3:07");
    EXPECT_EQ(format_duration(3723.0), "1:02:03");
    EXPECT_EQ(format_duration(NAN), "?");
}
