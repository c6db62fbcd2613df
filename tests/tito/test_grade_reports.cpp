// The pieces of grading that need no build: reading test lists, naming
// students, the results.json schema, the CSV gradebook, `tito submit`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "archive.hpp"
#include "curriculum.hpp"
#include "gradebook.hpp"
#include "gradescope.hpp"
#include "grade_run.hpp"
#include "hashing.hpp"
#include "submission.hpp"
#include "tito_test_support.hpp"

using namespace tito;
using namespace tito::testing;

namespace {

// Every student file of the reference, into a new tree.
void copy_reference_files_into_new(const fs::path& tree) {
    for (const Module& m : load_curriculum(source_dir() / "curriculum.json").modules) {
        fs::create_directories(tree / m.folder());
        for (const std::string& file : m.files) fs::copy_file(source_dir() / m.folder() / file, tree / m.folder() / file);
    }
}

// Two modules, one test each visible and hidden, some passing.
struct Fixture {
    Module tensor{"01", "tensor", "Tensors", {"tensor.cpp"}, {}, 12};
    Module activations{"02", "activations", "Activations", {"activations.cpp"}, {"01"}, 8};
    GradingContext context{"tito 9.9", "namespaces: test", "60 s", {}, "after_published"};

    SubmissionGrade grade() const {
        SubmissionGrade g;
        g.student = "ada, \"the\" first";
        g.seconds = 12.4;
        ModuleGrade t;
        t.module = &tensor;
        t.tests = {{"Matmul.TwoByTwo", false, true, 6, "", ""},
                   {"HiddenMatmul.Large", true, false, 6, "failed: an expectation did not hold", "tests/hidden/x.cpp:3\nExpected 2"}};
        ModuleGrade a;
        a.module = &activations;
        a.state = ModuleState::DidNotCompile;
        a.problems = {"modules/02_activations/activations.cpp:5:3: error: expected ';'"};
        a.tests = {{"ReLU.KeepsTheShape", false, false, 4, "the module did not compile", ""},
                   {"HiddenReLU.Views", true, false, 4, "the module did not compile", ""}};
        g.modules = {t, a};
        return g;
    }
};

}  // namespace

TEST(GtestList, ReadsSuitesAndTestsAndSkipsCommentsAndDisabledTests) {
    const std::string output =
        "Running main() from ./googletest/src/gtest_main.cc\n"
        "Matmul.\n"
        "  TwoByTwo\n"
        "  DISABLED_Slow\n"
        "Typed/0.  # TypeParam = float\n"
        "  Adds  # GetParam() = 3\n"
        "DISABLED_Suite.\n"
        "  Anything\n";
    EXPECT_EQ(parse_gtest_list(output), (std::vector<std::string>{"Matmul.TwoByTwo", "Typed/0.Adds"}));
}

TEST(TidyOutput, ShortensTestPathsAndReplacesControlCharacters) {
    EXPECT_EQ(tidy_output("../../../../work/tree/modules/02_activations/tests/t.cpp:12: Failure\x1b[31m\n", 200),
              "modules/02_activations/tests/t.cpp:12: Failure?[31m\n");
    EXPECT_EQ(tidy_output("/x/y/tests/hidden/02_activations/h.cpp:3", 200), "tests/hidden/02_activations/h.cpp:3");
    EXPECT_EQ(tidy_output(std::string(50, 'a'), 10), "aaaaaaaaaa\n[... cut]");
}

TEST(StudentName, ComesFromTheArchiveOrFolderName) {
    EXPECT_EQ(student_name_of("/in/alice.tar.gz"), "alice");
    EXPECT_EQ(student_name_of("bob.zip"), "bob");
    EXPECT_EQ(student_name_of("carol.tgz"), "carol");
    EXPECT_EQ(student_name_of("/in/dave/"), "dave");
    EXPECT_EQ(student_name_of("/in/erin"), "erin");
}

TEST(ResultsJson, FollowsGradescopesSchema) {
    const Fixture f;
    const nlohmann::json r = nlohmann::json::parse(results_json(f.grade(), f.context));
    EXPECT_EQ(r.at("score"), 6.0);
    EXPECT_EQ(r.at("execution_time"), 12);
    ASSERT_EQ(r.at("tests").size(), 4u);
    const auto& passed = r.at("tests")[0];
    EXPECT_EQ(passed.at("name"), "01 tensor: Matmul.TwoByTwo");
    EXPECT_EQ(passed.at("score"), 6.0);
    EXPECT_EQ(passed.at("max_score"), 6.0);
    EXPECT_EQ(passed.at("status"), "passed");
    EXPECT_EQ(passed.at("visibility"), "visible");
    EXPECT_EQ(passed.at("output"), "");
    const auto& hidden = r.at("tests")[1];
    EXPECT_EQ(hidden.at("name"), "01 tensor (hidden): HiddenMatmul.Large");
    EXPECT_EQ(hidden.at("score"), 0.0);
    EXPECT_EQ(hidden.at("status"), "failed");
    EXPECT_EQ(hidden.at("visibility"), "after_published");
    // A hidden test shows its reason, never its assertions.
    EXPECT_EQ(hidden.at("output"), "failed: an expectation did not hold");
    EXPECT_NE(r.at("output").get<std::string>().find("modules/02_activations/activations.cpp:5:3: error"),
              std::string::npos);
    EXPECT_EQ(r.at("output").get<std::string>().find("HiddenMatmul"), std::string::npos);
}

TEST(ResultsJson, ReplacesBytesThatAreNotUtf8) {
    Fixture f;
    SubmissionGrade g = f.grade();
    g.modules[0].tests[0].passed = false;
    g.modules[0].tests[0].detail = "bad \xff\xfe bytes";
    const std::string text = results_json(g, f.context);
    EXPECT_NO_THROW(nlohmann::json::parse(text));
    EXPECT_NE(text.find("bad \xef\xbf\xbd\xef\xbf\xbd bytes"), std::string::npos);
}

TEST(Gradebook, OneRowPerStudentOneColumnPerModuleQuoted) {
    const Fixture f;
    EXPECT_EQ(gradebook_csv({f.grade()}, {&f.tensor, &f.activations}),
              "student,01_tensor,02_activations,total,notes\n"
              "\"ada, \"\"the\"\" first\",6.00,0.00,6.00,02 did not compile\n");
}

TEST(GradescopePackage, ScriptsGradeTheSubmissionFolderIntoResults) {
    const std::string run = gradescope_run_script({"--timeout", "30", "--module", "02"});
    EXPECT_NE(run.find("root=\"${TITO_AUTOGRADER_ROOT:-/autograder}\""), std::string::npos);
    EXPECT_NE(run.find("build/release/bin/tito grade \"$root/submission\" --json \"$results\" --timeout 30 --module 02"),
              std::string::npos)
        << run;
    const std::string setup = gradescope_setup_script({"--timeout", "it's"});
    EXPECT_NE(setup.find("tools/setup.sh\" --deps-only"), std::string::npos);
    EXPECT_NE(setup.find("--fail-under 100"), std::string::npos);
    EXPECT_NE(setup.find("--timeout 'it'\\''s'"), std::string::npos) << setup;
}

TEST(Submit, PacksStudentFilesProgressAndMetadataAndListsThem) {
    TempDir dir("submit");
    const fs::path tree = dir.path() / "workspace";
    fs::create_directories(tree);
    fs::copy_file(source_dir() / "curriculum.json", tree / "curriculum.json");
    copy_reference_files_into_new(tree);
    write_text(tree / ".tito" / "progress.json", "{\"opaque\": true}\n");
    fs::remove(tree / "modules/05_dataloader/dataloader.cpp");

    const fs::path archive = dir.path() / "out.tar.gz";
    const ProcessResult r = run_tito(tree, {"submit", "--out", archive.string(), "--student", "Ada"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("modules/01_tensor/tensor.cpp"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("missing: modules/05_dataloader/dataloader.cpp"), std::string::npos) << r.output;

    const fs::path extracted = dir.path() / "extracted";
    fs::create_directories(extracted);
    std::set<std::string> paths;
    for (const ExtractedEntry& e : extract_archive(archive, extracted)) paths.insert(e.path);
    // Every student file of the manifest but the removed one, and the two records.
    std::set<std::string> expected = {".tito/progress.json", ".tito/submission.json"};
    for (const Module& m : load_curriculum(source_dir() / "curriculum.json").modules)
        for (const std::string& file : m.files) expected.insert(m.folder() + "/" + file);
    expected.erase("modules/05_dataloader/dataloader.cpp");
    EXPECT_EQ(paths, expected);
    EXPECT_EQ(read_text(extracted / ".tito/progress.json"), "{\"opaque\": true}\n");
    const nlohmann::json metadata = nlohmann::json::parse(read_text(extracted / ".tito/submission.json"));
    EXPECT_EQ(metadata.at("student"), "Ada");
    EXPECT_EQ(metadata.at("course"), "TinyTorch C++");
    EXPECT_EQ(metadata.at("tool").get<std::string>().rfind("tito ", 0), 0u);
    for (const auto& f : metadata.at("files"))
        EXPECT_EQ(f.at("sha256"), sha256_file(extracted / f.at("path").get<std::string>())) << f.at("path");
}
