// process.hpp — run a child process: capture or stream its output, stop it
// after a timeout. Every external command tito runs (cmake, test binaries,
// milestone programs) goes through run_process().
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tito {

struct ProcessOptions {
    std::filesystem::path working_dir;  // empty: the current folder
    // Called with each chunk of output (stdout and stderr merged) as it
    // arrives; the output is also kept in ProcessResult::output.
    std::function<void(std::string_view)> on_output;
    // When set, the child gets exactly these "NAME=value" entries.
    std::optional<std::vector<std::string>> environment;
    double timeout_seconds = 0;        // 0: wait as long as it takes
    size_t max_output = 4 << 20;       // bytes kept; the rest is counted and dropped
    // Runs in the child between fork and exec (resource limits, privileges).
    // It may only make system calls: no allocation, no locks.
    std::function<void()> in_child;
    // Stop the child (its whole process group) when tito receives Ctrl-C or
    // SIGTERM (interrupt.hpp); the result then says `interrupted`.
    bool stop_on_interrupt = true;
};

struct ProcessResult {
    int exit_code = -1;      // valid when exited normally
    int signal = 0;          // the signal that killed it, 0 if none
    bool timed_out = false;  // killed by us after timeout_seconds
    bool truncated = false;  // output exceeded max_output
    bool interrupted = false;  // killed by us because tito was interrupted
    double seconds = 0;      // wall-clock time
    std::string output;

    bool succeeded() const { return !timed_out && !interrupted && signal == 0 && exit_code == 0; }
    std::string describe() const;  // "exit code 1", "killed by signal 11 (SIGSEGV)", "timed out after 10 s"
};

// argv[0] is looked up on PATH. Throws tito::Error when it cannot be started.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// A pipe for talking to a child: both ends close on exec and when the Pipe
// goes out of scope. Throws tito::Error when the system has no pipe to give.
struct Pipe {
    int read_end = -1, write_end = -1;
    Pipe();
    ~Pipe();
    Pipe(const Pipe&) = delete;
    Pipe& operator=(const Pipe&) = delete;
    void close_write();  // the parent's half, once the child has its copy
};

}  // namespace tito
