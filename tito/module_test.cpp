// module_test.cpp — build, run, explain and record one module's visible tests.
#include "module_test.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>
#include <iostream>
#include <regex>
#include <sstream>

#include "build.hpp"
#include "clock.hpp"
#include "console.hpp"
#include "errors.hpp"
#include "interrupt.hpp"
#include "process.hpp"
#include "status.hpp"

namespace tito {

namespace {

constexpr double kTestTimeoutSeconds = 600;
constexpr size_t kFailuresShown = 8;
constexpr size_t kLinesPerFailure = 8;

void print_build_failure(const Module& module, const BuildFailure& failure) {
    std::cout << console::red("✗ ") << "module " << module.number
              << " does not compile. The first errors:\n\n";
    for (const std::string& error : failure.errors) {
        std::istringstream lines(error);
        for (std::string line; std::getline(lines, line);) std::cout << "  " << line << "\n";
    }
    std::cout << "\nFix the first error first: later ones are often caused by it. "
                 "(`tito module test "
              << module.number << " -v` shows the whole build output.)\n";
}

// A GoogleTest failure message starts with "file:line" (or "unknown file")
// on a line of its own; splits that off, with the path made relative.
// (ccache's base_dir turns __FILE__ into a path relative to the build tree.)
std::pair<std::string, std::string> split_location(const std::string& message, const Workspace& workspace) {
    const size_t newline = message.find('\n');
    const std::string first = message.substr(0, newline);
    static const std::regex location(R"(^(.+):(\d+)$)");
    if (newline == std::string::npos || (first != "unknown file" && !std::regex_match(first, location)))
        return {"", message};
    std::string where;
    if (first != "unknown file") {
        const size_t colon = first.rfind(':');
        fs::path file = first.substr(0, colon);
        if (file.is_relative()) file = workspace.build_dir() / file;
        file = file.lexically_normal();
        const fs::path relative = file.lexically_relative(workspace.root());
        const bool inside = !relative.empty() && *relative.begin() != "..";
        where = (inside ? relative : file).string() + first.substr(colon);
    }
    return {where, message.substr(newline + 1)};
}

std::string indented(const std::string& text, size_t max_lines) {
    std::string out;
    std::istringstream in(text);
    size_t lines = 0;
    for (std::string line; std::getline(in, line);) {
        if (lines++ == max_lines) {
            out += "      …\n";
            break;
        }
        out += "      " + line + "\n";
    }
    return out;
}

// GoogleTest's words for an exception that escaped a test, in the student's:
// "C++ exception with description "X" thrown in the test body." -> "your code threw: X".
std::string readable_exception(const std::string& text) {
    static const std::regex escaped(R"re(^C\+\+ exception with description "([\s\S]*)" thrown in the test body\.\s*$)re");
    std::smatch m;
    if (std::regex_match(text, m, escaped)) return "your code threw: " + m[1].str();
    return text;
}

// "not implemented yet: relu (module 02)" -> {"relu", 2}.
std::pair<std::string, int> parse_stub(const std::string& stub) {
    static const std::regex pattern(R"(^not implemented yet: (.*) \(module (\d+)\)$)");
    std::smatch m;
    if (std::regex_match(stub, m, pattern)) return {m[1].str(), std::stoi(m[2].str())};
    return {stub.substr(std::string("not implemented yet: ").size()), 0};
}

// Where a function is defined: the index of the student file and the line.
struct Definition {
    size_t file = 0;
    int line = 0;
};

std::optional<Definition> find_definition(const Workspace& workspace, const Module& module, const std::string& function) {
    for (size_t f = 0; f < module.files.size(); ++f) {
        std::ifstream in(workspace.module_dir(module) / module.files[f]);
        int number = 0;
        for (std::string line; std::getline(in, line);) {
            ++number;
            // Definitions start in column 0 in the course's files; calls and comments do not.
            if (line.empty() || line[0] == ' ' || line[0] == '\t' || line[0] == '/') continue;
            const size_t at = line.find(function + "(");
            if (at == std::string::npos) continue;
            const bool whole_name = at == 0 || !(std::isalnum(static_cast<unsigned char>(line[at - 1])) ||
                                                 line[at - 1] == '_' || line[at - 1] == ':');
            if (whole_name) return Definition{f, number};
        }
    }
    return std::nullopt;
}

// Stubs of this module in the order of its files (the order the guide
// teaches them), then those it could not find, then other modules' stubs.
void print_stubs(const Workspace& workspace, const Module& module,
                 const std::vector<std::pair<std::string, int>>& stubs) {
    struct Row {
        std::string function;
        int module_number;
        int tests;
        std::optional<Definition> where;
        bool own() const { return module_number == 0; }
    };
    std::vector<Row> rows;
    for (const auto& [stub, count] : stubs) {
        auto [function, number] = parse_stub(stub);
        if (number == module.index()) number = 0;
        rows.push_back({function, number, count, number == 0 ? find_definition(workspace, module, function) : std::nullopt});
    }
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
        const auto rank = [](const Row& r) { return !r.own() ? 2 : r.where ? 0 : 1; };
        if (rank(a) != rank(b)) return rank(a) < rank(b);
        if (a.where && b.where) return std::pair(a.where->file, a.where->line) < std::pair(b.where->file, b.where->line);
        return false;
    });
    std::cout << console::yellow("  Still to write") << " (each stub below fails the tests that call it):\n";
    for (const Row& row : rows) {
        const std::string tests = fmt::format("{} {}", row.tests, row.tests == 1 ? "test" : "tests");
        if (!row.own()) {
            std::cout << fmt::format("    not implemented yet: {}  ({}) — in module {:02d}: finish that "
                                     "module first\n", row.function, tests, row.module_number);
            continue;
        }
        const std::string where = row.where ? fmt::format("{}/{}:{}", module.folder(), module.files[row.where->file],
                                                          row.where->line)
                                            : "";
        std::cout << fmt::format("    not implemented yet: {}  ({}){}\n", row.function, tests,
                                 where.empty() ? "" : console::dim("  " + where));
    }
}

void print_summary(const Workspace& workspace, const Module& module, const TestReport& report) {
    // Stubs are grouped by function.
    std::vector<std::pair<std::string, int>> stubs;
    std::vector<const TestCaseResult*> failures;
    for (const TestCaseResult& t : report.tests) {
        if (t.passed) continue;
        const std::string stub = t.not_implemented();
        if (stub.empty()) {
            failures.push_back(&t);
            continue;
        }
        auto it = std::find_if(stubs.begin(), stubs.end(), [&](const auto& s) { return s.first == stub; });
        if (it == stubs.end()) stubs.emplace_back(stub, 1);
        else ++it->second;
    }
    for (size_t i = 0; i < failures.size(); ++i) {
        if (i == kFailuresShown) {
            std::cout << fmt::format("  … and {} more failing tests\n", failures.size() - kFailuresShown);
            break;
        }
        const TestCaseResult& t = *failures[i];
        std::cout << console::red("  ✗ ") << t.full_name();
        if (t.failures.empty()) {
            std::cout << "\n      did not finish (skipped, or the program stopped in it)\n";
            continue;
        }
        const auto [where, text] = split_location(t.failures.front(), workspace);
        std::cout << (where.empty() ? "" : console::dim("  " + where)) << "\n"
                  << indented(readable_exception(text), kLinesPerFailure);
        if (t.failures.size() > 1)
            std::cout << console::dim(fmt::format("      (and {} more failed {} in this test)\n", t.failures.size() - 1,
                                                  t.failures.size() == 2 ? "check" : "checks"));
    }
    if (!stubs.empty()) print_stubs(workspace, module, stubs);
    const std::string tally = fmt::format("{} of {} tests pass", report.passed(), report.tests.size());
    if (report.failed() == 0) {
        std::cout << console::green("✓ ") << "module " << module.number << ": " << tally << "\n";
        return;
    }
    std::cout << "\n" << console::red("✗ ") << "module " << module.number << ": " << tally << ". ";
    int own_stubs = 0;
    std::string other_module;
    for (const auto& [stub, count] : stubs) {
        const int number = parse_stub(stub).second;
        if (number == 0 || number == module.index()) ++own_stubs;
        else if (other_module.empty()) other_module = fmt::format("{:02d}", number);
    }
    if (!failures.empty())
        std::cout << "Start with the first failure above: it shows what the test expected and what "
                     "your code gave.";
    else if (own_stubs == 0 && !other_module.empty())
        std::cout << "These tests stop in module " << other_module << "'s stubs: finish module " << other_module
                  << " first (`tito module test " << other_module << "`).";
    else
        std::cout << "Write the first function listed above (the module guide, " << module.folder()
                  << "/README.md, explains it).";
    std::cout << " Then run `tito module test " << module.number << "` again.\n";
}

// The last test GoogleTest started and never finished, from its output.
std::string test_running_at_the_end(const std::string& output) {
    static const std::regex started(R"(\[ RUN      \] (\S+))");
    std::string last;
    for (auto it = std::sregex_iterator(output.begin(), output.end(), started); it != std::sregex_iterator(); ++it)
        last = (*it)[1].str();
    if (last.empty()) return "";
    const bool finished = output.find("[       OK ] " + last) != std::string::npos ||
                          output.find("[  FAILED  ] " + last) != std::string::npos;
    return finished ? "" : last;
}

// The test program died (a signal, a timeout, exit() in student code)
// before writing its report.
void print_crash(const Module& module, const std::string& target, const ProcessResult& run) {
    const std::string test = test_running_at_the_end(run.output);
    std::cout << console::red("✗ ") << "module " << module.number << ": the test program stopped ("
              << run.describe() << ")" << (test.empty() ? "" : " in " + test) << ", before it could report.\n"
              << "  A crash in your code does this: an index past the end of a buffer, a null pointer, endless\n"
              << "  recursion, or a call to exit(). Its last lines were:\n";
    std::istringstream in(run.output);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    for (size_t i = lines.size() > 4 ? lines.size() - 4 : 0; i < lines.size(); ++i)
        std::cout << "      " << lines[i] << "\n";
    std::cout << "  To see the line that crashed, run the tests under AddressSanitizer:\n"
              << "      cmake --preset sanitize && cmake --build --preset sanitize --target " << target << "\n"
              << "      build/sanitize/bin/" << target << (test.empty() ? "" : " --gtest_filter=" + test) << "\n";
}

}  // namespace

std::string locate_function(const Workspace& workspace, const Module& module, const std::string& function) {
    const auto where = find_definition(workspace, module, function);
    return where ? fmt::format("{}/{}:{}", module.folder(), module.files[where->file], where->line) : "";
}

ModuleTestOutcome run_module_tests(const Workspace& workspace, const Module& module, bool verbose) {
    ModuleTestOutcome outcome;
    std::cout << console::bold(fmt::format("Module {}: {}", module.number, module.title)) << std::endl;
    const std::string target = "test_" + module.number + "_" + module.name;
    if (!fs::is_directory(workspace.module_dir(module) / "tests"))
        throw Error(fmt::format("module {} has no visible tests ({}/tests/ does not exist)", module.number,
                                module.folder()));
    const Builder builder(workspace);
    if (auto failure = builder.build({target})) {
        if (verbose) std::cout << failure->log << "\n";
        print_build_failure(module, *failure);
        return outcome;
    }
    outcome.built = true;

    const fs::path binary = workspace.binary(target);
    const fs::path report_file = workspace.build_dir() / "tito" / ("test_" + module.number + ".json");
    fs::create_directories(report_file.parent_path());
    fs::remove(report_file);
    ProcessOptions options;
    options.working_dir = workspace.root();
    options.timeout_seconds = kTestTimeoutSeconds;
    if (verbose) options.on_output = [](std::string_view chunk) { std::cout << chunk << std::flush; };
    const ProcessResult run = run_process({binary.string(), "--gtest_output=json:" + report_file.string()}, options);
    if (run.interrupted) throw Interrupted{};
    if (!fs::exists(report_file)) {
        outcome.crashed = true;
        print_crash(module, target, run);
        return outcome;
    }
    outcome.report = read_gtest_report(report_file);
    print_summary(workspace, module, outcome.report);
    return outcome;
}

namespace {

void record_run(const Workspace& workspace, const ProgressStore& store, const Module& module,
                const ModuleTestOutcome& outcome) {
    const std::string hash = workspace.student_files_sha256(module);
    store.update([&](Progress& progress) {
        ModuleProgress& m = progress.modules[module.number];
        m.last_run = utc_timestamp();
        m.compiled = outcome.built;
        m.crashed = outcome.crashed;
        m.tests_passed.reset();
        m.tests_total.reset();
        if (outcome.built && !outcome.crashed) {
            m.tests_passed = outcome.report.passed();
            m.tests_total = static_cast<int>(outcome.report.tests.size());
        }
        m.completed = outcome.all_passed();
        m.completed_at = m.completed ? m.last_run : "";
        m.files_sha256 = m.completed ? hash : "";
    });
}

// What this run changed: completion, and what it unlocked.
void print_consequences(const Module& module, const CourseStatus& before, const CourseStatus& after,
                        bool passed) {
    const bool was_completed = before.module(module.number).progress.completed;
    if (!passed) {
        if (was_completed)
            std::cout << console::yellow("Module " + module.number + " is no longer completed") << " (it was "
                      << "until this run); the modules after it wait for it again.\n";
        return;
    }
    const ModuleState previous = before.module(module.number).state;
    if (previous == ModuleState::Completed) return;  // nothing new: the ✓ line said it
    std::cout << console::green("★ Module " + module.number + " completed")
              << (previous == ModuleState::Changed ? " again, with your changed file" : "")
              << fmt::format(" — {} of {} modules.\n", after.completed, after.modules.size());
    for (size_t i = 0; i < after.modules.size(); ++i) {
        const ModuleStatus& now = after.modules[i];
        if (before.modules[i].state == ModuleState::Locked && now.state == ModuleState::Ready)
            std::cout << "  Unlocked: module " << now.module->number << ", " << now.module->title << "\n";
    }
    for (size_t i = 0; i < after.milestones.size(); ++i) {
        const MilestoneStatus& now = after.milestones[i];
        if (before.milestones[i].state == MilestoneState::Locked && now.state == MilestoneState::Unlocked)
            std::cout << "  Unlocked: milestone " << now.milestone->number << ", " << now.milestone->title << "\n";
    }
}

}  // namespace

ModuleTestOutcome test_module(const Workspace& workspace, const Module& module, const ModuleTestOptions& options) {
    const ProgressStore store(workspace.state_dir());
    const CourseStatus before = compute_status(workspace, store.load());  // throws for an unusable file
    const ModuleStatus& current = before.module(module.number);
    if (options.warn_locked && current.state == ModuleState::Locked) {
        const Module& first = workspace.curriculum().module(current.blocked_by);
        std::cout << console::yellow("Module " + module.number + " is locked: ") << "module " << first.number
                  << " (" << first.title << ") comes first and is not completed yet (`tito module test "
                  << first.number << "`). Testing module " << module.number << " anyway.\n";
    }
    const ModuleTestOutcome outcome = run_module_tests(workspace, module, options.verbose);
    record_run(workspace, store, module, outcome);
    const CourseStatus after = compute_status(workspace, store.load());
    print_consequences(module, before, after, outcome.all_passed());
    if (options.show_next && outcome.all_passed()) {
        if (after.next.command.empty()) std::cout << console::green("✓ ") << after.next.reason << ".\n";
        else std::cout << console::bold("Next: ") << console::cyan(after.next.command) << "\n";
    }
    return outcome;
}

}  // namespace tito
