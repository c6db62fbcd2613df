// run_record.hpp — what a milestone run leaves behind: record.json (the
// configuration, per-epoch loss and accuracy of every model trained, the
// final results, the time) and the charts beside it.
//
// `tito milestone run` reads "results" from record.json and checks the gates
// of curriculum.json against it; a student opens the SVG charts in a browser.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tinytorch::milestone {

// One epoch of one model: training figures are the running means over the
// epoch's batches, test figures come from a full pass over the test set.
struct EpochSummary {
    int epoch = 0;  // 1-based
    double train_loss = 0, train_accuracy = 0;
    double test_loss = 0, test_accuracy = 0;
    double seconds = 0;  // wall-clock time of this epoch (training + evaluation)
};

class RunRecord {
public:
    RunRecord(std::string milestone, std::string program);

    nlohmann::json config = nlohmann::json::object();  // flags and derived settings

    // Epochs of one model ("cnn", "mlp"), in order.
    void add_epoch(const std::string& model, const EpochSummary& epoch);
    const std::map<std::string, std::vector<EpochSummary>>& epochs() const { return epochs_; }

    // A final figure: the gate metrics and anything else worth keeping.
    void set_result(const std::string& key, const nlohmann::json& value);
    const nlohmann::json& results() const { return results_; }

    void set_seconds(double seconds) { seconds_ = seconds; }

    nlohmann::json to_json() const;
    // Writes dir/record.json atomically (temporary file, flush, rename).
    void write(const std::filesystem::path& dir) const;

private:
    std::string milestone_, program_;
    std::map<std::string, std::vector<EpochSummary>> epochs_;
    nlohmann::json results_ = nlohmann::json::object();
    double seconds_ = 0;
};

// Replaces `file` with `content` atomically, creating its folder.
void write_file_atomically(const std::filesystem::path& file, const std::string& content);

}  // namespace tinytorch::milestone
