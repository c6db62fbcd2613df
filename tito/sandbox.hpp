// sandbox.hpp — run an untrusted test program so that nothing it does can
// change a grade it did not earn, hurt the grader, or read what it must not.
//
// Every run gets: a wall-clock timeout; RLIMIT_CPU, RLIMIT_AS, RLIMIT_FSIZE,
// RLIMIT_NPROC and RLIMIT_CORE=0; an empty environment (OMP_NUM_THREADS, and
// HOME and TMPDIR pointing at its working folder); stdin from /dev/null; a
// fresh working folder; its output captured and truncated (the head and the
// tail are kept). The strongest isolation the machine allows is chosen once,
// by running a probe, and reported by describe():
//
//   namespaces  new pid, mount and network namespaces. As root the program
//               runs as an unprivileged uid (65534, then 65533, ... for
//               parallel runs); otherwise a user namespace maps the caller.
//               Over the instructor tree, /home, /root, /tmp, /var/tmp,
//               /dev/shm, /run, /mnt, /media and /srv lie empty read-only
//               tmpfs mounts; only the program's own folder is bound back.
//               The working folder is a size-limited tmpfs; /proc shows only
//               the namespace. When the program ends, every process it left
//               behind dies with the namespace.
//   uid         root without namespaces (e.g. a container without
//               CAP_SYS_ADMIN): the program runs as the unprivileged uid;
//               files are protected by permissions only (describe() warns
//               when that uid can read the instructor tree); after each run
//               every process of that uid is killed.
//   limits      neither root nor user namespaces: resource limits only; the
//               program runs as the caller (describe() says so).
//
// In every mode a reaper process stays between the grader and the program:
// it enforces the timeout, reports the program's exit status through a pipe
// of its own, notices processes left running after the program ended (a
// fork bomb, a daemon) and kills them.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tito {

enum class Isolation { Namespaces, Uid, Limits };

std::string isolation_name(Isolation isolation);
// "namespaces", "uid" or "limits"; throws UsageError otherwise.
Isolation parse_isolation(const std::string& name);

struct SandboxLimits {
    double wall_seconds = 60;
    double cpu_seconds = 0;               // 0: wall_seconds x threads + 1
    uint64_t memory_bytes = 2ull << 30;   // RLIMIT_AS
    uint64_t file_bytes = 64ull << 20;    // RLIMIT_FSIZE
    uint64_t scratch_bytes = 64ull << 20; // namespaces: size of the working folder
    int processes = 64;                   // beyond what the sandbox user already runs
    int threads = 2;                      // OMP_NUM_THREADS
    size_t output_bytes = 256u << 10;     // kept from the start of the output
    size_t output_tail_bytes = 64u << 10; // and from its end

    std::string describe() const;  // "60 s wall, 121 s CPU, 2048 MB memory, ..."
};

struct SandboxOptions {
    std::optional<Isolation> force;            // else the strongest that works here
    std::vector<std::filesystem::path> private_paths;  // hidden from / checked against the program
    std::filesystem::path run_parent;          // where the run area goes (default: the temp folder)
    int slots = 1;                             // runs that may happen at the same time
};

struct SandboxResult {
    int exit_code = -1;          // when it exited
    int signal = 0;              // the signal that ended it
    bool timed_out = false;
    bool left_processes = false; // processes were still running after it ended
    bool truncated = false;      // output beyond output_bytes + output_tail_bytes was dropped
    double seconds = 0;
    std::string output;          // the head of stdout+stderr
    std::string output_tail;     // the last bytes (empty unless the head was cut)

    bool exited() const { return !timed_out && signal == 0 && exit_code >= 0; }
    std::string describe() const;  // "exit code 0", "killed by signal 11 (SIGSEGV)", ...
    // The end of the output, whichever part holds it.
    std::string last_output(size_t bytes) const;
};

// A program copied into the run area, and the folders of one run of it.
struct SandboxProgram {
    std::filesystem::path dir;
    std::filesystem::path binary;
};
struct SandboxRunDirs {
    std::filesystem::path dir;
    std::filesystem::path work;     // the working folder, writable by the program
    std::filesystem::path verdict;  // where its report goes: the program may create
                                    // files here but cannot list the folder
};

class Sandbox {
public:
    // Chooses the isolation (see above) and proves it with a probe run.
    // Throws tito::Error when the forced mode (or any mode) does not work.
    explicit Sandbox(const SandboxOptions& options);
    ~Sandbox();
    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;

    Isolation isolation() const { return isolation_; }
    std::string describe() const;
    const std::vector<std::string>& warnings() const { return warnings_; }
    int slots() const { return static_cast<int>(slot_uids_.size()); }
    // The uid a slot's programs run as (the caller's own outside root modes).
    uid_t slot_uid(int slot) const;

    SandboxProgram install(const std::filesystem::path& binary);
    void remove(const SandboxProgram& program);
    SandboxRunDirs make_run_dirs(const SandboxProgram& program, int slot);
    void discard(const SandboxRunDirs& dirs);

    // Runs program.binary with `args`; `environment` adds "NAME=value" entries
    // to the minimal environment. Throws tito::Error when the sandbox itself
    // cannot be set up (never for anything the program does).
    SandboxResult run(const SandboxProgram& program, const SandboxRunDirs& dirs,
                      const std::vector<std::string>& args,
                      const std::vector<std::string>& environment, const SandboxLimits& limits,
                      int slot);

private:
    struct UidLease;
    static std::unique_ptr<UidLease> lease_uid(const std::filesystem::path& lock_dir, std::vector<uid_t>& taken);
    SandboxResult run_unchecked(const SandboxProgram& program, const SandboxRunDirs& dirs,
                                const std::vector<std::string>& args,
                                const std::vector<std::string>& environment,
                                const SandboxLimits& limits, int slot, std::string& setup_error);
    bool probe(Isolation isolation, std::string& why_not);
    void check_private_paths();

    SandboxOptions options_;
    Isolation isolation_ = Isolation::Limits;
    bool root_ = false;
    std::filesystem::path area_;
    std::vector<uid_t> slot_uids_;
    std::vector<std::unique_ptr<UidLease>> leases_;
    std::vector<std::string> hidden_;  // namespaces: the tmpfs mount points
    std::vector<std::string> warnings_;
    std::string fallback_reason_;
};

// Kills every process of `uid` (root only); returns the rounds it took (0:
// there was none).
int kill_processes_of_uid(uid_t uid);
// Processes and threads whose real uid is `uid`.
int count_tasks_of_uid(uid_t uid);

}  // namespace tito
