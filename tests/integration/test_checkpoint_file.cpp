// The checkpoint file format and its atomic write (module 08, provided):
// every kind of damage is reported with its reason, and a write that fails
// or is killed halfway leaves the previous checkpoint intact.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "checkpoint_file.hpp"
#include "killed_save.hpp"
#include "testing.hpp"

using namespace tinytorch;
using tinytorch::testing::kill_save_halfway;
using tinytorch::testing::TempFolder;
namespace fs = std::filesystem;

namespace {

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

CheckpointData sample() {
    CheckpointData data;
    data.add("weights", Tensor({{1.5f, -2.0f, 3.25f}, {0.0f, NAN, 1e-30f}}));
    data.add("scalar", scalar_tensor(7.0f));
    data.add("empty", zeros({0, 3}));
    data.add("steps", int64_t{-42});
    data.add("lr", 0.1);
    data.add("name", std::string("Adam\0with a zero byte", 21));
    data.add("shape", std::vector<int64_t>{64, 32});
    data.add("history", std::vector<double>{0.5, NAN, -INFINITY});
    return data;
}

// Temporary files the atomic write left in `folder`.
int stray_temporaries(const fs::path& folder) {
    int count = 0;
    for (const auto& entry : fs::directory_iterator(folder))
        if (entry.path().filename().string().find(".tmp-") != std::string::npos) ++count;
    return count;
}

// A checkpoint of one large tensor, so that a write takes several chunks.
CheckpointData large(float value) {
    CheckpointData data;
    data.add("big", full({256, 1024}, value));  // 1 MiB of floats
    return data;
}

// Makes the file look last written `age` ago.
void age_file(const fs::path& file, std::chrono::seconds age) {
    fs::last_write_time(file, fs::file_time_type::clock::now() - age);
}

}  // namespace

TEST(CheckpointFile, RoundTripsEveryKindOfValueExactly) {
    TempFolder folder;
    const fs::path path = folder.path / "all.ckpt";
    write_checkpoint_file(path, sample());
    const CheckpointData back = read_checkpoint_file(path);
    ASSERT_EQ(back.entries().size(), 8u);
    EXPECT_EQ(back.entries()[0].first, "weights");  // the order is kept
    const Tensor w = back.tensor("weights");
    EXPECT_SHAPE(w, 2, 3);
    EXPECT_EQ(w.at({0, 2}), 3.25f);
    EXPECT_TRUE(std::isnan(w.at({1, 1})));
    EXPECT_EQ(w.at({1, 2}), 1e-30f);
    EXPECT_SHAPE(back.tensor("scalar"));
    EXPECT_EQ(back.tensor("scalar").item(), 7.0f);
    EXPECT_SHAPE(back.tensor("empty"), 0, 3);
    EXPECT_EQ(back.integer("steps"), -42);
    EXPECT_EQ(back.real("lr"), 0.1);
    EXPECT_EQ(back.text("name"), std::string("Adam\0with a zero byte", 21));
    EXPECT_EQ(back.integers("shape"), (std::vector<int64_t>{64, 32}));
    EXPECT_EQ(back.reals("history")[0], 0.5);
    EXPECT_TRUE(std::isnan(back.reals("history")[1]));
    EXPECT_EQ(back.reals("history")[2], -INFINITY);
}

TEST(CheckpointFile, StartsWithTheMagicAndVersionAndEndsWithTheChecksum) {
    TempFolder folder;
    const fs::path path = folder.path / "a.ckpt";
    CheckpointData data;
    data.add("n", int64_t{1});
    write_checkpoint_file(path, data);
    const std::string bytes = read_bytes(path);
    EXPECT_EQ(bytes.substr(0, 8), std::string("TTCKPT\r\n"));
    EXPECT_EQ(bytes[8], '\x01');  // version 1, little-endian
    // header 24 + entry (1 type + 4 name length + 1 name + 8 value) + checksum 4
    EXPECT_EQ(bytes.size(), 24u + 14u + 4u);
}

TEST(CheckpointFile, AMissingFileIsReported) {
    TempFolder folder;
    EXPECT_THROW_WITH(read_checkpoint_file(folder.path / "none.ckpt"), FileError,
                      "none.ckpt: no such file");
}

TEST(CheckpointFile, AFileShorterThanTheHeaderIsTruncated) {
    TempFolder folder;
    const fs::path path = folder.path / "short.ckpt";
    write_checkpoint_file(path, sample());
    write_bytes(path, read_bytes(path).substr(0, 10));
    EXPECT_THROW_WITH(read_checkpoint_file(path), FileError,
                      "is truncated: 10 bytes, shorter than the 24-byte header");
}

TEST(CheckpointFile, AFileCutInTheMiddleIsTruncated) {
    TempFolder folder;
    const fs::path path = folder.path / "cut.ckpt";
    write_checkpoint_file(path, sample());
    const std::string bytes = read_bytes(path);
    write_bytes(path, bytes.substr(0, bytes.size() / 2));
    EXPECT_THROW_WITH(read_checkpoint_file(path), FileError, "cut.ckpt is truncated: the header announces");
}

TEST(CheckpointFile, AFlippedByteFailsTheChecksum) {
    TempFolder folder;
    const fs::path path = folder.path / "flipped.ckpt";
    write_checkpoint_file(path, sample());
    std::string bytes = read_bytes(path);
    bytes[60] ^= 0x10;  // inside the first tensor's values (they start at byte 24 + 12 + 4 + 16 = 56)
    write_bytes(path, bytes);
    EXPECT_THROW_WITH(read_checkpoint_file(path), FileError,
                      "flipped.ckpt is corrupt: its checksum does not match");
}

TEST(CheckpointFile, AnotherFileIsNotACheckpoint) {
    TempFolder folder;
    const fs::path path = folder.path / "notes.txt";
    write_bytes(path, "these are my notes, not a checkpoint at all");
    EXPECT_THROW_WITH(read_checkpoint_file(path), FileError,
                      "notes.txt is not a TinyTorch checkpoint: it does not start with the magic");
}

TEST(CheckpointFile, AnotherVersionIsRefusedWithBothVersions) {
    TempFolder folder;
    const fs::path path = folder.path / "future.ckpt";
    write_checkpoint_file(path, sample());
    std::string bytes = read_bytes(path);
    bytes[8] = '\x02';
    write_bytes(path, bytes);
    EXPECT_THROW_WITH(read_checkpoint_file(path), FileError,
                      "future.ckpt has format version 2, but this build reads version 1");
}

TEST(CheckpointFile, TrailingBytesAreRefused) {
    TempFolder folder;
    const fs::path path = folder.path / "long.ckpt";
    write_checkpoint_file(path, sample());
    write_bytes(path, read_bytes(path) + "xyz");
    EXPECT_THROW_WITH(read_checkpoint_file(path), FileError, "has 3 unexpected bytes after its checksum");
}

TEST(CheckpointFile, AskingForAMissingOrMistypedEntryNamesIt) {
    TempFolder folder;
    const fs::path path = folder.path / "a.ckpt";
    write_checkpoint_file(path, sample());
    const CheckpointData data = read_checkpoint_file(path);
    EXPECT_THROW_WITH(data.tensor("bias"), FileError, "a.ckpt has no entry \"bias\" (a tensor was expected)");
    EXPECT_THROW_WITH(data.integer("lr"), FileError, "\"lr\" holds a number but an integer was expected");
}

TEST(CheckpointFile, NamesAreUnique) {
    CheckpointData data;
    data.add("x", int64_t{1});
    EXPECT_THROW_WITH(data.add("x", 2.0), ValueError, "the name \"x\" is already taken");
}

TEST(CheckpointFile, AddCopiesTensorsSoLaterChangesDoNotReachTheFile) {
    Tensor t({1.0f, 2.0f});
    CheckpointData data;
    data.add("t", t.transpose(0, 0));
    t.fill_(9.0f);
    EXPECT_TENSOR_EQ(data.tensor("t"), Tensor({1.0f, 2.0f}));
}

TEST(CheckpointFile, AnUnwritableFolderIsReported) {
    TempFolder folder;
    EXPECT_THROW_WITH(write_checkpoint_file(folder.path / "missing" / "a.ckpt", sample()), FileError,
                      "cannot create a temporary file in");
}

TEST(CheckpointFile, SavingAgainReplacesTheFileAndLeavesNoTemporary) {
    TempFolder folder;
    const fs::path path = folder.path / "run.ckpt";
    write_checkpoint_file(path, large(1.0f));
    write_checkpoint_file(path, large(2.0f));
    EXPECT_EQ(read_checkpoint_file(path).tensor("big").at({5, 5}), 2.0f);
    EXPECT_EQ(stray_temporaries(folder.path), 0);
}

TEST(CheckpointFile, AnInjectedFailureMidWriteLeavesTheOldFileAndNoTemporary) {
    TempFolder folder;
    const fs::path path = folder.path / "run.ckpt";
    write_checkpoint_file(path, large(1.0f));
    const std::string before = read_bytes(path);
    set_checkpoint_write_hook(
        [](int64_t written, int64_t total) {
            if (written >= total / 2) throw std::runtime_error("disk pulled out");
        },
        64 << 10);
    EXPECT_THROW(write_checkpoint_file(path, large(2.0f)), std::runtime_error);
    set_checkpoint_write_hook({});
    EXPECT_EQ(read_bytes(path), before);
    EXPECT_EQ(read_checkpoint_file(path).tensor("big").at({0, 0}), 1.0f);
    EXPECT_EQ(stray_temporaries(folder.path), 0);
}

TEST(CheckpointFile, AProcessKilledHalfwayThroughAWriteLeavesTheOldFileIntact) {
    TempFolder folder;
    const fs::path path = folder.path / "run.ckpt";
    write_checkpoint_file(path, large(1.0f));
    const std::string before = read_bytes(path);
    const CheckpointData next = large(2.0f);  // built before fork: the child only writes

    ASSERT_TRUE(kill_save_halfway([&] { write_checkpoint_file(path, next); }, 64 << 10, [&] {
        EXPECT_EQ(stray_temporaries(folder.path), 1) << "the half-written temporary file is there";
    }));

    // The last good checkpoint is untouched and loads; the kill left a stray
    // temporary file beside it, which the next save does not mind (and
    // removes once it is a minute old: see the tests below).
    EXPECT_EQ(read_bytes(path), before);
    EXPECT_EQ(read_checkpoint_file(path).tensor("big").at({255, 1023}), 1.0f);
    write_checkpoint_file(path, next);
    EXPECT_EQ(read_checkpoint_file(path).tensor("big").at({255, 1023}), 2.0f);
}

TEST(CheckpointFile, ASaveRemovesTemporariesAbandonedByAKilledSave) {
    TempFolder folder;
    const fs::path path = folder.path / "run.ckpt";
    const fs::path abandoned = folder.path / "run.ckpt.tmp-Ab12Cd";
    write_bytes(abandoned, "half a checkpoint");
    age_file(abandoned, std::chrono::minutes(5));
    write_checkpoint_file(path, large(1.0f));
    EXPECT_FALSE(fs::exists(abandoned));
    EXPECT_EQ(stray_temporaries(folder.path), 0);
}

TEST(CheckpointFile, ASaveLeavesARecentTemporaryAndOtherFilesAlone) {
    TempFolder folder;
    const fs::path path = folder.path / "run.ckpt";
    const fs::path in_progress = folder.path / "run.ckpt.tmp-Xy98Zw";  // another writer, still at it
    const fs::path other_target = folder.path / "best.ckpt.tmp-Ab12Cd";
    const fs::path not_ours = folder.path / "run.ckpt.tmp-notes.txt";
    for (const fs::path& file : {in_progress, other_target, not_ours}) write_bytes(file, "x");
    age_file(other_target, std::chrono::minutes(5));
    age_file(not_ours, std::chrono::minutes(5));
    write_checkpoint_file(path, large(1.0f));
    EXPECT_TRUE(fs::exists(in_progress));
    EXPECT_TRUE(fs::exists(other_target));
    EXPECT_TRUE(fs::exists(not_ours));
}
