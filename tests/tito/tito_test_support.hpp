// tito_test_support.hpp — helpers for tests that drive the built tito.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
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

// Environment changes for a tito run: NAME -> value ("" removes NAME).
using EnvChanges = std::map<std::string, std::string>;

// Runs tito with `args` in `cwd`; output is captured (stdout and stderr).
// NO_COLOR is not set unless `env` sets it; the output is a pipe, so tito
// prints no colour anyway.
ProcessResult run_tito(const fs::path& cwd, const std::vector<std::string>& args,
                       double timeout_seconds = 1800, const EnvChanges& env = {});

// The current environment with `changes` applied, as "NAME=value" entries.
std::vector<std::string> environment_with(const EnvChanges& changes);

// Runs tito on a pseudo-terminal (so it sees a terminal) and returns what it printed.
std::string run_tito_on_terminal(const fs::path& cwd, const std::vector<std::string>& args,
                                 const EnvChanges& env = {}, double timeout_seconds = 60);

// tito running in the background, its output collected as it comes.
class BackgroundTito {
public:
    BackgroundTito(const fs::path& cwd, const std::vector<std::string>& args);
    ~BackgroundTito();  // kills it if it still runs
    BackgroundTito(const BackgroundTito&) = delete;
    BackgroundTito& operator=(const BackgroundTito&) = delete;

    // Waits until the output holds `text` `count` times; false on timeout
    // or when tito exited first.
    bool wait_for(const std::string& text, int count, double timeout_seconds);
    int occurrences(const std::string& text) const;
    std::string output() const;
    void signal(int number);
    // Waits for it to exit; returns its exit code (-1 on timeout, after killing it).
    int wait(double timeout_seconds);

private:
    pid_t pid_ = -1;
    int read_fd_ = -1;
    std::thread reader_;
    mutable std::mutex mutex_;
    std::string output_;
    bool exited_ = false;
    int exit_code_ = -1;
};

std::string read_text(const fs::path& file);
void write_text(const fs::path& file, const std::string& text);

// Copies module `number`'s student files from the instructor tree into `tree`.
void copy_reference_files(const std::string& number, const fs::path& tree);

// How many times `needle` occurs in `haystack`.
int count_of(const std::string& haystack, const std::string& needle);

}  // namespace tito::testing
