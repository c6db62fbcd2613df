// gtest_report.hpp — read the JSON report a GoogleTest binary writes with
// --gtest_output=json:FILE. Verdicts come from this file, never from what the
// program printed.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace tito {

struct TestCaseResult {
    std::string suite;
    std::string name;
    bool passed = false;
    std::vector<std::string> failures;  // one message per failed assertion

    std::string full_name() const { return suite + "." + name; }
    // "not implemented yet: Tensor::matmul (module 01)" when every failure is a
    // stub's NotImplemented; empty otherwise.
    std::string not_implemented() const;
};

struct TestReport {
    std::vector<TestCaseResult> tests;
    int passed() const;
    int failed() const { return static_cast<int>(tests.size()) - passed(); }
};

// Throws tito::Error naming the file when it is missing or not a report.
TestReport read_gtest_report(const std::filesystem::path& file);

}  // namespace tito
