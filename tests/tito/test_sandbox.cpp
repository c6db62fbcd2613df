// The sandbox that runs student test programs: environment, working folder,
// uid, hidden folders, timeouts, fork bombs, processes that try to outlive
// their run, output caps. Small shell programs stand in for hostile tests;
// tests/tito/test_grade_hostile.cpp does the same through `tito grade`.
#include <fmt/format.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>

#include <set>
#include <sstream>

#include "errors.hpp"
#include "sandbox.hpp"
#include "tito_test_support.hpp"

using namespace tito;
using namespace tito::testing;

namespace {

bool running_as_root() { return ::geteuid() == 0; }

// Every process forks two more, then spins without forking, so the bombers
// stay alive (and the run ends at its timeout) even when fork starts failing.
constexpr const char* kForkBomb = "bomb() { bomb | bomb & while :; do :; done; }; bomb";

// A sandbox whose private folder holds a secret, with /bin/sh installed.
class SandboxFixture : public ::testing::Test {
protected:
    explicit SandboxFixture(std::optional<Isolation> force = std::nullopt)
        : private_dir_("sandbox-private"), force_(force) {}

    void SetUp() override {
        write_text(private_dir_.path() / "hidden_test.cpp", "TEST(Secret, Expected) { EXPECT_EQ(42, 42); }\n");
        // Readable by anyone: only the sandbox keeps the program out.
        ::chmod(private_dir_.path().c_str(), 0755);
        SandboxOptions options;
        options.private_paths = {private_dir_.path()};
        options.force = force_;
        sandbox_ = std::make_unique<Sandbox>(options);
        shell_ = sandbox_->install("/bin/sh");
    }
    void TearDown() override { sandbox_.reset(); }

    // Runs `sh -c script`; `dirs_out` receives the run's folders.
    SandboxResult sh(const std::string& script, double wall_seconds = 20, SandboxRunDirs* dirs_out = nullptr) {
        SandboxLimits limits;
        limits.wall_seconds = wall_seconds;
        const SandboxRunDirs dirs = sandbox_->make_run_dirs(shell_, 0);
        if (dirs_out) *dirs_out = dirs;
        return sandbox_->run(shell_, dirs, {"-c", script}, {}, limits, 0);
    }

    fs::path secret() const { return private_dir_.path() / "hidden_test.cpp"; }
    uid_t sandbox_uid() const { return sandbox_->slot_uid(0); }

    TempDir private_dir_;
    std::optional<Isolation> force_;
    std::unique_ptr<Sandbox> sandbox_;
    SandboxProgram shell_;
};

class SandboxAuto : public SandboxFixture {};

class SandboxUidOnly : public SandboxFixture {
protected:
    SandboxUidOnly() : SandboxFixture(Isolation::Uid) {}
    void SetUp() override {
        if (running_as_root()) SandboxFixture::SetUp();
    }
};

std::set<std::string> lines_of(const std::string& text) {
    std::set<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.insert(line);
    return lines;
}

}  // namespace

TEST_F(SandboxAuto, ChoosesNamespacesWhereTheKernelAllowsThem) {
    // CI and Gradescope-like machines here run as root with namespaces.
    EXPECT_EQ(sandbox_->isolation(), Isolation::Namespaces) << sandbox_->describe();
    EXPECT_NE(sandbox_->describe().find("namespaces"), std::string::npos);
}

TEST_F(SandboxAuto, ProgramGetsOnlyTheMinimalEnvironment) {
    SandboxRunDirs dirs;
    const SandboxResult r = sh("/usr/bin/env", 20, &dirs);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const std::set<std::string> expected = {"OMP_NUM_THREADS=2", "HOME=" + dirs.work.string(),
                                            "TMPDIR=" + dirs.work.string()};
    std::set<std::string> env = lines_of(r.output);
    env.erase("PWD=" + dirs.work.string());  // the shell adds its own
    EXPECT_EQ(env, expected) << r.output;
}

TEST_F(SandboxAuto, ProgramRunsInItsWorkingFolderAsTheSandboxUser) {
    SandboxRunDirs dirs;
    const SandboxResult r = sh("pwd; id -u; echo data > file && cat file", 20, &dirs);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(r.output, fmt::format("{}\n{}\ndata\n", dirs.work.string(), sandbox_uid()));
    if (running_as_root()) {
        // nobody, or a free uid just below it when other grading runs hold it
        EXPECT_LE(sandbox_uid(), 65534u);
        EXPECT_GT(sandbox_uid(), 65534u - 256);
    } else {
        EXPECT_EQ(sandbox_uid(), ::getuid());
    }
}

TEST_F(SandboxAuto, ProgramCannotReadThePrivateFolders) {
    const SandboxResult read = sh(fmt::format("cat {}", secret().string()));
    EXPECT_EQ(read.output.find("Secret"), std::string::npos) << read.output;
    const SandboxResult listed = sh(fmt::format("ls -A {} 2>/dev/null | wc -l", secret().parent_path().string()));
    EXPECT_EQ(listed.output, "0\n");
}

TEST_F(SandboxAuto, ProgramCannotWriteOutsideItsWorkingFolder) {
    SandboxRunDirs dirs;
    const std::string marker = "tito-sandbox-escape-" + std::to_string(::getpid());
    const fs::path in_tmp = fs::temp_directory_path() / marker;
    const fs::path in_private = private_dir_.path() / marker;
    const SandboxResult r =
        sh(fmt::format("echo x > {}; echo x > {}; echo x > ../../{}; echo x > {}; true", in_tmp.string(),
                       in_private.string(), marker, secret().string()),
           20, &dirs);
    EXPECT_FALSE(fs::exists(in_tmp)) << r.output;
    EXPECT_FALSE(fs::exists(in_private)) << r.output;
    EXPECT_FALSE(fs::exists(dirs.dir.parent_path() / marker)) << r.output;
    EXPECT_EQ(read_text(secret()), "TEST(Secret, Expected) { EXPECT_EQ(42, 42); }\n");
}

TEST_F(SandboxAuto, VerdictFolderTakesNewFilesButCannotBeListed) {
    const SandboxRunDirs dirs = sandbox_->make_run_dirs(shell_, 0);
    const std::string verdict = dirs.verdict.string();
    const SandboxResult r = sandbox_->run(
        shell_, dirs, {"-c", fmt::format("echo report > {}/r.json; ls {} && echo LISTED", verdict, verdict)}, {},
        SandboxLimits{}, 0);
    EXPECT_EQ(read_text(dirs.verdict / "r.json"), "report\n");
    if (running_as_root()) {
        EXPECT_EQ(r.output.find("LISTED"), std::string::npos) << r.output;
    }
}

TEST_F(SandboxAuto, ExitCodeAndSignalAreReported) {
    const SandboxResult exited = sh("exit 3");
    EXPECT_TRUE(exited.exited());
    EXPECT_EQ(exited.exit_code, 3);
    const SandboxResult crashed = sh("kill -SEGV $$");
    EXPECT_FALSE(crashed.exited());
    EXPECT_EQ(crashed.signal, 11);
    EXPECT_EQ(crashed.describe(), "crashed (SIGSEGV, a segmentation fault)");
}

TEST_F(SandboxAuto, HangingProgramIsStoppedAtItsTimeout) {
    const SandboxResult r = sh("while :; do :; done", 1.0);
    EXPECT_TRUE(r.timed_out);
    EXPECT_LT(r.seconds, 6.0);
    EXPECT_FALSE(r.exited());
}

TEST_F(SandboxAuto, ForkBombEndsQuicklyAndLeavesNoProcess) {
    const SandboxResult r = sh(kForkBomb, 3.0);
    EXPECT_TRUE(r.left_processes || r.timed_out) << r.describe();
    EXPECT_LT(r.seconds, 10.0);
    if (running_as_root()) {
        EXPECT_EQ(count_tasks_of_uid(sandbox_uid()), 0);
    }
}

TEST_F(SandboxAuto, ProcessesThatLeaveTheSessionAreStillKilled) {
    const SandboxResult r = sh("setsid sh -c 'sleep 60' & sleep 0.3; exit 0", 20);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_TRUE(r.left_processes);
    EXPECT_LT(r.seconds, 10.0);
    if (running_as_root()) {
        EXPECT_EQ(count_tasks_of_uid(sandbox_uid()), 0);
    }
}

TEST_F(SandboxAuto, HugeOutputIsCutKeepingItsHeadAndTail) {
    const SandboxResult r = sh("i=0; while [ $i -lt 40000 ]; do echo line-$i-padding-padding-padding; i=$((i+1)); done; echo END");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_TRUE(r.truncated);
    EXPECT_EQ(r.output.size(), SandboxLimits{}.output_bytes);
    EXPECT_EQ(r.output.rfind("line-0-", 0), 0u);
    EXPECT_LE(r.output_tail.size(), SandboxLimits{}.output_tail_bytes);
    EXPECT_EQ(r.last_output(4), "END\n");
}

TEST_F(SandboxAuto, NetworkIsUnreachable) {
    // A new network namespace has only a loopback device, and it is down.
    const SandboxResult r = sh("cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '");
    EXPECT_EQ(r.output, "lo\n");
}

TEST_F(SandboxAuto, ProcShowsOnlyTheProgramsOwnProcesses) {
    const SandboxResult r = sh("ls /proc | grep -c '^[0-9]'");
    // pid 1 (the reaper) and the shell and its pipeline: never the grader's.
    EXPECT_LE(std::stoi(r.output), 4) << r.output;
}

TEST_F(SandboxUidOnly, WithoutNamespacesRunsAsTheSandboxUidAndKillsItsLeftovers) {
    if (!running_as_root()) {
        SandboxOptions options;
        options.force = Isolation::Uid;
        try {
            Sandbox refused(options);
            ADD_FAILURE() << "--isolation uid was accepted without root";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("needs root"), std::string::npos) << e.what();
        }
        return;
    }
    EXPECT_EQ(sandbox_->isolation(), Isolation::Uid);
    const SandboxResult id = sh("id -u");
    EXPECT_EQ(id.output, fmt::format("{}\n", sandbox_uid()));
    const SandboxResult escaped = sh("setsid sh -c 'sleep 60' & sleep 0.3; exit 0", 20);
    EXPECT_TRUE(escaped.left_processes);
    EXPECT_EQ(count_tasks_of_uid(sandbox_uid()), 0);
    const SandboxResult bomb = sh(kForkBomb, 3.0);
    EXPECT_LT(bomb.seconds, 10.0);
    EXPECT_EQ(count_tasks_of_uid(sandbox_uid()), 0);
}

TEST_F(SandboxUidOnly, WithoutNamespacesWarnsWhenThePrivateFolderIsReadable) {
    if (!running_as_root()) return;
    ::chmod(private_dir_.path().c_str(), 0755);  // TempDir makes it 0700 via mkdtemp
    SandboxOptions options;
    options.private_paths = {private_dir_.path()};
    options.force = Isolation::Uid;
    const Sandbox readable(options);
    ASSERT_EQ(readable.warnings().size(), 1u);
    EXPECT_NE(readable.warnings()[0].find("chmod 700 " + private_dir_.path().string()), std::string::npos);
    ::chmod(private_dir_.path().c_str(), 0700);
    const Sandbox closed(options);
    EXPECT_TRUE(closed.warnings().empty());
}

// Without root: the sandbox in a child process that dropped to an ordinary
// uid, as when an instructor grades from their own account. Checks report
// back through the exit code (gtest assertions cannot cross the fork).
namespace {

constexpr uid_t kOrdinaryUid = 60123;  // below the sandbox uids 65279-65534

// Runs `check` as kOrdinaryUid in a child; returns its exit code.
int as_ordinary_user(const std::function<int()>& check) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        if (::setgroups(0, nullptr) != 0 || ::setresgid(kOrdinaryUid, kOrdinaryUid, kOrdinaryUid) != 0 ||
            ::setresuid(kOrdinaryUid, kOrdinaryUid, kOrdinaryUid) != 0)
            ::_exit(90);
        int code = 91;
        try {
            code = check();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "%s\n", e.what());
        }
        ::_exit(code);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 99;
}

}  // namespace

TEST(SandboxWithoutRoot, UserNamespaceHidesThePrivateFoldersAndRunsAsTheCaller) {
    if (!running_as_root()) return;  // needs root to become another user; CI runs as root
    TempDir secret_dir("sandbox-userns");
    ::chmod(secret_dir.path().c_str(), 0755);
    write_text(secret_dir.path() / "hidden_test.cpp", "SECRET\n");
    const int code = as_ordinary_user([&] {
        SandboxOptions options;
        options.private_paths = {secret_dir.path()};
        Sandbox sandbox(options);
        if (sandbox.isolation() != Isolation::Namespaces) {
            std::fprintf(stderr, "%s\n", sandbox.describe().c_str());  // why it fell back
            return 1;
        }
        const SandboxProgram shell = sandbox.install("/bin/sh");
        const SandboxRunDirs dirs = sandbox.make_run_dirs(shell, 0);
        const SandboxResult r = sandbox.run(
            shell, dirs, {"-c", fmt::format("id -u; cat {} 2>/dev/null; echo end", (secret_dir.path() / "hidden_test.cpp").string())},
            {}, SandboxLimits{}, 0);
        return r.output == fmt::format("{}\nend\n", kOrdinaryUid) ? 0 : 2;
    });
    EXPECT_EQ(code, 0) << "1: not in namespaces mode, 2: wrong uid or the secret was read";
}

TEST(SandboxWithoutRoot, LimitsModeStopsAndKillsAForkBombsWholeTree) {
    if (!running_as_root()) return;  // as above
    const int code = as_ordinary_user([] {
        SandboxOptions options;
        options.force = Isolation::Limits;
        Sandbox sandbox(options);
        if (sandbox.warnings().empty()) return 1;  // it must say that the program runs as you
        const SandboxProgram shell = sandbox.install("/bin/sh");
        const SandboxRunDirs dirs = sandbox.make_run_dirs(shell, 0);
        SandboxLimits limits;
        limits.wall_seconds = 2;
        const SandboxResult r = sandbox.run(shell, dirs, {"-c", kForkBomb}, {},
                                            limits, 0);
        if (!r.timed_out && !r.left_processes) return 2;
        return r.seconds < 10 ? 0 : 3;
    });
    EXPECT_EQ(code, 0) << "1: no warning, 2: the bomb went unnoticed, 3: it took too long";
    EXPECT_EQ(count_tasks_of_uid(kOrdinaryUid), 0);
}
