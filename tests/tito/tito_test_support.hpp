// tito_test_support.hpp — helpers for tests that drive the built tito.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "process.hpp"

namespace tito::testing {

namespace fs = std::filesystem;

fs::path source_dir();   // the instructor tree these tests were built from
fs::path tito_binary();  // the tito built from it

// A fresh folder under the build tree's tmp/, removed when the object dies
// unless TITO_KEEP_TEMP is set (to inspect a failure).
class TempDir {
public:
    explicit TempDir(const std::string& name);
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

// Runs tito with `args` in `cwd`; output is captured (stdout and stderr).
ProcessResult run_tito(const fs::path& cwd, const std::vector<std::string>& args,
                       double timeout_seconds = 1800);

std::string read_text(const fs::path& file);
void write_text(const fs::path& file, const std::string& text);

// Copies module `number`'s student files from the instructor tree into `tree`.
void copy_reference_files(const std::string& number, const fs::path& tree);

}  // namespace tito::testing
