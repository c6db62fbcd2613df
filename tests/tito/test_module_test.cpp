// `tito module test NN` on a workspace of its own (the toy course): it
// configures on first use, builds only that module, explains stubs,
// failures and compile errors, warns about a locked module, and records
// completion — counts and file hash — and what it unlocked.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "hashing.hpp"
#include "tito_test_support.hpp"
#include "toy_workspace.hpp"
#include "workspace.hpp"

using namespace tito;
using namespace tito::testing;
using nlohmann::json;

namespace {

json progress_of(const ToyWorkspace& toy) { return json::parse(read_text(toy.progress_file())); }

}  // namespace

TEST(ModuleTest, StubFailsReadingNotImplementedWithWhereToWriteIt) {
    ToyWorkspace toy;
    ASSERT_FALSE(fs::exists(toy.root() / "build"));
    const ProcessResult r = toy.tito({"module", "test", "01"});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("Configuring the build"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("not implemented yet: alpha_value  (3 tests)  modules/01_alpha/alpha.cpp:7"),
              std::string::npos)
        << r.output;
    EXPECT_EQ(r.output.find("C++ exception"), std::string::npos) << "a raw exception was shown:\n" << r.output;
    EXPECT_NE(r.output.find("✗ module 01: 0 of 3 tests pass"), std::string::npos) << r.output;
}

TEST(ModuleTest, FailingRunIsRecordedAsIncompleteWithItsCounts) {
    ToyWorkspace toy;
    toy.tito({"module", "test", "01"});
    const json m = progress_of(toy)["modules"]["01"];
    EXPECT_EQ(m["state"], "incomplete");
    EXPECT_EQ(m["tests_passed"], 0);
    EXPECT_EQ(m["tests_total"], 3);
    EXPECT_TRUE(m.contains("last_run"));
    EXPECT_FALSE(m.contains("files_sha256"));
}

TEST(ModuleTest, BuildsOnlyThatModule) {
    ToyWorkspace toy;
    toy.tito({"module", "test", "01"});
    EXPECT_TRUE(fs::exists(toy.root() / "build" / "release" / "bin" / "test_01_alpha"));
    EXPECT_FALSE(fs::exists(toy.root() / "build" / "release" / "bin" / "test_02_beta"));
    EXPECT_FALSE(fs::exists(toy.root() / "build" / "release" / "bin" / "milestone_04_01_lecun_tinydigits"));
}

TEST(ModuleTest, PassingCompletesTheModuleAndSaysWhatIsUnlocked) {
    ToyWorkspace toy;
    toy.write_student_file("01", ToyFile::Solution);
    const ProcessResult r = toy.tito({"module", "test", "01"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("✓ module 01: 3 of 3 tests pass"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("★ Module 01 completed — 1 of 3 modules."), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("Unlocked: module 02, Beta: the second module"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("Next: tito module test 02"), std::string::npos) << r.output;
}

TEST(ModuleTest, CompletionRecordsCountsTimestampAndTheFilesHash) {
    ToyWorkspace toy;
    toy.write_student_file("01", ToyFile::Solution);
    toy.tito({"module", "test", "01"});
    const json m = progress_of(toy)["modules"]["01"];
    EXPECT_EQ(m["state"], "completed");
    EXPECT_EQ(m["tests_passed"], 3);
    EXPECT_EQ(m["tests_total"], 3);
    EXPECT_EQ(m["completed_at"], m["last_run"]);
    const Workspace workspace(toy.root());
    EXPECT_EQ(m["files_sha256"], workspace.student_files_sha256(workspace.curriculum().module("01")));
    EXPECT_EQ(m["files_sha256"].get<std::string>().size(), 64u);
}

TEST(ModuleTest, FailingTestShowsExpectedAndActualWithFileAndLine) {
    ToyWorkspace toy;
    toy.write_student_file("01", ToyFile::Wrong);
    const ProcessResult r = toy.tito({"module", "test", "01"});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("✗ alpha.ValueIsRight  modules/01_alpha/tests/test_alpha.cpp:4"), std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("Expected equality of these values:"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("Which is: 42"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("✗ module 01: 2 of 3 tests pass"), std::string::npos) << r.output;
}

TEST(ModuleTest, ErrorThrownByTheStudentsCodeIsShownAsSuch) {
    ToyWorkspace toy;
    toy.write_student_file("01", ToyFile::Throws);
    const ProcessResult r = toy.tito({"module", "test", "01"});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("✗ alpha.ValueIsRight\n      your code threw: index 3 is out of range for size 2\n"),
              std::string::npos)
        << r.output;
    EXPECT_EQ(r.output.find("C++ exception"), std::string::npos) << r.output;
}

TEST(ModuleTest, CrashNamesTheTestAndHowToFindTheLine) {
    ToyWorkspace toy;
    toy.write_student_file("01", ToyFile::Crashes);
    const ProcessResult r = toy.tito({"module", "test", "01"});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("✗ module 01: the test program stopped (killed by signal 11 (SIGSEGV)) in "
                            "alpha.ValueIsRight, before it could report."),
              std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("build/sanitize/bin/test_01_alpha --gtest_filter=alpha.ValueIsRight"), std::string::npos)
        << r.output;
    const json m = progress_of(toy)["modules"]["01"];
    EXPECT_EQ(m["state"], "incomplete");
    EXPECT_EQ(m["crashed"], true);
    EXPECT_FALSE(m.contains("tests_total"));
    EXPECT_NE(toy.tito({"module", "status"}).output.find("ready       crashed"), std::string::npos);
}

TEST(ModuleTest, PassingAgainAnnouncesNothingNew) {
    ToyWorkspace toy;
    toy.write_student_file("01", ToyFile::Solution);
    ASSERT_EQ(toy.tito({"module", "test", "01"}).exit_code, 0);
    const ProcessResult again = toy.tito({"module", "test", "01"});
    EXPECT_EQ(again.exit_code, 0) << again.output;
    EXPECT_NE(again.output.find("✓ module 01: 3 of 3 tests pass"), std::string::npos) << again.output;
    EXPECT_EQ(again.output.find("★"), std::string::npos) << again.output;
    EXPECT_EQ(again.output.find("Unlocked"), std::string::npos) << again.output;
}

TEST(ModuleTest, PassingWithAChangedFileCompletesItAgainWithTheNewHash) {
    ToyWorkspace toy;
    toy.write_student_file("01", ToyFile::Solution);
    ASSERT_EQ(toy.tito({"module", "test", "01"}).exit_code, 0);
    write_text(toy.student_file("01"), read_text(toy.student_file("01")) + "// tidied up\n");
    const ProcessResult again = toy.tito({"module", "test", "01"});
    EXPECT_NE(again.output.find("★ Module 01 completed again, with your changed file"), std::string::npos) << again.output;
    const json s = json::parse(toy.tito({"module", "status", "--json"}).output);
    EXPECT_EQ(s["modules"][0]["state"], "completed");
}

TEST(ModuleTest, FailingAfterCompletionTakesTheCompletionBack) {
    ToyWorkspace toy;
    toy.write_student_file("01", ToyFile::Solution);
    ASSERT_EQ(toy.tito({"module", "test", "01"}).exit_code, 0);
    toy.write_student_file("01", ToyFile::Wrong);
    const ProcessResult r = toy.tito({"module", "test", "01"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("Module 01 is no longer completed"), std::string::npos) << r.output;
    EXPECT_EQ(progress_of(toy)["modules"]["01"]["state"], "incomplete");
}

TEST(ModuleTest, CompileErrorShowsTheFirstErrorsWithFileAndLine) {
    ToyWorkspace toy;
    write_text(toy.student_file("01"), "#include \"alpha.hpp\"\nint alpha_value() {\n    return undeclared_name;\n}\n");
    const ProcessResult r = toy.tito({"module", "test", "01"});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("module 01 does not compile. The first errors:"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("modules/01_alpha/alpha.cpp:3:12: error: ‘undeclared_name’ was not declared"),
              std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("    3 |     return undeclared_name;"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("ninja"), std::string::npos) << "the raw build log was shown:\n" << r.output;
    EXPECT_EQ(progress_of(toy)["modules"]["01"]["compiled"], false);
}

TEST(ModuleTest, CompileErrorsAreTrimmedToTheFirstFew) {
    ToyWorkspace toy;
    std::string source = "#include \"alpha.hpp\"\nint alpha_value() {\n";
    for (int i = 0; i < 12; ++i) source += fmt::format("    int v{} = missing_{};\n", i, i);
    write_text(toy.student_file("01"), source + "    return 0;\n}\n");
    const ProcessResult r = toy.tito({"module", "test", "01"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("missing_0"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("missing_4"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("missing_5"), std::string::npos) << r.output;
}

TEST(ModuleTest, LockedModuleIsTestedAnywaySayingWhichComesFirst) {
    ToyWorkspace toy;
    toy.write_student_file("01", ToyFile::Solution);
    toy.write_student_file("02", ToyFile::Solution);
    const ProcessResult r = toy.tito({"module", "test", "02"});
    EXPECT_NE(r.output.find("Module 02 is locked: module 01 (Alpha: the first module) comes first and is not "
                            "completed yet (`tito module test 01`). Testing module 02 anyway."),
              std::string::npos)
        << r.output;
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(progress_of(toy)["modules"]["02"]["state"], "completed");
    const json s = json::parse(toy.tito({"module", "status", "--json"}).output);
    EXPECT_EQ(s["modules"][0]["state"], "ready");
    EXPECT_EQ(s["modules"][1]["state"], "completed");
}

TEST(ModuleTest, AllTestsEveryModuleInOrder) {
    ToyWorkspace toy;
    for (const std::string& n : ToyWorkspace::module_numbers()) toy.write_student_file(n, ToyFile::Solution);
    toy.write_student_file("03", ToyFile::Wrong);
    const ProcessResult r = toy.tito({"module", "test", "--all"});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_LT(r.output.find("Module 01: Alpha"), r.output.find("Module 02: Beta"));
    EXPECT_LT(r.output.find("Module 02: Beta"), r.output.find("Module 03: Gamma"));
    EXPECT_NE(r.output.find("✗ 2 of 3 modules pass."), std::string::npos) << r.output;
    const json p = progress_of(toy);
    EXPECT_EQ(p["modules"]["02"]["state"], "completed");
    EXPECT_EQ(p["modules"]["03"]["state"], "incomplete");
}

TEST(ModuleTest, CorruptProgressFileStopsBeforeBuilding) {
    ToyWorkspace toy;
    toy.write_progress(R"({"schema_version": 0})");
    const ProcessResult r = toy.tito({"module", "test", "01"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("schema version 0"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(toy.root() / "build" / "release"));
    EXPECT_EQ(read_text(toy.progress_file()), R"({"schema_version": 0})");
}

TEST(ModuleTest, InstructorTreeTestsTheReferenceAndCompletesIt) {
    ToyWorkspace toy("toy-instructor", /*instructor=*/true);
    const ProcessResult r = toy.tito({"module", "test", "01"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("★ Module 01 completed — 1 of 3 modules."), std::string::npos) << r.output;
    const json s = json::parse(toy.tito({"module", "status", "--json"}).output);
    EXPECT_EQ(s["tree"], "instructor");
    EXPECT_EQ(s["modules"][0]["state"], "completed");
}
