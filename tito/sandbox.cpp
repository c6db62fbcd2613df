// sandbox.cpp — fork, isolate, reap. See sandbox.hpp for the model.
//
// The processes of one run:
//
//   grader ── A   namespaces: unshares them, forks B and waits.
//             │   otherwise: the reaper (a child subreaper, so orphans of the
//             │   program come back to it and can be killed).
//             └── B   namespaces only: pid 1 of the new pid namespace; hides
//                 │   the private folders, mounts /proc and the working tmpfs,
//                 │   then reaps.
//                 └── C   limits, unprivileged uid, no_new_privs, exec.
//
// A and B are forks of a possibly multithreaded grader, so between fork and
// _exit they only make system calls on a RunPlan prepared before the fork.
// They report to the grader through a status pipe (fd 3): a setup error (which
// step, errno) or the program's end (wait status, timed out, left processes).
#include "sandbox.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "errors.hpp"
#include "process.hpp"

namespace tito {

namespace fs = std::filesystem;

namespace {

constexpr uid_t kNobody = 65534;
constexpr int kMaxSandboxUids = 256;
constexpr int kStatusFd = 3;
constexpr int kExposeFd = 4;
constexpr double kBackstopSeconds = 20;  // beyond the reaper's own timeout
constexpr double kDrainSeconds = 2;      // reading output after the reaper is done

enum Step : int32_t {
    kStepUnshare = 1, kStepUserMap, kStepMountPrivate, kStepExpose, kStepHide, kStepReadOnly,
    kStepWorkTmpfs, kStepProc, kStepFork, kStepLimits, kStepUid, kStepChdir, kStepExec,
};

const char* step_name(int32_t step) {
    switch (step) {
        case kStepUnshare: return "creating the namespaces (unshare)";
        case kStepUserMap: return "mapping the user namespace";
        case kStepMountPrivate: return "making the mounts private";
        case kStepExpose: return "binding the program's folder";
        case kStepHide: return "hiding private folders (tmpfs)";
        case kStepReadOnly: return "making the hidden folders read-only";
        case kStepWorkTmpfs: return "mounting the working folder";
        case kStepProc: return "mounting /proc";
        case kStepFork: return "fork";
        case kStepLimits: return "setting resource limits";
        case kStepUid: return "switching to the sandbox uid";
        case kStepChdir: return "entering the working folder";
        case kStepExec: return "starting the program";
        default: return "setting up the sandbox";
    }
}

struct Record {
    int32_t kind, a, b, c;
};
enum : int32_t { kRecordSetupError = 1, kRecordFinished = 2 };

struct Limit {
    int resource;
    rlim_t soft, hard;
};

// Everything the children need, prepared in the grader before the fork.
struct RunPlan {
    pid_t grader = 0;
    bool namespaces = false;
    bool user_namespace = false;
    bool drop_uid = false;
    uid_t uid = 0;
    gid_t gid = 0;
    int unshare_flags = 0;
    std::string uid_map, gid_map;
    std::vector<std::string> hidden;
    std::string expose;                      // bound back under a hidden folder
    std::vector<std::string> expose_mkdirs;  // its path, made inside the tmpfs
    std::string work, work_options;
    std::vector<Limit> limits;
    double wall_seconds = 0;
    std::vector<std::string> argv_text, env_text;
    std::vector<char*> argv, envp;
};

// --- code that runs between fork and _exit: system calls only ---------------

void report(int32_t kind, int32_t a, int32_t b, int32_t c) {
    const Record record{kind, a, b, c};
    [[maybe_unused]] const ssize_t n = ::write(kStatusFd, &record, sizeof record);
}

[[noreturn]] void setup_failed(Step step) {
    report(kRecordSetupError, step, errno, 0);
    ::_exit(127);
}

double monotonic_seconds() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

timespec to_timespec(double seconds) {
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(seconds);
    ts.tv_nsec = static_cast<long>((seconds - static_cast<double>(ts.tv_sec)) * 1e9);
    return ts;
}

void sleep_briefly() {
    const timespec ts{0, 1000000};  // 1 ms
    ::nanosleep(&ts, nullptr);
}

void close_from(int first) {
    if (::close_range(static_cast<unsigned>(first), ~0U, 0) == 0) return;
    rlimit files{};
    ::getrlimit(RLIMIT_NOFILE, &files);
    const int last = files.rlim_cur == RLIM_INFINITY || files.rlim_cur > 65536 ? 65536
                                                                                 : static_cast<int>(files.rlim_cur);
    for (int fd = first; fd < last; ++fd) ::close(fd);
}

bool write_whole(const char* path, const char* text, size_t size) {
    const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const ssize_t n = ::write(fd, text, size);
    ::close(fd);
    return n == static_cast<ssize_t>(size);
}

// Decimal digits of `value` into `out` (no terminator); returns the count.
int format_uint(char* out, unsigned long value) {
    char digits[24];
    int n = 0;
    do {
        digits[n++] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value != 0);
    for (int i = 0; i < n; ++i) out[i] = digits[n - 1 - i];
    return n;
}

// The parent pid and state letter of `pid` from /proc/<pid>/stat.
bool read_stat(pid_t pid, pid_t& parent, char& state) {
    char path[48] = "/proc/";
    int at = 6 + format_uint(path + 6, static_cast<unsigned long>(pid));
    const char stat_name[] = "/stat";
    for (char c : stat_name) path[at++] = c;  // includes the terminator
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char buffer[1024];
    const ssize_t n = ::read(fd, buffer, sizeof buffer - 1);
    ::close(fd);
    if (n <= 0) return false;
    // "pid (name) S ppid ...": the name may hold spaces and ')', so search
    // from the end for the last ')'.
    ssize_t close_paren = n - 1;
    while (close_paren > 0 && buffer[close_paren] != ')') --close_paren;
    ssize_t i = close_paren + 2;
    if (i + 2 >= n) return false;
    state = buffer[i];
    i += 2;
    long value = 0;
    while (i < n && buffer[i] >= '0' && buffer[i] <= '9') value = value * 10 + (buffer[i++] - '0');
    parent = static_cast<pid_t>(value);
    return true;
}

constexpr int kMaxProcesses = 32768;

// Every process below `ancestor` (through the parent links of one scan of
// /proc) into `out`; returns how many, and how many of them are stopped.
int find_descendants(pid_t ancestor, pid_t* out, int& stopped) {
    static pid_t pids[kMaxProcesses], parents[kMaxProcesses];
    static char states[kMaxProcesses];
    int count = 0;
    stopped = 0;
    const int dir = ::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return 0;
    alignas(8) char buffer[16384];
    for (ssize_t got; count < kMaxProcesses && (got = ::getdents64(dir, buffer, sizeof buffer)) > 0;) {
        for (ssize_t offset = 0; offset < got && count < kMaxProcesses;) {
            const auto* entry = reinterpret_cast<const struct dirent64*>(buffer + offset);
            offset += entry->d_reclen;
            long pid = 0;
            const char* c = entry->d_name;
            for (; *c >= '0' && *c <= '9'; ++c) pid = pid * 10 + (*c - '0');
            if (*c != '\0' || pid <= 0) continue;
            if (read_stat(static_cast<pid_t>(pid), parents[count], states[count])) pids[count++] = static_cast<pid_t>(pid);
        }
    }
    ::close(dir);
    int found = 0;
    for (bool grew = true; grew;) {
        grew = false;
        for (int i = 0; i < count; ++i) {
            if (pids[i] == 0) continue;
            bool below = parents[i] == ancestor;
            for (int j = 0; j < found && !below; ++j) below = parents[i] == out[j];
            if (!below) continue;
            out[found++] = pids[i];
            if (states[i] == 'T' || states[i] == 't') ++stopped;
            pids[i] = 0;
            grew = true;
        }
    }
    return found;
}

// Limits mode: stops every descendant (a stopped process cannot fork) until
// the tree holds still, then kills them all.
void stop_and_kill_descendants() {
    static pid_t found[kMaxProcesses];
    int stopped = 0, previous = -1;
    for (int round = 0; round < 200; ++round) {
        const int n = find_descendants(::getpid(), found, stopped);
        if (n == 0) return;
        if (n == previous && stopped == n) break;
        previous = n;
        for (int i = 0; i < n; ++i) ::kill(found[i], SIGSTOP);
        sleep_briefly();
    }
    const int n = find_descendants(::getpid(), found, stopped);
    for (int i = 0; i < n; ++i) ::kill(found[i], SIGKILL);
}

// Uid modes: every process of the sandbox uid, in one kill(-1) from a helper
// running as that uid. The kernel signals them all in one pass, and a
// process with SIGKILL pending can no longer fork, so a fork bomb cannot
// outrun it.
void kill_uid(uid_t uid, gid_t gid) {
    const pid_t helper = ::fork();
    if (helper == 0) {
        if (::setgroups(0, nullptr) != 0 || ::setresgid(gid, gid, gid) != 0 || ::setresuid(uid, uid, uid) != 0)
            ::_exit(1);
        ::kill(-1, SIGKILL);
        ::_exit(0);
    }
    int status = 0;
    while (helper > 0 && ::waitpid(helper, &status, 0) < 0 && errno == EINTR) {
    }
}

struct Reaped {
    int status = 0;
    bool done = false;
    bool timed_out = false;
    bool leftover = false;
};

// Kills every process still below this reaper and reaps them all. As pid 1
// of a pid namespace, kill(-1) reaches all of them at once; with a sandbox
// uid, kill(-1) as that uid does; otherwise (limits mode) the reaper is a
// subreaper and stops, then kills, its whole tree of descendants.
void kill_everything_below(const RunPlan& p, bool namespace_init, pid_t program, Reaped& r) {
    for (int round = 0; round < 100000; ++round) {
        if (namespace_init) ::kill(-1, SIGKILL);
        else if (p.drop_uid) kill_uid(p.uid, p.gid);
        else stop_and_kill_descendants();
        int status = 0;
        pid_t pid;
        while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
            if (pid == program && !r.done) {
                r.status = status;
                r.done = true;
            }
        }
        if (pid < 0 && errno == ECHILD) return;
        sleep_briefly();
    }
}

// Reaps until `program` ends or its time is up, then kills what is left.
Reaped reap(pid_t program, const RunPlan& p, bool namespace_init) {
    sigset_t chld;
    ::sigemptyset(&chld);
    ::sigaddset(&chld, SIGCHLD);
    const double deadline = monotonic_seconds() + p.wall_seconds;
    Reaped r;
    for (;;) {
        int status = 0;
        pid_t pid;
        while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
            if (pid == program) {
                r.status = status;
                r.done = true;
            }
        }
        if (r.done) {
            // Reap what already ended; anything still running was left behind.
            while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
            }
            r.leftover = pid == 0;
            break;
        }
        const double left = deadline - monotonic_seconds();
        if (left <= 0) {
            r.timed_out = true;
            break;
        }
        const timespec wait = to_timespec(std::min(left, 0.5));
        ::sigtimedwait(&chld, nullptr, &wait);
    }
    kill_everything_below(p, namespace_init, program, r);
    return r;
}

// C: becomes the test program.
[[noreturn]] void run_program(const RunPlan& p) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; ++s) ::sigaction(s, &default_action, nullptr);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (const Limit& limit : p.limits) {
        const rlimit value{limit.soft, limit.hard};
        if (::setrlimit(limit.resource, &value) != 0) setup_failed(kStepLimits);
    }
    if (p.drop_uid) {
        if (::setgroups(0, nullptr) != 0 || ::setresgid(p.gid, p.gid, p.gid) != 0 ||
            ::setresuid(p.uid, p.uid, p.uid) != 0)
            setup_failed(kStepUid);
    }
    ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if (::chdir(p.work.c_str()) != 0) setup_failed(kStepChdir);
    ::fcntl(kStatusFd, F_SETFD, FD_CLOEXEC);
    ::execve(p.argv[0], p.argv.data(), p.envp.data());
    setup_failed(kStepExec);
}

void block_sigchld() {
    sigset_t chld;
    ::sigemptyset(&chld);
    ::sigaddset(&chld, SIGCHLD);
    ::sigprocmask(SIG_BLOCK, &chld, nullptr);
}

[[noreturn]] void reap_and_report(pid_t program, const RunPlan& p, bool namespace_init) {
    // The reaper must not keep the output pipe open: the grader waits for it
    // to close.
    ::close(0);
    ::close(1);
    ::close(2);
    const Reaped r = reap(program, p, namespace_init);
    report(kRecordFinished, r.done ? r.status : -1, r.timed_out ? 1 : 0, r.leftover ? 1 : 0);
    ::_exit(0);
}

// B: pid 1 of the new namespaces.
[[noreturn]] void namespace_init(const RunPlan& p) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) setup_failed(kStepMountPrivate);
    if (!p.expose.empty()) {
        const int fd = ::open(p.expose.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || ::dup2(fd, kExposeFd) < 0) setup_failed(kStepExpose);
    }
    for (const std::string& folder : p.hidden)
        if (::mount("tmpfs", folder.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755") != 0)
            setup_failed(kStepHide);
    if (!p.expose.empty()) {
        for (const std::string& folder : p.expose_mkdirs)
            if (::mkdir(folder.c_str(), 0755) != 0 && errno != EEXIST) setup_failed(kStepExpose);
        // The magic link reaches the real folder that the tmpfs now covers.
        if (::mount("/proc/self/fd/4", p.expose.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
            setup_failed(kStepExpose);
        ::close(kExposeFd);
    }
    for (const std::string& folder : p.hidden)
        if (::mount(nullptr, folder.c_str(), nullptr, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV,
                    nullptr) != 0)
            setup_failed(kStepReadOnly);
    if (::mount("tmpfs", p.work.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, p.work_options.c_str()) != 0)
        setup_failed(kStepWorkTmpfs);
    // /proc of this pid namespace only; where proc cannot be mounted, an
    // empty one, so the program cannot reach other processes through it.
    if (::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0 &&
        ::mount("tmpfs", "/proc", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, "size=4k") != 0)
        setup_failed(kStepProc);
    ::prctl(PR_SET_DUMPABLE, 0);  // after the mounts, which read /proc/self/fd
    block_sigchld();
    const pid_t program = ::fork();
    if (program < 0) setup_failed(kStepFork);
    if (program == 0) run_program(p);
    reap_and_report(program, p, true);
}

// A in namespaces mode.
[[noreturn]] void namespace_parent(const RunPlan& p) {
    if (::unshare(p.unshare_flags) != 0) setup_failed(kStepUnshare);
    if (p.user_namespace) {
        // A process that dropped privileges is non-dumpable, and then its
        // /proc/self files belong to root and cannot be written.
        ::prctl(PR_SET_DUMPABLE, 1);
        static const char deny[] = "deny";
        if (!write_whole("/proc/self/setgroups", deny, sizeof deny - 1) ||
            !write_whole("/proc/self/uid_map", p.uid_map.data(), p.uid_map.size()) ||
            !write_whole("/proc/self/gid_map", p.gid_map.data(), p.gid_map.size()))
            setup_failed(kStepUserMap);
    }
    const pid_t init = ::fork();
    if (init < 0) setup_failed(kStepFork);
    if (init == 0) namespace_init(p);
    ::prctl(PR_SET_DUMPABLE, 0);
    ::close(0);
    ::close(1);
    ::close(2);
    int status = 0;
    while (::waitpid(init, &status, 0) < 0 && errno == EINTR) {
    }
    ::_exit(0);
}

// A: first code after the fork.
[[noreturn]] void sandbox_child(const RunPlan& p, int output_fd, int status_fd) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != p.grader) ::_exit(1);  // the grader is already gone
    const int output = ::fcntl(output_fd, F_DUPFD, 10);
    const int status = ::fcntl(status_fd, F_DUPFD, 10);
    ::dup2(status, kStatusFd);
    ::dup2(output, STDOUT_FILENO);
    ::dup2(output, STDERR_FILENO);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    close_from(kStatusFd + 1);
    if (p.namespaces) namespace_parent(p);
    // The program may not ptrace its reaper. (Not earlier: a non-dumpable
    // process cannot write its own /proc/self/uid_map.)
    ::prctl(PR_SET_DUMPABLE, 0);
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    block_sigchld();
    const pid_t program = ::fork();
    if (program < 0) setup_failed(kStepFork);
    if (program == 0) run_program(p);
    reap_and_report(program, p, false);
}

// --- grader side --------------------------------------------------------------

std::string random_hex(size_t bytes) {
    std::string raw(bytes, '\0');
    size_t got = 0;
    while (got < bytes) {
        const ssize_t n = ::getrandom(raw.data() + got, bytes - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error(fmt::format("getrandom: {}", strerror(errno)));
        got += static_cast<size_t>(n);
    }
    std::string hex;
    for (unsigned char c : raw) hex += fmt::format("{:02x}", c);
    return hex;
}

void make_folder(const fs::path& path, mode_t mode) {
    if (::mkdir(path.c_str(), mode) != 0)
        throw Error(fmt::format("cannot create {}: {}", path.string(), strerror(errno)));
    if (::chmod(path.c_str(), mode) != 0)  // mkdir's mode is filtered by the umask
        throw Error(fmt::format("cannot set the mode of {}: {}", path.string(), strerror(errno)));
}

// remove_all that also gets through folders a program made unreadable.
void remove_tree(const fs::path& path) {
    std::error_code ec;
    fs::remove_all(path, ec);
    if (!ec) return;
    for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_directory(ec) && !it->is_symlink(ec)) ::chmod(it->path().c_str(), 0700);
    }
    ::chmod(path.c_str(), 0700);
    fs::remove_all(path, ec);
}

bool is_under(const fs::path& path, const fs::path& folder) {
    auto p = path.begin();
    for (auto f = folder.begin(); f != folder.end(); ++f, ++p)
        if (p == path.end() || *p != *f) return false;
    return true;
}

// Folders hidden in namespaces mode: the private paths and the usual places
// for other people's files and secrets, outermost only.
std::vector<std::string> folders_to_hide(const std::vector<fs::path>& private_paths) {
    std::vector<fs::path> candidates = private_paths;
    for (const char* standard : {"/home", "/root", "/tmp", "/var/tmp", "/dev/shm", "/run", "/mnt",
                                 "/media", "/srv"})
        candidates.emplace_back(standard);
    std::vector<fs::path> folders;
    for (const fs::path& candidate : candidates) {
        std::error_code ec;
        const fs::path real = fs::canonical(candidate, ec);
        if (ec || !fs::is_directory(real, ec)) continue;
        for (const char* system : {"/usr", "/etc", "/bin", "/lib", "/lib64", "/sbin", "/dev", "/proc", "/sys"})
            if (is_under(system, real))
                throw Error(fmt::format("cannot hide {} from test programs: it holds {}", real.string(), system));
        folders.push_back(real);
    }
    std::sort(folders.begin(), folders.end());
    folders.erase(std::unique(folders.begin(), folders.end()), folders.end());
    std::vector<std::string> outermost;
    for (const fs::path& folder : folders) {
        const bool nested = std::any_of(folders.begin(), folders.end(), [&](const fs::path& other) {
            return other != folder && is_under(folder, other);
        });
        if (!nested) outermost.push_back(folder.string());
    }
    return outermost;
}

fs::path true_program() {
    for (const char* candidate : {"/bin/true", "/usr/bin/true"})
        if (::access(candidate, X_OK) == 0) return candidate;
    throw Error("cannot find /bin/true, which the sandbox probe runs");
}

std::string signal_name(int signal) {
    const char* name = sigabbrev_np(signal);
    return name ? std::string("SIG") + name : fmt::format("signal {}", signal);
}

}  // namespace

// --- public helpers ------------------------------------------------------------

std::string isolation_name(Isolation isolation) {
    switch (isolation) {
        case Isolation::Namespaces: return "namespaces";
        case Isolation::Uid: return "uid";
        case Isolation::Limits: return "limits";
    }
    return "?";
}

Isolation parse_isolation(const std::string& name) {
    if (name == "namespaces") return Isolation::Namespaces;
    if (name == "uid") return Isolation::Uid;
    if (name == "limits") return Isolation::Limits;
    throw UsageError(fmt::format("--isolation {}: choose namespaces, uid or limits", name));
}

std::string SandboxLimits::describe() const {
    const double cpu = cpu_seconds > 0 ? cpu_seconds : wall_seconds * threads + 1;
    return fmt::format("{:.0f} s wall clock, {:.0f} s CPU, {} MB memory, {} MB per file, {} MB working "
                       "folder, {} more processes, {} OpenMP threads, output kept: first {} KB and last {} KB",
                       wall_seconds, std::ceil(cpu), memory_bytes >> 20, file_bytes >> 20, scratch_bytes >> 20,
                       processes, threads, output_bytes >> 10, output_tail_bytes >> 10);
}

std::string SandboxResult::describe() const {
    if (timed_out) return fmt::format("timed out after {:.0f} s", seconds);
    if (signal == SIGXCPU) return "exceeded its CPU time limit (SIGXCPU)";
    if (signal == SIGXFSZ) return "wrote a file larger than allowed (SIGXFSZ)";
    if (signal == SIGSEGV) return "crashed (SIGSEGV, a segmentation fault)";
    if (signal == SIGABRT) return "aborted (SIGABRT: abort() or std::terminate)";
    if (signal == SIGKILL) return "was killed (SIGKILL, out of memory?)";
    if (signal != 0) return fmt::format("was killed by signal {} ({})", signal, signal_name(signal));
    return fmt::format("exit code {}", exit_code);
}

std::string SandboxResult::last_output(size_t bytes) const {
    const std::string& text = output_tail.empty() ? output : output_tail;
    return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

int count_tasks_of_uid(uid_t uid) {
    int tasks = 0;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream status(entry.path() / "status");
        bool mine = false;
        int threads = 1;
        for (std::string line; std::getline(status, line);) {
            if (line.rfind("Uid:", 0) == 0) {
                std::istringstream fields(line.substr(4));
                long real = -1;
                fields >> real;
                mine = real == static_cast<long>(uid);
            } else if (line.rfind("Threads:", 0) == 0) {
                threads = std::max(1, std::atoi(line.c_str() + 8));
            }
        }
        if (mine) tasks += threads;
    }
    return tasks;
}

int kill_processes_of_uid(uid_t uid) {
    // kill(-1) as that uid reaches exactly its processes, but its return
    // value cannot tell whether any was left (it is 0 while any process at
    // all exists), so count them here between rounds.
    constexpr int kRounds = 500;
    for (int round = 0; round < kRounds; ++round) {
        if (count_tasks_of_uid(uid) == 0) return round;
        const pid_t pid = ::fork();
        if (pid < 0) throw Error(fmt::format("fork: {}", strerror(errno)));
        if (pid == 0) {
            if (::setgroups(0, nullptr) != 0 || ::setresgid(uid, uid, uid) != 0 ||
                ::setresuid(uid, uid, uid) != 0)
                ::_exit(1);
            ::kill(-1, SIGKILL);
            ::_exit(0);
        }
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        sleep_briefly();
    }
    return kRounds;
}

// --- Sandbox ---------------------------------------------------------------------

// A uid that no other tito run uses at the same time (an flock on a file).
struct Sandbox::UidLease {
    int fd = -1;
    uid_t uid = 0;
    ~UidLease() {
        if (fd >= 0) ::close(fd);
    }
};

Sandbox::Sandbox(const SandboxOptions& options) : options_(options) {
    root_ = ::geteuid() == 0;
    if (options_.slots < 1) options_.slots = 1;
    const fs::path parent = options_.run_parent.empty() ? fs::temp_directory_path() : options_.run_parent;
    std::string pattern = (parent / "tito-sandbox-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
        throw Error(fmt::format("cannot create a sandbox folder in {}: {}", parent.string(), strerror(errno)));
    area_ = fs::canonical(pattern);
    ::chmod(area_.c_str(), 0711);

    if (options_.force == Isolation::Uid && !root_)
        throw Error("--isolation uid needs root: it runs test programs as an unprivileged uid");
    if (root_) {
        const fs::path locks = fs::temp_directory_path() / "tito-sandbox-uids";
        ::mkdir(locks.c_str(), 0700);
        struct stat info {};
        if (::lstat(locks.c_str(), &info) != 0 || !S_ISDIR(info.st_mode) || info.st_uid != 0 ||
            (info.st_mode & 077) != 0)
            throw Error(fmt::format("{} must be a folder owned by root with mode 0700", locks.string()));
        std::vector<uid_t> taken;
        for (int slot = 0; slot < options_.slots; ++slot) {
            leases_.push_back(lease_uid(locks, taken));
            slot_uids_.push_back(leases_.back()->uid);
        }
    } else {
        slot_uids_.assign(static_cast<size_t>(options_.slots), ::getuid());
    }

    std::vector<Isolation> candidates;
    if (options_.force) candidates = {*options_.force};
    else if (root_) candidates = {Isolation::Namespaces, Isolation::Uid};
    else candidates = {Isolation::Namespaces, Isolation::Limits};
    std::vector<std::string> failures;
    bool chosen = false;
    for (Isolation candidate : candidates) {
        std::string why;
        if (candidate == Isolation::Namespaces) hidden_ = folders_to_hide(options_.private_paths);
        else hidden_.clear();
        if (probe(candidate, why)) {
            isolation_ = candidate;
            chosen = true;
            break;
        }
        failures.push_back(fmt::format("{}: {}", isolation_name(candidate), why));
    }
    if (!chosen) {
        remove_tree(area_);
        throw Error(fmt::format("no sandbox works here ({}); test programs cannot be run safely",
                                fmt::join(failures, "; ")));
    }
    fallback_reason_ = fmt::format("{}", fmt::join(failures, "; "));
    if (isolation_ == Isolation::Uid) {
        for (uid_t uid : slot_uids_) kill_processes_of_uid(uid);
        check_private_paths();
    }
    if (isolation_ == Isolation::Limits)
        warnings_.push_back("test programs run as you: they can read your files, including the hidden "
                            "tests, and signal your processes. Grade as root or where user namespaces "
                            "are allowed for a trustworthy grade.");
}

Sandbox::~Sandbox() { remove_tree(area_); }

uid_t Sandbox::slot_uid(int slot) const { return slot_uids_.at(static_cast<size_t>(slot)); }

std::unique_ptr<Sandbox::UidLease> Sandbox::lease_uid(const fs::path& lock_dir, std::vector<uid_t>& taken) {
    for (int i = 0; i < kMaxSandboxUids; ++i) {
        const uid_t uid = kNobody - static_cast<uid_t>(i);
        if (std::find(taken.begin(), taken.end(), uid) != taken.end()) continue;
        // Never borrow a uid or gid that belongs to an account.
        if (uid != kNobody && (::getpwuid(uid) != nullptr || ::getgrgid(uid) != nullptr)) continue;
        const fs::path lock = lock_dir / fmt::format("uid-{}.lock", uid);
        const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) continue;
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            ::close(fd);
            continue;
        }
        auto lease = std::make_unique<Sandbox::UidLease>();
        lease->fd = fd;
        lease->uid = uid;
        taken.push_back(uid);
        return lease;
    }
    throw Error(fmt::format("all {} sandbox uids are in use by other tito runs", kMaxSandboxUids));
}

std::string Sandbox::describe() const {
    std::string uids;
    if (root_ && isolation_ != Isolation::Limits) {
        uids = slot_uids_.size() == 1
                   ? fmt::format("uid {}", slot_uids_.front())
                   : fmt::format("uids {}-{}, one per parallel slot", slot_uids_.back(), slot_uids_.front());
    }
    switch (isolation_) {
        case Isolation::Namespaces:
            return fmt::format(
                "namespaces: each test program runs in new pid, mount and network namespaces{}; {} "
                "are hidden from it; processes it leaves behind die with its namespace",
                root_ ? fmt::format(" without privileges, as {}", uids) : " as you, in a user namespace",
                fmt::join(hidden_, ", "));
        case Isolation::Uid:
            return fmt::format(
                "uid: test programs run as {} without namespaces ({}); files are protected by "
                "permissions only; every process of that uid is killed after each run",
                uids, fallback_reason_);
        case Isolation::Limits:
            return fmt::format("limits: resource limits only ({}); test programs run as you",
                               fallback_reason_.empty() ? "forced" : fallback_reason_);
    }
    return "";
}

bool Sandbox::probe(Isolation isolation, std::string& why_not) {
    isolation_ = isolation;
    try {
        const SandboxProgram program = install(true_program());
        const SandboxRunDirs dirs = make_run_dirs(program, 0);
        SandboxLimits limits;
        limits.wall_seconds = 20;
        std::string setup_error;
        const SandboxResult r = run_unchecked(program, dirs, {}, {}, limits, 0, setup_error);
        discard(dirs);
        remove(program);
        if (!setup_error.empty()) {
            why_not = setup_error;
            return false;
        }
        if (!r.exited() || r.exit_code != 0) {
            why_not = fmt::format("the probe program {}: {}", r.describe(), r.last_output(300));
            return false;
        }
        return true;
    } catch (const Error& e) {
        why_not = e.what();
        return false;
    }
}

void Sandbox::check_private_paths() {
    for (const fs::path& path : options_.private_paths) {
        const pid_t pid = ::fork();
        if (pid < 0) throw Error(fmt::format("fork: {}", strerror(errno)));
        if (pid == 0) {
            const uid_t uid = slot_uids_.front();
            if (::setgroups(0, nullptr) != 0 || ::setresgid(uid, uid, uid) != 0 || ::setresuid(uid, uid, uid) != 0)
                ::_exit(2);
            const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY);
            ::_exit(fd >= 0 ? 0 : 1);
        }
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            warnings_.push_back(fmt::format(
                "uid {} can read {}: without namespaces, test programs could read the hidden tests and "
                "reference solutions there. Make it private: chmod 700 {}",
                slot_uids_.front(), path.string(), path.string()));
    }
}

SandboxProgram Sandbox::install(const fs::path& binary) {
    SandboxProgram program;
    program.dir = area_ / random_hex(8);
    make_folder(program.dir, 0711);
    program.binary = program.dir / binary.filename();
    std::error_code ec;
    fs::copy_file(binary, program.binary, ec);
    if (ec) throw Error(fmt::format("cannot copy {} into the sandbox: {}", binary.string(), ec.message()));
    ::chmod(program.binary.c_str(), 0755);
    return program;
}

void Sandbox::remove(const SandboxProgram& program) { remove_tree(program.dir); }

SandboxRunDirs Sandbox::make_run_dirs(const SandboxProgram& program, int slot) {
    SandboxRunDirs dirs;
    dirs.dir = program.dir / ("run-" + random_hex(8));
    make_folder(dirs.dir, 0711);
    dirs.work = dirs.dir / "work";
    make_folder(dirs.work, 0700);
    dirs.verdict = dirs.dir / "verdict";
    // Write and search, no read: the program can create its report by name
    // but cannot list the folder.
    make_folder(dirs.verdict, root_ && isolation_ != Isolation::Limits ? 0733 : 0700);
    if (root_ && isolation_ != Isolation::Limits) {
        const uid_t uid = slot_uid(slot);
        if (::chown(dirs.work.c_str(), uid, uid) != 0)
            throw Error(fmt::format("cannot hand {} to uid {}: {}", dirs.work.string(), uid, strerror(errno)));
    }
    return dirs;
}

void Sandbox::discard(const SandboxRunDirs& dirs) { remove_tree(dirs.dir); }

SandboxResult Sandbox::run(const SandboxProgram& program, const SandboxRunDirs& dirs,
                           const std::vector<std::string>& args, const std::vector<std::string>& environment,
                           const SandboxLimits& limits, int slot) {
    std::string setup_error;
    SandboxResult r = run_unchecked(program, dirs, args, environment, limits, slot, setup_error);
    if (!setup_error.empty())
        throw Error(fmt::format("the sandbox could not run {}: {}", program.binary.filename().string(),
                                setup_error));
    return r;
}

namespace {

// The plan of one run (see RunPlan), made before the fork.
RunPlan make_plan(bool namespaces, bool root, bool drop_uid, uid_t uid, const std::vector<std::string>& hidden,
                  const SandboxProgram& program, const SandboxRunDirs& dirs, const std::vector<std::string>& args,
                  const std::vector<std::string>& environment, const SandboxLimits& limits) {
    RunPlan plan;
    plan.grader = ::getpid();
    plan.namespaces = namespaces;
    plan.user_namespace = plan.namespaces && !root;
    plan.drop_uid = drop_uid;
    plan.uid = plan.drop_uid ? uid : ::getuid();
    plan.gid = plan.drop_uid ? static_cast<gid_t>(plan.uid) : ::getgid();
    plan.unshare_flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS |
                         (plan.user_namespace ? CLONE_NEWUSER : 0);
    plan.uid_map = fmt::format("{} {} 1\n", ::getuid(), ::getuid());
    plan.gid_map = fmt::format("{} {} 1\n", ::getgid(), ::getgid());
    plan.hidden = plan.namespaces ? hidden : std::vector<std::string>{};
    // The program's folder lies under (at most) one hidden folder: it is bound
    // back there, on top of the components of its path made in the tmpfs.
    for (const std::string& folder : plan.hidden) {
        if (!is_under(program.dir, folder)) continue;
        plan.expose = program.dir.string();
        const fs::path base(folder);
        auto part = program.dir.begin();
        for (auto b = base.begin(); b != base.end(); ++b) ++part;
        fs::path at = base;
        for (; part != program.dir.end(); ++part) {
            at /= *part;
            plan.expose_mkdirs.push_back(at.string());
        }
    }
    plan.work = dirs.work.string();
    plan.work_options = fmt::format("size={},mode=0700,uid={},gid={}", limits.scratch_bytes, plan.uid, plan.gid);
    const double cpu = limits.cpu_seconds > 0 ? limits.cpu_seconds : limits.wall_seconds * limits.threads + 1;
    const rlim_t cpu_soft = static_cast<rlim_t>(std::ceil(cpu));
    const rlim_t nproc = static_cast<rlim_t>(count_tasks_of_uid(plan.uid) + limits.processes);
    plan.limits = {{RLIMIT_CPU, cpu_soft, cpu_soft + 1},
                   {RLIMIT_AS, limits.memory_bytes, limits.memory_bytes},
                   {RLIMIT_FSIZE, limits.file_bytes, limits.file_bytes},
                   {RLIMIT_CORE, 0, 0},
                   {RLIMIT_NPROC, nproc, nproc}};
    plan.wall_seconds = limits.wall_seconds;
    plan.argv_text.push_back(program.binary.string());
    plan.argv_text.insert(plan.argv_text.end(), args.begin(), args.end());
    plan.env_text = {fmt::format("OMP_NUM_THREADS={}", limits.threads), "HOME=" + plan.work, "TMPDIR=" + plan.work};
    plan.env_text.insert(plan.env_text.end(), environment.begin(), environment.end());
    return plan;
}

// execve's arrays, pointing into the plan's strings: made once the plan sits
// where it stays.
void point_exec_arrays(RunPlan& plan) {
    plan.argv.clear();
    plan.envp.clear();
    for (std::string& a : plan.argv_text) plan.argv.push_back(a.data());
    plan.argv.push_back(nullptr);
    for (std::string& e : plan.env_text) plan.envp.push_back(e.data());
    plan.envp.push_back(nullptr);
}

// What the grader reads while a run goes on: the program's output (head and
// tail) and the reapers' status records, until the status pipe closes (the
// reapers are done) or the backstop fires.
struct Collected {
    SandboxResult result;
    std::string status_bytes;
    bool backstop = false;
};

Collected collect_run(pid_t reaper, int output_fd, int status_fd, const SandboxLimits& limits,
                      std::chrono::steady_clock::time_point start) {
    auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    Collected c;
    SandboxResult& result = c.result;
    size_t total = 0;
    bool output_open = true, status_open = true;
    double drain_until = 0;
    char buffer[65536];
    while (output_open || status_open) {
        const double now = elapsed();
        if (now > limits.wall_seconds + kBackstopSeconds) {
            ::kill(-reaper, SIGKILL);  // B is in this group: its namespace goes with it
            c.backstop = true;
            break;
        }
        if (!status_open) {
            if (drain_until == 0) drain_until = now + kDrainSeconds;
            if (now > drain_until) break;
        }
        pollfd fds[2];
        nfds_t count = 0;
        int output_index = -1, status_index = -1;
        if (output_open) {
            output_index = static_cast<int>(count);
            fds[count++] = {output_fd, POLLIN, 0};
        }
        if (status_open) {
            status_index = static_cast<int>(count);
            fds[count++] = {status_fd, POLLIN, 0};
        }
        const int ready = ::poll(fds, count, 200);
        if (ready < 0 && errno != EINTR) throw Error(fmt::format("poll: {}", strerror(errno)));
        if (ready <= 0) continue;
        if (output_index >= 0 && (fds[output_index].revents & (POLLIN | POLLHUP | POLLERR))) {
            const ssize_t n = ::read(output_fd, buffer, sizeof buffer);
            if (n > 0) {
                std::string_view chunk(buffer, static_cast<size_t>(n));
                total += chunk.size();
                const size_t room = limits.output_bytes - std::min(limits.output_bytes, result.output.size());
                const size_t take = std::min(room, chunk.size());
                result.output.append(chunk.substr(0, take));
                chunk.remove_prefix(take);
                if (!chunk.empty()) {
                    result.output_tail.append(chunk);
                    if (result.output_tail.size() > 2 * limits.output_tail_bytes)
                        result.output_tail.erase(0, result.output_tail.size() - limits.output_tail_bytes);
                }
            } else if (n == 0 || errno != EINTR) {
                output_open = false;
            }
        }
        if (status_index >= 0 && (fds[status_index].revents & (POLLIN | POLLHUP | POLLERR))) {
            const ssize_t n = ::read(status_fd, buffer, sizeof buffer);
            if (n > 0) c.status_bytes.append(buffer, static_cast<size_t>(n));
            else if (n == 0 || errno != EINTR) status_open = false;
        }
    }
    result.seconds = elapsed();
    if (result.output_tail.size() > limits.output_tail_bytes)
        result.output_tail.erase(0, result.output_tail.size() - limits.output_tail_bytes);
    result.truncated = total > result.output.size() + result.output_tail.size();
    return c;
}

// Turns the reapers' records into the result (or a setup error).
void read_records(const Collected& c, SandboxResult& result, std::string& setup_error) {
    const std::string& status_bytes = c.status_bytes;
    const bool backstop = c.backstop;
    bool finished = false;
    for (size_t at = 0; at + sizeof(Record) <= status_bytes.size(); at += sizeof(Record)) {
        Record record;
        std::memcpy(&record, status_bytes.data() + at, sizeof record);
        if (record.kind == kRecordSetupError && setup_error.empty()) {
            setup_error = fmt::format("{} failed: {}", step_name(record.a), strerror(record.b));
        } else if (record.kind == kRecordFinished) {
            finished = true;
            result.timed_out = record.b != 0;
            result.left_processes = record.c != 0;
            if (record.a >= 0) {
                if (WIFEXITED(record.a)) result.exit_code = WEXITSTATUS(record.a);
                if (WIFSIGNALED(record.a)) result.signal = WTERMSIG(record.a);
            }
            if (result.timed_out) result.signal = 0;
        }
    }
    if (!finished && setup_error.empty()) {
        if (backstop) result.timed_out = true;
        else setup_error = "the sandbox's reaper ended without a report";
    }
}

}  // namespace

SandboxResult Sandbox::run_unchecked(const SandboxProgram& program, const SandboxRunDirs& dirs,
                                     const std::vector<std::string>& args,
                                     const std::vector<std::string>& environment,
                                     const SandboxLimits& limits, int slot, std::string& setup_error) {
    const bool drop_uid = root_ && isolation_ != Isolation::Limits;
    RunPlan plan = make_plan(isolation_ == Isolation::Namespaces, root_, drop_uid,
                             drop_uid ? slot_uid(slot) : ::getuid(), hidden_, program, dirs, args, environment,
                             limits);
    point_exec_arrays(plan);
    Pipe output, status;
    const auto start = std::chrono::steady_clock::now();
    const pid_t reaper = ::fork();
    if (reaper < 0) throw Error(fmt::format("cannot start a sandbox: fork failed: {}", strerror(errno)));
    if (reaper == 0) sandbox_child(plan, output.write_end, status.write_end);
    ::setpgid(reaper, reaper);
    output.close_write();
    status.close_write();
    Collected collected = collect_run(reaper, output.read_end, status.read_end, limits, start);
    int reaper_status = 0;
    while (::waitpid(reaper, &reaper_status, 0) < 0 && errno == EINTR) {
    }
    if (isolation_ == Isolation::Uid) kill_processes_of_uid(plan.uid);
    read_records(collected, collected.result, setup_error);
    return collected.result;
}

}  // namespace tito
