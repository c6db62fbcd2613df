// trainer_base.cpp — module 08, provided: the Trainer's constructor, history
// and callbacks, the EpochMeter, and the schedules' constructors and counter.
// The loops themselves (train_epoch, evaluate) are yours, in training.cpp.
#include <chrono>
#include <cmath>
#include <utility>

#include "training.hpp"

namespace tinytorch {

namespace {

double now_seconds() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

void check_rate(const char* schedule, const char* name, float value) {
    TT_CHECK(std::isfinite(value) && value >= 0.0f, ValueError,
             "{}: {} must be a finite number >= 0, got {}", schedule, name, value);
}

}  // namespace

// ===========================================================================
// EpochMeter
// ===========================================================================

EpochMeter::EpochMeter() : start_seconds_(now_seconds()) {}

void EpochMeter::add(double batch_loss, int64_t examples, std::optional<int64_t> correct) {
    loss_sum_ += batch_loss * static_cast<double>(examples);
    examples_ += examples;
    ++batches_;
    if (correct)
        correct_ += *correct;
    else
        classification_ = false;
}

EpochResult EpochMeter::result() const {
    EpochResult r;
    r.examples = examples_;
    r.batches = batches_;
    r.seconds = now_seconds() - start_seconds_;
    if (examples_ > 0) {
        r.loss = loss_sum_ / static_cast<double>(examples_);
        if (classification_)
            r.accuracy = static_cast<double>(correct_) / static_cast<double>(examples_);
    }
    return r;
}

// ===========================================================================
// Schedules
// ===========================================================================

void LRSchedule::set_epoch(int64_t epoch) {
    TT_CHECK(epoch >= 0, ValueError, "{}: the epoch must be >= 0, got {}", kind(), epoch);
    epoch_ = epoch;
}

StepSchedule::StepSchedule(float base_lr, int64_t step_size, float gamma)
    : base_lr(base_lr), step_size(step_size), gamma(gamma) {
    check_rate("StepSchedule", "base_lr", base_lr);
    TT_CHECK(step_size >= 1, ValueError, "StepSchedule: step_size must be >= 1 epoch, got {}",
             step_size);
    TT_CHECK(std::isfinite(gamma) && gamma > 0.0f, ValueError,
             "StepSchedule: gamma must be a finite number > 0, got {}", gamma);
}

CosineSchedule::CosineSchedule(float base_lr, int64_t total_epochs, float min_lr)
    : base_lr(base_lr), total_epochs(total_epochs), min_lr(min_lr) {
    check_rate("CosineSchedule", "base_lr", base_lr);
    check_rate("CosineSchedule", "min_lr", min_lr);
    TT_CHECK(total_epochs >= 1, ValueError, "CosineSchedule: total_epochs must be >= 1, got {}",
             total_epochs);
}

// ===========================================================================
// Trainer
// ===========================================================================

Trainer::Trainer(Module& model, Optimizer& optimizer, LossFunction loss, TrainerOptions options)
    : model_(model), optimizer_(optimizer), loss_(std::move(loss)), options_(std::move(options)) {
    TT_CHECK(static_cast<bool>(loss_), ValueError,
             "Trainer: the loss function is empty; pass e.g. CrossEntropyLoss{{}}");
    if (options_.clip_grad_norm) {
        const float max_norm = *options_.clip_grad_norm;
        TT_CHECK(std::isfinite(max_norm) && max_norm > 0.0f, ValueError,
                 "Trainer: clip_grad_norm must be a finite number > 0, got {}", max_norm);
    }
}

void Trainer::report_batch(bool training, int64_t batch, int64_t batches,
                           const EpochResult& so_far) const {
    if (!options_.on_batch) return;
    options_.on_batch(BatchProgress{training, epoch(), batch, batches, so_far});
}

void Trainer::record_epoch(const EpochResult& train, float lr) {
    history_.push_back(EpochRecord{epoch(), lr, train, std::nullopt});
    if (options_.on_epoch) options_.on_epoch(history_.back());
}

void Trainer::record_evaluation(const EpochResult& evaluation) {
    if (!history_.empty()) history_.back().evaluation = evaluation;
}

}  // namespace tinytorch
