// grade.cpp — the grading of submissions, module by module; see grade.hpp.
#include "grade.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "build.hpp"
#include "errors.hpp"
#include "grade_build.hpp"
#include "submission.hpp"

#ifndef TITO_VERSION
#define TITO_VERSION "unknown"
#endif

namespace tito {

namespace fs = std::filesystem;

int ModuleGrade::passed(std::optional<bool> hidden) const {
    int n = 0;
    for (const GradedTest& t : tests) n += t.passed && (!hidden || t.hidden == *hidden) ? 1 : 0;
    return n;
}

int ModuleGrade::count(bool hidden) const {
    int n = 0;
    for (const GradedTest& t : tests) n += t.hidden == hidden ? 1 : 0;
    return n;
}

double ModuleGrade::score() const {
    return tests.empty() ? 0.0 : points() * passed() / static_cast<double>(tests.size());
}

double SubmissionGrade::score() const {
    double total = 0;
    for (const ModuleGrade& m : modules) total += m.score();
    return total;
}

double SubmissionGrade::max_score() const {
    double total = 0;
    for (const ModuleGrade& m : modules) total += m.points();
    return total;
}

namespace {

fs::path make_private_scratch(const fs::path& parent) {
    fs::create_directories(parent);
    std::string pattern = (parent / "grade-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
        throw Error(fmt::format("cannot create a grading folder in {}", parent.string()));
    ::chmod(pattern.c_str(), 0700);
    return pattern;
}

// Every expected test of a module, failed for one reason.
void fail_every_test(ModuleGrade& grade, const std::vector<ExpectedTest>& visible,
                     const std::vector<ExpectedTest>& hidden, const std::string& reason) {
    for (const bool is_hidden : {false, true})
        for (const ExpectedTest& t : is_hidden ? hidden : visible) {
            GradedTest g;
            g.name = t.name;
            g.hidden = is_hidden;
            g.reason = reason;
            grade.tests.push_back(g);
        }
}

void set_max_scores(ModuleGrade& grade) {
    for (GradedTest& t : grade.tests) t.max_score = grade.points() / static_cast<double>(grade.tests.size());
}

}  // namespace

Grader::Grader(const Workspace& workspace, GradeOptions options) : workspace_(workspace), options_(std::move(options)) {
    if (!workspace_.is_instructor_tree())
        throw UsageError(fmt::format("{} is a student tree: `tito grade` runs in the instructor tree, which "
                                     "holds the hidden tests", workspace_.root().string()));
    if (options_.modules.empty()) {
        for (const Module& m : workspace_.curriculum().modules) modules_.push_back(&m);
    } else {
        for (const Module& m : workspace_.curriculum().modules)  // manifest order, each once
            for (const std::string& wanted : options_.modules)
                if (&workspace_.curriculum().module(wanted) == &m) {
                    modules_.push_back(&m);
                    break;
                }
    }
    if (options_.scratch_parent.empty()) options_.scratch_parent = workspace_.root() / "build";

    // The instructor's own programs give the expected tests.
    std::vector<std::string> targets;
    for (const Module* m : modules_) targets.push_back("module_" + m->number);
    if (auto failure = Builder(workspace_).build(targets))
        throw Error(fmt::format("the instructor tree does not build, so nothing can be graded:\n  {}",
                                fmt::join(failure->errors, "\n  ")));

    SandboxOptions sandbox;
    sandbox.force = options_.isolation;
    sandbox.slots = std::max(1, options_.jobs);
    sandbox.private_paths = {workspace_.root()};
    fs::create_directories(options_.scratch_parent);
    const fs::path scratch = fs::canonical(options_.scratch_parent);
    if (scratch.string().rfind(workspace_.root().string() + "/", 0) != 0) sandbox.private_paths.push_back(scratch);
    sandbox_ = std::make_unique<Sandbox>(sandbox);

    run_settings_.limits.wall_seconds = options_.timeout;
    run_settings_.limits.memory_bytes = options_.memory_mb << 20;
    run_settings_.min_test_seconds = std::min(run_settings_.min_test_seconds, options_.timeout);

    context_.tool = std::string("tito ") + TITO_VERSION;
    context_.isolation = sandbox_->describe();
    context_.limits = run_settings_.limits.describe();
    context_.warnings = sandbox_->warnings();
    context_.hidden_visibility = options_.hidden_visibility;
    for (const Module* m : modules_) {
        Expected& expected = expected_[m->number];
        for (const bool hidden : {false, true}) {
            const fs::path binary =
                workspace_.binary(fmt::format("{}_{}_{}", hidden ? "hidden" : "test", m->number, m->name));
            if (!fs::is_regular_file(binary)) continue;
            const ReferenceTests reference = examine_reference_program(*sandbox_, binary, run_settings_.limits);
            if (!reference.problem.empty())
                context_.warnings.push_back(fmt::format("the reference {} tests of module {}: the program {}",
                                                        hidden ? "hidden" : "visible", m->number, reference.problem));
            for (const std::string& name : reference.failing)
                context_.warnings.push_back(fmt::format("the reference fails {} (module {}): that test cannot "
                                                        "grade fairly", name, m->number));
            (hidden ? expected.hidden : expected.visible) = reference.tests;
        }
        if (expected.visible.empty() && expected.hidden.empty())
            context_.warnings.push_back(fmt::format("module {} has no tests: its {} points cannot be earned",
                                                    m->number, m->points));
    }
}

Grader::~Grader() = default;

ModuleGrade Grader::grade_module(const Module& module, const Submission& submission, SubmissionBuild& build,
                                 int slot) {
    ModuleGrade grade;
    grade.module = &module;
    const Expected& expected = expected_.at(module.number);
    grade.problems = submission.problems_of(module);
    if (!grade.problems.empty()) {
        grade.state = ModuleState::NotSubmitted;
        fail_every_test(grade, expected.visible, expected.hidden,
                        "not graded: " + grade.problems.front());
        set_max_scores(grade);
        return grade;
    }
    const ModuleBuild built = build.build_module(module, !expected.visible.empty(), !expected.hidden.empty());
    grade.seconds += built.seconds;
    if (!built.built) {
        grade.state = ModuleState::DidNotCompile;
        grade.problems = built.errors;
        fail_every_test(grade, expected.visible, expected.hidden, "the module did not compile");
        set_max_scores(grade);
        return grade;
    }
    TimeBudget budget(options_.module_budget());
    for (const bool hidden : {false, true}) {
        const std::vector<ExpectedTest>& tests = hidden ? expected.hidden : expected.visible;
        if (tests.empty()) continue;
        const SandboxProgram program = sandbox_->install(hidden ? built.hidden : built.visible);
        ProgramVerdict verdict;
        try {
            verdict = run_test_program(*sandbox_, program, slot, tests, budget, run_settings_);
        } catch (...) {
            sandbox_->remove(program);
            throw;
        }
        sandbox_->remove(program);
        if (verdict.isolated)
            grade.notes.push_back(fmt::format("{}: {}", hidden ? "hidden tests" : "visible tests", verdict.note));
        for (TestOutcome& o : verdict.tests) {
            GradedTest t;
            t.name = o.name;
            t.hidden = hidden;
            t.passed = o.passed;
            t.reason = std::move(o.reason);
            t.detail = std::move(o.detail);
            grade.tests.push_back(std::move(t));
        }
    }
    set_max_scores(grade);
    return grade;
}

SubmissionGrade Grader::grade(const fs::path& path, int slot) {
    SubmissionGrade grade;
    grade.student = student_name_of(path);
    grade.source = path.string();
    const auto start = std::chrono::steady_clock::now();
    fs::path scratch;
    try {
        scratch = make_private_scratch(options_.scratch_parent);
        const Submission submission = load_submission(workspace_, path, scratch);
        grade.student = submission.student;
        grade.notes = submission.notes;
        grade.refused = submission.refused;
        if (!grade.refused.empty()) {
            for (const Module* m : modules_) {
                ModuleGrade mg;
                mg.module = m;
                mg.state = ModuleState::NotGraded;
                mg.problems = {grade.refused};
                const Expected& expected = expected_.at(m->number);
                fail_every_test(mg, expected.visible, expected.hidden, "not graded: the submission was refused");
                set_max_scores(mg);
                grade.modules.push_back(std::move(mg));
            }
        } else {
            BuildSettings settings;
            settings.module_timeout = options_.build_timeout;
            const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
            settings.jobs = static_cast<int>(std::max(1u, cores / static_cast<unsigned>(std::max(1, options_.jobs))));
            SubmissionBuild build(workspace_, scratch, submission.files_root, settings);
            build.configure();
            build.build_reference(modules_);
            for (const Module* m : modules_) {
                const auto module_start = std::chrono::steady_clock::now();
                grade.modules.push_back(grade_module(*m, submission, build, slot));
                grade.modules.back().seconds =
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - module_start).count();
            }
        }
    } catch (const std::exception& e) {
        grade.error = e.what();
    }
    if (!scratch.empty() && !options_.keep_scratch) {
        std::error_code ec;
        fs::remove_all(scratch, ec);
    }
    grade.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return grade;
}

std::vector<SubmissionGrade> Grader::grade_all(const std::vector<fs::path>& submissions,
                                               const std::function<void(const SubmissionGrade&)>& on_done) {
    std::vector<SubmissionGrade> grades(submissions.size());
    std::atomic<size_t> next{0};
    std::mutex report;
    auto worker = [&](int slot) {
        for (size_t i; (i = next++) < submissions.size();) {
            grades[i] = grade(submissions[i], slot);
            const std::lock_guard<std::mutex> lock(report);
            if (on_done) on_done(grades[i]);
        }
    };
    const int workers = static_cast<int>(std::min<size_t>(static_cast<size_t>(std::max(1, options_.jobs)),
                                                          submissions.size()));
    std::vector<std::thread> threads;
    for (int slot = 1; slot < workers; ++slot) threads.emplace_back(worker, slot);
    worker(0);
    for (std::thread& t : threads) t.join();
    return grades;
}

}  // namespace tito
