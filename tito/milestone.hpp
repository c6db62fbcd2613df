// milestone.hpp — `tito milestone list` and `tito milestone run NN`.
//
// The contract with a milestone's programs (docs/instructor-guide.md):
// - the source milestones/<NN_name>/<program>.cpp builds the CMake target and
//   executable milestone_<NN>_<program> (in build/release/bin), and the
//   target milestone_<NN> builds all of a milestone's programs
//   (milestones/CMakeLists.txt declares them from the manifest);
// - tito runs it from the workspace root with `--output-dir DIR`, DIR being
//   runs/<NN_name>/<program>/, followed by the options the student passed
//   after `--`, and streams its output;
// - after it exits, tito reads DIR/record.json, whose "results" object holds
//   the metrics the manifest's gates name. A program that exits non-zero, a
//   missing or unreadable record, or a missing metric is a failed run. The
//   gates decide completion, which is recorded in the progress file with
//   the results.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "process.hpp"
#include "workspace.hpp"

namespace tito {

struct MilestoneRunOptions {
    std::optional<int> part;               // all parts, in order, when unset
    std::vector<std::string> passthrough;  // given to each program after --output-dir
};

// Refuses (tito::Error, naming the module) while a required module is not
// completed. Runs the selected parts in order and stops at the first that
// fails. Returns true when every part run met its gates.
bool run_milestone(const Workspace& workspace, const Milestone& milestone, const MilestoneRunOptions& options);

void print_milestones(const Workspace& workspace, std::ostream& out);

// The verdict on one finished run, from its exit status and DIR/record.json.
struct RunVerdict {
    std::vector<std::string> problems;  // why it failed; empty when it passed
    std::vector<std::string> gate_lines;  // one per gate: "✓ cnn_test_accuracy 0.953 (needs >= 0.9)"
    nlohmann::json results = nlohmann::json::object();  // what the record reported
    bool passed() const { return problems.empty(); }
};
RunVerdict judge_run(const MilestoneProgram& program, const ProcessResult& run,
                     const std::filesystem::path& record_file);

}  // namespace tito
