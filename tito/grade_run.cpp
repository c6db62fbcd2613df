// grade_run.cpp — runs, judges and re-runs test programs; see grade_run.hpp.
#include "grade_run.hpp"

#include <fmt/format.h>
#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "errors.hpp"

namespace tito {

namespace fs = std::filesystem;

namespace {

constexpr uintmax_t kMaxReportBytes = 16u << 20;
constexpr size_t kDetailBytes = 2000;

std::string random_name() {
    unsigned char raw[12];
    size_t got = 0;
    while (got < sizeof raw) {
        const ssize_t n = ::getrandom(raw + got, sizeof raw - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error("getrandom failed");
        got += static_cast<size_t>(n);
    }
    std::string hex;
    for (unsigned char c : raw) hex += fmt::format("{:02x}", c);
    return hex;
}

bool is_disabled(const std::string& suite, const std::string& test) {
    return suite.rfind("DISABLED_", 0) == 0 || test.rfind("DISABLED_", 0) == 0;
}

// Per-test times of a GoogleTest JSON report ("time": "0.012s").
std::map<std::string, double> report_times(const fs::path& file) {
    std::map<std::string, double> times;
    std::ifstream in(file);
    const nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
    if (doc.is_discarded() || !doc.contains("testsuites")) return times;
    for (const auto& suite : doc["testsuites"]) {
        if (!suite.contains("testsuite")) continue;
        for (const auto& test : suite["testsuite"]) {
            const std::string time = test.value("time", "0s");
            times[suite.value("name", "") + "." + test.value("name", "")] = std::atof(time.c_str());
        }
    }
    return times;
}

// The short reason of a failed test in a clean report.
std::string failure_reason(const TestCaseResult& t) {
    if (const std::string stub = t.not_implemented(); !stub.empty()) return stub;
    if (t.failures.empty()) return "failed (skipped or not run)";
    return "failed: an expectation did not hold";
}

std::string failure_detail(const TestCaseResult& t) {
    std::string detail;
    for (const std::string& f : t.failures) detail += f + "\n";
    return tidy_output(detail, kDetailBytes);
}

TestOutcome outcome_from_report(const std::string& name, const TestCaseResult& t) {
    TestOutcome o;
    o.name = name;
    o.passed = t.passed;
    if (!t.passed) {
        o.reason = failure_reason(t);
        // A stub's failure says all there is to say in its reason.
        if (t.not_implemented().empty()) o.detail = failure_detail(t);
    }
    return o;
}

double single_test_timeout(const ExpectedTest& test, const RunSettings& settings) {
    return std::min(settings.limits.wall_seconds,
                    std::max(settings.min_test_seconds, settings.reference_factor * test.reference_seconds));
}

}  // namespace

std::string tidy_output(const std::string& text, size_t max_bytes) {
    // Paths the compiler baked into test programs ("../../../../x/y/modules/...")
    // are shortened to the part a student recognises.
    static const std::regex test_path(R"([^\s:'"()]*?/((modules/\d\d_\w+/|tests/hidden/)))");
    std::string shortened = std::regex_replace(text, test_path, "$1");
    std::string out;
    out.reserve(std::min(shortened.size(), max_bytes));
    for (char c : shortened) {
        if (out.size() >= max_bytes) {
            out += "\n[... cut]";
            break;
        }
        const unsigned char u = static_cast<unsigned char>(c);
        out.push_back((u < 0x20 && c != '\n' && c != '\t') || u == 0x7f ? '?' : c);
    }
    return out;
}

std::vector<std::string> parse_gtest_list(const std::string& output) {
    // Suite lines ("Matmul." or "Typed/0.  # TypeParam = int") are followed
    // by their tests, indented by two spaces ("  TwoByTwo  # GetParam() = 3").
    std::vector<std::string> names;
    std::string suite;
    std::istringstream in(output);
    for (std::string line; std::getline(in, line);) {
        if (const size_t hash = line.find("  #"); hash != std::string::npos) line.erase(hash);
        while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
        if (line.empty()) continue;
        if (line.rfind("  ", 0) == 0) {
            const std::string test = line.substr(2);
            if (!suite.empty() && test.find_first_of(" \t") == std::string::npos && !is_disabled(suite, test))
                names.push_back(suite + "." + test);
        } else if (line.back() == '.' && line.find(' ') == std::string::npos) {
            suite = line.substr(0, line.size() - 1);
        } else {
            suite.clear();  // "Running main() from ...": not a suite
        }
    }
    return names;
}

JudgedRun run_and_judge(Sandbox& sandbox, const SandboxProgram& program, int slot,
                        const std::vector<std::string>& filter, const std::vector<std::string>& expected,
                        const SandboxLimits& limits) {
    const SandboxRunDirs dirs = sandbox.make_run_dirs(program, slot);
    const fs::path report_file = dirs.verdict / (random_name() + ".json");
    const fs::path premature_file = dirs.verdict / random_name();
    std::vector<std::string> args = {"--gtest_output=json:" + report_file.string(), "--gtest_color=no"};
    if (!filter.empty()) args.push_back(fmt::format("--gtest_filter={}", fmt::join(filter, ":")));
    JudgedRun run;
    run.result = sandbox.run(program, dirs, args, {"TEST_PREMATURE_EXIT_FILE=" + premature_file.string()},
                             limits, slot);
    const SandboxResult& r = run.result;

    std::error_code ec;
    const bool premature = fs::exists(premature_file, ec);
    std::optional<TestReport> report;
    bool report_unreadable = false;
    if (fs::is_regular_file(report_file, ec)) {
        try {
            if (fs::file_size(report_file) > kMaxReportBytes) throw Error("too large");
            report = read_gtest_report(report_file);
            run.seconds = report_times(report_file);
        } catch (const Error&) {
            report_unreadable = true;
        }
    }
    sandbox.discard(dirs);

    if (!r.exited()) {
        run.problem = r.describe();
    } else if (r.left_processes) {
        run.problem = fmt::format("left processes running after it ended (exit code {}); they were killed",
                                  r.exit_code);
    } else if (premature) {
        run.problem = fmt::format("exited (exit code {}) in the middle of its tests: is exit() called from "
                                  "the code under test?", r.exit_code);
    } else if (report_unreadable) {
        run.problem = fmt::format("wrote a test report that cannot be read (exit code {})", r.exit_code);
    } else if (!report) {
        run.problem = fmt::format("ended (exit code {}) without writing its test report: is exit() called "
                                  "before the tests start, for instance from a static initializer?",
                                  r.exit_code);
    } else if (r.exit_code != 0 && r.exit_code != 1) {
        run.problem = fmt::format("exited with code {}", r.exit_code);
    }
    if (!run.problem.empty()) return run;

    std::map<std::string, int> seen;
    for (const TestCaseResult& t : report->tests) {
        if (++seen[t.full_name()] == 1) run.report[t.full_name()] = t;
    }
    size_t missing = 0, failed = 0;
    for (const std::string& name : expected) {
        const auto it = seen.find(name);
        if (it == seen.end()) {
            ++missing;
            continue;
        }
        if (it->second != 1) {
            run.problem = fmt::format("its test report lists {} {} times", name, it->second);
            return run;
        }
        if (!run.report.at(name).passed) ++failed;
    }
    if (missing > 0) {
        run.problem = fmt::format("its test report is incomplete: {} of its {} tests are missing", missing,
                                  expected.size());
    } else if ((r.exit_code == 0) != (failed == 0)) {
        run.problem = fmt::format("its exit code ({}) contradicts its report ({} failed)", r.exit_code, failed);
    }
    run.clean = run.problem.empty();
    if (!run.clean) run.report.clear();
    return run;
}

ProgramVerdict run_test_program(Sandbox& sandbox, const SandboxProgram& program, int slot,
                                const std::vector<ExpectedTest>& expected, TimeBudget& budget,
                                const RunSettings& settings) {
    ProgramVerdict verdict;
    if (expected.empty()) return verdict;
    const std::string budget_reason = fmt::format(
        "not run: the module's time budget ({:.0f} s) was used up by tests that hung or crashed",
        budget.total());
    auto not_run = [&](const std::string& name) {
        TestOutcome o;
        o.name = name;
        o.reason = budget_reason;
        return o;
    };
    std::vector<std::string> names;
    for (const ExpectedTest& t : expected) names.push_back(t.name);

    if (budget.exhausted()) {
        for (const std::string& name : names) verdict.tests.push_back(not_run(name));
        return verdict;
    }
    SandboxLimits limits = settings.limits;
    limits.wall_seconds = std::min(limits.wall_seconds, budget.remaining());
    const JudgedRun whole = run_and_judge(sandbox, program, slot, {}, names, limits);
    budget.spend(whole.result.seconds);
    ++verdict.runs;

    // Decided by the whole run: its passes, and failures that are a stub's
    // NotImplemented (which no neighbour can cause). Everything else is run
    // again alone, and that run decides.
    std::vector<const ExpectedTest*> alone;
    for (const ExpectedTest& test : expected) {
        if (whole.clean) {
            const TestCaseResult& t = whole.report.at(test.name);
            if (t.passed || !t.not_implemented().empty()) {
                verdict.tests.push_back(outcome_from_report(test.name, t));
                continue;
            }
        }
        verdict.tests.push_back(TestOutcome{test.name, false, "", ""});
        alone.push_back(&test);
    }
    if (!whole.clean) {
        verdict.isolated = true;
        verdict.note = fmt::format("the test program {}; each of its tests was then run on its own", whole.problem);
    }
    for (const ExpectedTest* test : alone) {
        TestOutcome& outcome = *std::find_if(verdict.tests.begin(), verdict.tests.end(),
                                             [&](const TestOutcome& o) { return o.name == test->name; });
        if (budget.exhausted()) {
            outcome = not_run(test->name);
            continue;
        }
        limits.wall_seconds = std::min(single_test_timeout(*test, settings), budget.remaining());
        const JudgedRun run = run_and_judge(sandbox, program, slot, {test->name}, {test->name}, limits);
        budget.spend(run.result.seconds);
        ++verdict.runs;
        if (run.clean) {
            outcome = outcome_from_report(test->name, run.report.at(test->name));
        } else {
            outcome.reason = "the test program " + run.problem;
            outcome.detail = tidy_output(run.result.last_output(kDetailBytes), kDetailBytes);
        }
    }
    return verdict;
}

ReferenceTests examine_reference_program(Sandbox& sandbox, const fs::path& binary, const SandboxLimits& limits) {
    ReferenceTests reference;
    const SandboxProgram program = sandbox.install(binary);
    try {
        const SandboxRunDirs dirs = sandbox.make_run_dirs(program, 0);
        const SandboxResult listed = sandbox.run(program, dirs, {"--gtest_list_tests"}, {}, limits, 0);
        sandbox.discard(dirs);
        if (!listed.exited() || listed.exit_code != 0)
            throw Error(fmt::format("{} --gtest_list_tests {} inside the sandbox:\n{}", binary.string(),
                                    listed.describe(), listed.last_output(2000)));
        const std::vector<std::string> names = parse_gtest_list(listed.output);
        const JudgedRun run = run_and_judge(sandbox, program, 0, {}, names, limits);
        if (!run.clean) reference.problem = run.problem;
        for (const std::string& name : names) {
            ExpectedTest t;
            t.name = name;
            if (const auto it = run.seconds.find(name); it != run.seconds.end()) t.reference_seconds = it->second;
            reference.tests.push_back(t);
            if (run.clean && !run.report.at(name).passed) reference.failing.push_back(name);
        }
    } catch (...) {
        sandbox.remove(program);
        throw;
    }
    sandbox.remove(program);
    return reference;
}

}  // namespace tito
