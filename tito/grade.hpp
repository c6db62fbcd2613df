// grade.hpp — `tito grade`: grade submissions against the instructor tree.
//
// For every submission, in a scratch folder of its own (build/grade-XXXXXX,
// mode 0700): take its student files (submission.hpp), configure and build
// a scratch tree (grade_build.hpp), and for each graded module run its
// visible and hidden test programs in the sandbox (sandbox.hpp), test by
// test (grade_run.hpp). Module N is the student's module N linked to the
// reference of the modules below it, so an early bug never cascades.
//
// Points: a module's points (curriculum.json) are split evenly over its
// visible and hidden tests; its score is points x passed / tests. A module
// whose file is missing or refused, or that does not compile, scores 0 and
// says why; the other modules are graded as usual.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "grade_run.hpp"
#include "sandbox.hpp"
#include "workspace.hpp"

namespace tito {

struct Submission;
class SubmissionBuild;

struct GradeOptions {
    std::vector<std::string> modules;  // numbers; empty: every module of the manifest
    int jobs = 1;                      // submissions graded at the same time
    double timeout = 60;               // seconds for one run of a test program
    double budget = 0;                 // seconds for all runs of one module; 0: 2 x timeout
    double build_timeout = 300;        // seconds to compile one module of student code
    uint64_t memory_mb = 2048;
    std::optional<Isolation> isolation;
    std::string hidden_visibility = "after_published";  // Gradescope visibility of hidden tests
    bool keep_scratch = false;
    std::filesystem::path scratch_parent;  // default: the instructor tree's build/

    double module_budget() const { return budget > 0 ? budget : 2 * timeout; }
};

struct GradedTest {
    std::string name;  // "ReLU.KeepsTheShape"
    bool hidden = false;
    bool passed = false;
    double max_score = 0;
    std::string reason;  // why it failed, short
    std::string detail;  // assertion messages or output (visible tests only are shown to students)
    double score() const { return passed ? max_score : 0; }
};

enum class ModuleState {
    Graded,
    NotSubmitted,    // a student file is missing or was refused: its stub was graded
    DidNotCompile,
    NotGraded,       // the whole submission was refused
};

struct ModuleGrade {
    const Module* module = nullptr;
    ModuleState state = ModuleState::Graded;
    std::vector<std::string> problems;  // missing/refused files, the first compile errors
    std::vector<std::string> notes;     // e.g. a program that crashed and was re-run test by test
    std::vector<GradedTest> tests;      // visible first, then hidden
    double seconds = 0;

    double points() const { return module->points; }
    int total() const { return static_cast<int>(tests.size()); }
    int passed(std::optional<bool> hidden = std::nullopt) const;
    int count(bool hidden) const;
    double score() const;
};

struct SubmissionGrade {
    std::string student;
    std::string source;
    std::string refused;  // the submission itself was refused (an unsafe archive): why
    std::string error;    // grading could not finish (a problem of the instructor tree): why
    std::vector<std::string> notes;
    std::vector<ModuleGrade> modules;
    double seconds = 0;

    double score() const;
    double max_score() const;
};

// What every report says about how the grading was done.
struct GradingContext {
    std::string tool;       // "tito 0.1.0"
    std::string isolation;  // Sandbox::describe()
    std::string limits;     // SandboxLimits::describe()
    std::vector<std::string> warnings;
    std::string hidden_visibility;
};

class Grader {
public:
    // Builds the instructor's tests, sets up the sandbox and lists every
    // expected test from the instructor's programs. Throws tito::Error.
    Grader(const Workspace& workspace, GradeOptions options);
    ~Grader();

    const GradingContext& context() const { return context_; }
    const std::vector<const Module*>& modules() const { return modules_; }

    // Never throws: problems end up in the returned grade.
    SubmissionGrade grade(const std::filesystem::path& submission, int slot);
    // Up to options.jobs at a time; `on_done` is called (serialised) as each ends.
    std::vector<SubmissionGrade> grade_all(const std::vector<std::filesystem::path>& submissions,
                                           const std::function<void(const SubmissionGrade&)>& on_done);

private:
    struct Expected {
        std::vector<ExpectedTest> visible, hidden;
    };
    ModuleGrade grade_module(const Module& module, const Submission& submission, SubmissionBuild& build,
                             int slot);

    const Workspace& workspace_;
    GradeOptions options_;
    std::vector<const Module*> modules_;
    std::unique_ptr<Sandbox> sandbox_;
    std::map<std::string, Expected> expected_;
    RunSettings run_settings_;
    GradingContext context_;
};

}  // namespace tito
