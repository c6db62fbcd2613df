// workspace.hpp — where things are in a TinyTorch workspace.
//
// The root is the nearest folder at or above the current one that holds
// curriculum.json, so tito works from any subfolder, in the instructor tree
// and in a released student tree alike.
#pragma once

#include <filesystem>
#include <optional>

#include "curriculum.hpp"

namespace tito {

namespace fs = std::filesystem;

class Workspace {
public:
    // Walks up from `start`; throws tito::Error when no manifest is found.
    static Workspace find(const fs::path& start = fs::current_path());
    explicit Workspace(fs::path root);

    const fs::path& root() const { return root_; }
    const Curriculum& curriculum() const { return curriculum_; }

    fs::path manifest() const { return root_ / "curriculum.json"; }
    // The build tree of the "default" preset (CMakePresets.json).
    fs::path build_dir() const { return root_ / "build" / "release"; }
    fs::path binary(const std::string& name) const { return build_dir() / "bin" / name; }
    // tito's own state: progress, stubs, backups.
    fs::path state_dir() const { return root_ / ".tito"; }
    fs::path stub_of(const Module& module, const std::string& file) const {
        return state_dir() / "stubs" / module.folder() / file;
    }
    fs::path module_dir(const Module& module) const { return root_ / module.folder(); }
    fs::path backups_dir() const { return state_dir() / "backups"; }
    // Where a milestone program writes its record and outputs:
    // runs/04_1998_cnn/01_lecun_tinydigits/.
    fs::path run_dir(const Milestone& milestone, const MilestoneProgram& program) const {
        return root_ / "runs" / (milestone.number + "_" + milestone.name) / program.name;
    }
    // SHA-256 over the module's student files (names and contents, in
    // manifest order); a missing file hashes as missing, so it shows as a change.
    std::string student_files_sha256(const Module& module) const;
    // The instructor tree holds the hidden tests; a released student tree does not.
    bool is_instructor_tree() const { return fs::is_directory(root_ / "tests" / "hidden"); }

private:
    fs::path root_;
    Curriculum curriculum_;
};

}  // namespace tito
