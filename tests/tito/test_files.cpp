// Atomic writes replace a file whole, keep permissions on copies, and leave
// no temporary file behind.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "errors.hpp"
#include "files.hpp"
#include "tito_test_support.hpp"

using namespace tito;
using namespace tito::testing;

TEST(Files, AtomicWriteReplacesTheContent) {
    TempDir dir("files");
    write_file_atomically(dir.path() / "p.json", "old");
    write_file_atomically(dir.path() / "p.json", "new");
    EXPECT_EQ(read_file(dir.path() / "p.json"), "new");
}

TEST(Files, AtomicWriteLeavesNoTemporaryFile) {
    TempDir dir("files");
    write_file_atomically(dir.path() / "sub" / "p.json", "x");
    int count = 0;
    for (const auto& entry : fs::directory_iterator(dir.path() / "sub")) {
        (void)entry;
        ++count;
    }
    EXPECT_EQ(count, 1);
}

TEST(Files, ChildKilledWhileWritingLeavesTheOldFileWhole) {
    TempDir dir("files");
    const fs::path file = dir.path() / "p.json";
    write_file_atomically(file, "the good version");
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        const std::string big(64 << 20, 'x');
        for (;;) write_file_atomically(file, big);  // killed somewhere in here
    }
    ::usleep(200000);
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    const std::string content = read_file(file);
    EXPECT_TRUE(content == "the good version" || content == std::string(64 << 20, 'x'))
        << "half-written file of " << content.size() << " bytes";
}

TEST(Files, CopyKeepsTheExecutableBit) {
    TempDir dir("files");
    write_text(dir.path() / "run", "#!/bin/sh\n");
    fs::permissions(dir.path() / "run", fs::perms::owner_all);
    copy_file_atomically(dir.path() / "run", dir.path() / "copy");
    EXPECT_EQ(read_file(dir.path() / "copy"), "#!/bin/sh\n");
    EXPECT_NE(fs::status(dir.path() / "copy").permissions() & fs::perms::owner_exec, fs::perms::none);
}

TEST(Files, ReadingAMissingFileNamesIt) {
    try {
        read_file("/nonexistent/progress.json");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("cannot read /nonexistent/progress.json"),
                  std::string::npos);
    }
}
