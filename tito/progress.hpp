// progress.hpp — .tito/progress.json, the student's progress (DESIGN.md §6).
//
// The file is small and plain JSON; docs/student-guide.md describes it:
//
//   {
//     "schema_version": 1,
//     "modules": {
//       "01": { "state": "completed",            // or "incomplete"
//               "last_run": "2025-03-01T14:05:09Z",
//               "compiled": true,                // false: the last run did not build
//               "crashed": false,                // true: its test program died
//               "tests_passed": 104, "tests_total": 104,
//               "completed_at": "2025-03-01T14:05:09Z",  // when completed
//               "files_sha256": "9f2c…" }                 // the student files then
//     },
//     "milestones": {
//       "04": { "state": "in_progress",          // "completed" once every part is
//               "parts": { "1": { "state": "completed",   // or "failed"
//                                 "last_run": "…", "last_results": { … },
//                                 "completed_at": "…", "results": { … } } } }
//     }
//   }
//
// Rules:
// - A missing file is a fresh start; reading never creates it.
// - Every change is a read-modify-write under an exclusive lock on
//   .tito/progress.lock (flock), so concurrent tito runs never lose an update.
// - The new version is written atomically (files.hpp); the version it
//   replaces is kept, also atomically, as .tito/progress.json.bak.
// - A file that cannot be read, is not valid JSON, has the wrong shape or
//   another schema version is never overwritten: every command that needs it
//   stops with a ProgressError naming the file, its backup and what to do.
//   There is one schema version so far; a file of any other version (older
//   or newer) is refused rather than guessed at.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "errors.hpp"

namespace tito {

inline constexpr int kProgressSchemaVersion = 1;

struct ModuleProgress {
    bool completed = false;
    std::string last_run;            // timestamp of the last `tito module test`, empty if none
    bool compiled = true;            // false: the last run stopped at a compile error
    bool crashed = false;            // true: the last run's test program died before reporting
    std::optional<int> tests_passed; // counts of the last run that compiled
    std::optional<int> tests_total;
    std::string completed_at;        // set while completed
    std::string files_sha256;        // the student files when completed
};

struct MilestonePartProgress {
    bool completed = false;          // its gates were met once (completion stays)
    std::string last_run;
    bool last_run_passed = false;
    nlohmann::json last_results = nlohmann::json::object();
    std::string completed_at;        // the last run that met the gates
    nlohmann::json results = nlohmann::json::object();  // that run's results
};

struct MilestoneProgress {
    bool completed = false;          // every part of the manifest completed
    std::map<int, MilestonePartProgress> parts;
};

struct Progress {
    std::map<std::string, ModuleProgress> modules;        // by module number
    std::map<std::string, MilestoneProgress> milestones;  // by milestone number

    const ModuleProgress* module(const std::string& number) const;
    bool module_completed(const std::string& number) const;
};

// Keys in a fixed, readable order.
nlohmann::ordered_json progress_to_json(const Progress& progress);
// Throws tito::Error saying what is wrong (with the field's path).
Progress progress_from_json(const nlohmann::json& doc);

// The progress file is unusable; the message names it, the backup, and the
// two ways out. Nothing has been written.
class ProgressError : public Error {
public:
    using Error::Error;
};

class ProgressStore {
public:
    explicit ProgressStore(std::filesystem::path state_dir);

    const std::filesystem::path& file() const { return file_; }
    std::filesystem::path backup() const;
    std::filesystem::path lock_file() const;

    // The current progress; a fresh one when the file does not exist.
    // Throws ProgressError when it exists but cannot be used.
    Progress load() const;
    // Under the lock: reads the file again, applies `change`, keeps the old
    // version as the backup and writes the new one. Returns what was written.
    // Throws ProgressError (before changing anything) for an unusable file.
    Progress update(const std::function<void(Progress&)>& change) const;

    // For `tito system doctor`: nullopt when the file is usable (or absent),
    // otherwise why not.
    std::optional<std::string> problem() const;
    // The same for the backup; nullopt also when there is none.
    std::optional<std::string> backup_problem() const;

private:
    std::filesystem::path file_;
};

}  // namespace tito
