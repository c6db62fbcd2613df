// build.hpp — configure and build the workspace through CMake, the same
// build the README's commands use (the "default" preset, build/release).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "process.hpp"
#include "workspace.hpp"

namespace tito {

// A failed build: the first compiler errors, each with file and line.
struct BuildFailure {
    std::vector<std::string> errors;  // "modules/01_tensor/tensor.cpp:42:5: error: ..."
    std::string log;                  // the whole build output
};

class Builder {
public:
    explicit Builder(const Workspace& workspace) : workspace_(workspace) {}

    // Configures build/release with the default preset if it is not yet.
    // Throws tito::Error with CMake's message when configure fails.
    void ensure_configured() const;
    // Builds the targets; returns the failure (empty optional on success).
    // Two tito builds of one workspace take turns (a lock in the build
    // tree). A target the build tree does not know (a folder added since it
    // was configured) makes it configure again and retry once.
    std::optional<BuildFailure> build(const std::vector<std::string>& targets) const;

private:
    void configure() const;
    const Workspace& workspace_;
};

// Pulls "file:line:col: error: message" lines (and linker errors), each
// with GCC's excerpt of the source below it, out of a build log: at most
// `limit` of them, paths made relative to `root`. Relative paths in the log
// (ccache's base_dir makes them) are read as relative to `build_dir`.
std::vector<std::string> first_compiler_errors(const std::string& log, const fs::path& root,
                                               const fs::path& build_dir, size_t limit = 5);

}  // namespace tito
