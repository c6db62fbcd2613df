// progress.hpp — module 08, provided: a progress line for long training runs.
//
//     ProgressLine progress(/*total_epochs=*/20);
//     Trainer trainer(model, sgd, CrossEntropyLoss{}, {.on_batch = progress.callback()});
//
// prints, for every pass over a loader,
//
//     epoch 3/20  batch 120/782  loss 0.4123  acc 86.1%  1520 img/s  left 2:42
//     eval  batch 7/7  loss 0.4510  acc 84.0%  5000 img/s  left 0s
//
// "left" is the time the run still needs at the current speed: the rest of
// this pass, plus the remaining epochs when total_epochs is known.
//
// On a terminal (isatty) the line is redrawn in place with '\r' and stays
// when its pass ends. When the output is a file or a pipe (a log, CI), plain
// lines are printed instead: the first and last batch of each pass and one
// line every few seconds in between, so a log neither floods nor goes
// silent. The line uses no colour, so there is nothing for NO_COLOR to turn
// off. Timing comes from BatchProgress (the Trainer's clock), which keeps the
// output a pure function of the progress reports.
#pragma once

#include <cstdio>
#include <functional>
#include <string>

#include "training.hpp"

namespace tinytorch {

class ProgressLine {
public:
    // total_epochs: shown as "epoch 3/20" and used for the time left; 0 if unknown.
    explicit ProgressLine(int64_t total_epochs = 0, std::FILE* out = stdout);

    // Overrides the terminal detection (tests, or forcing plain logs).
    void set_terminal(bool terminal) { terminal_ = terminal; }
    bool terminal() const { return terminal_; }
    // Terminal: redraw at most every redraw_seconds (default 0.1). Plain: a
    // line at most every plain_seconds (default 10). First and last batches
    // always print.
    void set_intervals(double redraw_seconds, double plain_seconds);

    // Prints (or redraws) the line for one finished batch.
    void update(const BatchProgress& progress);
    // update() as a callback for TrainerOptions::on_batch. The ProgressLine
    // must outlive the Trainer that calls it.
    std::function<void(const BatchProgress&)> callback();

    // The text of the line for `progress`, without '\r' or '\n'.
    std::string format(const BatchProgress& progress) const;

private:
    int64_t total_epochs_;
    std::FILE* out_;
    bool terminal_;
    double redraw_seconds_ = 0.1;
    double plain_seconds_ = 10.0;
    double last_print_seconds_ = 0.0;
};

// A duration for people: "42s", "3:07", "1:02:03".
std::string format_duration(double seconds);

}  // namespace tinytorch
