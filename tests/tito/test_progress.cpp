// The progress file (DESIGN.md §6): a missing file is a fresh start; every
// update is locked, atomic and keeps the previous version; a corrupt or
// wrong-version file is reported, naming it and its backup, and never
// overwritten — by concurrent runs, killed runs or any command.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "files.hpp"
#include "progress.hpp"
#include "tito_test_support.hpp"
#include "toy_workspace.hpp"

using namespace tito;
using namespace tito::testing;

namespace {

std::string error_of(const ProgressStore& store) {
    try {
        store.load();
    } catch (const ProgressError& e) {
        return e.what();
    }
    return "";
}

// Marks module `number` completed with the given counts.
void complete(const ProgressStore& store, const std::string& number, int passed) {
    store.update([&](Progress& p) {
        ModuleProgress& m = p.modules[number];
        m.completed = true;
        m.tests_passed = passed;
        m.tests_total = passed;
        m.last_run = m.completed_at = "2025-03-01T14:05:09Z";
        m.files_sha256 = "abc";
    });
}

}  // namespace

TEST(Progress, MissingFileIsAFreshStartAndReadingDoesNotCreateIt) {
    TempDir dir("progress");
    const ProgressStore store(dir.path() / ".tito");
    const Progress p = store.load();
    EXPECT_TRUE(p.modules.empty());
    EXPECT_TRUE(p.milestones.empty());
    EXPECT_FALSE(fs::exists(store.file()));
}

TEST(Progress, UpdateWritesTheSchemaVersionAndTheModule) {
    TempDir dir("progress");
    const ProgressStore store(dir.path() / ".tito");
    complete(store, "01", 104);
    const auto doc = nlohmann::json::parse(read_text(store.file()));
    EXPECT_EQ(doc["schema_version"], 1);
    EXPECT_EQ(doc["modules"]["01"]["state"], "completed");
    EXPECT_EQ(doc["modules"]["01"]["tests_passed"], 104);
    EXPECT_EQ(doc["modules"]["01"]["tests_total"], 104);
    EXPECT_EQ(doc["modules"]["01"]["files_sha256"], "abc");
}

TEST(Progress, EveryUpdateKeepsThePreviousVersionAsTheBackup) {
    TempDir dir("progress");
    const ProgressStore store(dir.path() / ".tito");
    complete(store, "01", 10);
    EXPECT_FALSE(fs::exists(store.backup()));  // nothing was replaced yet
    const std::string first = read_text(store.file());
    complete(store, "02", 20);
    EXPECT_EQ(read_text(store.backup()), first);
    EXPECT_EQ(store.load().module("02")->tests_passed, 20);
}

TEST(Progress, RoundTripsModulesAndMilestones) {
    Progress p;
    ModuleProgress& m = p.modules["03"];
    m.last_run = "2025-03-01T14:05:09Z";
    m.compiled = false;
    MilestonePartProgress& part = p.milestones["04"].parts[1];
    part.completed = true;
    part.last_run = part.completed_at = "2025-03-02T10:00:00Z";
    part.last_run_passed = true;
    part.results = {{"cnn_test_accuracy", 0.95}};
    part.last_results = part.results;
    const Progress back = progress_from_json(nlohmann::json::parse(progress_to_json(p).dump()));
    EXPECT_FALSE(back.module("03")->completed);
    EXPECT_FALSE(back.module("03")->compiled);
    EXPECT_FALSE(back.module("03")->tests_total.has_value());
    const MilestonePartProgress& read = back.milestones.at("04").parts.at(1);
    EXPECT_TRUE(read.completed);
    EXPECT_DOUBLE_EQ(read.results["cnn_test_accuracy"].get<double>(), 0.95);
    EXPECT_EQ(read.completed_at, "2025-03-02T10:00:00Z");
}

TEST(Progress, CorruptFileErrorNamesTheFileTheBackupAndBothWaysOut) {
    TempDir dir("progress");
    const ProgressStore store(dir.path() / ".tito");
    complete(store, "01", 10);
    complete(store, "02", 20);  // the backup now holds a valid version
    write_text(store.file(), "{\"schema_version\": 1, \"modules\": {\"01\": ");
    const std::string message = error_of(store);
    EXPECT_NE(message.find(store.file().string() + " cannot be used: it is not valid JSON"), std::string::npos)
        << message;
    EXPECT_NE(message.find("cp " + store.backup().string() + " " + store.file().string()), std::string::npos)
        << message;
    EXPECT_NE(message.find("mv " + store.file().string()), std::string::npos) << message;
}

TEST(Progress, CorruptFileIsNeverOverwrittenByAnUpdate) {
    TempDir dir("progress");
    const ProgressStore store(dir.path() / ".tito");
    write_text(store.file(), "not json at all");
    EXPECT_THROW(complete(store, "01", 10), ProgressError);
    EXPECT_EQ(read_text(store.file()), "not json at all");
    EXPECT_FALSE(fs::exists(store.backup()));
}

TEST(Progress, ErrorSaysWhenThereIsNoBackup) {
    TempDir dir("progress");
    const ProgressStore store(dir.path() / ".tito");
    write_text(store.file(), "[]");
    const std::string message = error_of(store);
    EXPECT_NE(message.find("the top level is not a JSON object"), std::string::npos) << message;
    EXPECT_NE(message.find("There is no backup (" + store.backup().string() + " does not exist)"), std::string::npos)
        << message;
}

TEST(Progress, ErrorSaysWhenTheBackupIsUnusableToo) {
    TempDir dir("progress");
    const ProgressStore store(dir.path() / ".tito");
    write_text(store.file(), "{");
    write_text(store.backup(), "{\"schema_version\": 99}");
    const std::string message = error_of(store);
    EXPECT_NE(message.find("The backup " + store.backup().string() + " is unusable too"), std::string::npos)
        << message;
    EXPECT_EQ(message.find("cp "), std::string::npos) << message;
}

TEST(Progress, OldSchemaVersionIsRefusedWithoutGuessing) {
    TempDir dir("progress");
    const ProgressStore store(dir.path() / ".tito");
    const std::string old = R"({"schema_version": 0, "completed": ["01", "02"]})";
    write_text(store.file(), old);
    const std::string message = error_of(store);
    EXPECT_NE(message.find("it has schema version 0, older than the version 1 this tito reads, and no "
                           "migration from it exists"),
              std::string::npos)
        << message;
    EXPECT_THROW(complete(store, "03", 1), ProgressError);
    EXPECT_EQ(read_text(store.file()), old);
}

TEST(Progress, NewerSchemaVersionAsksForANewerTito) {
    TempDir dir("progress");
    const ProgressStore store(dir.path() / ".tito");
    write_text(store.file(), R"({"schema_version": 2, "modules": {}})");
    EXPECT_NE(error_of(store).find("schema version 2, written by a newer tito"), std::string::npos);
}

TEST(Progress, FieldOfTheWrongTypeIsNamed) {
    TempDir dir("progress");
    const ProgressStore store(dir.path() / ".tito");
    write_text(store.file(), R"({"schema_version": 1, "modules": {"02": {"state": "completed", "tests_passed": "all"}}})");
    EXPECT_NE(error_of(store).find("modules.02.tests_passed is not a count"), std::string::npos) << error_of(store);
}

TEST(Progress, UnknownStateIsNamed) {
    TempDir dir("progress");
    const ProgressStore store(dir.path() / ".tito");
    write_text(store.file(), R"({"schema_version": 1, "modules": {"01": {"state": "done"}}})");
    EXPECT_NE(error_of(store).find("modules.01.state is \"done\", not \"completed\" or \"incomplete\""),
              std::string::npos)
        << error_of(store);
}

// Eight processes each record 25 updates of their own module at once.
// Without the lock, one process's read-modify-write overwrites another's
// and some module ends below 25.
TEST(Progress, ConcurrentProcessesLoseNoUpdate) {
    TempDir dir("progress");
    const ProgressStore store(dir.path() / ".tito");
    constexpr int kProcesses = 8, kUpdates = 25;
    std::vector<pid_t> children;
    for (int p = 0; p < kProcesses; ++p) {
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            const std::string number = fmt::format("{:02d}", p + 1);
            try {
                for (int i = 1; i <= kUpdates; ++i)
                    store.update([&](Progress& progress) {
                        ModuleProgress& m = progress.modules[number];
                        m.tests_passed = i;
                        m.tests_total = kUpdates;
                    });
            } catch (...) {
                ::_exit(1);
            }
            ::_exit(0);
        }
        children.push_back(child);
    }
    for (const pid_t child : children) {
        int status = 0;
        ::waitpid(child, &status, 0);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    const Progress final = store.load();
    ASSERT_EQ(final.modules.size(), static_cast<size_t>(kProcesses));
    for (const auto& [number, m] : final.modules) EXPECT_EQ(m.tests_passed, kUpdates) << "module " << number;
}

// A process killed at any moment of its updates leaves a file that reads
// (the old version or the new, never a mix) and no lock held.
TEST(Progress, ProcessKilledDuringUpdatesLeavesAReadableFileAndNoLock) {
    TempDir dir("progress");
    const ProgressStore store(dir.path() / ".tito");
    complete(store, "01", 1);
    for (int round = 0; round < 12; ++round) {
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            for (int i = 0;; ++i)
                store.update([&](Progress& progress) {
                    ModuleProgress& m = progress.modules["01"];
                    m.tests_passed = m.tests_total = i % 1000;
                    for (int k = 0; k < 50; ++k) progress.modules[fmt::format("{:02d}", 10 + k)].last_run = std::string(200, 'x');
                });
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(15 + 7 * round));
        ::kill(child, SIGKILL);
        ::waitpid(child, nullptr, 0);
        ASSERT_NO_THROW(store.load()) << "round " << round << ": " << read_text(store.file()).substr(0, 200);
        if (fs::exists(store.backup())) {  // none until the child's first update completed
            ASSERT_NO_THROW(progress_from_json(nlohmann::json::parse(read_text(store.backup()))));
        }
    }
    // The lock died with the process: this update goes through at once.
    const auto start = std::chrono::steady_clock::now();
    complete(store, "02", 2);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    EXPECT_EQ(store.load().module("02")->tests_passed, 2);
}
