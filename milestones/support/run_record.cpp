// run_record.cpp — record.json, written atomically.
#include "run_record.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace tinytorch::milestone {

namespace fs = std::filesystem;

RunRecord::RunRecord(std::string milestone, std::string program)
    : milestone_(std::move(milestone)), program_(std::move(program)) {}

void RunRecord::add_epoch(const std::string& model, const EpochSummary& epoch) {
    epochs_[model].push_back(epoch);
}

void RunRecord::set_result(const std::string& key, const nlohmann::json& value) {
    results_[key] = value;
}

nlohmann::json RunRecord::to_json() const {
    nlohmann::json epochs = nlohmann::json::object();
    for (const auto& [model, list] : epochs_) {
        nlohmann::json rows = nlohmann::json::array();
        for (const EpochSummary& e : list)
            rows.push_back({{"epoch", e.epoch},
                            {"train_loss", e.train_loss},
                            {"train_accuracy", e.train_accuracy},
                            {"test_loss", e.test_loss},
                            {"test_accuracy", e.test_accuracy},
                            {"seconds", e.seconds}});
        epochs[model] = rows;
    }
    return {{"schema_version", 1}, {"milestone", milestone_}, {"program", program_},
            {"config", config},    {"epochs", epochs},         {"results", results_},
            {"seconds", seconds_}};
}

void RunRecord::write(const fs::path& dir) const {
    write_file_atomically(dir / "record.json", to_json().dump(2) + "\n");
}

void write_file_atomically(const fs::path& file, const std::string& content) {
    fs::create_directories(file.parent_path());
    const fs::path temp = file.parent_path() / fmt::format(".{}.tmp", file.filename().string());
    std::FILE* out = std::fopen(temp.c_str(), "wb");
    if (out == nullptr)
        throw std::runtime_error(
            fmt::format("cannot write {}: {}", temp.string(), std::strerror(errno)));
    const bool written = std::fwrite(content.data(), 1, content.size(), out) == content.size() &&
                         std::fflush(out) == 0 && ::fsync(::fileno(out)) == 0;
    std::fclose(out);
    if (!written || std::rename(temp.c_str(), file.c_str()) != 0) {
        std::remove(temp.c_str());
        throw std::runtime_error(
            fmt::format("cannot write {}: {}", file.string(), std::strerror(errno)));
    }
}

}  // namespace tinytorch::milestone
