// The hostile submissions (DESIGN.md §7): each is made from the reference
// files with one thing changed, graded through the real `tito grade`, and
// checked for its exact score.
//
// Most cases break tanh() in module 02. Seven of module 02's 56 tests call
// tanh (written out in kTanhTests), so a submission whose tanh never returns
// normally — a stub, a hang, a fork bomb, exit(0), abort(), a segfault, a
// memory hog, fake test output — must score exactly 8 x 49/56 = 7 points,
// failing exactly those seven tests: the same as not writing tanh at all.
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "grade_test_support.hpp"
#include "raw_tar.hpp"
#include "hashing.hpp"
#include "sandbox.hpp"

using namespace tito;
using namespace tito::testing;

namespace {

constexpr const char* kActivations = "modules/02_activations/activations.cpp";
constexpr const char* kTanh = "Tensor tanh(const Tensor& x) {";
constexpr const char* kTanhReference = "    out = map_values(x, [](float v) { return std::tanh(v); });";
constexpr const char* kHiddenActivations = "tests/hidden/02_activations/test_activations_hidden.cpp";

// Headers and declarations the hostile bodies use. fork() is declared by
// hand: <unistd.h> is refused by the source check, the sandbox must cope anyway.
constexpr const char* kHostilePreamble =
    "#include <cstdio>\n#include <cstdlib>\n#include <cstring>\n#include <vector>\n"
    "extern \"C\" int fork() noexcept;\n";

const std::set<std::string> kTanhTests = {
    "02 activations: Tanh.KnownValues",
    "02 activations: Tanh.SaturatesToPlusMinusOne",
    "02 activations: Recording.EachElementwiseActivationRecordsItsOp",
    "02 activations (hidden): HiddenElementwise.RandomInputsMatchDoubleReference",
    "02 activations (hidden): HiddenElementwise.PermutedAndSteppedViewsMatchReference",
    "02 activations (hidden): HiddenTanh.ExtremeInputs",
    "02 activations (hidden): HiddenRecording.ObjectsRecordLikeTheirFunctions",
};
constexpr double kWithoutTanh = 7.0;  // 8 points x 49 / 56 tests

// A submission of module 02 (and `others`) with tanh's body replaced.
SubmissionFolder tanh_submission(const TempDir& dir, const std::string& body,
                                 const std::vector<std::string>& others = {}) {
    std::vector<std::string> modules = {"02"};
    modules.insert(modules.end(), others.begin(), others.end());
    SubmissionFolder s(dir, "student", modules);
    s.add_preamble(kActivations, kHostilePreamble);
    s.replace_solution(kActivations, kTanh, body);
    return s;
}

GradeRun grade_module_02(const SubmissionFolder& s, std::vector<std::string> extra = {"--timeout", "3"}) {
    std::vector<std::string> args = {s.path().string(), "--module", "02"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_grade(args);
}

// The score every tanh-breaking submission must get, and why each test failed.
void expect_costs_exactly_the_tanh_tests(const GradeRun& run) {
    EXPECT_EQ(run.process.exit_code, 0) << run.process.output;
    EXPECT_EQ(run.test_count(), 56u);
    EXPECT_NEAR(run.score(), kWithoutTanh, 1e-9) << run.process.output;
    EXPECT_NEAR(run.module_score("02"), kWithoutTanh, 1e-9);
    EXPECT_EQ(run.failed_tests(), kTanhTests) << run.process.output;
}

// No process of any sandbox uid is left.
void expect_no_sandbox_process_left() {
    for (uid_t uid = 65534; uid > 65534 - 256; --uid) EXPECT_EQ(count_tasks_of_uid(uid), 0) << "uid " << uid;
}

RawEntry reference_activations() {
    return {kActivations, AE_IFREG, read_text(source_dir() / kActivations), "", ""};
}

void expect_refused(const GradeRun& run, const std::string& why) {
    EXPECT_EQ(run.process.exit_code, 0) << run.process.output;
    EXPECT_EQ(run.score(), 0.0);
    EXPECT_TRUE(run.passed_tests().empty());
    EXPECT_NE(run.output().find(why), std::string::npos) << run.output();
}

}  // namespace

TEST(Hostile, StubbedTanhCostsExactlyTheTestsThatCallIt) {
    TempDir dir("hostile-stub");
    const GradeRun run = grade_module_02(tanh_submission(dir, "    not_implemented(2);"));
    expect_costs_exactly_the_tanh_tests(run);
    EXPECT_EQ(run.test_output("02 activations: Tanh.KnownValues"), "not implemented yet: tanh (module 02)");
}

TEST(Hostile, InfiniteLoopInOneFunctionCostsOnlyTheTestsThatCallIt) {
    TempDir dir("hostile-loop");
    const GradeRun run = grade_module_02(
        tanh_submission(dir, "    for (volatile unsigned long spin = 0;; spin = spin + 1) {\n    }"),
        {"--timeout", "2", "--budget", "120"});
    expect_costs_exactly_the_tanh_tests(run);
    EXPECT_NE(run.test_output("02 activations: Tanh.KnownValues").find("timed out"), std::string::npos);
    expect_no_sandbox_process_left();
}

TEST(Hostile, InfiniteLoopInEveryFunctionIsCutOffByTheModuleBudget) {
    TempDir dir("hostile-loop-everywhere");
    SubmissionFolder s(dir, "student", {"02"});
    s.replace_every_solution(kActivations, "    for (volatile unsigned long spin = 0;; spin = spin + 1) {\n    }");
    const GradeRun run = grade_module_02(s, {"--timeout", "2", "--budget", "8"});
    EXPECT_EQ(run.process.exit_code, 0) << run.process.output;
    EXPECT_EQ(run.score(), 0.0);
    EXPECT_EQ(run.failed_tests().size(), 56u);
    EXPECT_NE(run.process.output.find("time budget (8 s)"), std::string::npos) << run.process.output;
    // 8 s of budget and at most one 2 s run beyond it, not 56 tests x 2 s;
    // the rest is building and examining the reference.
    EXPECT_LT(run.results.at("execution_time").get<int>(), 60);
    expect_no_sandbox_process_left();
}

TEST(Hostile, ForkBombCostsOnlyItsTestsAndLeavesNoProcess) {
    TempDir dir("hostile-forkbomb");
    const GradeRun run = grade_module_02(tanh_submission(dir, "    for (;;) fork();"),
                                         {"--timeout", "2", "--budget", "120"});
    expect_costs_exactly_the_tanh_tests(run);
    expect_no_sandbox_process_left();
}

TEST(Hostile, ForkBombWithoutNamespacesIsKilledByUid) {
    if (::geteuid() != 0) {
        // Without root there is no uid to run as: the mode is refused.
        TempDir dir("hostile-forkbomb-uid");
        const ProcessResult r = run_tito(source_dir(), {"grade", dir.path().string(), "--isolation", "uid"});
        EXPECT_EQ(r.exit_code, 1);
        EXPECT_NE(r.output.find("needs root"), std::string::npos) << r.output;
        return;
    }
    TempDir dir("hostile-forkbomb-uid");
    const GradeRun run = grade_module_02(tanh_submission(dir, "    for (;;) fork();"),
                                         {"--timeout", "2", "--budget", "120", "--isolation", "uid"});
    expect_costs_exactly_the_tanh_tests(run);
    EXPECT_NE(run.process.output.find("Sandbox: uid:"), std::string::npos) << run.process.output;
    expect_no_sandbox_process_left();
}

TEST(Hostile, MemoryHogCostsOnlyItsTests) {
    TempDir dir("hostile-memory");
    // Leaks every block, so the whole run's later tests starve too; each is
    // then run on its own and passes. (512 MB, to keep the page faults short.)
    const GradeRun run = grade_module_02(
        tanh_submission(dir,
                        "    for (;;) {\n        char* block = new char[64u << 20];\n"
                        "        std::memset(block, 1, 64u << 20);\n    }"),
        {"--timeout", "5", "--budget", "120", "--memory", "512"});
    expect_costs_exactly_the_tanh_tests(run);
}

TEST(Hostile, ExitFromAStaticInitializerScoresZeroForItsModuleOnly) {
    TempDir dir("hostile-static-exit");
    SubmissionFolder s(dir, "student", {"02", "04"});
    s.add_preamble(kActivations, "#include <cstdlib>\nstatic const int exit_before_main = (std::exit(0), 0);\n");
    const GradeRun run = run_grade({s.path().string(), "--module", "02", "--module", "04", "--timeout", "5"});
    EXPECT_EQ(run.process.exit_code, 0) << run.process.output;
    EXPECT_EQ(run.module_score("02"), 0.0);
    EXPECT_EQ(run.module_score("04"), manifest_points("04"));  // built on the reference activations
    EXPECT_EQ(run.score(), manifest_points("04"));
    EXPECT_NE(run.test_output("02 activations: ReLU.KeepsTheShape").find("without writing its test report"),
              std::string::npos);
}

TEST(Hostile, ExitInsideATestedFunctionCostsOnlyItsTests) {
    TempDir dir("hostile-exit");
    const GradeRun run = grade_module_02(tanh_submission(dir, "    std::exit(0);"));
    expect_costs_exactly_the_tanh_tests(run);
    EXPECT_NE(run.test_output("02 activations: Tanh.KnownValues").find("in the middle of its tests"),
              std::string::npos);
}

TEST(Hostile, AbortCostsOnlyItsTests) {
    TempDir dir("hostile-abort");
    const GradeRun run = grade_module_02(tanh_submission(dir, "    std::abort();"));
    expect_costs_exactly_the_tanh_tests(run);
    EXPECT_NE(run.test_output("02 activations: Tanh.KnownValues").find("SIGABRT"), std::string::npos);
}

TEST(Hostile, SegfaultCostsOnlyItsTests) {
    TempDir dir("hostile-segfault");
    const GradeRun run = grade_module_02(tanh_submission(dir, "    int* volatile nowhere = nullptr;\n    *nowhere = 42;"));
    expect_costs_exactly_the_tanh_tests(run);
    EXPECT_NE(run.test_output("02 activations: Tanh.KnownValues").find("SIGSEGV"), std::string::npos);
}

TEST(Hostile, FakeGoogleTestOutputCannotTurnAFailureIntoAPass) {
    TempDir dir("hostile-fake-output");
    const std::string fake =
        "[----------] Global test environment tear-down\\n[==========] 56 tests from 9 test suites ran. (1 ms "
        "total)\\n[  PASSED  ] 56 tests.\\n";
    SubmissionFolder s = tanh_submission(
        dir, fmt::format("    std::printf(\"[       OK ] Tanh.KnownValues (0 ms)\\n{0}\");\n"
                         "    std::fprintf(stderr, \"{0}\");\n    std::fflush(nullptr);\n    not_implemented(2);",
                         fake));
    s.add_preamble(kActivations, fmt::format("static const int fake_banner = std::printf(\"{}\");", fake));
    expect_costs_exactly_the_tanh_tests(grade_module_02(s));
}

TEST(Hostile, WritingOutsideItsFolderChangesNothing) {
    TempDir dir("hostile-write");
    const fs::path in_tree = dir.path() / "escaped-into-the-instructor-tree";
    const fs::path in_tmp = fs::temp_directory_path() / ("tito-hostile-escape-" + std::to_string(::getpid()));
    const fs::path readme = source_dir() / "modules/02_activations/README.md";
    const std::string readme_before = sha256_file(readme);
    const std::string body = fmt::format(
        "    for (const char* path : {{\"{}\", \"{}\", \"../../escaped-relative\", \"{}\"}})\n"
        "        if (std::FILE* f = std::fopen(path, \"a\")) {{\n"
        "            std::fputs(\"escaped\", f);\n"
        "            std::fclose(f);\n"
        "        }}\n{}",
        in_tree.string(), in_tmp.string(), readme.string(), kTanhReference);
    const GradeRun run = grade_module_02(tanh_submission(dir, body));
    EXPECT_EQ(run.score(), manifest_points("02")) << run.process.output;  // tanh still computes tanh
    EXPECT_FALSE(fs::exists(in_tree));
    EXPECT_FALSE(fs::exists(in_tmp));
    EXPECT_EQ(sha256_file(readme), readme_before);
}

TEST(Hostile, ReadingTheHiddenTestsAtRunTimeFails) {
    TempDir dir("hostile-read");
    const std::string hidden = (source_dir() / kHiddenActivations).string();
    // If any read succeeded, tanh would compute tanh and its tests would pass.
    const std::string body = fmt::format(
        "    bool leaked = false;\n"
        "    for (const char* path : {{\"{0}\", \"/proc/1/root{0}\", \"/proc/self/root{0}\"}})\n"
        "        if (std::FILE* f = std::fopen(path, \"r\")) {{\n"
        "            char line[256] = {{}};\n"
        "            while (std::fgets(line, sizeof line, f)) std::printf(\"LEAKED %s\", line);\n"
        "            std::fclose(f);\n"
        "            leaked = true;\n"
        "        }}\n"
        "    if (!leaked) not_implemented(2);\n{1}",
        hidden, kTanhReference);
    const GradeRun run = grade_module_02(tanh_submission(dir, body));
    expect_costs_exactly_the_tanh_tests(run);
    EXPECT_EQ(run.process.output.find("LEAKED"), std::string::npos);
    EXPECT_EQ(run.results.dump().find("LEAKED"), std::string::npos);
}

TEST(Hostile, IncludingTheHiddenTestsIsRefused) {
    TempDir dir("hostile-include");
    SubmissionFolder s(dir, "student", {"02"});
    s.add_preamble(kActivations, "#include \"../../tests/hidden/02_activations/test_activations_hidden.cpp\"");
    const GradeRun run = grade_module_02(s);
    EXPECT_EQ(run.score(), 0.0);
    EXPECT_EQ(run.failed_tests().size(), 56u);
    EXPECT_NE(run.output().find("is not allowed in a submission"), std::string::npos) << run.output();
    // Nothing of the hidden file's text reaches anyone: not its helpers, not its lines.
    EXPECT_EQ(run.results.dump().find("gelu_ref"), std::string::npos);
    EXPECT_EQ(run.process.output.find("gelu_ref"), std::string::npos);
}

TEST(Hostile, InlineAssemblyThatEmbedsAFileIsRefused) {
    TempDir dir("hostile-incbin");
    SubmissionFolder s(dir, "student", {"02"});
    s.add_preamble(kActivations, fmt::format("asm(\".incbin \\\"{}\\\"\");", (source_dir() / kHiddenActivations).string()));
    const GradeRun run = grade_module_02(s);
    EXPECT_EQ(run.score(), 0.0);
    EXPECT_NE(run.output().find("inline assembly (asm) is not allowed"), std::string::npos) << run.output();
}

TEST(Hostile, CompileErrorCostsOnlyThatModule) {
    TempDir dir("hostile-compile-error");
    SubmissionFolder s(dir, "student", {"02", "04"});
    s.replace_solution(kActivations, kTanh, "    out = ;");
    const GradeRun run = run_grade({s.path().string(), "--module", "02", "--module", "04"});
    EXPECT_EQ(run.process.exit_code, 0) << run.process.output;
    EXPECT_EQ(run.module_score("02"), 0.0);
    EXPECT_EQ(run.module_score("04"), manifest_points("04"));
    const std::string output = run.output();
    EXPECT_NE(output.find("did not compile"), std::string::npos) << output;
    EXPECT_NE(output.find("modules/02_activations/activations.cpp:"), std::string::npos) << output;
    EXPECT_NE(output.find("error: expected primary-expression"), std::string::npos) << output;
    // The scratch build's paths are replaced by the student's file name.
    EXPECT_EQ(output.find("tito-submission"), std::string::npos) << output;
    EXPECT_EQ(output.find("grade-"), std::string::npos) << output;
}

TEST(Hostile, MissingFileGetsTheStubAndScoresZeroForItsModule) {
    TempDir dir("hostile-missing");
    SubmissionFolder s(dir, "student", {"04"});
    const GradeRun run = run_grade({s.path().string(), "--module", "02", "--module", "04"});
    EXPECT_EQ(run.process.exit_code, 0) << run.process.output;
    EXPECT_EQ(run.module_score("02"), 0.0);
    EXPECT_EQ(run.module_score("04"), manifest_points("04"));
    EXPECT_NE(run.output().find("modules/02_activations/activations.cpp: it is missing from the submission"),
              std::string::npos)
        << run.output();
}

TEST(Hostile, ArchiveWithDotDotPathIsRefusedAndWritesNothingOutside) {
    TempDir dir("hostile-dotdot");
    const fs::path archive = dir.path() / "mallory.tar.gz";
    write_raw_tar_gz(archive, {reference_activations(), {"../../escaped-by-archive.cpp", AE_IFREG, "int x;\n", "", ""}});
    const GradeRun run = run_grade({archive.string(), "--module", "02"});
    expect_refused(run, "refused entry \"../../escaped-by-archive.cpp\": a \"..\" component");
    EXPECT_FALSE(fs::exists(source_dir() / "build" / "escaped-by-archive.cpp"));
    EXPECT_FALSE(fs::exists(source_dir() / "escaped-by-archive.cpp"));
    EXPECT_EQ(run.results.at("extra_data").at("student"), "mallory");
}

TEST(Hostile, ArchiveWithAbsolutePathIsRefused) {
    TempDir dir("hostile-absolute");
    const fs::path archive = dir.path() / "mallory.tar.gz";
    const fs::path target = fs::temp_directory_path() / ("tito-absolute-escape-" + std::to_string(::getpid()));
    write_raw_tar_gz(archive, {reference_activations(), {target.string(), AE_IFREG, "int x;\n", "", ""}});
    const GradeRun run = run_grade({archive.string(), "--module", "02"});
    expect_refused(run, "an absolute path");
    EXPECT_FALSE(fs::exists(target));
}

TEST(Hostile, ArchiveWithASymbolicLinkIsRefused) {
    TempDir dir("hostile-symlink");
    const fs::path archive = dir.path() / "mallory.tar.gz";
    write_raw_tar_gz(archive, {{kActivations, AE_IFLNK, "", (source_dir() / kHiddenActivations).string(), ""}});
    expect_refused(run_grade({archive.string(), "--module", "02"}), "a link");
}

TEST(Hostile, ArchiveWithAHardLinkIsRefused) {
    TempDir dir("hostile-hardlink");
    const fs::path archive = dir.path() / "mallory.tar.gz";
    write_raw_tar_gz(archive, {{"notes.txt", AE_IFREG, "notes\n", "", ""},
                               {kActivations, AE_IFREG, "", "", "notes.txt"}});
    expect_refused(run_grade({archive.string(), "--module", "02"}), "a link");
}

TEST(Hostile, LinkedStudentFileInAFolderIsRefused) {
    TempDir dir("hostile-folder-link");
    SubmissionFolder s(dir, "student", {"02"});
    s.remove(kActivations);
    fs::create_symlink(source_dir() / kHiddenActivations, s.file(kActivations));
    const GradeRun run = grade_module_02(s);
    EXPECT_EQ(run.score(), 0.0);
    EXPECT_NE(run.output().find("it is a link; only regular files are graded"), std::string::npos) << run.output();
    EXPECT_EQ(run.results.dump().find("gelu_ref"), std::string::npos);
}

TEST(Hostile, HugeOutputIsCutAndCostsNothing) {
    TempDir dir("hostile-output");
    const std::string body = fmt::format(
        "    static char chunk[1 << 16];\n"
        "    std::memset(chunk, 'x', sizeof chunk - 1);\n"
        "    for (int i = 0; i < 256; ++i) std::puts(chunk);\n{}",
        kTanhReference);
    const GradeRun run = grade_module_02(tanh_submission(dir, body));
    EXPECT_EQ(run.score(), manifest_points("02")) << run.process.output.substr(0, 2000);
    EXPECT_LT(run.results.dump().size(), 200u << 10);
    EXPECT_LT(run.process.output.size(), 200u << 10);
}
