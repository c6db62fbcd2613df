// The dataset readers of module 05 (datasets.hpp), provided infrastructure.
//
// Each test writes the files it reads — tiny valid files of every format and
// broken ones (missing, truncated, corrupt gzip, wrong magic number,
// mismatched counts, labels out of range) — and checks the values or the
// error message. One test reads the shipped TinyDigits.
//
// Only provided functions are used to inspect results (shape(), data()), so
// these tests pass in a student's tree before any module is written.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "datasets.hpp"

using namespace tinytorch;
namespace fs = std::filesystem;

namespace {

using Bytes = std::vector<unsigned char>;

// A fresh folder under the system's temporary folder, removed afterwards.
class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "tinytorch-datasets-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    fs::path operator/(const std::string& name) const { return path_ / name; }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

void write_bytes(const fs::path& file, const Bytes& bytes) {
    std::ofstream out(file, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + file.string());
}

void write_text(const fs::path& file, const std::string& text) {
    write_bytes(file, Bytes(text.begin(), text.end()));
}

// `bytes` as one gzip member.
Bytes gzip(const Bytes& bytes) {
    z_stream z{};
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2 failed");
    Bytes out(deflateBound(&z, static_cast<uLong>(bytes.size())) + 32);
    z.next_in = const_cast<Bytef*>(bytes.data());
    z.avail_in = static_cast<uInt>(bytes.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    const int status = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    if (status != Z_STREAM_END) throw std::runtime_error("deflate failed");
    return out;
}

void append_big_endian(Bytes& out, uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<unsigned char>(value >> shift));
}

// An IDX images file: magic 0x00000803, count, rows, cols, then the pixels.
Bytes idx_images(uint32_t count, uint32_t rows, uint32_t cols, const Bytes& pixels) {
    Bytes out = {0, 0, 8, 3};
    append_big_endian(out, count);
    append_big_endian(out, rows);
    append_big_endian(out, cols);
    out.insert(out.end(), pixels.begin(), pixels.end());
    return out;
}

// An IDX labels file: magic 0x00000801, count, then the labels.
Bytes idx_labels(const Bytes& labels) {
    Bytes out = {0, 0, 8, 1};
    append_big_endian(out, static_cast<uint32_t>(labels.size()));
    out.insert(out.end(), labels.begin(), labels.end());
    return out;
}

// Three 2 x 2 images and their labels 0, 9, 4.
const Bytes kPixels = {0, 255, 51, 102, 255, 255, 0, 0, 1, 2, 3, 4};
const Bytes kLabels = {0, 9, 4};

// One CIFAR-10 record: the label, then pixel k of the 3072 set to (k + seed) % 256.
Bytes cifar_record(unsigned char label, int seed) {
    Bytes out = {label};
    for (int k = 0; k < 3072; ++k) out.push_back(static_cast<unsigned char>((k + seed) % 256));
    return out;
}

Bytes concatenated(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
    return out;
}

std::vector<float> values_of(const Tensor& t) {
    return std::vector<float>(t.data(), t.data() + t.numel());
}

// The FileError message of `load`, or "" when it does not throw one.
template <class Load>
std::string file_error_of(Load load) {
    try {
        load();
    } catch (const FileError& error) {
        return error.what();
    }
    return "";
}

#define EXPECT_MENTIONS(message, fragment) \
    EXPECT_NE((message).find(fragment), std::string::npos) << "message: " << (message)

// Sets an environment variable for one scope, restoring it afterwards.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value != nullptr) setenv(name, value, 1);
        else unsetenv(name);
    }
    ~ScopedEnv() {
        if (old_) setenv(name_, old_->c_str(), 1);
        else unsetenv(name_);
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

}  // namespace

// ===========================================================================
// IDX (MNIST, Fashion-MNIST)
// ===========================================================================

TEST(IdxReader, ReadsImagesAsUnitFloatsAndLabels) {
    TempDir dir;
    write_bytes(dir / "images", idx_images(3, 2, 2, kPixels));
    write_bytes(dir / "labels", idx_labels(kLabels));
    const ImageSet set = read_idx(dir / "images", dir / "labels");
    EXPECT_EQ(set.images.shape(), (Shape{3, 1, 2, 2}));
    EXPECT_EQ(set.labels.shape(), (Shape{3}));
    EXPECT_EQ(set.classes, 10);
    EXPECT_EQ(set.size(), 3);
    const std::vector<float> pixels = values_of(set.images);
    EXPECT_EQ(pixels[0], 0.0f);
    EXPECT_EQ(pixels[1], 1.0f);
    EXPECT_FLOAT_EQ(pixels[2], 0.2f);
    EXPECT_FLOAT_EQ(pixels[3], 0.4f);
    EXPECT_FLOAT_EQ(pixels[11], 4.0f / 255.0f);
    EXPECT_EQ(values_of(set.labels), (std::vector<float>{0, 9, 4}));
}

TEST(IdxReader, GzipFilesGiveTheSameValues) {
    TempDir dir;
    write_bytes(dir / "images.gz", gzip(idx_images(3, 2, 2, kPixels)));
    write_bytes(dir / "labels.gz", gzip(idx_labels(kLabels)));
    write_bytes(dir / "images", idx_images(3, 2, 2, kPixels));
    write_bytes(dir / "labels", idx_labels(kLabels));
    const ImageSet compressed = read_idx(dir / "images.gz", dir / "labels.gz");
    const ImageSet plain = read_idx(dir / "images", dir / "labels");
    EXPECT_EQ(values_of(compressed.images), values_of(plain.images));
    EXPECT_EQ(values_of(compressed.labels), values_of(plain.labels));
}

TEST(IdxReader, ConcatenatedGzipMembersFormOneFile) {
    TempDir dir;
    const Bytes whole = idx_images(3, 2, 2, kPixels);
    const Bytes head(whole.begin(), whole.begin() + 10), tail(whole.begin() + 10, whole.end());
    write_bytes(dir / "images.gz", concatenated({gzip(head), gzip(tail)}));
    write_bytes(dir / "labels", idx_labels(kLabels));
    EXPECT_EQ(values_of(read_idx(dir / "images.gz", dir / "labels").images).size(), 12u);
}

TEST(IdxReader, LargeGzipImagesRoundTrip) {
    // 1000 images of 28 x 28: inflating grows past any first guess correctly.
    TempDir dir;
    Bytes pixels(1000 * 28 * 28), labels(1000);
    for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<unsigned char>((i * 7) % 256);
    for (size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<unsigned char>(i % 10);
    write_bytes(dir / "images.gz", gzip(idx_images(1000, 28, 28, pixels)));
    write_bytes(dir / "labels.gz", gzip(idx_labels(labels)));
    const ImageSet set = read_idx(dir / "images.gz", dir / "labels.gz");
    EXPECT_EQ(set.images.shape(), (Shape{1000, 1, 28, 28}));
    const std::vector<float> values = values_of(set.images);
    EXPECT_FLOAT_EQ(values[123456], static_cast<float>((123456 * 7) % 256) / 255.0f);
    EXPECT_EQ(values_of(set.labels)[987], 7.0f);
}

TEST(IdxReader, MissingFileIsNamed) {
    TempDir dir;
    write_bytes(dir / "labels", idx_labels(kLabels));
    const std::string message = file_error_of([&] { read_idx(dir / "nothing-here", dir / "labels"); });
    EXPECT_MENTIONS(message, (dir / "nothing-here").string());
    EXPECT_MENTIONS(message, "does not exist");
}

TEST(IdxReader, TruncatedImagesFileSaysHowMuchIsMissing) {
    TempDir dir;
    const Bytes whole = idx_images(3, 2, 2, kPixels);
    write_bytes(dir / "images", Bytes(whole.begin(), whole.end() - 5));
    write_bytes(dir / "labels", idx_labels(kLabels));
    const std::string message = file_error_of([&] { read_idx(dir / "images", dir / "labels"); });
    EXPECT_MENTIONS(message, (dir / "images").string());
    EXPECT_MENTIONS(message, "is truncated: its header announces (3, 2, 2) (12 bytes of data) but only 7");
}

TEST(IdxReader, FileShorterThanItsHeaderIsTruncated) {
    TempDir dir;
    write_bytes(dir / "images", {0, 0, 8, 3, 0, 0});
    write_bytes(dir / "labels", idx_labels(kLabels));
    EXPECT_MENTIONS(file_error_of([&] { read_idx(dir / "images", dir / "labels"); }),
                    "6 bytes cannot hold the 16-byte header");
}

TEST(IdxReader, TruncatedGzipIsReported) {
    TempDir dir;
    const Bytes compressed = gzip(idx_images(3, 2, 2, kPixels));
    write_bytes(dir / "images.gz", Bytes(compressed.begin(), compressed.begin() + compressed.size() / 2));
    write_bytes(dir / "labels", idx_labels(kLabels));
    const std::string message = file_error_of([&] { read_idx(dir / "images.gz", dir / "labels"); });
    EXPECT_MENTIONS(message, (dir / "images.gz").string());
    EXPECT_MENTIONS(message, "is truncated: the gzip data ends early");
}

TEST(IdxReader, CorruptGzipIsReported) {
    TempDir dir;
    Bytes compressed = gzip(idx_images(3, 2, 2, kPixels));
    // Past the 10-byte gzip header: 0xff starts a deflate block of the reserved type 3.
    for (size_t i = 10; i < compressed.size() - 8; ++i) compressed[i] = 0xff;
    write_bytes(dir / "images.gz", compressed);
    write_bytes(dir / "labels", idx_labels(kLabels));
    const std::string message = file_error_of([&] { read_idx(dir / "images.gz", dir / "labels"); });
    EXPECT_MENTIONS(message, (dir / "images.gz").string());
    EXPECT_MENTIONS(message, "is corrupt: not valid gzip data (invalid block type)");
}

TEST(IdxReader, GzipWithAWrongChecksumIsCorrupt) {
    TempDir dir;
    Bytes compressed = gzip(idx_images(3, 2, 2, kPixels));
    compressed[compressed.size() - 8] ^= 0x01;  // the CRC-32 of the trailer
    write_bytes(dir / "images.gz", compressed);
    write_bytes(dir / "labels", idx_labels(kLabels));
    EXPECT_MENTIONS(file_error_of([&] { read_idx(dir / "images.gz", dir / "labels"); }),
                    "incorrect data check");
}

TEST(IdxReader, LabelsGivenAsImagesHaveTheWrongMagicNumber) {
    TempDir dir;
    write_bytes(dir / "labels", idx_labels(kLabels));
    const std::string message = file_error_of([&] { read_idx(dir / "labels", dir / "labels"); });
    EXPECT_MENTIONS(message, "wrong magic number 0x00000801: an IDX images file starts with 0x00000803");
    EXPECT_MENTIONS(message, "looks like the labels file");
}

TEST(IdxReader, TextFileHasTheWrongMagicNumber) {
    TempDir dir;
    write_text(dir / "images", "hello, world");
    write_bytes(dir / "labels", idx_labels(kLabels));
    EXPECT_MENTIONS(file_error_of([&] { read_idx(dir / "images", dir / "labels"); }),
                    "not an IDX file of unsigned bytes");
}

TEST(IdxReader, MismatchedCountsNameBothFiles) {
    TempDir dir;
    write_bytes(dir / "images", idx_images(3, 2, 2, kPixels));
    write_bytes(dir / "labels", idx_labels({1, 2}));
    const std::string message = file_error_of([&] { read_idx(dir / "images", dir / "labels"); });
    EXPECT_MENTIONS(message, (dir / "images").string() + " holds 3 images but " +
                                 (dir / "labels").string() + " holds 2 labels");
}

TEST(IdxReader, LabelOutOfRangeIsNamed) {
    TempDir dir;
    write_bytes(dir / "images", idx_images(3, 2, 2, kPixels));
    write_bytes(dir / "labels", idx_labels({0, 10, 4}));
    const std::string message = file_error_of([&] { read_idx(dir / "images", dir / "labels"); });
    EXPECT_MENTIONS(message, (dir / "labels").string());
    EXPECT_MENTIONS(message, "label 10 of example 1 is outside [0, 10)");
}

TEST(IdxReader, BytesAfterTheDataAreCorrupt) {
    TempDir dir;
    write_bytes(dir / "images", concatenated({idx_images(3, 2, 2, kPixels), {1, 2}}));
    write_bytes(dir / "labels", idx_labels(kLabels));
    EXPECT_MENTIONS(file_error_of([&] { read_idx(dir / "images", dir / "labels"); }),
                    "is corrupt: 2 bytes follow the 12 bytes of data");
}

TEST(IdxReader, LoadMnistReadsTheStandardFileNames) {
    TempDir dir;
    write_bytes(dir / "train-images-idx3-ubyte.gz", gzip(idx_images(3, 2, 2, kPixels)));
    write_bytes(dir / "train-labels-idx1-ubyte.gz", gzip(idx_labels(kLabels)));
    write_bytes(dir / "t10k-images-idx3-ubyte", idx_images(1, 2, 2, {9, 9, 9, 9}));
    write_bytes(dir / "t10k-labels-idx1-ubyte", idx_labels({5}));
    EXPECT_EQ(load_mnist(dir.path(), Split::Train).images.shape(), (Shape{3, 1, 2, 2}));
    EXPECT_EQ(values_of(load_mnist(dir.path(), Split::Test).labels), (std::vector<float>{5}));
}

TEST(IdxReader, LoadMnistWithoutTheFilesSaysWhatToInstall) {
    TempDir dir;
    const std::string message = file_error_of([&] { load_mnist(dir.path(), Split::Test); });
    EXPECT_MENTIONS(message, "t10k-images-idx3-ubyte.gz");
    EXPECT_MENTIONS(message, "dataset-fashion-mnist");
}

TEST(IdxReader, FashionMnistDefaultFolderIsTheDebianPackages) {
    EXPECT_EQ(default_fashion_mnist_dir(), fs::path("/usr/share/datasets/fashion-mnist"));
    EXPECT_EQ(fashion_mnist_classes()[9], "Ankle boot");
}

// ===========================================================================
// CIFAR-10
// ===========================================================================

TEST(Cifar10Reader, RecordsBecomeChannelMajorImages) {
    TempDir dir;
    write_bytes(dir / "batch.bin", concatenated({cifar_record(3, 0), cifar_record(7, 100)}));
    const ImageSet set = read_cifar10({dir / "batch.bin"});
    EXPECT_EQ(set.images.shape(), (Shape{2, 3, 32, 32}));
    EXPECT_EQ(values_of(set.labels), (std::vector<float>{3, 7}));
    const std::vector<float> pixels = values_of(set.images);
    // Image 0, channel 1 (green), row 2, column 5 is byte 1024 + 2 * 32 + 5 = 1093 of the record.
    EXPECT_FLOAT_EQ(pixels[1 * 1024 + 2 * 32 + 5], static_cast<float>(1093 % 256) / 255.0f);
    // Image 1, channel 2, row 31, column 31 is byte 3071: (3071 + 100) % 256.
    EXPECT_FLOAT_EQ(pixels[3072 + 3071], static_cast<float>((3071 + 100) % 256) / 255.0f);
}

TEST(Cifar10Reader, TrainConcatenatesTheFiveBatchesInOrder) {
    TempDir dir;
    for (int i = 1; i <= 5; ++i)
        write_bytes(dir / ("data_batch_" + std::to_string(i) + ".bin"),
                    cifar_record(static_cast<unsigned char>(i), i));
    write_bytes(dir / "test_batch.bin", concatenated({cifar_record(9, 0), cifar_record(8, 0)}));
    const ImageSet train = load_cifar10(dir.path(), Split::Train);
    EXPECT_EQ(values_of(train.labels), (std::vector<float>{1, 2, 3, 4, 5}));
    EXPECT_FLOAT_EQ(values_of(train.images)[4 * 3072], 5.0f / 255.0f);  // batch 5, pixel 0: (0 + 5)
    EXPECT_EQ(values_of(load_cifar10(dir.path(), Split::Test).labels), (std::vector<float>{9, 8}));
}

TEST(Cifar10Reader, MissingBatchSaysHowToDownload) {
    TempDir dir;
    for (int i : {1, 2, 4, 5})
        write_bytes(dir / ("data_batch_" + std::to_string(i) + ".bin"), cifar_record(0, 0));
    const std::string message = file_error_of([&] { load_cifar10(dir.path(), Split::Train); });
    EXPECT_MENTIONS(message, (dir / "data_batch_3.bin").string() + ": the file does not exist");
    EXPECT_MENTIONS(message, "tito data download cifar10");
}

TEST(Cifar10Reader, TruncatedRecordIsReported) {
    TempDir dir;
    const Bytes two = concatenated({cifar_record(1, 0), cifar_record(2, 0)});
    write_bytes(dir / "batch.bin", Bytes(two.begin(), two.end() - 5));
    const std::string message = file_error_of([&] { read_cifar10({dir / "batch.bin"}); });
    EXPECT_MENTIONS(message, (dir / "batch.bin").string());
    EXPECT_MENTIONS(message, "6141 bytes is not a whole number of 3073-byte records");
}

TEST(Cifar10Reader, EmptyFileIsReported) {
    TempDir dir;
    write_bytes(dir / "batch.bin", {});
    EXPECT_MENTIONS(file_error_of([&] { read_cifar10({dir / "batch.bin"}); }), "batch.bin: is empty");
}

TEST(Cifar10Reader, LabelOutOfRangeNamesTheRecord) {
    TempDir dir;
    write_bytes(dir / "batch.bin", concatenated({cifar_record(1, 0), cifar_record(10, 0)}));
    const std::string message = file_error_of([&] { read_cifar10({dir / "batch.bin"}); });
    EXPECT_MENTIONS(message, (dir / "batch.bin").string());
    EXPECT_MENTIONS(message, "record 1 has label 10");
}

TEST(Cifar10Reader, DefaultFolderFollowsXdgCacheHome) {
    ScopedEnv cache("XDG_CACHE_HOME", "/srv/cache");
    EXPECT_EQ(default_cifar10_dir(), fs::path("/srv/cache/tinytorch/cifar-10-batches-bin"));
}

TEST(Cifar10Reader, DefaultFolderFallsBackToHomeCache) {
    ScopedEnv cache("XDG_CACHE_HOME", nullptr);
    ScopedEnv home("HOME", "/home/student");
    EXPECT_EQ(default_cifar10_dir(), fs::path("/home/student/.cache/tinytorch/cifar-10-batches-bin"));
}

TEST(Cifar10Reader, RelativeXdgCacheHomeIsIgnored) {
    ScopedEnv cache("XDG_CACHE_HOME", "relative/cache");
    ScopedEnv home("HOME", "/home/student");
    EXPECT_EQ(default_cifar10_dir(), fs::path("/home/student/.cache/tinytorch/cifar-10-batches-bin"));
}

TEST(Cifar10Reader, NoHomeAndNoCacheFolderIsAnError) {
    ScopedEnv cache("XDG_CACHE_HOME", nullptr);
    ScopedEnv home("HOME", nullptr);
    EXPECT_MENTIONS(file_error_of([] { default_cifar10_dir(); }), "neither XDG_CACHE_HOME nor HOME");
}

// ===========================================================================
// TinyDigits
// ===========================================================================

TEST(TinyDigitsReader, ReadsLabelsAndPixels) {
    TempDir dir;
    write_text(dir / "digits.txt", "tinydigits 2 2 2\n3 0 0.5 1 0.25\n7 1 1 1 0.0625\n");
    const ImageSet set = read_tinydigits(dir / "digits.txt");
    EXPECT_EQ(set.images.shape(), (Shape{2, 1, 2, 2}));
    EXPECT_EQ(values_of(set.images), (std::vector<float>{0, 0.5f, 1, 0.25f, 1, 1, 1, 0.0625f}));
    EXPECT_EQ(values_of(set.labels), (std::vector<float>{3, 7}));
    EXPECT_EQ(set.classes, 10);
}

TEST(TinyDigitsReader, MissingFileSaysHowToRebuildIt) {
    TempDir dir;
    const std::string message = file_error_of([&] { load_tinydigits(dir.path(), Split::Test); });
    EXPECT_MENTIONS(message, (dir / "test.txt").string() + ": the file does not exist");
    EXPECT_MENTIONS(message, "tools/datasets/make_tinydigits.py");
}

TEST(TinyDigitsReader, WrongMagicWordIsReported) {
    TempDir dir;
    write_text(dir / "digits.txt", "digits 1 1 1\n0 0\n");
    EXPECT_MENTIONS(file_error_of([&] { read_tinydigits(dir / "digits.txt"); }),
                    "digits.txt:1: not a TinyDigits file: it starts with \"digits\"");
}

TEST(TinyDigitsReader, MissingLinesAreTruncation) {
    TempDir dir;
    write_text(dir / "digits.txt", "tinydigits 3 1 2\n1 0 0\n2 1 1\n");
    EXPECT_MENTIONS(file_error_of([&] { read_tinydigits(dir / "digits.txt"); }),
                    "is truncated: its header announces 3 images but only 2 lines follow");
}

TEST(TinyDigitsReader, LineCutShortIsReported) {
    TempDir dir;
    write_text(dir / "digits.txt", "tinydigits 2 1 2\n1 0 0\n2 1");
    EXPECT_MENTIONS(file_error_of([&] { read_tinydigits(dir / "digits.txt"); }),
                    "digits.txt:3: expected 3 values (a label and 2 pixels), found 2 (is the file truncated?)");
}

TEST(TinyDigitsReader, LabelOutOfRangeIsReported) {
    TempDir dir;
    write_text(dir / "digits.txt", "tinydigits 1 1 2\n10 0 0\n");
    EXPECT_MENTIONS(file_error_of([&] { read_tinydigits(dir / "digits.txt"); }),
                    "digits.txt:2: label \"10\" is not a class 0 to 9");
}

TEST(TinyDigitsReader, PixelOutOfRangeIsReported) {
    TempDir dir;
    write_text(dir / "digits.txt", "tinydigits 1 1 2\n1 0 1.5\n");
    EXPECT_MENTIONS(file_error_of([&] { read_tinydigits(dir / "digits.txt"); }),
                    "digits.txt:2: pixel 1 is \"1.5\"; pixels are numbers in [0, 1]");
}

TEST(TinyDigitsReader, PixelThatIsNotANumberIsReported) {
    TempDir dir;
    write_text(dir / "digits.txt", "tinydigits 1 1 2\n1 x 0\n");
    EXPECT_MENTIONS(file_error_of([&] { read_tinydigits(dir / "digits.txt"); }), "pixel 0 is \"x\"");
}

TEST(TinyDigitsReader, ExtraLinesAreReported) {
    TempDir dir;
    write_text(dir / "digits.txt", "tinydigits 1 1 2\n1 0 0\n2 0 0\n");
    EXPECT_MENTIONS(file_error_of([&] { read_tinydigits(dir / "digits.txt"); }),
                    "digits.txt:3: more lines than the 1 images its header announces");
}

TEST(TinyDigitsReader, ShippedSetIsBalancedAndInRange) {
    const fs::path folder = fs::path(TINYTORCH_SOURCE_DIR) / "milestones" / "datasets" / "tinydigits";
    for (const auto& [split, count] : {std::pair{Split::Train, 1000}, std::pair{Split::Test, 200}}) {
        const ImageSet set = load_tinydigits(folder, split);
        EXPECT_EQ(set.images.shape(), (Shape{count, 1, 8, 8}));
        EXPECT_EQ(set.labels.shape(), (Shape{count}));
        std::vector<int> per_class(10, 0);
        for (float label : values_of(set.labels)) ++per_class[static_cast<size_t>(label)];
        EXPECT_EQ(per_class, std::vector<int>(10, count / 10));
        float low = 1.0f, high = 0.0f;
        for (float pixel : values_of(set.images)) {
            low = std::min(low, pixel);
            high = std::max(high, pixel);
            ASSERT_EQ(pixel * 16.0f, std::floor(pixel * 16.0f)) << "pixels are multiples of 1/16";
        }
        EXPECT_EQ(low, 0.0f);
        EXPECT_EQ(high, 1.0f);
    }
}

TEST(TinyDigitsReader, FindsTheShippedFolderFromInsideTheWorkspace) {
    const fs::path root = TINYTORCH_SOURCE_DIR;
    EXPECT_EQ(find_tinydigits_dir(root / "modules" / "05_dataloader"),
              root / "milestones" / "datasets" / "tinydigits");
}

TEST(TinyDigitsReader, FindFromOutsideAWorkspaceSaysSo) {
    TempDir dir;
    EXPECT_MENTIONS(file_error_of([&] { find_tinydigits_dir(dir.path()); }),
                    "run from inside the TinyTorch workspace");
}
