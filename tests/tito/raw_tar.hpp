// Tar archives written entry by entry with libarchive, so that a test can
// build any header a hostile submission could: links, devices, `..` paths,
// sizes that lie.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tito::testing {

// One raw tar entry.
struct RawEntry {
    std::string path;
    mode_t type = AE_IFREG;
    std::string data;
    std::string link;           // symlink target
    std::string hardlink;       // hard link target
    int64_t claimed_size = -1;  // header size; -1: data.size()
};

inline void write_raw_tar_gz(const std::filesystem::path& out, const std::vector<RawEntry>& entries) {
    struct archive* a = archive_write_new();
    archive_write_add_filter_gzip(a);
    archive_write_set_format_pax_restricted(a);
    ASSERT_EQ(archive_write_open_filename(a, out.c_str()), ARCHIVE_OK);
    for (const RawEntry& e : entries) {
        struct archive_entry* entry = archive_entry_new();
        archive_entry_set_pathname(entry, e.path.c_str());
        archive_entry_set_filetype(entry, e.type);
        archive_entry_set_perm(entry, 0644);
        if (!e.link.empty()) archive_entry_set_symlink(entry, e.link.c_str());
        if (!e.hardlink.empty()) archive_entry_set_hardlink(entry, e.hardlink.c_str());
        archive_entry_set_size(entry, e.claimed_size >= 0 ? e.claimed_size : static_cast<int64_t>(e.data.size()));
        archive_write_header(a, entry);
        if (!e.data.empty()) archive_write_data(a, e.data.data(), e.data.size());
        archive_entry_free(entry);
    }
    archive_write_close(a);
    archive_write_free(a);
}

}  // namespace tito::testing
