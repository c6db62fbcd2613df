// `tito milestone list | run`: refused while a required module is not
// completed; otherwise built on the student's libraries, run with
// --output-dir and the options after `--`, judged by the manifest's gates
// from the program's record.json, and recorded. The toy course's stand-in
// programs report whatever results they are told to (toy_workspace.hpp).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tito_test_support.hpp"
#include "toy_workspace.hpp"

using namespace tito;
using namespace tito::testing;
using nlohmann::json;

namespace {

// A toy course whose three modules are solved and completed.
struct CompletedToy {
    ToyWorkspace toy;
    CompletedToy() {
        for (const std::string& n : ToyWorkspace::module_numbers()) toy.write_student_file(n, ToyFile::Solution);
        toy.mark_all_completed();
    }
};

ProcessResult run_part(const ToyWorkspace& toy, int part, const std::vector<std::string>& program_options) {
    std::vector<std::string> args = {"milestone", "run", "04", "--part", std::to_string(part), "--"};
    args.insert(args.end(), program_options.begin(), program_options.end());
    return toy.tito(args);
}

ProcessResult run_part_1(const ToyWorkspace& toy, const std::vector<std::string>& program_options) {
    return run_part(toy, 1, program_options);
}

json part_progress(const ToyWorkspace& toy, int part) {
    return json::parse(read_text(toy.progress_file()))["milestones"]["04"]["parts"][std::to_string(part)];
}

const std::vector<std::string> kGood = {"--set", "cnn_test_accuracy=0.95", "--set", "cnn_minus_mlp_test_accuracy=0.03"};

}  // namespace

TEST(Milestone, RefusedWhileARequiredModuleIsNotCompletedNamingIt) {
    ToyWorkspace toy;
    toy.write_student_file("01", ToyFile::Solution);
    toy.mark_all_completed();
    json progress = json::parse(read_text(toy.progress_file()));
    progress["modules"]["02"]["state"] = "incomplete";
    progress["modules"]["02"].erase("files_sha256");
    toy.write_progress(progress.dump());
    const ProcessResult r = run_part_1(toy, kGood);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("milestone 04 is locked: module 02 beta is not completed yet"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("start with `tito module test 02`"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(toy.root() / "build")) << "a locked milestone was built";
}

TEST(Milestone, RefusedOnAFreshStartNamingEveryModuleStillToDo) {
    ToyWorkspace toy;
    const ProcessResult r = run_part_1(toy, kGood);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("milestone 04 is locked: modules 01 alpha, 02 beta, 03 gamma are not completed yet"),
              std::string::npos)
        << r.output;
}

TEST(Milestone, RefusedWhenItNeedsAModuleTheCourseDoesNotHave) {
    CompletedToy c;
    json manifest = json::parse(read_text(c.toy.root() / "curriculum.json"));
    manifest["milestones"][0]["requires"].push_back("09");
    write_text(c.toy.root() / "curriculum.json", manifest.dump());
    const ProcessResult r = run_part_1(c.toy, kGood);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("it requires module 09, which this course does not have yet"), std::string::npos) << r.output;
}

TEST(Milestone, MeetingTheGatesCompletesThePartWithItsResults) {
    CompletedToy c;
    const ProcessResult r = run_part_1(c.toy, kGood);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("✓ cnn_test_accuracy 0.95 (needs >= 0.9)"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("✓ cnn_minus_mlp_test_accuracy 0.03 (needs > 0)"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("★ Milestone 04 part 1 completed"), std::string::npos) << r.output;
    const json part = part_progress(c.toy, 1);
    EXPECT_EQ(part["state"], "completed");
    EXPECT_EQ(part["results"]["cnn_test_accuracy"], 0.95);
    EXPECT_EQ(part["results"]["cnn_minus_mlp_test_accuracy"], 0.03);
    const json s = json::parse(c.toy.tito({"module", "status", "--json"}).output);
    EXPECT_EQ(s["milestones"][0]["parts"][0]["state"], "completed");
    EXPECT_EQ(s["milestones"][0]["state"], "unlocked");  // part 2 is still to do
    EXPECT_EQ(s["next"]["command"], "tito milestone run 04 --part 2");
}

TEST(Milestone, ProgramGetsItsOutputFolderThenThePassedOptionsAndRunsOnTheStudentsCode) {
    CompletedToy c;
    const ProcessResult r = run_part_1(c.toy, {"--set", "cnn_test_accuracy=0.95", "--epochs", "3"});
    const fs::path dir = fs::canonical(c.toy.root()) / "runs" / "04_1998_cnn" / "01_lecun_tinydigits";
    EXPECT_NE(r.output.find("arg: --output-dir\narg: " + dir.string() + "\narg: --set\narg: cnn_test_accuracy=0.95\n"
                            "arg: --epochs\narg: 3\n"),
              std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("training on gamma_value() = 9"), std::string::npos) << r.output;
    EXPECT_TRUE(fs::exists(dir / "record.json"));
}

TEST(Milestone, GateNotMetIsAFailedRunWithExit1) {
    CompletedToy c;
    const ProcessResult r = run_part_1(c.toy, {"--set", "cnn_test_accuracy=0.95", "--set", "cnn_minus_mlp_test_accuracy=0"});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("✗ cnn_minus_mlp_test_accuracy 0 (needs > 0)"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("✗ Milestone 04 part 1 failed: cnn_minus_mlp_test_accuracy is 0; the gate needs > 0"),
              std::string::npos)
        << r.output;
    const json part = part_progress(c.toy, 1);
    EXPECT_EQ(part["state"], "failed");
    EXPECT_EQ(part["last_run_passed"], false);
    EXPECT_EQ(part["last_results"]["cnn_minus_mlp_test_accuracy"], 0);
}

TEST(Milestone, DatasetGateJudgesOnlyRunsOnItsDataset) {
    CompletedToy c;
    const ProcessResult cifar = run_part(c.toy, 2, {"--set", "dataset=\"cifar10\"", "--set", "test_accuracy=0.7"});
    EXPECT_EQ(cifar.exit_code, 0) << cifar.output;
    EXPECT_NE(cifar.output.find("✓ test_accuracy 0.7 (needs >= 0.65)"), std::string::npos) << cifar.output;
    const ProcessResult fashion =
        run_part(c.toy, 2, {"--set", "dataset=\"fashion-mnist\"", "--set", "test_accuracy=0.7"});
    EXPECT_EQ(fashion.exit_code, 1) << fashion.output;
    EXPECT_NE(fashion.output.find("✗ test_accuracy 0.7 (needs >= 0.9)"), std::string::npos) << fashion.output;
}

TEST(Milestone, StatusNamesTheDatasetACompletedPartRanOn) {
    CompletedToy c;
    ASSERT_EQ(run_part(c.toy, 2, {"--set", "dataset=\"fashion-mnist\"", "--set", "test_accuracy=0.92"}).exit_code, 0);
    const ProcessResult r = c.toy.tito({"module", "status"});
    EXPECT_NE(r.output.find("completed   test_accuracy 0.92 on fashion-mnist\n"), std::string::npos) << r.output;
}

TEST(Milestone, RunOnADatasetNoGateCoversFails) {
    CompletedToy c;
    const ProcessResult r = run_part(c.toy, 2, {"--set", "dataset=\"mnist\"", "--set", "test_accuracy=0.99"});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("its record names the dataset \"mnist\", and the gates cover only cifar10, fashion-mnist"),
              std::string::npos)
        << r.output;
}

TEST(Milestone, MissingRecordIsAFailedRun) {
    CompletedToy c;
    const ProcessResult r = run_part_1(c.toy, {"--no-record"});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("it wrote no record: "), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("runs/04_1998_cnn/01_lecun_tinydigits/record.json does not exist"), std::string::npos)
        << r.output;
    EXPECT_EQ(r.output.find("training is random"), std::string::npos) << "no results: no hint about luck\n" << r.output;
}

TEST(Milestone, StatusSaysAFailedRunWithoutResultsStoppedWithoutResults) {
    CompletedToy c;
    ASSERT_EQ(run_part_1(c.toy, {"--no-record"}).exit_code, 1);
    const ProcessResult r = c.toy.tito({"module", "status"});
    EXPECT_NE(r.output.find("failed      last run stopped without results (gates: cnn_test_accuracy >= 0.9"),
              std::string::npos)
        << r.output;
}

TEST(Milestone, AStaleRecordNeverPassesANewRun) {
    CompletedToy c;
    ASSERT_EQ(run_part_1(c.toy, kGood).exit_code, 0);
    const ProcessResult r = run_part_1(c.toy, {"--no-record"});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("it wrote no record"), std::string::npos) << r.output;
}

TEST(Milestone, MissingMetricIsAFailedRun) {
    CompletedToy c;
    const ProcessResult r = run_part_1(c.toy, {"--set", "cnn_test_accuracy=0.97"});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("its record has no number \"cnn_minus_mlp_test_accuracy\" in its results (they hold: "
                            "cnn_test_accuracy)"),
              std::string::npos)
        << r.output;
}

TEST(Milestone, ProgramExitingNonZeroIsAFailedRunEvenWithGoodResults) {
    CompletedToy c;
    std::vector<std::string> options = kGood;
    options.insert(options.end(), {"--exit-code", "3"});
    const ProcessResult r = run_part_1(c.toy, options);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("the program stopped with exit code 3"), std::string::npos) << r.output;
    EXPECT_EQ(part_progress(c.toy, 1)["state"], "failed");
}

TEST(Milestone, CompletionStaysWhenALaterRunFails) {
    CompletedToy c;
    ASSERT_EQ(run_part_1(c.toy, kGood).exit_code, 0);
    ASSERT_EQ(run_part_1(c.toy, {"--set", "cnn_test_accuracy=0.5", "--set", "cnn_minus_mlp_test_accuracy=0.1"}).exit_code, 1);
    const json part = part_progress(c.toy, 1);
    EXPECT_EQ(part["state"], "completed");
    EXPECT_EQ(part["results"]["cnn_test_accuracy"], 0.95);
    EXPECT_EQ(part["last_results"]["cnn_test_accuracy"], 0.5);
    EXPECT_EQ(part["last_run_passed"], false);
}

TEST(Milestone, EveryPartInOrderCompletesTheMilestone) {
    CompletedToy c;
    // Without --part both programs run with the same options.
    const ProcessResult r = c.toy.tito({"milestone", "run", "04", "--", "--set", "cnn_test_accuracy=0.95", "--set",
                                        "cnn_minus_mlp_test_accuracy=0.03", "--set", "test_accuracy=0.7",
                                        "--set", "dataset=\"cifar10\""});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_LT(r.output.find("Milestone 04 part 1:"), r.output.find("Milestone 04 part 2:"));
    EXPECT_NE(r.output.find("★ Milestone 04 completed: The CNN Revolution (1998)"), std::string::npos) << r.output;
    const json progress = json::parse(read_text(c.toy.progress_file()));
    EXPECT_EQ(progress["milestones"]["04"]["state"], "completed");
    const json s = json::parse(c.toy.tito({"module", "status", "--json"}).output);
    EXPECT_EQ(s["milestones"][0]["state"], "completed");
}

TEST(Milestone, UnknownPartIsAUsageErrorNamingTheParts) {
    CompletedToy c;
    const ProcessResult r = c.toy.tito({"milestone", "run", "04", "--part", "3"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("milestone 04 has no part 3; its parts are 1, 2"), std::string::npos) << r.output;
}

TEST(Milestone, ListShowsPartsGatesAndState) {
    ToyWorkspace toy;
    const ProcessResult r = toy.tito({"milestone", "list"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("Milestone 04: The CNN Revolution (1998)  locked"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("requires modules 01 (not completed), 02 (not completed), 03 (not completed)"),
              std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("gates: cnn_test_accuracy >= 0.9, cnn_minus_mlp_test_accuracy > 0; not run"),
              std::string::npos)
        << r.output;
}
