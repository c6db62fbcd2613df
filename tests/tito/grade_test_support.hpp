// grade_test_support.hpp — helpers for the tests that run `tito grade` on
// submissions made from the reference files, some with one function
// replaced by hostile code.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "tito_test_support.hpp"

namespace tito::testing {

// A submission folder laid out like a workspace (modules/NN_name/file.cpp),
// holding the reference student files of the given modules.
class SubmissionFolder {
public:
    SubmissionFolder(const TempDir& parent, const std::string& student, const std::vector<std::string>& modules);
    const fs::path& path() const { return path_; }
    fs::path file(const std::string& relative) const { return path_ / relative; }

    // Replaces the body of the solution block that follows `signature` (a
    // line of the reference file, e.g. "Tensor relu(const Tensor& x) {").
    void replace_solution(const std::string& relative, const std::string& signature, const std::string& body);
    // Replaces every solution block (not the HELPERS ones) with `body`.
    void replace_every_solution(const std::string& relative, const std::string& body);
    // Inserts `text` before the line `namespace tinytorch {` (includes,
    // declarations, static initializers).
    void add_preamble(const std::string& relative, const std::string& text);
    void write(const std::string& relative, const std::string& text) const;
    void remove(const std::string& relative) const;

private:
    fs::path path_;
};

// The outcome of one `tito grade` run.
struct GradeRun {
    ProcessResult process;
    nlohmann::json results;  // the --json file
    double seconds = 0;

    double score() const { return results.at("score").get<double>(); }
    double module_score(const std::string& number) const;
    double module_max(const std::string& number) const;
    std::set<std::string> failed_tests() const;  // test names, e.g. "02 activations: ReLU.KeepsTheShape"
    std::set<std::string> passed_tests() const;
    size_t test_count() const { return results.at("tests").size(); }
    std::string output() const { return results.at("output").get<std::string>(); }
    std::string test_output(const std::string& name) const;
};

// Runs `tito grade <args> --json <temp>` in the instructor tree.
GradeRun run_grade(const std::vector<std::string>& args, double timeout_seconds = 1800);

// Points of a module in the manifest.
double manifest_points(const std::string& number);

}  // namespace tito::testing
