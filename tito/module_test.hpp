// module_test.hpp — `tito module test NN`: build one module and its visible
// tests, run them, and explain each failure.
#pragma once

#include "gtest_report.hpp"
#include "workspace.hpp"

namespace tito {

struct ModuleTestOutcome {
    bool built = false;
    TestReport report;
    bool all_passed() const { return built && !report.tests.empty() && report.failed() == 0; }
};

// Builds target module_NN, runs bin/test_NN_name with a JSON report and
// prints a summary. `verbose` also streams the test program's own output.
ModuleTestOutcome run_module_tests(const Workspace& workspace, const Module& module, bool verbose);

}  // namespace tito
