// checkpoint_file.hpp — module 08, provided: the checkpoint file format.
//
// A checkpoint is an ordered list of named values (tensors, integers,
// numbers, text and lists of them) written to one binary file. This file
// knows nothing of models or optimizers: checkpoint.cpp decides what goes in.
//
// Layout, all integers and floats little-endian:
//
//     offset  size  field
//     0       8     magic "TTCKPT\r\n" (the \r\n catches text-mode mangling)
//     8       4     u32 format version (kCheckpointVersion)
//     12      4     u32 number of entries
//     16      8     u64 payload size P in bytes
//     24      P     the entries, one after another:
//                     u8 type, u32 name length, the name (UTF-8), then by type
//                     Tensor  u32 ndim, i64 sizes[ndim], f32 values[numel] (row-major)
//                     Int     i64
//                     Real    f64
//                     Text    u64 length, the bytes
//                     Ints    u64 count, i64 values[count]
//                     Reals   u64 count, f64 values[count]
//     24 + P  4     u32 CRC-32 (zlib's) of bytes [0, 24 + P)
//
// Reading checks, in this order, and throws FileError naming the file: the
// file opens; it holds at least the header; the magic; the version; the file
// size is exactly 24 + P + 4 (truncated or trailing bytes); the checksum; and
// that every entry lies inside the payload.
//
// Writing is atomic: the bytes go to a temporary file in the same folder,
// which is flushed to the disk (fsync), renamed over the target, and the
// folder is synced too. A crash or a kill at any moment leaves either the old
// file or the new one, never a mixture; at worst a stray "<name>.tmp-XXXXXX"
// remains beside it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "tensor.hpp"

namespace tinytorch {

inline constexpr char kCheckpointMagic[8] = {'T', 'T', 'C', 'K', 'P', 'T', '\r', '\n'};
inline constexpr uint32_t kCheckpointVersion = 1;
inline constexpr int64_t kCheckpointHeaderBytes = 24;

// The values a checkpoint can hold.
using CheckpointValue =
    std::variant<Tensor, int64_t, double, std::string, std::vector<int64_t>, std::vector<double>>;

// Named values in the order they were added; names are unique.
class CheckpointData {
public:
    // Adds a value; an existing name throws ValueError. Tensors are copied
    // (contiguously), so later changes to the original do not reach the file.
    void add(std::string name, CheckpointValue value);
    bool contains(const std::string& name) const;
    const std::vector<std::pair<std::string, CheckpointValue>>& entries() const { return entries_; }

    // The value called `name`, of that type. A missing name or another type
    // throws FileError "<where>: ... \"name\" ...".
    const Tensor& tensor(const std::string& name) const;
    int64_t integer(const std::string& name) const;
    double real(const std::string& name) const;
    const std::string& text(const std::string& name) const;
    const std::vector<int64_t>& integers(const std::string& name) const;
    const std::vector<double>& reals(const std::string& name) const;

    // The entries whose names start with `prefix`, in order, prefix removed.
    std::vector<std::pair<std::string, const CheckpointValue*>> with_prefix(
        const std::string& prefix) const;

    // Where these values came from, for error messages: "checkpoint run.ckpt".
    std::string where = "checkpoint";

private:
    const CheckpointValue& find(const std::string& name, const char* type) const;
    std::vector<std::pair<std::string, CheckpointValue>> entries_;
};

// Writes `data` to `path` atomically (see above). Throws FileError naming the
// path and the system's reason when the folder is not writable, the disk is
// full, and so on; the previous file, if any, is untouched then.
void write_checkpoint_file(const std::filesystem::path& path, const CheckpointData& data);

// Reads and checks a file written by write_checkpoint_file.
CheckpointData read_checkpoint_file(const std::filesystem::path& path);

// For tests of the atomic write only: a function called after every
// `chunk_bytes` written to the temporary file (with the bytes written so far
// and the total), before it is synced and renamed. It may throw (an injected
// failure: the write is abandoned and the temporary file removed) or never
// return (the process is killed). An empty function removes the hook.
void set_checkpoint_write_hook(std::function<void(int64_t written, int64_t total)> hook,
                               int64_t chunk_bytes = 1 << 20);

}  // namespace tinytorch
