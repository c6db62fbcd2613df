// grading_commands.cpp — `tito submit` and `tito grade` on the command line.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "console.hpp"
#include "errors.hpp"
#include "files.hpp"
#include "grade.hpp"
#include "gradebook.hpp"
#include "gradescope.hpp"
#include "grading.hpp"
#include "submit.hpp"

namespace tito {

namespace {

namespace fs = std::filesystem;

struct SubmitOptions {
    std::string out;
    std::string student;
};

struct GradeCommandOptions {
    std::vector<std::string> submissions;
    std::vector<std::string> modules;
    std::string json, csv, package, scratch;
    int jobs = 1;
    double timeout = 60;
    double budget = 0;
    double build_timeout = 300;
    uint64_t memory_mb = 2048;
    std::string isolation = "auto";
    std::string hidden_visibility = "after_published";
    bool keep_scratch = false;
    double fail_under = -1;
};

std::string human_bytes(uint64_t bytes) {
    if (bytes < 1024) return fmt::format("{} B", bytes);
    return fmt::format("{:.1f} KB", static_cast<double>(bytes) / 1024.0);
}

void add_submit_command(CLI::App& app) {
    auto opt = std::make_shared<SubmitOptions>();
    auto* submit = app.add_subcommand("submit", "Student: pack your module files and progress to hand in");
    submit->add_option("--out", opt->out, "Archive to write (default: tinytorch-submission.tar.gz in the workspace)");
    submit->add_option("--student", opt->student, "Your name, recorded in the archive");
    submit->callback([opt] {
        const Workspace workspace = Workspace::find();
        const fs::path out = opt->out.empty() ? default_submission_path(workspace) : fs::path(opt->out);
        const SubmitSummary s = write_submission(workspace, out, opt->student);
        std::cout << console::bold(fmt::format("Packed {} files into {}", s.entries.size(), s.archive.string()))
                  << "\n";
        for (const SubmittedEntry& e : s.entries)
            std::cout << fmt::format("  {:<44} {:>9}  sha256 {}\n", e.path, human_bytes(e.bytes), e.sha256.substr(0, 12));
        for (const std::string& missing : s.missing)
            std::cout << console::yellow("  missing: ") << missing << " (its module will score 0)\n";
        std::cout << "Hand in " << s.archive.filename().string() << " as your submission.\n";
    });
}

// The options that run_autograder passes on to `tito grade`.
std::vector<std::string> package_arguments(const GradeCommandOptions& o) {
    std::vector<std::string> args = {"--timeout", fmt::format("{:g}", o.timeout), "--build-timeout",
                                     fmt::format("{:g}", o.build_timeout), "--memory", std::to_string(o.memory_mb),
                                     "--hidden-visibility", o.hidden_visibility};
    if (o.budget > 0) {
        args.push_back("--budget");
        args.push_back(fmt::format("{:g}", o.budget));
    }
    if (o.isolation != "auto") {
        args.push_back("--isolation");
        args.push_back(o.isolation);
    }
    for (const std::string& m : o.modules) {
        args.push_back("--module");
        args.push_back(m);
    }
    return args;
}

void write_outputs(const GradeCommandOptions& o, const Grader& grader, const std::vector<SubmissionGrade>& grades) {
    if (!o.json.empty()) {
        if (grades.size() == 1) {
            write_file_atomically(o.json, results_json(grades.front(), grader.context()));
        } else {
            nlohmann::json all = nlohmann::json::array();
            for (const SubmissionGrade& g : grades)
                all.push_back({{"student", g.student},
                               {"source", g.source},
                               {"results", nlohmann::json::parse(results_json(g, grader.context()))}});
            write_file_atomically(o.json, nlohmann::json{{"submissions", all}}.dump(2) + "\n");
        }
        std::cout << "Wrote " << o.json << "\n";
    }
    const std::string csv = gradebook_csv(grades, grader.modules());
    if (!o.csv.empty()) {
        write_file_atomically(o.csv, csv);
        std::cout << "Wrote the gradebook " << o.csv << "\n";
    } else if (grades.size() > 1) {
        std::cout << console::bold("Gradebook") << " (CSV; --csv FILE writes it to a file)\n" << csv;
    }
}

void add_grade_command(CLI::App& app) {
    auto opt = std::make_shared<GradeCommandOptions>();
    auto* grade = app.add_subcommand(
        "grade", "Instructor: grade submissions (folders or .tar.gz/.zip) with the visible and hidden tests");
    grade->add_option("SUBMISSION", opt->submissions, "Submission folders or archives");
    // One value per --module, so `--module 02 alice/` leaves alice/ a submission.
    grade->add_option("--module", opt->modules, "Grade only this module (repeatable), e.g. --module 02")
        ->allow_extra_args(false);
    grade->add_option("--json", opt->json, "Write Gradescope's results.json (one submission) or all results");
    grade->add_option("--csv", opt->csv, "Write the gradebook: one row per submission, one column per module");
    grade->add_option("-j,--jobs", opt->jobs, "Submissions graded at the same time")->check(CLI::PositiveNumber);
    grade->add_option("--timeout", opt->timeout, "Seconds one run of a test program may take (default 60)")
        ->check(CLI::PositiveNumber);
    grade->add_option("--budget", opt->budget,
                      "Seconds all runs of one module may take together (default: 2 x timeout)")
        ->check(CLI::PositiveNumber);
    grade->add_option("--build-timeout", opt->build_timeout, "Seconds to compile one module (default 300)")
        ->check(CLI::PositiveNumber);
    grade->add_option("--memory", opt->memory_mb, "Memory limit of a test program in MB (default 2048)")
        ->check(CLI::PositiveNumber);
    grade->add_option("--isolation", opt->isolation, "auto (default), namespaces, uid or limits")
        ->check(CLI::IsMember({"auto", "namespaces", "uid", "limits"}));
    grade->add_option("--hidden-visibility", opt->hidden_visibility,
                      "Gradescope visibility of hidden tests (default after_published)")
        ->check(CLI::IsMember({"hidden", "after_due_date", "after_published", "visible"}));
    grade->add_option("--scratch", opt->scratch, "Folder for the scratch builds (default: build/ of this tree)");
    grade->add_flag("--keep-scratch", opt->keep_scratch, "Keep each submission's scratch build (to inspect it)");
    grade->add_option("--fail-under", opt->fail_under,
                      "Exit with code 1 when a submission scores under this percentage (a self-check)");
    grade->add_option("--gradescope-package", opt->package,
                      "Write a Gradescope autograder package (zip) instead of grading");
    grade->callback([opt] {
        const Workspace workspace = Workspace::find();
        if (!opt->package.empty()) {
            if (!opt->submissions.empty())
                throw UsageError("--gradescope-package writes the autograder; it grades no submission");
            const PackageSummary s = write_gradescope_package(workspace, opt->package, package_arguments(*opt));
            std::cout << fmt::format("Wrote the Gradescope autograder {} (setup.sh, run_autograder and {} files of "
                                     "the instructor tree).\nUpload it as the assignment's autograder, on the "
                                     "Ubuntu 24.04 base image.\n", s.zip.string(), s.tree_files);
            return;
        }
        if (opt->submissions.empty())
            throw UsageError("say which submissions to grade: `tito grade alice.tar.gz bob/` (folders or archives)");
        GradeOptions options;
        options.modules = opt->modules;
        options.jobs = opt->jobs;
        options.timeout = opt->timeout;
        options.budget = opt->budget;
        options.build_timeout = opt->build_timeout;
        options.memory_mb = opt->memory_mb;
        if (opt->isolation != "auto") options.isolation = parse_isolation(opt->isolation);
        options.hidden_visibility = opt->hidden_visibility;
        options.keep_scratch = opt->keep_scratch;
        if (!opt->scratch.empty()) options.scratch_parent = fs::absolute(opt->scratch);
        std::vector<fs::path> submissions;
        for (const std::string& s : opt->submissions) {
            if (!fs::exists(fs::symlink_status(s)))
                throw UsageError(fmt::format("{} does not exist", s));
            submissions.push_back(fs::absolute(s));
        }

        std::cout << "Preparing: building the instructor's tests and the sandbox...\n" << std::flush;
        Grader grader(workspace, options);
        std::cout << "Sandbox: " << grader.context().isolation << "\n";
        std::cout << "Limits per test program: " << grader.context().limits << "\n";
        for (const std::string& w : grader.context().warnings) std::cout << console::yellow("warning: ") << w << "\n";
        std::cout << "\n" << std::flush;
        const std::vector<SubmissionGrade> grades = grader.grade_all(submissions, [&](const SubmissionGrade& g) {
            std::cout << grade_report(g, grader.context(), /*for_student=*/false) << "\n" << std::flush;
        });
        write_outputs(*opt, grader, grades);
        bool failed = false;
        for (const SubmissionGrade& g : grades) {
            if (!g.error.empty()) {
                std::cerr << console::red("error: ") << g.student << " could not be graded: " << g.error << "\n";
                failed = true;
            }
            if (opt->fail_under >= 0 && g.score() < g.max_score() * opt->fail_under / 100.0 - 1e-9) {
                std::cerr << console::red("error: ")
                          << fmt::format("{} scored {:.2f} of {:.2f}, under the required {:g}%\n", g.student,
                                         g.score(), g.max_score(), opt->fail_under);
                failed = true;
            }
        }
        if (failed) throw ExitWith{kExitFailure};
    });
}

}  // namespace

void add_grading_commands(CLI::App& app) {
    add_submit_command(app);
    add_grade_command(app);
}

}  // namespace tito
