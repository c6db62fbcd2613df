// gtest_report.cpp — parse GoogleTest's JSON report.
#include "gtest_report.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "errors.hpp"

namespace tito {

namespace {
constexpr std::string_view kStubMarker = "not implemented yet: ";
}

std::string TestCaseResult::not_implemented() const {
    if (passed || failures.empty()) return "";
    std::string first;
    for (const std::string& message : failures) {
        const size_t at = message.find(kStubMarker);
        if (at == std::string::npos) return "";
        if (first.empty()) {
            const size_t end = message.find_first_of("\"\n", at);
            first = message.substr(at, end == std::string::npos ? std::string::npos : end - at);
        }
    }
    return first;
}

int TestReport::passed() const {
    int n = 0;
    for (const TestCaseResult& t : tests) n += t.passed ? 1 : 0;
    return n;
}

TestReport read_gtest_report(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw Error(fmt::format("the test report {} was not written", file.string()));
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw Error(fmt::format("the test report {} is not valid JSON: {}", file.string(), e.what()));
    }
    TestReport report;
    try {
        for (const auto& suite : doc.at("testsuites")) {
            for (const auto& test : suite.at("testsuite")) {
                TestCaseResult r;
                r.suite = suite.at("name").get<std::string>();
                r.name = test.at("name").get<std::string>();
                if (test.contains("failures"))
                    for (const auto& f : test.at("failures"))
                        r.failures.push_back(f.at("failure").get<std::string>());
                // "RUN" + "COMPLETED" is the only way to pass; skipped tests
                // and tests that never ran do not.
                r.passed = test.value("status", "") == "RUN" &&
                           test.value("result", "") == "COMPLETED" && r.failures.empty();
                report.tests.push_back(std::move(r));
            }
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error(fmt::format("the test report {} is malformed: {}", file.string(), e.what()));
    }
    return report;
}

}  // namespace tito
