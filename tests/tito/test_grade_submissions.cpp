// Whole submissions through the real `tito grade`: the reference solution
// scores 100%, a fresh release (every function a stub) scores 0% without a
// crash, and a batch graded in parallel makes an exact CSV gradebook.
#include <gtest/gtest.h>

#include <iostream>

#include "archive.hpp"
#include "curriculum.hpp"
#include "grade_test_support.hpp"

using namespace tito;
using namespace tito::testing;

namespace {

double total_points() {
    double total = 0;
    for (const Module& m : load_curriculum(source_dir() / "curriculum.json").modules) total += m.points;
    return total;
}

}  // namespace

TEST(Grade, ReferenceSolutionScoresFullMarks) {
    TempDir dir("grade-reference");
    const Curriculum curriculum = load_curriculum(source_dir() / "curriculum.json");
    std::vector<std::string> every_module;
    for (const Module& m : curriculum.modules) every_module.push_back(m.number);
    const SubmissionFolder reference(dir, "reference", every_module);

    const GradeRun run = run_grade({reference.path().string()});
    EXPECT_EQ(run.process.exit_code, 0) << run.process.output;
    EXPECT_NEAR(run.score(), total_points(), 1e-9) << run.process.output;
    EXPECT_TRUE(run.failed_tests().empty()) << run.process.output;
    for (const Module& m : curriculum.modules) EXPECT_NEAR(run.module_score(m.number), m.points, 1e-9);
    size_t hidden = 0;
    for (const auto& t : run.results.at("tests")) {
        const bool is_hidden = t.at("name").get<std::string>().find("(hidden)") != std::string::npos;
        hidden += is_hidden ? 1 : 0;
        EXPECT_EQ(t.at("visibility"), is_hidden ? "after_published" : "visible");
        EXPECT_EQ(t.at("status"), "passed");
        EXPECT_EQ(t.at("score"), t.at("max_score"));
    }
    EXPECT_GT(hidden, 0u);
    // The time to grade one full submission, for docs/instructor-guide.md.
    std::cout << "[ grading  ] one full submission (" << curriculum.modules.size() << " modules, "
              << run.test_count() << " tests) took " << run.seconds << " s\n";
}

TEST(Grade, FreshReleaseScoresZeroWithoutACrash) {
    TempDir dir("grade-release");
    const fs::path student = dir.path() / "student";
    const ProcessResult released = run_tito(source_dir(), {"release", "--out", student.string()});
    ASSERT_EQ(released.exit_code, 0) << released.output;
    // The student hands it in as they would.
    const fs::path archive = dir.path() / "newcomer.tar.gz";
    const ProcessResult submitted = run_tito(student, {"submit", "--out", archive.string()});
    ASSERT_EQ(submitted.exit_code, 0) << submitted.output;

    const GradeRun run = run_grade({archive.string()});
    EXPECT_EQ(run.process.exit_code, 0) << run.process.output;
    EXPECT_EQ(run.score(), 0.0);
    EXPECT_TRUE(run.passed_tests().empty());
    EXPECT_EQ(run.results.at("extra_data").at("student"), "newcomer");
    EXPECT_EQ(run.test_output("01 tensor: Matmul.TwoByTwo"), "not implemented yet: Tensor::Tensor (module 01)");
    EXPECT_NEAR(run.results.at("extra_data").at("max_score").get<double>(), total_points(), 1e-9);
}

TEST(Grade, BatchInParallelMakesTheGradebook) {
    TempDir dir("grade-batch");
    const SubmissionFolder alice(dir, "alice", {"02"});
    SubmissionFolder bob(dir, "bob", {"02"});
    bob.replace_solution("modules/02_activations/activations.cpp", "Tensor tanh(const Tensor& x) {",
                         "    not_implemented(2);");
    SubmissionFolder carol(dir, "carol", {"02"});
    carol.replace_solution("modules/02_activations/activations.cpp", "Tensor tanh(const Tensor& x) {",
                           "    out = ;");
    const fs::path csv = dir.path() / "gradebook.csv";
    const GradeRun run = run_grade({alice.path().string(), bob.path().string(), carol.path().string(), "--module",
                                    "02", "-j", "2", "--csv", csv.string()});
    EXPECT_EQ(run.process.exit_code, 0) << run.process.output;
    EXPECT_EQ(read_text(csv),
              "student,02_activations,total,notes\n"
              "alice,8.00,8.00,\n"
              "bob,7.00,7.00,\n"
              "carol,0.00,0.00,02 did not compile\n");
    // With several submissions the --json file holds each one's results.
    ASSERT_EQ(run.results.at("submissions").size(), 3u);
    EXPECT_EQ(run.results.at("submissions")[1].at("student"), "bob");
    EXPECT_EQ(run.results.at("submissions")[1].at("results").at("score"), 7.0);
    // A table per submission on stdout.
    for (const char* line : {"alice: 8.00 / 8.00 points", "bob: 7.00 / 8.00 points", "carol: 0.00 / 8.00 points"})
        EXPECT_NE(run.process.output.find(line), std::string::npos) << run.process.output;
}

TEST(Grade, StudentTreeCannotGrade) {
    TempDir dir("grade-student-tree");
    const fs::path student = dir.path() / "student";
    ASSERT_EQ(run_tito(source_dir(), {"release", "--out", student.string()}).exit_code, 0);
    const ProcessResult r = run_tito(student, {"grade", student.string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("holds the hidden tests"), std::string::npos) << r.output;
}
