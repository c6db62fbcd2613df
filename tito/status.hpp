// status.hpp — `tito module status`: where the student is.
//
// Computed from the manifest, the progress file and a hash of the student
// files only: no CMake, no build, no test run, so it answers at once.
//
// A module is
//   completed  its tests all passed at the last run, and its files are unchanged since;
//   changed    completed, but a student file changed since (still counts as completed);
//   ready      not completed, and every earlier module is completed;
//   locked     not completed, and an earlier (lower-numbered) module is not.
// A milestone is locked while a module it requires is not completed (or not
// in this course yet), unlocked otherwise, and completed once every part met
// its gates.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "progress.hpp"
#include "workspace.hpp"

namespace tito {

enum class ModuleState { Locked, Ready, Completed, Changed };
enum class MilestoneState { Locked, Unlocked, Completed };

const char* to_string(ModuleState state);
const char* to_string(MilestoneState state);

struct ModuleStatus {
    const Module* module = nullptr;
    ModuleState state = ModuleState::Locked;
    std::string blocked_by;  // locked: the first earlier module not completed
    ModuleProgress progress; // what the progress file says (default when never run)
    bool ever_run() const { return !progress.last_run.empty(); }
};

struct MilestonePartStatus {
    const MilestoneProgram* program = nullptr;
    std::optional<MilestonePartProgress> progress;  // nullopt: never run
    bool completed() const { return progress && progress->completed; }
};

struct MilestoneStatus {
    const Milestone* milestone = nullptr;
    MilestoneState state = MilestoneState::Locked;
    std::vector<std::string> incomplete_modules;  // required, in the course, not completed
    std::vector<std::string> absent_modules;      // required but not in this course's manifest
    std::vector<MilestonePartStatus> parts;
};

struct NextStep {
    std::string command;  // empty when there is nothing left to do
    std::string reason;
};

struct CourseStatus {
    std::string course;
    std::string root;
    bool instructor_tree = false;
    std::vector<ModuleStatus> modules;
    std::vector<MilestoneStatus> milestones;
    int completed = 0;  // modules completed (or changed since)
    NextStep next;

    const ModuleStatus& module(const std::string& number) const;
    const MilestoneStatus& milestone(const std::string& number) const;
};

CourseStatus compute_status(const Workspace& workspace, const Progress& progress);

void print_status(const CourseStatus& status, std::ostream& out);
nlohmann::ordered_json status_to_json(const CourseStatus& status);

// "[██████░░░░░░░░░░░░░░]" for done of total.
std::string progress_bar(int done, int total, int width = 30);

}  // namespace tito
