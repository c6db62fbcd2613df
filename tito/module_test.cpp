// module_test.cpp — build, run, and explain one module's visible tests.
#include "module_test.hpp"

#include <fmt/format.h>

#include <iostream>
#include <map>

#include "build.hpp"
#include "console.hpp"
#include "errors.hpp"
#include "process.hpp"

namespace tito {

namespace {

constexpr double kTestTimeoutSeconds = 600;
constexpr size_t kFailuresShown = 8;

void print_build_failure(const Module& module, const BuildFailure& failure) {
    std::cout << console::red("✗ ") << "module " << module.number
              << " does not compile. The first errors:\n\n";
    for (const std::string& error : failure.errors) std::cout << "  " << error << "\n";
    std::cout << "\nFix the first error first: later ones are often caused by it.\n";
}

// The first lines of a failure message, indented.
std::string excerpt(const std::string& message, size_t max_lines = 6) {
    std::string out;
    size_t lines = 0, start = 0;
    while (start < message.size() && lines < max_lines) {
        size_t end = message.find('\n', start);
        if (end == std::string::npos) end = message.size();
        out += "      " + message.substr(start, end - start) + "\n";
        start = end + 1;
        ++lines;
    }
    return out;
}

void print_summary(const Module& module, const TestReport& report) {
    // Stubs first, grouped by function: "not implemented yet: relu" x 4.
    std::map<std::string, int> stubs;
    std::vector<const TestCaseResult*> failures;
    for (const TestCaseResult& t : report.tests) {
        if (t.passed) continue;
        const std::string stub = t.not_implemented();
        if (!stub.empty()) ++stubs[stub];
        else failures.push_back(&t);
    }
    size_t shown = 0;
    for (const TestCaseResult* t : failures) {
        if (shown++ == kFailuresShown) {
            std::cout << fmt::format("  ... and {} more failing tests\n", failures.size() - kFailuresShown);
            break;
        }
        std::cout << console::red("  ✗ ") << t->full_name() << "\n";
        for (const std::string& message : t->failures) std::cout << excerpt(message);
    }
    if (!stubs.empty()) {
        std::cout << console::yellow("  Functions still to write") << " (tests waiting on each):\n";
        for (const auto& [stub, count] : stubs)
            std::cout << fmt::format("    {} ({} {})\n", stub, count, count == 1 ? "test" : "tests");
    }
    const std::string tally = fmt::format("{} of {} tests pass", report.passed(), report.tests.size());
    if (report.failed() == 0)
        std::cout << console::green("✓ ") << "module " << module.number << ": " << tally << "\n";
    else
        std::cout << "\n" << console::red("✗ ") << "module " << module.number << ": " << tally
                  << ". Fix the first failure above, then run `tito module test " << module.number
                  << "` again.\n";
}

}  // namespace

ModuleTestOutcome run_module_tests(const Workspace& workspace, const Module& module, bool verbose) {
    ModuleTestOutcome outcome;
    std::cout << console::bold(fmt::format("Module {}: {}", module.number, module.title)) << "\n";
    const Builder builder(workspace);
    if (auto failure = builder.build({"module_" + module.number})) {
        print_build_failure(module, *failure);
        return outcome;
    }
    outcome.built = true;

    const fs::path binary = workspace.binary("test_" + module.number + "_" + module.name);
    const fs::path report_file = workspace.build_dir() / "tito" / ("test_" + module.number + ".json");
    fs::create_directories(report_file.parent_path());
    fs::remove(report_file);
    ProcessOptions options;
    options.working_dir = workspace.root();
    options.timeout_seconds = kTestTimeoutSeconds;
    if (verbose) options.on_output = [](std::string_view chunk) { std::cout << chunk << std::flush; };
    const ProcessResult run = run_process({binary.string(), "--gtest_output=json:" + report_file.string()}, options);
    if (!fs::exists(report_file))
        throw Error(fmt::format("the tests of module {} stopped before writing their report ({}). "
                                "The last output was:\n{}",
                                module.number, run.describe(),
                                run.output.substr(run.output.size() > 1500 ? run.output.size() - 1500 : 0)));
    outcome.report = read_gtest_report(report_file);
    print_summary(module, outcome.report);
    return outcome;
}

}  // namespace tito
