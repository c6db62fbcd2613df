// The Gradescope autograder package end to end: written by `tito grade
// --gradescope-package`, unpacked into a folder laid out like Gradescope's
// /autograder, its setup.sh run (a real build of the packaged tree, served by
// ccache), then run_autograder on a submission as Gradescope would.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "archive.hpp"
#include "curriculum.hpp"
#include "grade_test_support.hpp"

extern char** environ;

using namespace tito;
using namespace tito::testing;

namespace {

// Runs a script with TITO_AUTOGRADER_ROOT pointing at `root`, from `root`
// (Gradescope's working folder is /autograder).
ProcessResult run_script(const fs::path& script, const fs::path& root, double timeout) {
    ProcessOptions options;
    options.working_dir = root;
    options.timeout_seconds = timeout;
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
    env.push_back("TITO_AUTOGRADER_ROOT=" + root.string());
    options.environment = env;
    return run_process({script.string()}, options);
}

}  // namespace

TEST(GradescopeEndToEnd, RunAutograderGradesASubmissionLaidOutLikeGradescope) {
    TempDir dir("gradescope");
    const fs::path zip = dir.path() / "autograder.zip";
    const ProcessResult packaged =
        run_tito(source_dir(), {"grade", "--gradescope-package", zip.string(), "--timeout", "30"});
    ASSERT_EQ(packaged.exit_code, 0) << packaged.output;

    // /autograder/source holds the zip's contents, scripts at its root.
    const fs::path root = dir.path() / "autograder";
    for (const char* folder : {"source", "submission", "results"}) fs::create_directories(root / folder);
    ArchiveLimits limits;
    limits.max_entries = 100000;
    limits.max_total_bytes = 1ull << 30;
    extract_archive(zip, root / "source", limits);
    ASSERT_TRUE(fs::is_regular_file(root / "source" / "setup.sh"));
    ASSERT_TRUE(fs::is_regular_file(root / "source" / "tinytorch" / "curriculum.json"));
    EXPECT_TRUE(fs::is_regular_file(root / "source" / "tinytorch" / "tests" / "hidden" / "02_activations" /
                                    "test_activations_hidden.cpp"));
    EXPECT_FALSE(fs::exists(root / "source" / "tinytorch" / "build"));

    const ProcessResult setup = run_script(root / "source" / "setup.sh", root, 2400);
    ASSERT_EQ(setup.exit_code, 0) << setup.output.substr(setup.output.size() > 6000 ? setup.output.size() - 6000 : 0);
    EXPECT_NE(setup.output.find("Self-check"), std::string::npos);
    struct stat info {};
    ASSERT_EQ(::stat((root / "source").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0700u);

    // The student uploaded the archive `tito submit` wrote, with tanh unwritten.
    std::vector<std::string> every_module;
    for (const Module& m : load_curriculum(source_dir() / "curriculum.json").modules)
        every_module.push_back(m.number);
    SubmissionFolder student(dir, "student", every_module);
    student.replace_solution("modules/02_activations/activations.cpp", "Tensor tanh(const Tensor& x) {",
                             "    not_implemented(2);");
    std::vector<ArchiveMember> members;
    for (const auto& entry : fs::recursive_directory_iterator(student.path()))
        if (entry.is_regular_file())
            members.push_back({fs::relative(entry.path(), student.path()).generic_string(), entry.path()});
    write_archive(root / "submission" / "tinytorch-submission.tar.gz", members, ArchiveFormat::TarGz);

    // Gradescope copies run_autograder to /autograder and runs it there.
    fs::copy_file(root / "source" / "run_autograder", root / "run_autograder");
    const ProcessResult graded = run_script(root / "run_autograder", root, 1800);
    EXPECT_EQ(graded.exit_code, 0) << graded.output;
    const nlohmann::json results = nlohmann::json::parse(read_text(root / "results" / "results.json"));

    double total = 0;
    for (const Module& m : load_curriculum(source_dir() / "curriculum.json").modules) total += m.points;
    EXPECT_NEAR(results.at("score").get<double>(), total - 1.0, 1e-9) << graded.output;  // 7 of module 02's 8
    EXPECT_NE(results.at("output").get<std::string>().find("graded the archive tinytorch-submission.tar.gz"),
              std::string::npos);
    size_t failed = 0;
    for (const auto& t : results.at("tests")) {
        failed += t.at("status") == "failed" ? 1 : 0;
        if (t.at("name").get<std::string>().find("(hidden)") != std::string::npos) {
            EXPECT_EQ(t.at("visibility"), "after_published");
        }
    }
    EXPECT_EQ(failed, 7u);
}
