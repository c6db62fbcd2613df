// `tito module watch NN`: runs the tests, then again after each save of the
// module's file, until Ctrl-C. Every wait has a timeout, so a broken watch
// fails the test instead of hanging it.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "tito_test_support.hpp"
#include "toy_workspace.hpp"

using namespace tito;
using namespace tito::testing;

namespace {

constexpr double kFirstRunSeconds = 240;  // configures and builds the toy course
constexpr double kRerunSeconds = 120;

void watch_reruns_on_save(bool poll) {
    ToyWorkspace toy;
    std::vector<std::string> args = {"module", "watch", "01"};
    if (poll) args.push_back("--poll");
    BackgroundTito watch(toy.root(), args);
    ASSERT_TRUE(watch.wait_for("Waiting for you to save alpha.cpp", 1, kFirstRunSeconds)) << watch.output();
    EXPECT_NE(watch.output().find(poll ? "(polling)" : "(inotify)"), std::string::npos) << watch.output();
    EXPECT_EQ(watch.occurrences("✗ module 01: 0 of 3 tests pass"), 1) << watch.output();

    toy.write_student_file("01", ToyFile::Solution);  // the student saves their work
    ASSERT_TRUE(watch.wait_for("✓ module 01: 3 of 3 tests pass", 1, kRerunSeconds)) << watch.output();
    ASSERT_TRUE(watch.wait_for("Waiting for you to save", 2, kRerunSeconds)) << watch.output();
    EXPECT_EQ(watch.occurrences("── saved at "), 1) << watch.output();

    // Touching counts as a save too.
    fs::last_write_time(toy.student_file("01"), fs::file_time_type::clock::now());
    ASSERT_TRUE(watch.wait_for("✓ module 01: 3 of 3 tests pass", 2, kRerunSeconds)) << watch.output();
    ASSERT_TRUE(watch.wait_for("Waiting for you to save", 3, kRerunSeconds)) << watch.output();

    watch.signal(SIGINT);
    EXPECT_EQ(watch.wait(30), 0) << watch.output();
    EXPECT_NE(watch.output().find("Stopped watching module 01."), std::string::npos) << watch.output();
}

}  // namespace

TEST(Watch, RerunsTheTestsOnEverySaveUntilInterrupted) { watch_reruns_on_save(/*poll=*/false); }

TEST(Watch, PollingSeesSavesToo) { watch_reruns_on_save(/*poll=*/true); }

TEST(Watch, SavingAnotherFileOfTheFolderDoesNotRerun) {
    ToyWorkspace toy;
    BackgroundTito watch(toy.root(), {"module", "watch", "01"});
    ASSERT_TRUE(watch.wait_for("Waiting for you to save", 1, kFirstRunSeconds)) << watch.output();
    write_text(toy.root() / "modules" / "01_alpha" / "notes.txt", "my notes\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    EXPECT_EQ(watch.occurrences("── saved at "), 0) << watch.output();
    toy.write_student_file("01", ToyFile::Solution);
    ASSERT_TRUE(watch.wait_for("Waiting for you to save", 2, kRerunSeconds)) << watch.output();
    EXPECT_EQ(watch.occurrences("── saved at "), 1) << watch.output();
    watch.signal(SIGINT);
    EXPECT_EQ(watch.wait(30), 0);
}

TEST(Watch, InterruptDuringARunStopsTheRunAndTheWatch) {
    ToyWorkspace toy;
    BackgroundTito watch(toy.root(), {"module", "watch", "01"});
    ASSERT_TRUE(watch.wait_for("Module 01: Alpha", 1, 60)) << watch.output();  // the first build has begun
    watch.signal(SIGINT);
    EXPECT_EQ(watch.wait(30), 0) << watch.output();
    EXPECT_NE(watch.output().find("Stopped watching module 01."), std::string::npos) << watch.output();
}
