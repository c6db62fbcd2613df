// `tito module reset`: the student's file goes into a timestamped backup,
// the stub comes back from the release's copy, the module is no longer
// completed; backups are listed and restored; nothing is overwritten
// without a backup.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "tito_test_support.hpp"
#include "toy_workspace.hpp"

using namespace tito;
using namespace tito::testing;
using nlohmann::json;

namespace {

// The backup id a reset or restore printed.
std::string backup_id_in(const std::string& output) {
    std::smatch m;
    if (std::regex_search(output, m, std::regex(R"(--restore (\d{8}-\d{6}-\d\d_[a-z]+(-\d+)?))"))) return m[1].str();
    return "";
}

json progress_of(const ToyWorkspace& toy) { return json::parse(read_text(toy.progress_file())); }

}  // namespace

TEST(Reset, PutsTheStubBackAndKeepsTheStudentsFileInABackup) {
    ToyWorkspace toy;
    toy.write_student_file("01", ToyFile::Solution);
    const std::string work = read_text(toy.student_file("01"));
    const ProcessResult r = toy.tito({"module", "reset", "01"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(read_text(toy.student_file("01")), toy_student_source("01", ToyFile::Stub));
    const std::string id = backup_id_in(r.output);
    ASSERT_FALSE(id.empty()) << r.output;
    EXPECT_EQ(read_text(toy.root() / ".tito" / "backups" / id / "alpha.cpp"), work);
    const json record = json::parse(read_text(toy.root() / ".tito" / "backups" / id / "backup.json"));
    EXPECT_EQ(record["module"], "01");
    EXPECT_EQ(record["reason"], "reset");
    EXPECT_EQ(record["files"], json::array({"alpha.cpp"}));
}

TEST(Reset, MarksTheModuleNotCompleted) {
    ToyWorkspace toy;
    toy.write_student_file("01", ToyFile::Solution);
    toy.mark_all_completed();
    ASSERT_EQ(toy.tito({"module", "reset", "01"}).exit_code, 0);
    const json p = progress_of(toy);
    EXPECT_EQ(p["modules"]["01"]["state"], "incomplete");
    EXPECT_FALSE(p["modules"]["01"].contains("tests_passed"));
    EXPECT_EQ(p["modules"]["02"]["state"], "completed");
    const json s = json::parse(toy.tito({"module", "status", "--json"}).output);
    EXPECT_EQ(s["modules"][0]["state"], "ready");
}

TEST(Reset, AFileThatIsAlreadyTheStubNeedsNoBackup) {
    ToyWorkspace toy;
    const ProcessResult r = toy.tito({"module", "reset", "02"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("already hold the stub; nothing to back up"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(toy.root() / ".tito" / "backups"));
}

TEST(Reset, ListBackupsShowsEachWithItsId) {
    ToyWorkspace toy;
    toy.write_student_file("01", ToyFile::Solution);
    const std::string first = backup_id_in(toy.tito({"module", "reset", "01"}).output);
    toy.write_student_file("01", ToyFile::Wrong);
    const std::string second = backup_id_in(toy.tito({"module", "reset", "01"}).output);
    ASSERT_NE(first, second);  // two resets in the same second still get two backups
    const ProcessResult r = toy.tito({"module", "reset", "01", "--list-backups"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find(first + "  module 01"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find(second + "  module 01"), std::string::npos) << r.output;
    EXPECT_LT(r.output.find(first), r.output.find(second)) << "oldest first";
    EXPECT_NE(r.output.find("before a reset: alpha.cpp"), std::string::npos) << r.output;
}

TEST(Reset, ListBackupsWithoutModuleListsEveryModule) {
    ToyWorkspace toy;
    toy.write_student_file("01", ToyFile::Solution);
    toy.write_student_file("03", ToyFile::Solution);
    toy.tito({"module", "reset", "01"});
    toy.tito({"module", "reset", "03"});
    const ProcessResult r = toy.tito({"module", "reset", "--list-backups"});
    EXPECT_NE(r.output.find("module 01"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("module 03"), std::string::npos) << r.output;
}

TEST(Reset, RestoreBringsTheWorkBackAndBacksUpWhatItReplaces) {
    ToyWorkspace toy;
    toy.write_student_file("01", ToyFile::Solution);
    const std::string work = read_text(toy.student_file("01"));
    const std::string id = backup_id_in(toy.tito({"module", "reset", "01"}).output);
    toy.write_student_file("01", ToyFile::Wrong);  // new work since the reset
    const std::string since = read_text(toy.student_file("01"));
    const ProcessResult r = toy.tito({"module", "reset", "01", "--restore", id});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(read_text(toy.student_file("01")), work);
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.output, m, std::regex(R"(What it replaced is in backup (\S+)\.)"))) << r.output;
    EXPECT_EQ(read_text(toy.root() / ".tito" / "backups" / m[1].str() / "alpha.cpp"), since);
    EXPECT_NE(r.output.find("tito module test 01 checks it again"), std::string::npos) << r.output;
}

TEST(Reset, RestoreOfAnUnknownBackupIsAUsageError) {
    ToyWorkspace toy;
    const ProcessResult r = toy.tito({"module", "reset", "01", "--restore", "20200101-000000-01_alpha"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("there is no backup 20200101-000000-01_alpha"), std::string::npos) << r.output;
    const ProcessResult escape = toy.tito({"module", "reset", "01", "--restore", "../../etc"});
    EXPECT_EQ(escape.exit_code, 2);
    EXPECT_NE(escape.output.find("is not a backup id"), std::string::npos) << escape.output;
}

TEST(Reset, RestoreOfAnotherModulesBackupIsRefused) {
    ToyWorkspace toy;
    toy.write_student_file("02", ToyFile::Solution);
    const std::string id = backup_id_in(toy.tito({"module", "reset", "02"}).output);
    const ProcessResult r = toy.tito({"module", "reset", "01", "--restore", id});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("backup " + id + " holds module 02, not module 01"), std::string::npos) << r.output;
    EXPECT_EQ(read_text(toy.student_file("01")), toy_student_source("01", ToyFile::Stub));
}

TEST(Reset, MissingStubIsAClearErrorAndChangesNothing) {
    ToyWorkspace toy;
    toy.write_student_file("01", ToyFile::Solution);
    fs::remove(toy.root() / ".tito" / "stubs" / "modules" / "01_alpha" / "alpha.cpp");
    const ProcessResult r = toy.tito({"module", "reset", "01"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("the pristine stub"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("is missing, so tito cannot reset modules/01_alpha/alpha.cpp"), std::string::npos) << r.output;
    EXPECT_EQ(read_text(toy.student_file("01")), toy_student_source("01", ToyFile::Solution));
}

TEST(Reset, CorruptProgressFileStopsTheResetBeforeAnyChange) {
    ToyWorkspace toy;
    toy.write_student_file("01", ToyFile::Solution);
    toy.write_progress("{oops");
    const ProcessResult r = toy.tito({"module", "reset", "01"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("cannot be used"), std::string::npos) << r.output;
    EXPECT_EQ(read_text(toy.student_file("01")), toy_student_source("01", ToyFile::Solution));
    EXPECT_EQ(read_text(toy.progress_file()), "{oops");
}

TEST(Reset, InstructorTreeRefusesWithoutForce) {
    ToyWorkspace toy("toy-instructor", /*instructor=*/true);
    const std::string reference = read_text(toy.student_file("01"));
    const ProcessResult r = toy.tito({"module", "reset", "01"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("this is the instructor tree"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("Pass --force"), std::string::npos) << r.output;
    EXPECT_EQ(read_text(toy.student_file("01")), reference);
}

TEST(Reset, InstructorTreeWithForceStubsTheReferenceAndBacksItUp) {
    ToyWorkspace toy("toy-instructor", /*instructor=*/true);
    const std::string reference = read_text(toy.student_file("01"));
    const ProcessResult r = toy.tito({"module", "reset", "01", "--force"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const std::string stub = read_text(toy.student_file("01"));
    EXPECT_NE(stub.find("not_implemented(1);"), std::string::npos) << stub;
    EXPECT_EQ(stub.find("return 7;"), std::string::npos) << stub;
    EXPECT_EQ(read_text(toy.root() / ".tito" / "backups" / backup_id_in(r.output) / "alpha.cpp"), reference);
    ASSERT_EQ(toy.tito({"module", "reset", "01", "--restore", backup_id_in(r.output)}).exit_code, 0);
    EXPECT_EQ(read_text(toy.student_file("01")), reference);
}

// Three resets at once, each a read-modify-write of progress.json: all
// three modules end up incomplete (none of the updates is lost) and every
// file has its own backup.
TEST(Reset, ConcurrentResetsLoseNoProgressUpdate) {
    ToyWorkspace toy;
    for (const std::string& n : ToyWorkspace::module_numbers()) toy.write_student_file(n, ToyFile::Solution);
    for (int round = 0; round < 3; ++round) {
        toy.mark_all_completed();
        std::vector<std::unique_ptr<BackgroundTito>> runs;
        for (const std::string& n : ToyWorkspace::module_numbers())
            runs.push_back(std::make_unique<BackgroundTito>(toy.root(), std::vector<std::string>{"module", "reset", n}));
        for (auto& run : runs) EXPECT_EQ(run->wait(60), 0) << run->output();
        const json p = progress_of(toy);
        for (const std::string& n : ToyWorkspace::module_numbers())
            EXPECT_EQ(p["modules"][n]["state"], "incomplete") << "round " << round << ", module " << n;
        for (const std::string& n : ToyWorkspace::module_numbers()) toy.write_student_file(n, ToyFile::Solution);
    }
    EXPECT_EQ(count_of(toy.tito({"module", "reset", "--list-backups"}).output, "before a reset"), 9);
}
