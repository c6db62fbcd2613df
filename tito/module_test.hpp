// module_test.hpp — `tito module test NN`: build one module and its visible
// tests, run them, explain each failure, and record the result.
#pragma once

#include "gtest_report.hpp"
#include "progress.hpp"
#include "workspace.hpp"

namespace tito {

struct ModuleTestOutcome {
    bool built = false;
    bool crashed = false;  // the test program died before writing its report
    TestReport report;
    bool all_passed() const { return built && !crashed && !report.tests.empty() && report.failed() == 0; }
};

struct ModuleTestOptions {
    bool verbose = false;      // also stream the test program's own output
    bool warn_locked = true;   // say which module comes first when this one is locked
    bool show_next = true;     // after a pass, print the next command to run
};

// Builds target test_NN_name (the module's library and visible tests, and
// the libraries below it), runs bin/test_NN_name with a JSON report and
// prints a summary: compile errors trimmed to the first few, each failing
// test with its expected and actual values, stubs as "not implemented yet:
// Tensor::matmul". Does not touch the progress file.
ModuleTestOutcome run_module_tests(const Workspace& workspace, const Module& module, bool verbose);

// run_module_tests, then records the run in the progress file (all passing
// marks the module completed with its counts and the hash of its files;
// anything else marks it incomplete) and says what was unlocked and what to
// run next. Throws ProgressError before building when the progress file is
// unusable.
ModuleTestOutcome test_module(const Workspace& workspace, const Module& module,
                              const ModuleTestOptions& options);

// Where `function` (a stub's name, "Tensor::matmul") is defined in the
// module's student files: "modules/01_tensor/tensor.cpp:120", or "" if not found.
std::string locate_function(const Workspace& workspace, const Module& module, const std::string& function);

}  // namespace tito
