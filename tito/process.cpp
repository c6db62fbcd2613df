// process.cpp — fork/exec with a pipe, poll with a deadline, kill the whole
// process group on timeout so grandchildren cannot outlive it.
#include "process.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "errors.hpp"
#include "interrupt.hpp"

namespace tito {

std::string ProcessResult::describe() const {
    if (timed_out) return fmt::format("timed out after {:.0f} s", seconds);
    if (interrupted) return "interrupted";
    if (signal != 0) {
        const char* name = sigabbrev_np(signal);
        return fmt::format("killed by signal {} (SIG{})", signal, name ? name : "?");
    }
    return fmt::format("exit code {}", exit_code);
}

namespace {

[[noreturn]] void exec_child(const std::vector<std::string>& argv, const ProcessOptions& options,
                             const Pipe& output, const Pipe& exec_error) {
    ::setpgid(0, 0);  // own process group: a timeout kills it and its children
    ::dup2(output.write_end, STDOUT_FILENO);
    ::dup2(output.write_end, STDERR_FILENO);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    if (!options.working_dir.empty() && ::chdir(options.working_dir.c_str()) != 0) {
        const int err = errno;
        [[maybe_unused]] auto _ = ::write(exec_error.write_end, &err, sizeof err);
        ::_exit(127);
    }
    if (options.in_child) options.in_child();
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    if (options.environment) {
        std::vector<char*> env;
        for (const std::string& e : *options.environment) env.push_back(const_cast<char*>(e.c_str()));
        env.push_back(nullptr);
        ::execvpe(args[0], args.data(), env.data());
    } else {
        ::execvp(args[0], args.data());
    }
    const int err = errno;  // exec failed: tell the parent why
    [[maybe_unused]] auto _ = ::write(exec_error.write_end, &err, sizeof err);
    ::_exit(127);
}

}  // namespace

Pipe::Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw Error(fmt::format("pipe: {}", strerror(errno)));
    read_end = fds[0];
    write_end = fds[1];
}

Pipe::~Pipe() {
    if (read_end >= 0) ::close(read_end);
    if (write_end >= 0) ::close(write_end);
}

void Pipe::close_write() {
    if (write_end >= 0) ::close(write_end);
    write_end = -1;
}

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
    if (argv.empty()) throw Error("run_process: no command given");
    Pipe output, exec_error;
    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid < 0) throw Error(fmt::format("cannot start {}: fork failed: {}", argv[0], strerror(errno)));
    if (pid == 0) exec_child(argv, options, output, exec_error);

    ::setpgid(pid, pid);  // also from the parent, so the group exists before any kill
    output.close_write();
    exec_error.close_write();

    ProcessResult result;
    auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    char buffer[65536];
    for (;;) {
        int wait_ms = -1;
        if (options.timeout_seconds > 0) {
            const double left = options.timeout_seconds - elapsed();
            if (left <= 0) {
                result.timed_out = true;
                ::kill(-pid, SIGKILL);
                break;
            }
            wait_ms = static_cast<int>(left * 1000) + 1;
        }
        if (options.stop_on_interrupt && interrupt_requested()) {
            result.interrupted = true;
            ::kill(-pid, SIGKILL);
            break;
        }
        pollfd fds[2] = {{output.read_end, POLLIN, 0}, {interrupt_fd(), POLLIN, 0}};
        const nfds_t watched = options.stop_on_interrupt && interrupt_fd() >= 0 ? 2 : 1;
        const int ready = ::poll(fds, watched, wait_ms);
        if (ready < 0 && errno == EINTR) continue;
        if (ready == 0 || (fds[0].revents == 0)) continue;  // deadline or interrupt: checked above
        const ssize_t n = ::read(output.read_end, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // every writer closed the pipe
        const std::string_view chunk(buffer, static_cast<size_t>(n));
        if (options.on_output) options.on_output(chunk);
        const size_t room = options.max_output - std::min(options.max_output, result.output.size());
        if (chunk.size() > room) result.truncated = true;
        result.output.append(chunk.substr(0, room));
    }
    // A descendant may still hold the pipe open; the group is done either way.
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    ::kill(-pid, SIGKILL);
    result.seconds = elapsed();

    int exec_errno = 0;
    if (::read(exec_error.read_end, &exec_errno, sizeof exec_errno) == sizeof exec_errno)
        throw Error(fmt::format("cannot run {}: {}", argv[0], strerror(exec_errno)));
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
    return result;
}

}  // namespace tito
