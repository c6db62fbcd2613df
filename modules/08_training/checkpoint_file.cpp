// checkpoint_file.cpp — module 08, provided: reading and writing the
// checkpoint format of checkpoint_file.hpp, and the atomic write.
#include "checkpoint_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <type_traits>

namespace tinytorch {

namespace fs = std::filesystem;

namespace {

enum class EntryType : uint8_t { Tensor = 1, Int = 2, Real = 3, Text = 4, Ints = 5, Reals = 6 };

const char* type_name(EntryType type) {
    switch (type) {
        case EntryType::Tensor: return "a tensor";
        case EntryType::Int: return "an integer";
        case EntryType::Real: return "a number";
        case EntryType::Text: return "text";
        case EntryType::Ints: return "a list of integers";
        case EntryType::Reals: return "a list of numbers";
    }
    return "unknown";
}

EntryType type_of(const CheckpointValue& value) {
    return static_cast<EntryType>(value.index() + 1);  // the variant's order is the types' order
}

uint32_t crc32_of(const char* data, size_t size) {
    uLong crc = crc32(0L, Z_NULL, 0);
    while (size > 0) {  // zlib takes at most a uInt per call
        const auto chunk = static_cast<uInt>(std::min<size_t>(size, 1u << 30));
        crc = crc32(crc, reinterpret_cast<const Bytef*>(data), chunk);
        data += chunk;
        size -= chunk;
    }
    return static_cast<uint32_t>(crc);
}

// ---- writing: little-endian bytes appended to a string ----------------------

class ByteWriter {
public:
    template <class T>
    void put(T value) {  // an unsigned integer, little-endian
        static_assert(std::is_unsigned_v<T>);
        for (size_t i = 0; i < sizeof(T); ++i) bytes_.push_back(static_cast<char>(value >> (8 * i)));
    }
    void put_i64(int64_t v) { put(static_cast<uint64_t>(v)); }
    void put_f64(double v) { put(std::bit_cast<uint64_t>(v)); }
    void put_bytes(const std::string& s) { bytes_ += s; }
    void put_floats(const float* values, int64_t count) {
        if constexpr (std::endian::native == std::endian::little) {
            bytes_.append(reinterpret_cast<const char*>(values), static_cast<size_t>(count) * 4);
        } else {
            for (int64_t i = 0; i < count; ++i) put(std::bit_cast<uint32_t>(values[i]));
        }
    }
    std::string& bytes() { return bytes_; }

private:
    std::string bytes_;
};

void put_value(ByteWriter& out, const CheckpointValue& value) {
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, Tensor>) {
                out.put(static_cast<uint32_t>(v.dim()));
                for (int64_t size : v.shape()) out.put_i64(size);
                out.put_floats(v.data(), v.numel());  // contiguous: CheckpointData::add made it so
            } else if constexpr (std::is_same_v<T, int64_t>) {
                out.put_i64(v);
            } else if constexpr (std::is_same_v<T, double>) {
                out.put_f64(v);
            } else if constexpr (std::is_same_v<T, std::string>) {
                out.put(static_cast<uint64_t>(v.size()));
                out.put_bytes(v);
            } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
                out.put(static_cast<uint64_t>(v.size()));
                for (int64_t x : v) out.put_i64(x);
            } else {
                out.put(static_cast<uint64_t>(v.size()));
                for (double x : v) out.put_f64(x);
            }
        },
        value);
}

// The whole file: header, entries, checksum.
std::string encode(const CheckpointData& data) {
    ByteWriter payload;
    for (const auto& [name, value] : data.entries()) {
        payload.put(static_cast<uint8_t>(type_of(value)));
        payload.put(static_cast<uint32_t>(name.size()));
        payload.put_bytes(name);
        put_value(payload, value);
    }
    ByteWriter file;
    file.bytes().append(kCheckpointMagic, sizeof kCheckpointMagic);
    file.put(kCheckpointVersion);
    file.put(static_cast<uint32_t>(data.entries().size()));
    file.put(static_cast<uint64_t>(payload.bytes().size()));
    file.bytes() += payload.bytes();
    file.put(crc32_of(file.bytes().data(), file.bytes().size()));
    return std::move(file.bytes());
}

// ---- reading: a bounds-checked cursor over the payload ----------------------

class ByteReader {
public:
    ByteReader(const std::string& bytes, size_t begin, size_t end, const std::string& where)
        : bytes_(bytes), position_(begin), end_(end), where_(where) {}

    template <class T>
    T get() {
        static_assert(std::is_unsigned_v<T>);
        need(sizeof(T));
        T value = 0;
        for (size_t i = 0; i < sizeof(T); ++i)
            value |= static_cast<T>(static_cast<unsigned char>(bytes_[position_ + i])) << (8 * i);
        position_ += sizeof(T);
        return value;
    }
    int64_t get_i64() { return static_cast<int64_t>(get<uint64_t>()); }
    double get_f64() { return std::bit_cast<double>(get<uint64_t>()); }
    std::string get_bytes(uint64_t count) {
        need(count);
        std::string s = bytes_.substr(position_, static_cast<size_t>(count));
        position_ += static_cast<size_t>(count);
        return s;
    }
    void get_floats(float* out, int64_t count) {
        need(static_cast<uint64_t>(count) * 4);
        if constexpr (std::endian::native == std::endian::little) {
            std::memcpy(out, bytes_.data() + position_, static_cast<size_t>(count) * 4);
            position_ += static_cast<size_t>(count) * 4;
        } else {
            for (int64_t i = 0; i < count; ++i) out[i] = std::bit_cast<float>(get<uint32_t>());
        }
    }
    // A count read from the file, checked against the bytes left before it is
    // used to allocate anything.
    uint64_t get_count(uint64_t bytes_per_item) {
        const uint64_t count = get<uint64_t>();
        if (bytes_per_item > 0 && count > (end_ - position_) / bytes_per_item) fail("a count runs past the end");
        return count;
    }
    bool at_end() const { return position_ == end_; }
    uint64_t remaining() const { return end_ - position_; }
    [[noreturn]] void fail(const std::string& what) const {
        throw FileError(fmt::format("{} is corrupt: {} at byte {} (the checksum matched, so it was "
                                    "written that way)",
                                    where_, what, position_));
    }

private:
    void need(uint64_t count) const {
        if (count > end_ - position_) fail("an entry runs past the end of the data");
    }
    const std::string& bytes_;
    size_t position_;
    size_t end_;
    const std::string& where_;
};

CheckpointValue get_value(ByteReader& in, EntryType type) {
    switch (type) {
        case EntryType::Tensor: {
            const uint32_t ndim = in.get<uint32_t>();
            if (ndim > 64) in.fail(fmt::format("a tensor with {} axes", ndim));
            Shape shape(ndim);
            int64_t numel = 1;
            for (int64_t& size : shape) {
                size = in.get_i64();
                if (size < 0 || (size > 0 && numel > (int64_t{1} << 40) / size))
                    in.fail(fmt::format("a tensor axis of size {}", size));
                numel *= size;
            }
            if (static_cast<uint64_t>(numel) * 4 > in.remaining())
                in.fail(fmt::format("a tensor of shape {} runs past the end of the data",
                                    format_shape(shape)));
            Tensor t = empty(shape);
            in.get_floats(t.data(), numel);
            return t;
        }
        case EntryType::Int: return in.get_i64();
        case EntryType::Real: return in.get_f64();
        case EntryType::Text: return in.get_bytes(in.get_count(1));
        case EntryType::Ints: {
            std::vector<int64_t> v(in.get_count(8));
            for (int64_t& x : v) x = in.get_i64();
            return v;
        }
        case EntryType::Reals: {
            std::vector<double> v(in.get_count(8));
            for (double& x : v) x = in.get_f64();
            return v;
        }
    }
    in.fail(fmt::format("unknown entry type {}", static_cast<int>(type)));
}

std::string read_whole_file(const fs::path& path, const std::string& where) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        const bool exists = fs::exists(path);
        throw FileError(fmt::format("cannot open {}: {}", where,
                                    exists ? std::strerror(errno) : "no such file"));
    }
    std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (file.bad()) throw FileError(fmt::format("cannot read {}: {}", where, std::strerror(errno)));
    return bytes;
}

uint32_t get_u32_at(const std::string& bytes, size_t at) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
    return v;
}

uint64_t get_u64_at(const std::string& bytes, size_t at) {
    uint64_t v = 0;
    for (size_t i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
    return v;
}

// ---- the atomic write -------------------------------------------------------

std::function<void(int64_t, int64_t)>& write_hook() {
    static std::function<void(int64_t, int64_t)> hook;
    return hook;
}

int64_t& hook_chunk_bytes() {
    static int64_t chunk = 1 << 20;
    return chunk;
}

// A temporary file that is closed and removed unless commit() renamed it.
class TemporaryFile {
public:
    TemporaryFile(const fs::path& target, const std::string& where) : where_(where) {
        const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
        std::string pattern = (folder / (target.filename().string() + ".tmp-XXXXXX")).string();
        fd_ = ::mkstemp(pattern.data());
        if (fd_ < 0)
            throw FileError(fmt::format("cannot write {}: cannot create a temporary file in {}: {}",
                                        where_, folder.string(), std::strerror(errno)));
        name_ = pattern;
        folder_ = folder;
        // mkstemp makes the file private (0600); a checkpoint is an ordinary file.
        ::fchmod(fd_, 0644);
    }
    ~TemporaryFile() {
        if (fd_ >= 0) ::close(fd_);
        if (!committed_) ::unlink(name_.c_str());
    }
    TemporaryFile(const TemporaryFile&) = delete;
    TemporaryFile& operator=(const TemporaryFile&) = delete;

    void write_all(const std::string& bytes) {
        const auto total = static_cast<int64_t>(bytes.size());
        const int64_t chunk = write_hook() ? std::max<int64_t>(1, hook_chunk_bytes()) : int64_t{1} << 24;
        int64_t written = 0;
        while (written < total) {
            const int64_t end = std::min(total, written + chunk);
            while (written < end) {
                const ssize_t n = ::write(fd_, bytes.data() + written, static_cast<size_t>(end - written));
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) fail("writing");
                written += n;
            }
            if (write_hook()) write_hook()(written, total);
        }
    }

    // fsync, close, rename over the target, then sync the folder so the
    // rename itself survives a power cut.
    void commit(const fs::path& target) {
        if (::fsync(fd_) != 0) fail("flushing to disk");
        const int fd = fd_;
        fd_ = -1;
        if (::close(fd) != 0) fail("closing");
        if (::rename(name_.c_str(), target.c_str()) != 0) fail("renaming it over the old file");
        committed_ = true;
        // Best effort: some file systems cannot sync a folder; the data itself is on disk already.
        const int folder = ::open(folder_.c_str(), O_RDONLY | O_DIRECTORY);
        if (folder >= 0) {
            ::fsync(folder);
            ::close(folder);
        }
    }

private:
    [[noreturn]] void fail(const char* doing) const {
        throw FileError(fmt::format("cannot write {}: {} the temporary file {} failed: {}", where_,
                                    doing, name_, std::strerror(errno)));
    }
    std::string where_;
    std::string name_;
    fs::path folder_;
    int fd_ = -1;
    bool committed_ = false;
};

}  // namespace

// ===========================================================================
// CheckpointData
// ===========================================================================

void CheckpointData::add(std::string name, CheckpointValue value) {
    TT_CHECK(!contains(name), ValueError, "{}: the name \"{}\" is already taken", where, name);
    if (auto* tensor = std::get_if<Tensor>(&value)) {
        TT_CHECK(tensor->defined(), ValueError, "{}: \"{}\" is an undefined tensor", where, name);
        *tensor = untracked(*tensor).clone();  // a contiguous copy of the values only
    }
    entries_.emplace_back(std::move(name), std::move(value));
}

bool CheckpointData::contains(const std::string& name) const {
    return std::any_of(entries_.begin(), entries_.end(),
                       [&](const auto& entry) { return entry.first == name; });
}

const CheckpointValue& CheckpointData::find(const std::string& name, const char* type) const {
    for (const auto& [key, value] : entries_) {
        if (key != name) continue;
        return value;
    }
    throw FileError(fmt::format("{} has no entry \"{}\" ({} was expected)", where, name, type));
}

namespace {
template <class T>
const T& get_as(const CheckpointValue& value, const std::string& where, const std::string& name,
                EntryType expected) {
    if (const T* v = std::get_if<T>(&value)) return *v;
    throw FileError(fmt::format("{}: \"{}\" holds {} but {} was expected", where, name,
                                type_name(type_of(value)), type_name(expected)));
}
}  // namespace

const Tensor& CheckpointData::tensor(const std::string& name) const {
    return get_as<Tensor>(find(name, "a tensor"), where, name, EntryType::Tensor);
}
int64_t CheckpointData::integer(const std::string& name) const {
    return get_as<int64_t>(find(name, "an integer"), where, name, EntryType::Int);
}
double CheckpointData::real(const std::string& name) const {
    return get_as<double>(find(name, "a number"), where, name, EntryType::Real);
}
const std::string& CheckpointData::text(const std::string& name) const {
    return get_as<std::string>(find(name, "text"), where, name, EntryType::Text);
}
const std::vector<int64_t>& CheckpointData::integers(const std::string& name) const {
    return get_as<std::vector<int64_t>>(find(name, "a list of integers"), where, name, EntryType::Ints);
}
const std::vector<double>& CheckpointData::reals(const std::string& name) const {
    return get_as<std::vector<double>>(find(name, "a list of numbers"), where, name, EntryType::Reals);
}

std::vector<std::pair<std::string, const CheckpointValue*>> CheckpointData::with_prefix(
    const std::string& prefix) const {
    std::vector<std::pair<std::string, const CheckpointValue*>> out;
    for (const auto& [key, value] : entries_)
        if (key.starts_with(prefix)) out.emplace_back(key.substr(prefix.size()), &value);
    return out;
}

// ===========================================================================
// Files
// ===========================================================================

namespace {

// A save killed before its rename (SIGKILL, a power cut) leaves its
// temporary file, "<name>.tmp-XXXXXX", behind. After a good save those of the
// same target are removed once they are a minute old: a writer still at work
// keeps touching its file, so only abandoned ones are that stale.
void remove_abandoned_temporaries(const fs::path& target) {
    const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
    const std::string prefix = target.filename().string() + ".tmp-";
    const auto cutoff = fs::file_time_type::clock::now() - std::chrono::minutes(1);
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.size() != prefix.size() + 6 || name.compare(0, prefix.size(), prefix) != 0) continue;
        std::error_code entry_ec;
        if (entry.is_regular_file(entry_ec) && entry.last_write_time(entry_ec) < cutoff && !entry_ec)
            fs::remove(entry.path(), entry_ec);
    }
}

}  // namespace

void write_checkpoint_file(const fs::path& path, const CheckpointData& data) {
    const std::string where = "checkpoint " + path.string();
    const std::string bytes = encode(data);
    TemporaryFile temporary(path, where);
    temporary.write_all(bytes);
    temporary.commit(path);
    remove_abandoned_temporaries(path);
}

CheckpointData read_checkpoint_file(const fs::path& path) {
    CheckpointData data;
    data.where = "checkpoint " + path.string();
    const std::string& where = data.where;
    const std::string bytes = read_whole_file(path, where);
    const auto header = static_cast<size_t>(kCheckpointHeaderBytes);

    if (bytes.size() < header)
        throw FileError(fmt::format("{} is truncated: {} bytes, shorter than the {}-byte header",
                                    where, bytes.size(), header));
    if (std::memcmp(bytes.data(), kCheckpointMagic, sizeof kCheckpointMagic) != 0)
        throw FileError(fmt::format(
            "{} is not a TinyTorch checkpoint: it does not start with the magic bytes \"TTCKPT\"",
            where));
    const uint32_t version = get_u32_at(bytes, 8);
    if (version != kCheckpointVersion)
        throw FileError(fmt::format(
            "{} has format version {}, but this build reads version {}; write it again with "
            "this build, or load it with the build that wrote it",
            where, version, kCheckpointVersion));
    const uint32_t count = get_u32_at(bytes, 12);
    const uint64_t payload = get_u64_at(bytes, 16);
    const uint64_t available = bytes.size() - header;
    if (available < 4 || payload > available - 4)
        throw FileError(fmt::format(
            "{} is truncated: the header announces {} bytes of data and a 4-byte checksum, "
            "but only {} bytes follow it (was the write interrupted?)",
            where, payload, available));
    if (payload < available - 4)
        throw FileError(fmt::format("{} has {} unexpected bytes after its checksum", where,
                                    available - 4 - payload));
    const size_t end = header + static_cast<size_t>(payload);
    const uint32_t stored = get_u32_at(bytes, end);
    const uint32_t computed = crc32_of(bytes.data(), end);
    if (stored != computed)
        throw FileError(fmt::format(
            "{} is corrupt: its checksum does not match (stored {:08x}, computed {:08x}); some "
            "bytes changed after it was written",
            where, stored, computed));

    ByteReader in(bytes, header, end, where);
    for (uint32_t i = 0; i < count; ++i) {
        const auto type = static_cast<EntryType>(in.get<uint8_t>());
        std::string name = in.get_bytes(in.get<uint32_t>());
        CheckpointValue value = get_value(in, type);
        if (data.contains(name)) in.fail(fmt::format("the name \"{}\" appears twice", name));
        data.add(std::move(name), std::move(value));
    }
    if (!in.at_end()) in.fail(fmt::format("bytes left after the {} entries", count));
    return data;
}

void set_checkpoint_write_hook(std::function<void(int64_t, int64_t)> hook, int64_t chunk_bytes) {
    write_hook() = std::move(hook);
    hook_chunk_bytes() = chunk_bytes;
}

}  // namespace tinytorch
