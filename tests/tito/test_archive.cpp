// Archives are hostile input: extraction refuses every entry that could
// escape the destination or exhaust the disk, and names it.
#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "archive.hpp"
#include "raw_tar.hpp"
#include "tito_test_support.hpp"

using namespace tito;
using namespace tito::testing;

namespace {

RawEntry file(std::string path, std::string data) {
    RawEntry e;
    e.path = std::move(path);
    e.data = std::move(data);
    return e;
}

RawEntry special(std::string path, mode_t type) {
    RawEntry e;
    e.path = std::move(path);
    e.type = type;
    return e;
}

RawEntry symlink_to(std::string path, std::string target) {
    RawEntry e = special(std::move(path), AE_IFLNK);
    e.link = std::move(target);
    return e;
}

RawEntry hardlink_to(std::string path, std::string target) {
    RawEntry e;
    e.path = std::move(path);
    e.hardlink = std::move(target);
    return e;
}

ArchiveLimits limits(uint64_t entry_bytes, uint64_t total_bytes, size_t entries) {
    ArchiveLimits l;
    l.max_entry_bytes = entry_bytes;
    l.max_total_bytes = total_bytes;
    l.max_entries = entries;
    return l;
}

// Extracts into a fresh folder inside `dir`; returns the error message, or
// "" when extraction succeeded.
std::string extraction_error(const TempDir& dir, const std::vector<RawEntry>& entries,
                             const ArchiveLimits& limits = {}) {
    const fs::path archive = dir.path() / "input.tar.gz";
    write_raw_tar_gz(archive, entries);
    fs::create_directories(dir.path() / "out");
    try {
        extract_archive(archive, dir.path() / "out", limits);
    } catch (const ArchiveError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(Archive, RoundTripKeepsContentAndExecutableBit) {
    TempDir dir("archive");
    write_text(dir.path() / "a.txt", "alpha");
    write_text(dir.path() / "run.sh", "#!/bin/sh\necho hi\n");
    fs::permissions(dir.path() / "run.sh", fs::perms::owner_all);
    write_archive(dir.path() / "pack.tar.gz",
                  {{"top/a.txt", dir.path() / "a.txt"}, {"run.sh", dir.path() / "run.sh"}},
                  ArchiveFormat::TarGz);
    fs::create_directories(dir.path() / "out");
    const auto entries = extract_archive(dir.path() / "pack.tar.gz", dir.path() / "out");
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[0].path, "top/a.txt");
    EXPECT_EQ(entries[0].bytes, 5u);
    EXPECT_EQ(read_text(dir.path() / "out" / "top" / "a.txt"), "alpha");
    EXPECT_NE(fs::status(dir.path() / "out" / "run.sh").permissions() & fs::perms::owner_exec,
              fs::perms::none);
}

TEST(Archive, ZipRoundTrip) {
    TempDir dir("archive");
    write_text(dir.path() / "setup.sh", "echo setup\n");
    write_archive(dir.path() / "pack.zip", {{"setup.sh", dir.path() / "setup.sh"}},
                  ArchiveFormat::Zip);
    fs::create_directories(dir.path() / "out");
    extract_archive(dir.path() / "pack.zip", dir.path() / "out");
    EXPECT_EQ(read_text(dir.path() / "out" / "setup.sh"), "echo setup\n");
}

TEST(Archive, SameFilesMakeTheSameArchive) {
    TempDir dir("archive");
    write_text(dir.path() / "a.txt", "alpha");
    write_archive(dir.path() / "one.tar.gz", {{"a.txt", dir.path() / "a.txt"}}, ArchiveFormat::TarGz);
    write_archive(dir.path() / "two.tar.gz", {{"a.txt", dir.path() / "a.txt"}}, ArchiveFormat::TarGz);
    EXPECT_EQ(read_text(dir.path() / "one.tar.gz"), read_text(dir.path() / "two.tar.gz"));
}

TEST(Archive, DotDotPathIsRefused) {
    TempDir dir("archive");
    const std::string error = extraction_error(dir, {file("ok/../../escape.txt", "x")});
    EXPECT_NE(error.find("refused entry \"ok/../../escape.txt\": a \"..\" component"),
              std::string::npos) << error;
    EXPECT_FALSE(fs::exists(dir.path() / "escape.txt"));
}

TEST(Archive, AbsolutePathIsRefused) {
    TempDir dir("archive");
    const std::string target = (dir.path() / "absolute.txt").string();
    const std::string error = extraction_error(dir, {file(target, "x")});
    EXPECT_NE(error.find("an absolute path"), std::string::npos) << error;
    EXPECT_FALSE(fs::exists(target));
}

TEST(Archive, SymbolicLinkIsRefused) {
    TempDir dir("archive");
    const std::string error =
        extraction_error(dir, {symlink_to("link", "/etc/passwd")});
    EXPECT_NE(error.find("refused entry \"link\": a link"), std::string::npos) << error;
    EXPECT_FALSE(fs::exists(dir.path() / "out" / "link"));
}

TEST(Archive, HardLinkIsRefused) {
    TempDir dir("archive");
    const std::string error = extraction_error(
        dir, {file("a.txt", "x"), hardlink_to("b.txt", "/etc/passwd")});
    EXPECT_NE(error.find("refused entry \"b.txt\": a link"), std::string::npos) << error;
}

TEST(Archive, DeviceIsRefused) {
    TempDir dir("archive");
    const std::string error = extraction_error(dir, {special("dev", AE_IFCHR)});
    EXPECT_NE(error.find("not a regular file or folder"), std::string::npos) << error;
}

TEST(Archive, EntryLargerThanTheLimitIsRefusedFromItsHeader) {
    TempDir dir("archive");
    const std::string error = extraction_error(dir, {file("big.bin", std::string(2000, 'x'))},
                                               limits(1000, 1 << 20, 10));
    EXPECT_NE(error.find("refused entry \"big.bin\": 2000 bytes, more than the 1000 allowed"),
              std::string::npos) << error;
}

TEST(Archive, TotalLargerThanTheLimitIsRefusedOnTheBytesRead) {
    TempDir dir("archive");
    const std::string error = extraction_error(
        dir, {file("a.bin", std::string(600, 'a')), file("b.bin", std::string(600, 'b'))},
        limits(1000, 1000, 10));
    EXPECT_NE(error.find("refused entry \"b.bin\": larger than the total size"), std::string::npos)
        << error;
}

TEST(Archive, TooManyEntriesAreRefused) {
    TempDir dir("archive");
    std::vector<RawEntry> entries;
    for (int i = 0; i < 5; ++i) entries.push_back(file(fmt::format("f{}", i), "x"));
    const std::string error = extraction_error(dir, entries, limits(1000, 1000, 3));
    EXPECT_NE(error.find("more than 3 entries"), std::string::npos) << error;
}

TEST(Archive, FileHeldTwiceIsRefused) {
    TempDir dir("archive");
    const std::string error =
        extraction_error(dir, {file("a.txt", "1"), file("./a.txt", "2")});
    EXPECT_NE(error.find("holds it twice"), std::string::npos) << error;
    EXPECT_EQ(read_text(dir.path() / "out" / "a.txt"), "1");
}

TEST(Archive, NotAnArchiveNamesTheFile) {
    TempDir dir("archive");
    write_text(dir.path() / "notes.tar.gz", "just text, not gzip");
    fs::create_directories(dir.path() / "out");
    try {
        extract_archive(dir.path() / "notes.tar.gz", dir.path() / "out");
        FAIL() << "no error";
    } catch (const ArchiveError& e) {
        EXPECT_NE(std::string(e.what()).find("notes.tar.gz"), std::string::npos) << e.what();
    }
}
