// `tito module status`: every module and milestone with its state, a
// progress bar and the next command; the same as JSON; read-only.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "tito_test_support.hpp"
#include "toy_workspace.hpp"

using namespace tito;
using namespace tito::testing;
using nlohmann::json;

namespace {

json status_json(const ToyWorkspace& toy) {
    const ProcessResult r = toy.tito({"module", "status", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return json::parse(r.output);
}

}  // namespace

TEST(Status, FreshTreeShowsNoneOfTheModulesCompleted) {
    ToyWorkspace toy;
    const ProcessResult r = toy.tito({"module", "status"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("Toy Course: 0 of 3 modules completed"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("[░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░] 0%"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("Next: tito module test 01"), std::string::npos) << r.output;
}

TEST(Status, FirstModuleIsReadyAndTheOthersLocked) {
    ToyWorkspace toy;
    const json s = status_json(toy);
    EXPECT_EQ(s["modules_completed"], 0);
    EXPECT_EQ(s["modules_total"], 3);
    EXPECT_EQ(s["modules"][0]["state"], "ready");
    EXPECT_EQ(s["modules"][1]["state"], "locked");
    EXPECT_EQ(s["modules"][1]["blocked_by"], "01");
    EXPECT_EQ(s["modules"][2]["state"], "locked");
    EXPECT_EQ(s["modules"][0]["tests_passed"], nullptr);
    EXPECT_EQ(s["next"]["command"], "tito module test 01");
}

TEST(Status, LockedModuleRowNamesTheModuleThatComesFirst) {
    ToyWorkspace toy;
    const ProcessResult r = toy.tito({"module", "status"});
    EXPECT_TRUE(std::regex_search(r.output, std::regex(R"(02  Beta: the second module +locked +- +- +\(module 01 first\))")))
        << r.output;
}

TEST(Status, ShowsCountsAndLastRunFromTheProgressFile) {
    ToyWorkspace toy;
    toy.write_progress(R"({"schema_version": 1, "modules": {
        "01": {"state": "incomplete", "last_run": "2020-01-01T00:00:00Z", "tests_passed": 1, "tests_total": 3}}})");
    const json s = status_json(toy);
    EXPECT_EQ(s["modules"][0]["state"], "ready");
    EXPECT_EQ(s["modules"][0]["tests_passed"], 1);
    EXPECT_EQ(s["modules"][0]["tests_total"], 3);
    EXPECT_EQ(s["modules"][0]["last_run"], "2020-01-01T00:00:00Z");
    const ProcessResult table = toy.tito({"module", "status"});
    EXPECT_NE(table.output.find("ready       1/3"), std::string::npos) << table.output;
    EXPECT_NE(table.output.find(" days ago"), std::string::npos) << table.output;
}

TEST(Status, CompletedModulesUnlockTheNextAndFillTheBar) {
    ToyWorkspace toy;
    toy.write_student_file("01", ToyFile::Solution);
    toy.mark_all_completed();
    toy.write_progress(json{{"schema_version", 1},
                            {"modules", {{"01", json::parse(read_text(toy.progress_file()))["modules"]["01"]}}}}
                           .dump());
    const json s = status_json(toy);
    EXPECT_EQ(s["modules_completed"], 1);
    EXPECT_EQ(s["modules"][0]["state"], "completed");
    EXPECT_EQ(s["modules"][1]["state"], "ready");
    EXPECT_EQ(s["modules"][2]["state"], "locked");
    EXPECT_EQ(s["modules"][2]["blocked_by"], "02");
    EXPECT_EQ(s["next"]["command"], "tito module test 02");
    EXPECT_NE(toy.tito({"module", "status"}).output.find("1 of 3 modules completed\n[██████████░░░░░░░░░░░░░░░░░░░░] 33%"),
              std::string::npos);
}

TEST(Status, EditedCompletedModuleShowsChangedSinceCompletion) {
    ToyWorkspace toy;
    for (const std::string& n : ToyWorkspace::module_numbers()) toy.write_student_file(n, ToyFile::Solution);
    toy.mark_all_completed();
    toy.write_student_file("02", ToyFile::Wrong);
    const json s = status_json(toy);
    EXPECT_EQ(s["modules"][1]["state"], "changed");
    EXPECT_EQ(s["modules_completed"], 3);  // still counts: the tests decide again when it is tested
    EXPECT_EQ(s["next"]["command"], "tito module test 02");
    EXPECT_NE(toy.tito({"module", "status"}).output.find("changed: a student file changed since the module was completed"),
              std::string::npos);
}

TEST(Status, MilestoneIsLockedNamingTheModulesItNeeds) {
    ToyWorkspace toy;
    const json s = status_json(toy);
    ASSERT_EQ(s["milestones"].size(), 1u);
    EXPECT_EQ(s["milestones"][0]["state"], "locked");
    EXPECT_EQ(s["milestones"][0]["incomplete_modules"], json::array({"01", "02", "03"}));
    EXPECT_EQ(s["milestones"][0]["parts"][0]["state"], "locked");
    EXPECT_NE(toy.tito({"module", "status"}).output.find("locked      needs module 01, 02, 03 completed"),
              std::string::npos);
}

TEST(Status, MilestoneUnlocksWhenEveryModuleIsCompleted) {
    ToyWorkspace toy;
    toy.mark_all_completed();
    const json s = status_json(toy);
    EXPECT_EQ(s["milestones"][0]["state"], "unlocked");
    EXPECT_EQ(s["milestones"][0]["parts"][0]["state"], "ready");
    EXPECT_EQ(s["next"]["command"], "tito milestone run 04 --part 1");
}

TEST(Status, CompletedMilestoneShowsItsResults) {
    ToyWorkspace toy;
    toy.mark_all_completed();
    json progress = json::parse(read_text(toy.progress_file()));
    const json results = {{"cnn_test_accuracy", 0.953}, {"cnn_minus_mlp_test_accuracy", 0.021}};
    const json part = {{"state", "completed"}, {"last_run", "2025-03-02T10:00:00Z"}, {"last_run_passed", true},
                       {"last_results", results}, {"completed_at", "2025-03-02T10:00:00Z"}, {"results", results}};
    progress["milestones"]["04"] = {{"state", "completed"},
                                    {"parts", {{"1", part}, {"2", {{"state", "completed"}, {"last_run", "2025-03-02T10:00:00Z"},
                                                                   {"completed_at", "2025-03-02T10:00:00Z"},
                                                                   {"results", {{"test_accuracy", 0.71}}}}}}}};
    toy.write_progress(progress.dump());
    const json s = status_json(toy);
    EXPECT_EQ(s["milestones"][0]["state"], "completed");
    EXPECT_EQ(s["milestones"][0]["parts"][0]["results"]["cnn_test_accuracy"], 0.953);
    EXPECT_EQ(s["next"]["command"], nullptr);
    const std::string table = toy.tito({"module", "status"}).output;
    EXPECT_NE(table.find("completed   cnn_test_accuracy 0.953, cnn_minus_mlp_test_accuracy 0.021"), std::string::npos)
        << table;
    EXPECT_NE(table.find("everything is completed"), std::string::npos) << table;
}

TEST(Status, MilestoneNeedingModulesOutsideTheCourseSaysSo) {
    ToyWorkspace toy;
    json manifest = json::parse(read_text(toy.root() / "curriculum.json"));
    manifest["milestones"][0]["requires"] = {"01", "02", "03", "06"};
    write_text(toy.root() / "curriculum.json", manifest.dump());
    toy.mark_all_completed();
    const json s = status_json(toy);
    EXPECT_EQ(s["milestones"][0]["state"], "locked");
    EXPECT_EQ(s["milestones"][0]["absent_modules"], json::array({"06"}));
    EXPECT_NE(s["next"]["reason"].get<std::string>().find("also needs module 06, which this course does not have yet"),
              std::string::npos);
}

TEST(Status, SaysWhichTreeItIs) {
    ToyWorkspace student;
    EXPECT_EQ(status_json(student)["tree"], "student");
    ToyWorkspace instructor("toy-instructor", /*instructor=*/true);
    EXPECT_EQ(status_json(instructor)["tree"], "instructor");
    EXPECT_NE(instructor.tito({"module", "status"}).output.find("0 of 3 modules completed  (instructor tree)"),
              std::string::npos);
}

TEST(Status, WorksFromASubfolderOfTheWorkspace) {
    ToyWorkspace toy;
    const ProcessResult r = run_tito(toy.root() / "modules" / "02_beta" / "tests", {"module", "status", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(json::parse(r.output)["root"], fs::canonical(toy.root()).string());
}

TEST(Status, OutsideAWorkspaceSaysSoAndExits1) {
    // Not under build/tmp, which is inside this tree's workspace.
    std::string nowhere = (fs::temp_directory_path() / "tito-nowhere-XXXXXX").string();
    ASSERT_NE(::mkdtemp(nowhere.data()), nullptr);
    const ProcessResult r = run_tito(nowhere, {"module", "status"});
    fs::remove_all(nowhere);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("is not inside a TinyTorch workspace (no curriculum.json here or in any parent folder)"),
              std::string::npos)
        << r.output;
}

TEST(Status, NeitherReadingNorShowingCreatesTheProgressFile) {
    ToyWorkspace toy;
    toy.tito({"module", "status"});
    toy.tito({"module", "status", "--json"});
    EXPECT_FALSE(fs::exists(toy.progress_file()));
}

TEST(Status, CorruptProgressFileIsReportedAndLeftAlone) {
    ToyWorkspace toy;
    toy.write_progress("{\"schema_version\": 1, \"modules\": [1, 2");
    const ProcessResult r = toy.tito({"module", "status"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("error: the progress file " + fs::canonical(toy.progress_file()).string() + " cannot be used"),
              std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("progress.json.bak"), std::string::npos) << r.output;
    EXPECT_EQ(read_text(toy.progress_file()), "{\"schema_version\": 1, \"modules\": [1, 2");
}

TEST(Status, NoColourWhenTheOutputIsAPipe) {
    ToyWorkspace toy;
    EXPECT_EQ(toy.tito({"module", "status"}).output.find("\033["), std::string::npos);
}

TEST(Status, ColourOnATerminal) {
    ToyWorkspace toy;
    const std::string out = run_tito_on_terminal(toy.root(), {"module", "status"}, {{"NO_COLOR", ""}});
    EXPECT_NE(out.find("\033["), std::string::npos) << out;
    EXPECT_NE(out.find("0 of 3 modules completed"), std::string::npos) << out;
}

TEST(Status, NoColourOnATerminalWithNoColorSet) {
    ToyWorkspace toy;
    const std::string out = run_tito_on_terminal(toy.root(), {"module", "status"}, {{"NO_COLOR", "1"}});
    EXPECT_EQ(out.find("\033["), std::string::npos) << out;
    EXPECT_NE(out.find("0 of 3 modules completed"), std::string::npos) << out;
}

TEST(CommandLine, UnknownModuleIsAUsageErrorNamingTheModules) {
    ToyWorkspace toy;
    const ProcessResult r = toy.tito({"module", "test", "07"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("there is no module 07; the modules are 01, 02, 03"), std::string::npos) << r.output;
}

TEST(CommandLine, MissingSubcommandIsAUsageError) {
    ToyWorkspace toy;
    EXPECT_EQ(toy.tito({"module"}).exit_code, 2);
    EXPECT_EQ(toy.tito({}).exit_code, 2);
    EXPECT_EQ(toy.tito({"module", "status", "--colour"}).exit_code, 2);
}

TEST(CommandLine, HelpListsTheExitCodes) {
    ToyWorkspace toy;
    const ProcessResult r = toy.tito({"--help"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.output.find("Exit codes: 0 success, 1 failed tests or gates (or an error), 2 a wrong command line"),
              std::string::npos)
        << r.output;
}
