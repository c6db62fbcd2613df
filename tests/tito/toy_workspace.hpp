// toy_workspace.hpp — a small course laid out like this one, for tests of
// tito that need a workspace of their own: three modules (01 alpha, 02 beta,
// 03 gamma) of one student file each, with visible tests, the course's CMake
// presets and compiler options, the course's milestones/CMakeLists.txt, and
// stand-in milestone 04 programs that report whatever results they are told
// to. Builds in seconds, where the real course takes minutes.
//
// Each module's student file comes in five versions: the stub (throws the
// same "not implemented yet: alpha_value (module 01)" a released stub does),
// the solution (passes), a wrong one (fails an EXPECT_EQ), and one that
// throws an error of its own, and one that crashes the test program.
#pragma once

#include <string>
#include <vector>

#include "tito_test_support.hpp"

namespace tito::testing {

enum class ToyFile { Stub, Solution, Wrong, Throws, Crashes };

class ToyWorkspace {
public:
    // A student tree (its stubs in .tito/stubs) unless `instructor`, which
    // adds tests/hidden/ and puts solution markers in the student files.
    explicit ToyWorkspace(const std::string& name = "toy", bool instructor = false);

    const fs::path& root() const { return root_; }
    fs::path progress_file() const { return root_ / ".tito" / "progress.json"; }
    static std::vector<std::string> module_numbers() { return {"01", "02", "03"}; }
    fs::path student_file(const std::string& number) const;

    void write_student_file(const std::string& number, ToyFile version) const;
    // Marks every module completed with the hash of its current files,
    // without building (for tests of status, reset and milestones' locks).
    void mark_all_completed() const;
    // Writes progress.json as given.
    void write_progress(const std::string& json) const;

    ProcessResult tito(const std::vector<std::string>& args, double timeout_seconds = 600,
                       const EnvChanges& env = {}) const {
        return run_tito(root_, args, timeout_seconds, env);
    }

private:
    TempDir dir_;
    fs::path root_;
    bool instructor_;
};

std::string toy_student_source(const std::string& number, ToyFile version, bool markers = false);

}  // namespace tito::testing
