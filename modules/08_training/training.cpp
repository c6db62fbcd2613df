// training.cpp — module 08: your training loop and what keeps it honest.
//
// Each function below says what it must do; training.hpp has the contract
// and modules/08_training/README.md the concepts, hints and common mistakes.
// Run `tito module test 08` to check your work.
//
// The Trainer's plumbing is provided (trainer_base.cpp): EpochMeter adds up a
// pass, report_batch / record_epoch / record_evaluation feed the callbacks
// and the history. Checkpoints and the progress line are provided too.
#include <cmath>
#include <numbers>
#include <optional>

#include "training.hpp"

namespace tinytorch {

// BEGIN SOLUTION HELPERS
namespace {

// correct predictions of a batch, or nullopt when it is not classification.
std::optional<int64_t> correct_of(const Tensor& outputs, const Tensor& targets) {
    if (!is_classification(outputs, targets)) return std::nullopt;
    return count_correct(outputs, targets);
}

// Puts the model back into the mode it had, however the scope is left.
class RestoreMode {
public:
    explicit RestoreMode(Module& model) : model_(model), training_(model.is_training()) {}
    ~RestoreMode() { model_.train(training_); }
    RestoreMode(const RestoreMode&) = delete;
    RestoreMode& operator=(const RestoreMode&) = delete;

private:
    Module& model_;
    bool training_;
};

}  // namespace
// END SOLUTION

// ===========================================================================
// Building blocks
// ===========================================================================

// norm = sqrt(sum over every parameter with a gradient of sum(g * g));
// accumulate in double. If norm > max_norm (and is finite), multiply each of
// those gradients in place by max_norm / (norm + 1e-6). Return norm.
float clip_grad_norm(const std::vector<Tensor>& params, float max_norm) {
    float norm = 0.0f;
    // BEGIN SOLUTION
    TT_CHECK(std::isfinite(max_norm) && max_norm > 0.0f, ValueError,
             "clip_grad_norm: max_norm must be a finite number > 0, got {}", max_norm);
    double sum_of_squares = 0.0;
    for (const Tensor& param : params) {
        const Tensor grad = param.grad();
        if (!grad.defined()) continue;
        const Tensor values = untracked(grad).contiguous();
        for (int64_t i = 0; i < values.numel(); ++i) {
            const double g = values.data()[i];
            sum_of_squares += g * g;
        }
    }
    norm = static_cast<float>(std::sqrt(sum_of_squares));
    if (std::isfinite(norm) && norm > max_norm) {
        const float scale = max_norm / (norm + 1e-6f);
        for (const Tensor& param : params) {
            Tensor grad = param.grad();
            if (grad.defined()) grad.copy_(untracked(grad) * scale);
        }
    }
    // END SOLUTION
    return norm;
}

// For each row n of logits (N, C): the column of its largest value (the
// first on ties) compared with labels[n]. Count the matches. Check the
// shapes first: logits 2-D, labels 1-D, the same N.
int64_t count_correct(const Tensor& logits, const Tensor& labels) {
    int64_t correct = 0;
    // BEGIN SOLUTION
    TT_CHECK(logits.dim() == 2 && labels.dim() == 1 && logits.size(0) == labels.size(0),
             ShapeError,
             "count_correct: expects logits (N, C) and labels (N), got logits {} and labels {}",
             format_shape(logits.shape()), format_shape(labels.shape()));
    const Tensor predicted = untracked(logits).argmax(1).contiguous();
    const Tensor truth = untracked(labels).contiguous();
    for (int64_t n = 0; n < predicted.numel(); ++n)
        if (predicted.data()[n] == truth.data()[n]) ++correct;
    // END SOLUTION
    return correct;
}

// Nothing to do for a finite loss (std::isfinite). Otherwise throw
// TrainingError with the message of training.hpp: epoch + 1, batch + 1,
// batches, the loss ("nan" or "inf"), the learning rate and a tenth of it.
void check_loss_is_finite(float loss, int64_t epoch, int64_t batch, int64_t batches, float lr) {
    // BEGIN SOLUTION
    if (std::isfinite(loss)) return;
    throw TrainingError(fmt::format(
        "training stopped: the loss is {} at epoch {}, batch {} of {}. The learning rate {} is "
        "probably too high: try {} (ten times lower), or clip the gradients "
        "(TrainerOptions::clip_grad_norm).",
        loss, epoch + 1, batch + 1, batches, lr, lr / 10.0f));
    // END SOLUTION
}

// ===========================================================================
// Schedules
// ===========================================================================

// base_lr * gamma^(epoch / step_size), with integer division.
float StepSchedule::lr_at(int64_t epoch) const {
    float lr = 0.0f;
    // BEGIN SOLUTION
    const auto decays = static_cast<double>(epoch / step_size);
    lr = static_cast<float>(base_lr * std::pow(static_cast<double>(gamma), decays));
    // END SOLUTION
    return lr;
}

// min_lr + (base_lr - min_lr) * (1 + cos(pi * epoch / total_epochs)) / 2 for
// epoch < total_epochs, min_lr after. std::numbers::pi is pi.
float CosineSchedule::lr_at(int64_t epoch) const {
    float lr = 0.0f;
    // BEGIN SOLUTION
    if (epoch >= total_epochs) {
        lr = min_lr;
    } else {
        const double progress = static_cast<double>(epoch) / static_cast<double>(total_epochs);
        const double cosine = (1.0 + std::cos(std::numbers::pi * progress)) / 2.0;
        lr = static_cast<float>(min_lr + (static_cast<double>(base_lr) - min_lr) * cosine);
    }
    // END SOLUTION
    return lr;
}

// ===========================================================================
// Trainer
// ===========================================================================

// 1. model_.train(). If options_.schedule is set, optimizer_.set_lr to its
//    lr_at(its epoch()). Remember the learning rate of this epoch.
// 2. An EpochMeter. For each batch of the loader (count the batch index):
//      optimizer_.zero_grad();  outputs = model_(inputs);  loss = loss_(outputs, targets);
//      check_loss_is_finite(loss.item(), epoch(), index, loader.num_batches(), lr);
//      loss.backward();  clip_grad_norm(model_.parameters(), ...) if asked;  optimizer_.step();
//      meter.add(loss value, batch size, correct count or nullopt — see is_classification);
//      report_batch(true, index, batches, meter.result());
// 3. result = meter.result(); record_epoch(result, lr); advance the schedule (step()).
EpochResult Trainer::train_epoch(DataLoader& loader) {
    EpochResult result;
    // BEGIN SOLUTION
    model_.train();
    if (options_.schedule) optimizer_.set_lr(options_.schedule->lr_at(options_.schedule->epoch()));
    const float lr = optimizer_.lr();
    const int64_t batches = loader.num_batches();
    EpochMeter meter;
    int64_t index = 0;
    for (const Batch& batch : loader) {
        optimizer_.zero_grad();
        const Tensor outputs = model_(batch.inputs);
        const Tensor loss = loss_(outputs, batch.targets);
        const float value = loss.item();
        check_loss_is_finite(value, epoch(), index, batches, lr);
        loss.backward();
        if (options_.clip_grad_norm) clip_grad_norm(model_.parameters(), *options_.clip_grad_norm);
        optimizer_.step();
        meter.add(value, batch.inputs.size(0), correct_of(outputs, batch.targets));
        report_batch(true, index, batches, meter.result());
        ++index;
    }
    result = meter.result();
    record_epoch(result, lr);
    if (options_.schedule) options_.schedule->step();
    // END SOLUTION
    return result;
}

// Remember the model's mode and put it in evaluation mode; hold a
// NoGradGuard for the whole pass. For each batch: outputs, loss, meter.add,
// report_batch(false, ...). No zero_grad, backward or step. Then restore the
// mode (also when a batch throws: a small RAII struct whose destructor calls
// model_.train(saved mode) does it), record_evaluation(result).
EpochResult Trainer::evaluate(DataLoader& loader) {
    EpochResult result;
    // BEGIN SOLUTION
    {
        RestoreMode restore(model_);
        model_.eval();
        NoGradGuard no_grad;
        const int64_t batches = loader.num_batches();
        EpochMeter meter;
        int64_t index = 0;
        for (const Batch& batch : loader) {
            const Tensor outputs = model_(batch.inputs);
            const float value = loss_(outputs, batch.targets).item();
            meter.add(value, batch.inputs.size(0), correct_of(outputs, batch.targets));
            report_batch(false, index, batches, meter.result());
            ++index;
        }
        result = meter.result();
    }
    record_evaluation(result);
    // END SOLUTION
    return result;
}

}  // namespace tinytorch
