// grade_run.hpp — run one test program of a submission in the sandbox and
// decide, test by test, what passed.
//
// The verdict rule. A run is *clean* when the program exited by itself with
// code 0 or 1, left no process running, removed GoogleTest's premature-exit
// file (TEST_PREMATURE_EXIT_FILE), and wrote a report (to a random name in a
// folder it cannot list) that holds every test the run was asked for exactly
// once, agreeing with the exit code (0 exactly when all passed). Only a clean
// run's report is read; nothing the program prints counts.
//
// Per-test isolation. Each program first runs whole. If that run is not
// clean (a crash, a hang, exit() in a tested function, a fork bomb, ...), its
// report is thrown away and every test is run again on its own, so the
// broken test costs itself (and the tests that call the same broken code),
// never its neighbours. After a clean run, its passes stand, and so do
// failures that are a stub's NotImplemented; any other failed test is run
// again alone and that run decides (a neighbour that leaked all memory or
// corrupted shared state cannot cost it). A test run alone gets at most max(10 s, 50 x the
// reference's time for it), capped by --timeout; all runs of a module share
// one time budget (--budget), and tests still waiting when it is spent fail
// as "not run", so an infinite loop in code every test calls costs about
// the budget, not tests x timeout.
//
// The expected tests come from the instructor's own build of the same test
// objects (--gtest_list_tests), never from the submission's program.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "gtest_report.hpp"
#include "sandbox.hpp"

namespace tito {

struct ExpectedTest {
    std::string name;                // "Suite.Test"
    double reference_seconds = 0;    // how long the reference took on it
};

// The test names of `--gtest_list_tests` output, without disabled tests.
std::vector<std::string> parse_gtest_list(const std::string& output);

struct TestOutcome {
    std::string name;
    bool passed = false;
    std::string reason;  // short, safe to show for hidden tests: "not implemented yet: relu (module 02)"
    std::string detail;  // assertion messages or the end of the output (may quote the test)
};

// Seconds a module's test programs may take together.
class TimeBudget {
public:
    explicit TimeBudget(double seconds) : total_(seconds) {}
    double total() const { return total_; }
    double remaining() const { return total_ - spent_; }
    bool exhausted() const { return remaining() < 1.0; }
    void spend(double seconds) { spent_ += seconds; }

private:
    double total_;
    double spent_ = 0;
};

struct RunSettings {
    SandboxLimits limits;          // wall_seconds: the timeout of one run (--timeout)
    double min_test_seconds = 10;  // a test run alone gets at least this...
    double reference_factor = 50;  // ...or this multiple of the reference's time
};

struct ProgramVerdict {
    std::vector<TestOutcome> tests;  // in the order of `expected`
    bool isolated = false;           // the whole run was not clean
    std::string note;                // why, for the feedback
    int runs = 0;
};

ProgramVerdict run_test_program(Sandbox& sandbox, const SandboxProgram& program, int slot,
                                const std::vector<ExpectedTest>& expected, TimeBudget& budget,
                                const RunSettings& settings);

// One run of a program, judged by the rule above.
struct JudgedRun {
    bool clean = false;
    std::string problem;  // why it is not clean
    SandboxResult result;
    std::map<std::string, TestCaseResult> report;  // clean runs only
    std::map<std::string, double> seconds;         // per test, from the report
};

// `filter` empty: every test. `expected` are the tests the run must report.
JudgedRun run_and_judge(Sandbox& sandbox, const SandboxProgram& program, int slot,
                        const std::vector<std::string>& filter, const std::vector<std::string>& expected,
                        const SandboxLimits& limits);

// The instructor's program of a module: its test list and the reference's
// time per test (and which tests the reference itself fails, which would
// make grades unreliable).
struct ReferenceTests {
    std::vector<ExpectedTest> tests;
    std::vector<std::string> failing;
    std::string problem;  // the reference run itself was not clean
};
ReferenceTests examine_reference_program(Sandbox& sandbox, const std::filesystem::path& binary,
                                         const SandboxLimits& limits);

// Text a program wrote, made safe to show: control characters replaced,
// at most `max_bytes`, test file paths shortened to "modules/..." or
// "tests/hidden/...".
std::string tidy_output(const std::string& text, size_t max_bytes);

}  // namespace tito
