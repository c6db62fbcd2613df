// files.hpp — reading and writing files without ever losing one.
//
// Progress, backups, results and downloads are written atomically: the bytes
// go to a temporary file in the same folder, are flushed to disk (fsync), and
// the temporary file is renamed over the target, then the folder is synced.
// A crash at any point leaves either the old file or the new one, never half
// of each.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace tito {

// The whole file; throws tito::Error naming it when it cannot be read.
std::string read_file(const std::filesystem::path& file);

// Replaces `file` atomically with `content`, creating its folder if needed.
// Throws tito::Error naming the file (and the reason) when it cannot.
void write_file_atomically(const std::filesystem::path& file, std::string_view content);

// Copies `from` to `to` atomically (`to` is replaced whole or not at all),
// keeping the permission bits.
void copy_file_atomically(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace tito
