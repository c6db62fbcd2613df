// checkpoint.cpp — module 08, provided: what a checkpoint holds and how a
// Trainer, a model or a loader gets it back.
//
// Entries (names in the file, see checkpoint_file.hpp for the format):
//   checkpoint.kind                "trainer" or "model"
//   model.parameter.<name>         every named_parameters() tensor
//   model.buffer.<name>            every named_buffers() tensor
//   optimizer.kind / .step_count / .lr / .parameters
//   optimizer.shape.<i>            parameter i's shape
//   optimizer.hyper.<name>         momentum, beta1, ...
//   optimizer.tensor.<name>        momentum_buffer.0, exp_avg.2, ...
//   optimizer.counter.<name>       step.2, ...
//   schedule.kind / schedule.epoch when the Trainer has a schedule
//   trainer.epochs, trainer.history.<e>   one list of numbers per epoch
//   rng.default                    the default generator (Dropout, Linear's init)
//   loader.examples / .batch_size / .order_generator / .transform_generator
//                                  when saved with the training loader
//
// Loading is all or nothing: every entry is read and checked against the
// model, optimizer, schedule and loader first; only then is anything changed.
#include <algorithm>
#include <cmath>
#include <utility>

#include "checkpoint_file.hpp"
#include "training.hpp"

namespace tinytorch {

namespace fs = std::filesystem;

namespace {

const std::string kParameterPrefix = "model.parameter.";
const std::string kBufferPrefix = "model.buffer.";
const std::string kOptimizerPrefix = "optimizer.";

// ---- model ----------------------------------------------------------------

void add_model(CheckpointData& data, const Module& model) {
    for (const auto& [name, tensor] : model.named_parameters()) data.add(kParameterPrefix + name, tensor);
    for (const auto& [name, tensor] : model.named_buffers()) data.add(kBufferPrefix + name, tensor);
}

// Pairs (the model's tensor, the file's values) for one kind of tensor, after
// checking that the names and shapes agree both ways.
void match_tensors(const CheckpointData& data, const std::string& prefix, const char* what,
                   const std::vector<std::pair<std::string, Tensor>>& named,
                   std::vector<std::pair<Tensor, Tensor>>& copies) {
    for (const auto& [name, tensor] : named) {
        if (!data.contains(prefix + name))
            throw FileError(fmt::format(
                "{} does not fit this model: the model has a {} \"{}\" of shape {} that the file "
                "lacks (was it saved from another model?)",
                data.where, what, name, format_shape(tensor.shape())));
        const Tensor& saved = data.tensor(prefix + name);
        if (saved.shape() != tensor.shape())
            throw FileError(fmt::format(
                "{} does not fit this model: {} \"{}\" has shape {} in the file but {} in the model",
                data.where, what, name, format_shape(saved.shape()), format_shape(tensor.shape())));
        copies.emplace_back(tensor, saved);
    }
    for (const auto& [name, value] : data.with_prefix(prefix)) {
        const bool known = std::any_of(named.begin(), named.end(),
                                       [&](const auto& entry) { return entry.first == name; });
        if (!known)
            throw FileError(fmt::format(
                "{} does not fit this model: the file has a {} \"{}\" that the model lacks (was "
                "it saved from another model?)",
                data.where, what, name));
    }
}

std::vector<std::pair<Tensor, Tensor>> match_model(const CheckpointData& data, const Module& model) {
    std::vector<std::pair<Tensor, Tensor>> copies;
    match_tensors(data, kParameterPrefix, "parameter", model.named_parameters(), copies);
    match_tensors(data, kBufferPrefix, "buffer", model.named_buffers(), copies);
    return copies;
}

void copy_into_model(const std::vector<std::pair<Tensor, Tensor>>& copies) {
    NoGradGuard no_grad;
    for (const auto& [target, saved] : copies) {
        Tensor handle = target;
        handle.copy_(saved);
    }
}

void check_kind(const CheckpointData& data, bool need_trainer) {
    const std::string& kind = data.text("checkpoint.kind");
    if (kind == "trainer" || (!need_trainer && kind == "model")) return;
    if (kind == "model")
        throw FileError(fmt::format(
            "{} holds only a model (it was written by save_model); read it with load_model",
            data.where));
    throw FileError(fmt::format("{} holds \"{}\", not a trainer or a model", data.where, kind));
}

// ---- optimizer ------------------------------------------------------------

void add_optimizer(CheckpointData& data, const OptimizerState& state) {
    data.add("optimizer.kind", state.kind);
    data.add("optimizer.step_count", state.step_count);
    data.add("optimizer.lr", static_cast<double>(state.lr));
    data.add("optimizer.parameters", static_cast<int64_t>(state.parameter_shapes.size()));
    for (size_t i = 0; i < state.parameter_shapes.size(); ++i)
        data.add(fmt::format("optimizer.shape.{}", i), state.parameter_shapes[i]);
    for (const auto& [name, value] : state.hyper_parameters)
        data.add("optimizer.hyper." + name, static_cast<double>(value));
    for (const auto& [name, tensor] : state.tensors) data.add("optimizer.tensor." + name, tensor);
    for (const auto& [name, value] : state.counters) data.add("optimizer.counter." + name, value);
}

// The file's optimizer entries as an OptimizerState. Floats went in as
// doubles, so they come back exactly.
OptimizerState read_optimizer(const CheckpointData& data) {
    OptimizerState state;
    state.kind = data.text("optimizer.kind");
    state.step_count = data.integer("optimizer.step_count");
    state.lr = static_cast<float>(data.real("optimizer.lr"));
    const int64_t parameters = data.integer("optimizer.parameters");
    if (parameters < 0 || parameters > (int64_t{1} << 24))
        throw FileError(fmt::format("{}: optimizer.parameters is {}", data.where, parameters));
    for (int64_t i = 0; i < parameters; ++i)
        state.parameter_shapes.push_back(data.integers(fmt::format("optimizer.shape.{}", i)));
    for (const auto& [name, value] : data.with_prefix("optimizer.hyper."))
        state.hyper_parameters.emplace_back(name, static_cast<float>(data.real("optimizer.hyper." + name)));
    for (const auto& [name, value] : data.with_prefix("optimizer.tensor."))
        state.tensors.emplace_back(name, data.tensor("optimizer.tensor." + name));
    for (const auto& [name, value] : data.with_prefix("optimizer.counter."))
        state.counters.emplace_back(name, data.integer("optimizer.counter." + name));
    return state;
}

// ---- history --------------------------------------------------------------

std::vector<double> encode_result(const EpochResult& r) {
    return {r.loss, r.accuracy, static_cast<double>(r.examples), static_cast<double>(r.batches),
            r.seconds};
}

EpochResult decode_result(const std::vector<double>& v, size_t at) {
    return {v[at], v[at + 1], static_cast<int64_t>(v[at + 2]), static_cast<int64_t>(v[at + 3]),
            v[at + 4]};
}

// [lr, train (5 numbers), has evaluation (0 or 1), evaluation (5 numbers)]
std::vector<double> encode_record(const EpochRecord& record) {
    std::vector<double> v{static_cast<double>(record.lr)};
    for (double x : encode_result(record.train)) v.push_back(x);
    v.push_back(record.evaluation ? 1.0 : 0.0);
    for (double x : encode_result(record.evaluation.value_or(EpochResult{}))) v.push_back(x);
    return v;
}

std::vector<EpochRecord> read_history(const CheckpointData& data) {
    const int64_t epochs = data.integer("trainer.epochs");
    if (epochs < 0) throw FileError(fmt::format("{}: trainer.epochs is {}", data.where, epochs));
    std::vector<EpochRecord> history;
    for (int64_t e = 0; e < epochs; ++e) {
        const std::string name = fmt::format("trainer.history.{}", e);
        const std::vector<double>& v = data.reals(name);
        if (v.size() != 12)
            throw FileError(fmt::format("{}: \"{}\" holds {} numbers, not 12", data.where, name, v.size()));
        EpochRecord record{e, static_cast<float>(v[0]), decode_result(v, 1), std::nullopt};
        if (v[6] == 1.0) record.evaluation = decode_result(v, 7);
        history.push_back(record);
    }
    return history;
}

// ---- generators and the loader --------------------------------------------

Generator parse_generator(const CheckpointData& data, const std::string& name) {
    Generator gen;
    try {
        gen.set_state(data.text(name));
    } catch (const ValueError& error) {
        throw FileError(fmt::format("{}: \"{}\" is not a generator state ({})", data.where, name,
                                    error.what()));
    }
    return gen;
}

void check_loader(const CheckpointData& data, const DataLoader& loader) {
    if (!data.contains("loader.order_generator"))
        throw FileError(fmt::format(
            "{} holds no DataLoader state: it was saved with save_checkpoint(path); save it with "
            "save_checkpoint(path, train_loader) to resume the shuffling too",
            data.where));
    const int64_t examples = data.integer("loader.examples");
    const int64_t batch_size = data.integer("loader.batch_size");
    if (examples != loader.dataset().size() || batch_size != loader.batch_size())
        throw FileError(fmt::format(
            "{} does not fit this DataLoader: it was saved from a loader of {} examples in batches "
            "of {}, this one has {} examples in batches of {}",
            data.where, examples, batch_size, loader.dataset().size(), loader.batch_size()));
    parse_generator(data, "loader.order_generator");
    parse_generator(data, "loader.transform_generator");
}

// ---- the whole trainer ----------------------------------------------------

CheckpointData trainer_checkpoint(const Module& model, const Optimizer& optimizer,
                                  const LRSchedule* schedule,
                                  const std::vector<EpochRecord>& history) {
    CheckpointData data;
    data.add("checkpoint.kind", std::string("trainer"));
    add_model(data, model);
    add_optimizer(data, optimizer.state());
    if (schedule) {
        data.add("schedule.kind", schedule->kind());
        data.add("schedule.epoch", schedule->epoch());
    }
    data.add("trainer.epochs", static_cast<int64_t>(history.size()));
    for (size_t e = 0; e < history.size(); ++e)
        data.add(fmt::format("trainer.history.{}", e), encode_record(history[e]));
    data.add("rng.default", default_generator().state());
    return data;
}

}  // namespace

// ===========================================================================
// Trainer checkpoints
// ===========================================================================

void Trainer::save_checkpoint(const fs::path& path) const {
    write_checkpoint_file(path, trainer_checkpoint(model_, optimizer_, options_.schedule, history_));
}

void Trainer::save_checkpoint(const fs::path& path, const DataLoader& train_loader) const {
    CheckpointData data = trainer_checkpoint(model_, optimizer_, options_.schedule, history_);
    const DataLoader::State state = train_loader.state();
    data.add("loader.examples", train_loader.dataset().size());
    data.add("loader.batch_size", train_loader.batch_size());
    data.add("loader.order_generator", state.order_generator);
    data.add("loader.transform_generator", state.transform_generator);
    write_checkpoint_file(path, data);
}

void Trainer::load_checkpoint(const fs::path& path) { load_from(read_checkpoint_file(path), nullptr); }

void Trainer::load_checkpoint(const fs::path& path, DataLoader& train_loader) {
    load_from(read_checkpoint_file(path), &train_loader);
}

void Trainer::load_from(const CheckpointData& data, DataLoader* train_loader) {
    check_kind(data, /*need_trainer=*/true);

    // Read and check everything first.
    const auto model_copies = match_model(data, model_);
    const OptimizerState optimizer_state = read_optimizer(data);
    if (optimizer_state.kind != optimizer_.kind())
        throw FileError(fmt::format(
            "{} does not fit this trainer: it holds the state of an {} optimizer, this trainer "
            "has an {} optimizer",
            data.where, optimizer_state.kind, optimizer_.kind()));
    LRSchedule* schedule = options_.schedule;
    const bool saved_schedule = data.contains("schedule.kind");
    if (schedule && !saved_schedule)
        throw FileError(fmt::format(
            "{} does not fit this trainer: the trainer has a {} but the file holds no schedule",
            data.where, schedule->kind()));
    if (!schedule && saved_schedule)
        throw FileError(fmt::format(
            "{} does not fit this trainer: the file holds the state of a {} but the trainer has "
            "no schedule",
            data.where, data.text("schedule.kind")));
    int64_t schedule_epoch = 0;
    if (schedule) {
        if (data.text("schedule.kind") != schedule->kind())
            throw FileError(fmt::format(
                "{} does not fit this trainer: the file holds the state of a {}, the trainer has a {}",
                data.where, data.text("schedule.kind"), schedule->kind()));
        schedule_epoch = data.integer("schedule.epoch");
        if (schedule_epoch < 0)
            throw FileError(fmt::format("{}: schedule.epoch is {}", data.where, schedule_epoch));
    }
    std::vector<EpochRecord> history = read_history(data);
    const Generator default_rng = parse_generator(data, "rng.default");
    DataLoader::State loader_state;
    if (train_loader) {
        check_loader(data, *train_loader);
        loader_state = {data.text("loader.order_generator"), data.text("loader.transform_generator")};
    }

    // The optimizer checks its part once more and changes nothing on failure.
    try {
        optimizer_.load_state(optimizer_state);
    } catch (const ValueError& error) {
        throw FileError(fmt::format("{} does not fit this trainer: {}", data.where, error.what()));
    }
    // Nothing below can fail: every value was checked above.
    copy_into_model(model_copies);
    if (schedule) schedule->set_epoch(schedule_epoch);
    history_ = std::move(history);
    default_generator() = default_rng;
    if (train_loader) train_loader->load_state(loader_state);
}

// ===========================================================================
// Model files
// ===========================================================================

void save_model(const fs::path& path, const Module& model) {
    CheckpointData data;
    data.add("checkpoint.kind", std::string("model"));
    add_model(data, model);
    write_checkpoint_file(path, data);
}

void load_model(const fs::path& path, Module& model) {
    const CheckpointData data = read_checkpoint_file(path);
    check_kind(data, /*need_trainer=*/false);
    copy_into_model(match_model(data, model));
}

}  // namespace tinytorch
