// grade_build.hpp — the scratch build tree of one submission.
//
// Configured from the instructor tree with -DTINYTORCH_SUBMISSION_DIR
// pointing at the submission's copy of the student files (every other file
// comes from the instructor tree: cmake/Curriculum.cmake) and
// TINYTORCH_LIBRARY_ONLY=ON; compiler, build type, -march=native and
// -Werror mirror the instructor's build/release, and the tree sits two
// folders below the instructor root like build/release, so ccache
// (CCACHE_BASEDIR=/) serves every instructor object from that build. The
// instructor's libraries and test objects are built first; then each
// module's grade targets, separately and with their own timeout, so one
// compile error (or template explosion) costs that module only.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "workspace.hpp"

namespace tito {

struct BuildSettings {
    double configure_timeout = 300;
    double reference_timeout = 3600;  // the instructor's own code: trusted, may be a cold build
    double module_timeout = 300;      // one module of student code
    int jobs = 0;                     // cmake --build --parallel; 0: the build tool's default
    size_t max_output = 1u << 20;
};

struct ModuleBuild {
    bool built = false;
    std::vector<std::string> errors;  // the first errors, paths as the student knows them
    double seconds = 0;
    std::filesystem::path visible, hidden;  // the grade programs that were built
};

class SubmissionBuild {
public:
    SubmissionBuild(const Workspace& workspace, std::filesystem::path build_dir,
                    std::filesystem::path submission_dir, BuildSettings settings);

    // Both throw tito::Error: a failure here is the instructor tree's, not the student's.
    void configure();
    void build_reference(const std::vector<const Module*>& modules);

    ModuleBuild build_module(const Module& module, bool has_visible, bool has_hidden);

private:
    const Workspace& workspace_;
    std::filesystem::path build_dir_, submission_dir_;
    BuildSettings settings_;
};

// Compiler and linker errors of a build log, at most `limit`, with scratch
// and instructor paths cut down to "modules/NN_name/file.cpp:12:5: error: ...".
std::vector<std::string> submission_build_errors(const std::string& log, size_t limit = 8);

// Names of the grade programs of a module.
std::string grade_target(const Module& module, bool hidden);

}  // namespace tito
