// training.hpp — module 08: the training loop, learning-rate schedules,
// gradient clipping and checkpoints.
//
// Modules 01–07 give you a model, a loss, batches, gradients and an
// optimizer. A Trainer puts them together, one epoch at a time:
//
//     Sequential model{Linear(64, 32), ReLU{}, Linear(32, 10)};
//     SGD sgd(model.parameters(), {.lr = 0.1f, .momentum = 0.9f});
//     CosineSchedule schedule(0.1f, /*total_epochs=*/20);
//     ProgressLine progress(20);                                // progress.hpp
//     Trainer trainer(model, sgd, CrossEntropyLoss{},
//                     {.schedule = &schedule, .clip_grad_norm = 5.0f,
//                      .on_batch = progress.callback()});
//     for (int epoch = 0; epoch < 20; ++epoch) {
//         EpochResult train = trainer.train_epoch(train_loader);  // loss, accuracy
//         EpochResult test = trainer.evaluate(test_loader);
//         trainer.save_checkpoint("run.ckpt", train_loader);     // resume from here later
//     }
//
// Schedules act per epoch: train_epoch sets the optimizer's learning rate to
// schedule.lr_at(schedule.epoch()) before its first batch and advances the
// schedule after its last. Accuracy is argmax over axis 1 of the model's
// output against the label, counted when the output is (N, C) class scores
// and the targets are (N) class indices.
//
// Who writes what:
//   - training.cpp is yours: clip_grad_norm, count_correct,
//     check_loss_is_finite, the two schedules' lr_at, Trainer::train_epoch
//     and Trainer::evaluate — the loop that trains, and what keeps it honest.
//   - Provided, in files without solution blocks: trainer_base.cpp (the
//     Trainer's constructor, history and callbacks, EpochMeter, the
//     schedules' constructors), checkpoint.cpp (what a checkpoint holds and
//     how it is loaded back), checkpoint_file.hpp/.cpp (the file format and
//     the atomic write) and progress.hpp/.cpp (the progress line).
//
// This header is the contract the tests check; do not change it.
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "autograd.hpp"
#include "dataloader.hpp"
#include "layers.hpp"
#include "optimizers.hpp"

namespace tinytorch {

class CheckpointData;  // checkpoint_file.hpp

// Training went wrong in a way that more epochs will not fix (a NaN or
// infinite loss). In the module-01 error family: catch tinytorch::Error.
class TrainingError : public Error {
public:
    using Error::Error;
};

// ---------------------------------------------------------------------------
// Building blocks of the loop (yours)
// ---------------------------------------------------------------------------

// Rescales the gradients of `params` so that their global L2 norm — the
// norm of all gradient elements together, sqrt(sum of g^2 over every
// parameter) — is at most max_norm, as torch.nn.utils.clip_grad_norm_:
// when norm > max_norm, every gradient is multiplied in place by
// max_norm / (norm + 1e-6); otherwise nothing changes. Parameters without a
// gradient are skipped. Returns the norm *before* clipping (0 when no
// parameter has a gradient), so a training log can show how large the
// gradients were. A norm that is inf or NaN is returned as it is and leaves
// the gradients alone (the loss check stops such a run). max_norm must be
// positive and finite (ValueError).
float clip_grad_norm(const std::vector<Tensor>& params, float max_norm);

// The number of rows n of logits (N, C) whose largest entry (the first one
// on ties) sits at column labels[n]; labels (N) holds class indices as
// floats. Other shapes throw ShapeError showing both.
int64_t count_correct(const Tensor& logits, const Tensor& labels);

// True when outputs and targets look like classification: outputs (N, C),
// targets (N). Only then does a Trainer count accuracy. (Provided.)
inline bool is_classification(const Tensor& outputs, const Tensor& targets) {
    return outputs.dim() == 2 && targets.dim() == 1 && outputs.size(0) == targets.size(0);
}

// Does nothing for a finite loss. A NaN or infinite one throws TrainingError
// naming the epoch and batch (counted from 1 in the message, given from 0
// here) and the learning rate, with the fix:
//     "training stopped: the loss is nan at epoch 2, batch 17 of 32. The
//      learning rate 0.5 is probably too high: try 0.05 (ten times lower), or
//      clip the gradients (TrainerOptions::clip_grad_norm)."
void check_loss_is_finite(float loss, int64_t epoch, int64_t batch, int64_t batches, float lr);

// ---------------------------------------------------------------------------
// Learning-rate schedules: one learning rate per epoch.
// ---------------------------------------------------------------------------
// A schedule counts epochs (its state, saved in checkpoints) and maps an
// epoch number to a learning rate. The Trainer applies lr_at(epoch()) at the
// start of each training epoch and calls step() at its end; a schedule
// never changes the rate in the middle of an epoch.
class LRSchedule {
public:
    virtual ~LRSchedule() = default;
    // "StepSchedule", "CosineSchedule": checkpoints check it on load.
    virtual std::string kind() const = 0;
    // The learning rate of epoch `epoch` (0 = the first). Yours, per schedule.
    virtual float lr_at(int64_t epoch) const = 0;

    // The epoch counter (provided).
    int64_t epoch() const { return epoch_; }
    void step() { ++epoch_; }
    void set_epoch(int64_t epoch);  // negative throws ValueError
    float current_lr() const { return lr_at(epoch_); }

private:
    int64_t epoch_ = 0;
};

// base_lr * gamma^floor(epoch / step_size), as torch.optim.lr_scheduler.StepLR:
// with (0.1, 3, 0.5) epochs 0-2 use 0.1, epochs 3-5 use 0.05, 6-8 use 0.025.
class StepSchedule : public LRSchedule {
public:
    // Provided: base_lr finite and >= 0, step_size >= 1, gamma finite and > 0
    // (ValueError otherwise).
    StepSchedule(float base_lr, int64_t step_size, float gamma = 0.1f);
    std::string kind() const override { return "StepSchedule"; }
    float lr_at(int64_t epoch) const override;  // yours

    float base_lr;
    int64_t step_size;
    float gamma;
};

// Half a cosine from base_lr down to min_lr over total_epochs, as
// torch.optim.lr_scheduler.CosineAnnealingLR with T_max = total_epochs:
//     lr = min_lr + (base_lr - min_lr) * (1 + cos(pi * epoch / total_epochs)) / 2
// for epoch < total_epochs, and min_lr from then on. Compute it in double.
class CosineSchedule : public LRSchedule {
public:
    // Provided: base_lr and min_lr finite and >= 0, total_epochs >= 1.
    CosineSchedule(float base_lr, int64_t total_epochs, float min_lr = 0.0f);
    std::string kind() const override { return "CosineSchedule"; }
    float lr_at(int64_t epoch) const override;  // yours

    float base_lr;
    int64_t total_epochs;
    float min_lr;
};

// ---------------------------------------------------------------------------
// What a pass over a loader reports
// ---------------------------------------------------------------------------

inline constexpr double kNoAccuracy = std::numeric_limits<double>::quiet_NaN();

struct EpochResult {
    double loss = 0.0;            // mean loss per example (batches weighted by their size)
    double accuracy = kNoAccuracy;  // correct / examples; NaN unless every batch was classification
    int64_t examples = 0;
    int64_t batches = 0;
    double seconds = 0.0;         // wall-clock time of the pass
};

// Sent to TrainerOptions::on_batch after every batch.
struct BatchProgress {
    bool training = true;    // from train_epoch (true) or evaluate (false)
    int64_t epoch = 0;       // Trainer::epoch(): epochs trained before this one
    int64_t batch = 0;       // the batch just finished, from 0
    int64_t batches = 0;     // batches in this pass
    EpochResult so_far;      // running loss, accuracy, examples and time of this pass
};

// One line of Trainer::history().
struct EpochRecord {
    int64_t epoch = 0;       // from 0
    float lr = 0.0f;         // the learning rate of this epoch
    EpochResult train;
    std::optional<EpochResult> evaluation;  // the last evaluate() after this epoch
};

// Adds up one pass (provided). Construct it when the pass starts (it starts
// a clock), add() every batch, read result() at any time.
class EpochMeter {
public:
    EpochMeter();
    // batch_loss: the loss callable's value for the batch (a mean over its
    // examples); examples: the batch size; correct: count_correct(...) for a
    // classification batch, std::nullopt otherwise.
    void add(double batch_loss, int64_t examples, std::optional<int64_t> correct);
    EpochResult result() const;

private:
    double loss_sum_ = 0.0;
    int64_t examples_ = 0;
    int64_t batches_ = 0;
    int64_t correct_ = 0;
    bool classification_ = true;
    double start_seconds_;
};

// ---------------------------------------------------------------------------
// Trainer
// ---------------------------------------------------------------------------

// loss(outputs, targets) -> a scalar tensor: CrossEntropyLoss{}, MSELoss{},
// or any callable of that shape.
using LossFunction = std::function<Tensor(const Tensor& outputs, const Tensor& targets)>;

struct TrainerOptions {
    LRSchedule* schedule = nullptr;         // optional, not owned; must outlive the Trainer
    std::optional<float> clip_grad_norm = {};  // optional: max global norm of the gradients
    std::function<void(const BatchProgress&)> on_batch = {};  // e.g. ProgressLine::callback()
    std::function<void(const EpochRecord&)> on_epoch = {};    // after each train_epoch
};

class Trainer {
public:
    // Keeps references to the model and the optimizer (they must outlive the
    // Trainer) and the loss. Provided.
    Trainer(Module& model, Optimizer& optimizer, LossFunction loss, TrainerOptions options = {});

    // One epoch of training (yours): the model in training mode; the
    // schedule's rate applied; for every batch, in order: zero_grad, forward,
    // loss, check_loss_is_finite, backward, clip (if asked), step, count;
    // report_batch after each; then record_epoch and schedule->step().
    // Returns the epoch's mean loss and accuracy.
    EpochResult train_epoch(DataLoader& loader);

    // Loss and accuracy on a loader without training (yours): evaluation
    // mode and a NoGradGuard for the whole pass, report_batch after each
    // batch, record_evaluation at the end. Parameters, gradients and the
    // optimizer stay untouched, and the model's mode (training or not) is
    // restored afterwards, even when a batch throws.
    EpochResult evaluate(DataLoader& loader);

    // Provided.
    const std::vector<EpochRecord>& history() const { return history_; }
    int64_t epoch() const { return static_cast<int64_t>(history_.size()); }  // epochs trained
    Module& model() const { return model_; }
    Optimizer& optimizer() const { return optimizer_; }
    const TrainerOptions& options() const { return options_; }

    // Checkpoints (provided, checkpoint.cpp): one file holding the model's
    // parameters and buffers, the optimizer's state, the schedule's epoch,
    // the history, the default generator's state and — when given — the
    // training loader's generators. Written atomically: a crash mid-write
    // leaves the previous file as it was. Loading checks everything before
    // it changes anything; a file of another model, optimizer or schedule,
    // or a truncated or corrupt one, throws FileError naming the file and the
    // reason. With the loader (on both sides), a resumed run continues bit
    // for bit as an uninterrupted one.
    void save_checkpoint(const std::filesystem::path& path) const;
    void save_checkpoint(const std::filesystem::path& path, const DataLoader& train_loader) const;
    void load_checkpoint(const std::filesystem::path& path);
    void load_checkpoint(const std::filesystem::path& path, DataLoader& train_loader);

protected:
    // For train_epoch and evaluate (provided, trainer_base.cpp).
    // Calls options().on_batch, if set, with a BatchProgress.
    void report_batch(bool training, int64_t batch, int64_t batches, const EpochResult& so_far) const;
    // Appends {epoch(), lr, train} to the history, then calls on_epoch.
    void record_epoch(const EpochResult& train, float lr);
    // Stores the result as the evaluation of the last epoch trained (if any).
    void record_evaluation(const EpochResult& evaluation);

    Module& model_;
    Optimizer& optimizer_;
    LossFunction loss_;
    TrainerOptions options_;

private:
    // Both load_checkpoint overloads (checkpoint.cpp); loader may be null.
    void load_from(const CheckpointData& data, DataLoader* train_loader);

    std::vector<EpochRecord> history_;
};

// ---------------------------------------------------------------------------
// Model files (provided, checkpoint.cpp): just the parameters and buffers,
// in the same file format. load_model also reads them from a full checkpoint.
// ---------------------------------------------------------------------------
void save_model(const std::filesystem::path& path, const Module& model);
void load_model(const std::filesystem::path& path, Module& model);

}  // namespace tinytorch
