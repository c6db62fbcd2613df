// tito_test_support.cpp — see tito_test_support.hpp.
#include "tito_test_support.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "curriculum.hpp"

extern char** environ;

namespace tito::testing {

fs::path source_dir() { return TINYTORCH_SOURCE_DIR; }
fs::path tito_binary() { return TITO_BINARY; }

TempDir::TempDir(const std::string& name) {
    // Under the instructor tree's build/ so a tree built inside sits at the
    // same depth as build/release, and ccache (base_dir=/) finds its objects.
    const fs::path base = source_dir() / "build" / "tmp";
    fs::create_directories(base);
    std::string pattern = (base / (name + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr)
        throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
}

TempDir::~TempDir() {
    if (std::getenv("TITO_KEEP_TEMP") == nullptr) {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
}

std::vector<std::string> environment_with(const EnvChanges& changes) {
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string entry = *e;
        const std::string name = entry.substr(0, entry.find('='));
        if (!changes.count(name)) env.push_back(entry);
    }
    for (const auto& [name, value] : changes)
        if (!value.empty()) env.push_back(name + "=" + value);
    return env;
}

ProcessResult run_tito(const fs::path& cwd, const std::vector<std::string>& args,
                       double timeout_seconds, const EnvChanges& env) {
    std::vector<std::string> argv = {tito_binary().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.working_dir = cwd;
    options.timeout_seconds = timeout_seconds;
    if (!env.empty()) options.environment = environment_with(env);
    return run_process(argv, options);
}

std::string run_tito_on_terminal(const fs::path& cwd, const std::vector<std::string>& args,
                                 const EnvChanges& env, double timeout_seconds) {
    std::vector<std::string> argv = {tito_binary().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    const std::vector<std::string> environment = environment_with(env);
    int master = -1;
    const pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
    if (pid < 0) throw std::runtime_error("forkpty failed");
    if (pid == 0) {
        if (::chdir(cwd.c_str()) != 0) ::_exit(127);
        std::vector<char*> a, e;
        for (const std::string& s : argv) a.push_back(const_cast<char*>(s.c_str()));
        for (const std::string& s : environment) e.push_back(const_cast<char*>(s.c_str()));
        a.push_back(nullptr);
        e.push_back(nullptr);
        ::execve(a[0], a.data(), e.data());
        ::_exit(127);
    }
    std::string output;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds);
    char buffer[4096];
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd fd{master, POLLIN, 0};
        if (::poll(&fd, 1, 100) <= 0) continue;
        const ssize_t n = ::read(master, buffer, sizeof buffer);
        if (n <= 0) break;  // EIO once the child closed the terminal
        output.append(buffer, static_cast<size_t>(n));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    ::close(master);
    return output;
}

BackgroundTito::BackgroundTito(const fs::path& cwd, const std::vector<std::string>& args) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> argv = {tito_binary().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        ::dup2(fds[1], STDOUT_FILENO);
        ::dup2(fds[1], STDERR_FILENO);
        if (::chdir(cwd.c_str()) != 0) ::_exit(127);
        std::vector<char*> a;
        for (const std::string& s : argv) a.push_back(const_cast<char*>(s.c_str()));
        a.push_back(nullptr);
        ::execv(a[0], a.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    read_fd_ = fds[0];
    reader_ = std::thread([this] {
        char buffer[4096];
        for (;;) {
            const ssize_t n = ::read(read_fd_, buffer, sizeof buffer);
            if (n <= 0) break;
            const std::lock_guard<std::mutex> lock(mutex_);
            output_.append(buffer, static_cast<size_t>(n));
        }
    });
}

BackgroundTito::~BackgroundTito() {
    if (!exited_) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    if (reader_.joinable()) reader_.join();
    ::close(read_fd_);
}

int BackgroundTito::occurrences(const std::string& text) const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return count_of(output_, text);
}

std::string BackgroundTito::output() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return output_;
}

bool BackgroundTito::wait_for(const std::string& text, int count, double timeout_seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds);
    while (std::chrono::steady_clock::now() < deadline) {
        if (occurrences(text) >= count) return true;
        int status = 0;
        if (!exited_ && ::waitpid(pid_, &status, WNOHANG) == pid_) {
            exited_ = true;
            exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        if (exited_) return occurrences(text) >= count;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

void BackgroundTito::signal(int number) {
    if (!exited_) ::kill(pid_, number);
}

int BackgroundTito::wait(double timeout_seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds);
    while (!exited_) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            exited_ = true;
            exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            break;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
            exited_ = true;
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (reader_.joinable()) reader_.join();
    return exit_code_;
}

std::string read_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + file.string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_text(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary);
    out << text;
}

void copy_reference_files(const std::string& number, const fs::path& tree) {
    const Curriculum curriculum = load_curriculum(source_dir() / "curriculum.json");
    const Module& m = curriculum.module(number);
    for (const std::string& file : m.files)
        fs::copy_file(source_dir() / m.folder() / file, tree / m.folder() / file,
                      fs::copy_options::overwrite_existing);
}

int count_of(const std::string& haystack, const std::string& needle) {
    int n = 0;
    for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + needle.size())) ++n;
    return n;
}

}  // namespace tito::testing
