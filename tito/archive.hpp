// archive.hpp — read and write .tar.gz and .zip archives, treating every
// archive as hostile input.
//
// Extraction refuses, naming the archive and the entry: absolute paths, any
// ".." component, symbolic and hard links, devices, FIFOs and sockets, more
// entries than allowed, an entry or a total larger than allowed (counted on
// the bytes actually read, not the sizes the headers claim). Nothing is ever
// written outside the destination folder: files are created new (O_EXCL,
// O_NOFOLLOW) under folders the extraction made itself.
//
// Used by `tito data import` (the CIFAR-10 archive), `tito submit` (writes the
// submission) and `tito grade` (reads submissions, writes the Gradescope
// package).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "errors.hpp"

namespace tito {

// Raised for a refused or unreadable archive; the message names both.
class ArchiveError : public Error {
public:
    using Error::Error;
};

struct ArchiveLimits {
    uint64_t max_entry_bytes = 16u << 20;   // one file
    uint64_t max_total_bytes = 64u << 20;   // all files together
    size_t max_entries = 1000;
};

struct ExtractedEntry {
    std::string path;  // relative, '/'-separated, as in the archive
    uint64_t bytes = 0;
};

// Extracts `archive` (tar, tar.gz or zip, detected from its contents) into
// `destination`, which must exist. Regular files and folders only. On error
// the files written so far stay in `destination` (extract into a scratch
// folder and discard it).
std::vector<ExtractedEntry> extract_archive(const std::filesystem::path& archive,
                                            const std::filesystem::path& destination,
                                            const ArchiveLimits& limits = {});

// One file to put into an archive: its path inside the archive and where its
// bytes come from. The permission bits are kept (an executable stays one).
struct ArchiveMember {
    std::string path;
    std::filesystem::path source;
};

enum class ArchiveFormat { TarGz, Zip };

// Writes the members into a new archive at `out`, atomically (a temporary
// file renamed into place). Entries get a fixed timestamp, so the same files
// make the same archive.
void write_archive(const std::filesystem::path& out, const std::vector<ArchiveMember>& members,
                   ArchiveFormat format);

}  // namespace tito
