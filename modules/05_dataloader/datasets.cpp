// datasets.cpp — the dataset readers of datasets.hpp. Provided infrastructure.
//
// Every file is read front to back through zlib (gzread inflates gzip files
// and passes plain ones through), in chunks that go straight from the file to
// the float tensor: no copy of the whole uncompressed file is ever made.
// Headers are checked against the file's size before anything is allocated
// for the data, and the file must end where its header says. Loading the
// 60,000 Fashion-MNIST training images this way takes about a quarter of a
// second, most of it inflating (tools/bench/dataset_benchmark.cpp).
//
// Only the provided parts of module 01 are used here (Storage,
// Tensor::from_storage, shape(), data()), so the readers work in a student's
// tree before module 01 is done.
#include "datasets.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace tinytorch {

namespace fs = std::filesystem;

namespace {

using Bytes = std::vector<unsigned char>;

constexpr std::string_view kCifarRemedy =
    "download CIFAR-10 again with `tito data download cifar10`";
constexpr std::string_view kIdxRemedy =
    "fetch the file again (for Fashion-MNIST, reinstall Debian's dataset-fashion-mnist package)";
constexpr std::string_view kTinyDigitsRemedy =
    "restore it from the repository or rebuild it with python3 tools/datasets/make_tinydigits.py";

[[noreturn]] void fail(const fs::path& file, std::string_view what) {
    throw FileError(fmt::format("{}: {}", file.string(), what));
}

// ---------------------------------------------------------------------------
// Reading files, plain or gzip-compressed
// ---------------------------------------------------------------------------

// Bytes per read: big enough that calls cost nothing, small enough that a
// chunk stays in cache while it is converted to floats.
constexpr size_t kChunkBytes = size_t{1} << 18;

// A file read front to back through zlib, which inflates a gzip-compressed
// file on the way (one member or several concatenated) and reads any other
// file as it is. Streaming keeps the whole uncompressed file out of memory:
// chunks go straight from zlib to the float tensor.
class ByteStream {
public:
    // A missing or unreadable file throws FileError saying what to do (`remedy`).
    ByteStream(const fs::path& file, std::string_view remedy) : file_(file), remedy_(remedy) {
        std::error_code error;
        if (!fs::exists(file, error)) fail(file, fmt::format("the file does not exist; {}", remedy));
        if (fs::is_directory(file, error)) fail(file, "is a folder, not a file");
        file_bytes_ = fs::file_size(file, error);
        if (error) fail(file, fmt::format("cannot be read: {}", error.message()));
        gz_ = gzopen(file.c_str(), "rb");
        if (gz_ == nullptr) fail(file, fmt::format("cannot be opened: {}", std::strerror(errno)));
        gzbuffer(gz_, static_cast<unsigned>(kChunkBytes));
    }
    ~ByteStream() { gzclose(gz_); }
    ByteStream(const ByteStream&) = delete;
    ByteStream& operator=(const ByteStream&) = delete;

    const fs::path& file() const { return file_; }

    // Reads up to `count` bytes into dst; fewer only where the data ends.
    // Corrupt or cut-off gzip data throws FileError.
    size_t read(unsigned char* dst, size_t count) {
        size_t done = 0;
        while (done < count) {
            const auto request = static_cast<unsigned>(std::min<size_t>(count - done, size_t{1} << 30));
            const int got = gzread(gz_, dst + done, request);
            if (got <= 0) break;
            done += static_cast<size_t>(got);
        }
        produced_ += done;
        check();
        return done;
    }

    // Everything that is left, as one buffer.
    Bytes read_rest() {
        Bytes bytes;
        size_t size = 0;
        for (;;) {
            bytes.resize(size + kChunkBytes);
            const size_t got = read(bytes.data() + size, kChunkBytes);
            size += got;
            if (got < kChunkBytes) break;
        }
        bytes.resize(size);
        return bytes;
    }

    bool compressed() { return gzdirect(gz_) == 0; }

    // The most data that can still follow: exactly what is left of a plain
    // file; for gzip, the file's size times deflate's best ratio (about
    // 1032:1). Lets a reader reject a header that announces more before
    // allocating for it.
    uint64_t max_remaining() {
        if (compressed()) return file_bytes_ * 1032;
        return file_bytes_ > produced_ ? file_bytes_ - produced_ : 0;
    }

private:
    void check() {
        int code = Z_OK;
        const char* message = gzerror(gz_, &code);
        if (code == Z_OK) return;
        if (code == Z_BUF_ERROR)
            fail(file_, fmt::format("is truncated: the gzip data ends early, after {} uncompressed "
                                    "bytes; {}",
                                    produced_, remedy_));
        if (code == Z_MEM_ERROR) throw std::bad_alloc();
        if (code == Z_ERRNO) fail(file_, fmt::format("cannot be read: {}", std::strerror(errno)));
        // zlib's message starts with the path it was given; ours names it already.
        std::string_view what = message != nullptr ? message : "unknown zlib error";
        const std::string prefix = file_.string() + ": ";
        if (what.starts_with(prefix)) what.remove_prefix(prefix.size());
        fail(file_, fmt::format("is corrupt: not valid gzip data ({}); {}", what, remedy_));
    }

    fs::path file_;
    std::string remedy_;
    gzFile gz_ = nullptr;
    uint64_t file_bytes_ = 0;
    uint64_t produced_ = 0;  // bytes handed out so far
};

// A new contiguous float tensor of `shape`. Built from provided parts only:
// empty() would call contiguous_strides, which a student writes in module 01.
Tensor new_tensor(const Shape& shape) {
    Strides strides(shape.size());
    int64_t stride = 1, count = 1;
    for (size_t axis = shape.size(); axis-- > 0;) {
        strides[axis] = stride;
        stride *= std::max<int64_t>(shape[axis], 1);  // as contiguous_strides does
        count *= shape[axis];
    }
    return Tensor::from_storage(std::make_shared<Storage>(count), shape, strides, 0);
}

uint32_t big_endian_u32(const unsigned char* p) {
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

// Pixel bytes 0..255 -> floats in [0, 1]. One pass the compiler vectorises.
void bytes_to_unit_floats(const unsigned char* src, float* dst, size_t count) {
    for (size_t i = 0; i < count; ++i) dst[i] = static_cast<float>(src[i]) / 255.0f;
}

// ---------------------------------------------------------------------------
// TinyDigits text
// ---------------------------------------------------------------------------

// Splits `line` at runs of spaces and tabs.
std::vector<std::string_view> split_words(std::string_view line) {
    std::vector<std::string_view> words;
    size_t at = 0;
    while (at < line.size()) {
        const size_t start = line.find_first_not_of(" \t\r", at);
        if (start == std::string_view::npos) break;
        size_t end = line.find_first_of(" \t\r", start);
        if (end == std::string_view::npos) end = line.size();
        words.push_back(line.substr(start, end - start));
        at = end;
    }
    return words;
}

// The whole word as a T, or false.
template <class T>
bool parse_number(std::string_view word, T& value) {
    const auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), value);
    return error == std::errc() && end == word.data() + word.size();
}

// Walks a text file line by line, counting lines for error messages.
class LineReader {
public:
    explicit LineReader(std::string_view text) : text_(text) {}
    bool next(std::string_view& line) {
        if (at_ >= text_.size()) return false;
        size_t end = text_.find('\n', at_);
        if (end == std::string_view::npos) end = text_.size();
        line = text_.substr(at_, end - at_);
        at_ = end + 1;
        ++number_;
        return true;
    }
    int64_t number() const { return number_; }

private:
    std::string_view text_;
    size_t at_ = 0;
    int64_t number_ = 0;
};

[[noreturn]] void fail_at(const fs::path& file, int64_t line, std::string_view what) {
    throw FileError(fmt::format("{}:{}: {}", file.string(), line, what));
}

// ---------------------------------------------------------------------------
// IDX
// ---------------------------------------------------------------------------

constexpr uint32_t idx_magic(int axes) { return 0x0800u | static_cast<uint32_t>(axes); }

// The header of an IDX array of unsigned bytes: its sizes, and the number of
// data bytes that follow.
struct IdxHeader {
    Shape sizes;
    uint64_t data_bytes = 1;
};

// Reads and checks the header of an IDX file of unsigned bytes with `axes`
// axes ("images": 3, "labels": 1).
IdxHeader read_idx_header(ByteStream& in, int axes, std::string_view kind) {
    const fs::path& file = in.file();
    unsigned char head[4 + 4 * 3];
    const size_t got = in.read(head, 4);
    if (got < 4)
        fail(file, fmt::format("is truncated: {} bytes cannot hold an IDX header; {}", got,
                               kIdxRemedy));
    const uint32_t magic = big_endian_u32(head);
    if (magic != idx_magic(axes)) {
        const bool swapped = magic == idx_magic(axes == 3 ? 1 : 3);
        fail(file, fmt::format("wrong magic number 0x{:08x}: an IDX {} file starts with 0x{:08x} "
                               "(unsigned bytes, {} axes){}",
                               magic, kind, idx_magic(axes), axes,
                               swapped ? fmt::format("; this looks like the {} file, check the order "
                                                     "of the arguments",
                                                     axes == 3 ? "labels" : "images")
                                       : "; it is not an IDX file of unsigned bytes"));
    }
    const size_t header_bytes = 4 + 4 * static_cast<size_t>(axes);
    const size_t sizes_got = in.read(head + 4, header_bytes - 4);
    if (sizes_got < header_bytes - 4)
        fail(file, fmt::format("is truncated: {} bytes cannot hold the {}-byte header; {}",
                               4 + sizes_got, header_bytes, kIdxRemedy));
    IdxHeader header;
    for (int a = 0; a < axes; ++a) {
        const uint32_t size = big_endian_u32(head + 4 + 4 * a);
        header.sizes.push_back(size);
        if (size != 0 && header.data_bytes > UINT64_MAX / size)
            fail(file, "is corrupt: its header announces more data than any file can hold");
        header.data_bytes *= size;
    }
    // Checked before anything is allocated for the data.
    const uint64_t room = in.max_remaining();
    if (header.data_bytes > room)
        fail(file, fmt::format("is truncated: its header announces {} ({} bytes of data) but {}; {}",
                               format_shape(header.sizes), header.data_bytes,
                               in.compressed() ? "the file is too small to hold them"
                                               : fmt::format("only {} bytes follow", room),
                               kIdxRemedy));
    return header;
}

// Reads the header's data bytes chunk by chunk, calling
//     consume(bytes, count, offset)
// for each (offset counts from the first data byte), then checks that the
// file ends there. Reading on to the end also makes zlib verify the gzip
// checksum.
template <class Consume>
void read_idx_data(ByteStream& in, const IdxHeader& header, Consume consume) {
    Bytes chunk(kChunkBytes);
    uint64_t done = 0;
    while (done < header.data_bytes) {
        const auto want = static_cast<size_t>(std::min<uint64_t>(kChunkBytes, header.data_bytes - done));
        const size_t got = in.read(chunk.data(), want);
        consume(chunk.data(), got, done);
        done += got;
        if (got < want) break;
    }
    if (done < header.data_bytes)
        fail(in.file(), fmt::format("is truncated: its header announces {} ({} bytes of data) but "
                                    "only {} bytes follow; {}",
                                    format_shape(header.sizes), header.data_bytes, done, kIdxRemedy));
    uint64_t extra = 0;
    for (size_t got; (got = in.read(chunk.data(), kChunkBytes)) > 0;) extra += got;
    if (extra > 0)
        fail(in.file(), fmt::format("is corrupt: {} bytes follow the {} bytes of data its header "
                                    "announces ({})",
                                    extra, header.data_bytes, format_shape(header.sizes)));
}

// folder/name.gz when it exists, else folder/name when that exists.
fs::path find_possibly_gzipped(const fs::path& folder, const std::string& name) {
    const fs::path compressed = folder / (name + ".gz");
    const fs::path plain = folder / name;
    std::error_code error;
    if (fs::exists(compressed, error)) return compressed;
    if (fs::exists(plain, error)) return plain;
    throw FileError(fmt::format(
        "{}: neither {}.gz nor {} is there; for Fashion-MNIST install Debian's "
        "dataset-fashion-mnist package (sudo apt-get install dataset-fashion-mnist), whose files "
        "land in {}, or pass the folder that holds the IDX files",
        folder.string(), name, name, default_fashion_mnist_dir().string()));
}

}  // namespace

// ===========================================================================
// TinyDigits
// ===========================================================================

ImageSet read_tinydigits(const fs::path& file) {
    const Bytes bytes = ByteStream(file, kTinyDigitsRemedy).read_rest();
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    LineReader lines(text);

    // Header: "tinydigits N H W".
    std::string_view line;
    if (!lines.next(line)) fail(file, fmt::format("is empty; {}", kTinyDigitsRemedy));
    const auto header = split_words(line);
    if (header.empty() || header[0] != "tinydigits")
        fail_at(file, 1, fmt::format("not a TinyDigits file: it starts with \"{}\" where the word "
                                     "\"tinydigits\" should be",
                                     header.empty() ? "" : header[0]));
    int64_t count = 0, height = 0, width = 0;
    if (header.size() != 4 || !parse_number(header[1], count) || !parse_number(header[2], height) ||
        !parse_number(header[3], width) || count < 0 || height <= 0 || width <= 0 ||
        height > 4096 || width > 4096)
        fail_at(file, 1, fmt::format("bad header \"{}\": expected \"tinydigits <images> <height> "
                                     "<width>\" with positive sizes",
                                     line));
    // Every image needs a line: a count beyond the lines present means a
    // truncated file (checked before allocating for it).
    const std::string_view rest = text.substr(std::min(text.size(), line.size() + 1));
    const auto lines_left = static_cast<int64_t>(std::count(rest.begin(), rest.end(), '\n')) +
                            (rest.empty() || rest.back() == '\n' ? 0 : 1);
    if (count > lines_left)
        fail(file, fmt::format("is truncated: its header announces {} images but only {} lines "
                               "follow; {}",
                               count, lines_left, kTinyDigitsRemedy));

    const int64_t pixels = height * width;
    ImageSet set;
    set.classes = 10;
    set.images = new_tensor({count, 1, height, width});
    set.labels = new_tensor({count});
    float* image = set.images.data();
    for (int64_t i = 0; i < count; ++i, image += pixels) {
        lines.next(line);  // there is one: the lines were counted above
        const auto words = split_words(line);
        if (static_cast<int64_t>(words.size()) != 1 + pixels)
            fail_at(file, lines.number(),
                    fmt::format("expected {} values (a label and {} pixels), found {}{}", 1 + pixels,
                                pixels, words.size(),
                                i + 1 == count ? " (is the file truncated?)" : ""));
        int64_t label = 0;
        if (!parse_number(words[0], label) || label < 0 || label >= set.classes)
            fail_at(file, lines.number(),
                    fmt::format("label \"{}\" is not a class 0 to {}", words[0], set.classes - 1));
        set.labels.data()[i] = static_cast<float>(label);
        for (int64_t p = 0; p < pixels; ++p) {
            const std::string_view word = words[static_cast<size_t>(1 + p)];
            float value = 0.0f;
            if (!parse_number(word, value) || !(value >= 0.0f && value <= 1.0f))
                fail_at(file, lines.number(),
                        fmt::format("pixel {} is \"{}\"; pixels are numbers in [0, 1]", p, word));
            image[p] = value;
        }
    }
    while (lines.next(line))
        if (!split_words(line).empty())
            fail_at(file, lines.number(),
                    fmt::format("more lines than the {} images its header announces", count));
    return set;
}

ImageSet load_tinydigits(const fs::path& folder, Split split) {
    return read_tinydigits(folder / (split == Split::Train ? "train.txt" : "test.txt"));
}

fs::path find_tinydigits_dir(const fs::path& start) {
    const fs::path relative = fs::path("milestones") / "datasets" / "tinydigits";
    std::error_code error;
    for (fs::path dir = fs::absolute(start);; dir = dir.parent_path()) {
        if (fs::exists(dir / relative / "train.txt", error)) return dir / relative;
        if (dir == dir.parent_path()) break;
    }
    throw FileError(fmt::format("{}: neither this folder nor any folder above it holds {}; run from "
                                "inside the TinyTorch workspace or pass the TinyDigits folder",
                                fs::absolute(start).string(), relative.string()));
}

// ===========================================================================
// CIFAR-10
// ===========================================================================

ImageSet read_cifar10(const std::vector<fs::path>& files) {
    TT_CHECK(!files.empty(), ValueError, "read_cifar10: no files given");
    constexpr int64_t kPixels = kCifar10RecordBytes - 1;

    // Sizes first: a missing or cut file fails before 600 MB are allocated.
    std::vector<int64_t> records;
    for (const fs::path& file : files) {
        std::error_code error;
        if (!fs::is_regular_file(file, error))
            fail(file, fmt::format("the file does not exist; {}", kCifarRemedy));
        const auto size = static_cast<int64_t>(fs::file_size(file, error));
        if (error) fail(file, fmt::format("cannot be read: {}", error.message()));
        if (size == 0) fail(file, fmt::format("is empty; {}", kCifarRemedy));
        if (size % kCifar10RecordBytes != 0)
            fail(file, fmt::format("is truncated or not a CIFAR-10 binary batch: {} bytes is not a "
                                   "whole number of {}-byte records (a label byte and 3 x 32 x 32 "
                                   "pixel bytes); {}",
                                   size, kCifar10RecordBytes, kCifarRemedy));
        records.push_back(size / kCifar10RecordBytes);
    }
    int64_t total = 0;
    for (int64_t n : records) total += n;

    ImageSet set;
    set.classes = 10;
    set.images = new_tensor({total, 3, 32, 32});
    set.labels = new_tensor({total});
    // Records are read a chunk at a time and converted straight into the tensor.
    constexpr int64_t kRecordsPerChunk = 64;
    Bytes chunk(static_cast<size_t>(kRecordsPerChunk * kCifar10RecordBytes));
    int64_t image = 0;
    for (size_t f = 0; f < files.size(); ++f) {
        ByteStream in(files[f], kCifarRemedy);
        for (int64_t r = 0; r < records[f]; r += kRecordsPerChunk) {
            const int64_t count = std::min(kRecordsPerChunk, records[f] - r);
            const auto want = static_cast<size_t>(count * kCifar10RecordBytes);
            if (in.read(chunk.data(), want) != want) fail(files[f], "became shorter while being read");
            for (int64_t k = 0; k < count; ++k, ++image) {
                const unsigned char* record = chunk.data() + k * kCifar10RecordBytes;
                if (record[0] >= set.classes)
                    fail(files[f], fmt::format("is corrupt: record {} has label {}, but CIFAR-10 "
                                               "labels are 0 to 9 (CIFAR-100 batches, with two "
                                               "label bytes, are not supported); {}",
                                               r + k, record[0], kCifarRemedy));
                set.labels.data()[image] = record[0];
                bytes_to_unit_floats(record + 1, set.images.data() + image * kPixels, kPixels);
            }
        }
    }
    return set;
}

ImageSet load_cifar10(const fs::path& folder, Split split) {
    std::vector<fs::path> files;
    if (split == Split::Train)
        for (int i = 1; i <= 5; ++i) files.push_back(folder / fmt::format("data_batch_{}.bin", i));
    else
        files.push_back(folder / "test_batch.bin");
    return read_cifar10(files);
}

fs::path default_cifar10_dir() {
    // The XDG base directory rules: a relative XDG_CACHE_HOME is ignored.
    const char* cache = std::getenv("XDG_CACHE_HOME");
    fs::path base;
    if (cache != nullptr && *cache != '\0' && fs::path(cache).is_absolute()) {
        base = cache;
    } else {
        const char* home = std::getenv("HOME");
        if (home == nullptr || *home == '\0')
            throw FileError("default_cifar10_dir: neither XDG_CACHE_HOME nor HOME is set; set one, "
                            "or pass the folder that holds the CIFAR-10 batches");
        base = fs::path(home) / ".cache";
    }
    return base / "tinytorch" / "cifar-10-batches-bin";
}

const std::array<std::string_view, 10>& cifar10_classes() {
    static constexpr std::array<std::string_view, 10> names = {
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
    return names;
}

// ===========================================================================
// IDX: MNIST and Fashion-MNIST
// ===========================================================================

ImageSet read_idx(const fs::path& images_file, const fs::path& labels_file, int64_t classes) {
    TT_CHECK(classes > 0 && classes <= 256, ValueError,
             "read_idx: classes must be in 1..256 (labels are bytes), got {}", classes);
    // Both headers first, so mismatched files fail before the big read.
    ByteStream labels_in(labels_file, kIdxRemedy);
    const IdxHeader labels = read_idx_header(labels_in, 1, "labels");
    ByteStream images_in(images_file, kIdxRemedy);
    const IdxHeader images = read_idx_header(images_in, 3, "images");
    const int64_t count = images.sizes[0];
    if (labels.sizes[0] != count)
        throw FileError(fmt::format("{} holds {} images but {} holds {} labels; the two files must "
                                    "belong to the same set (train with train, t10k with t10k)",
                                    images_file.string(), count, labels_file.string(),
                                    labels.sizes[0]));

    ImageSet set;
    set.classes = classes;
    set.labels = new_tensor({count});
    float* label = set.labels.data();
    read_idx_data(labels_in, labels, [&](const unsigned char* bytes, size_t n, uint64_t offset) {
        for (size_t i = 0; i < n; ++i) {
            if (bytes[i] >= classes)
                fail(labels_file, fmt::format("is corrupt: label {} of example {} is outside [0, {})",
                                              bytes[i], offset + i, classes));
            label[offset + i] = bytes[i];
        }
    });
    set.images = new_tensor({count, 1, images.sizes[1], images.sizes[2]});
    float* pixels = set.images.data();
    read_idx_data(images_in, images, [&](const unsigned char* bytes, size_t n, uint64_t offset) {
        bytes_to_unit_floats(bytes, pixels + offset, n);
    });
    return set;
}

ImageSet load_mnist(const fs::path& folder, Split split) {
    const std::string prefix = split == Split::Train ? "train" : "t10k";
    const fs::path images = find_possibly_gzipped(folder, prefix + "-images-idx3-ubyte");
    const fs::path labels = find_possibly_gzipped(folder, prefix + "-labels-idx1-ubyte");
    return read_idx(images, labels, 10);
}

fs::path default_fashion_mnist_dir() { return "/usr/share/datasets/fashion-mnist"; }

const std::array<std::string_view, 10>& fashion_mnist_classes() {
    static constexpr std::array<std::string_view, 10> names = {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    return names;
}

}  // namespace tinytorch
