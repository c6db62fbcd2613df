// archive.cpp — libarchive for the formats; our own checks and file creation
// for safety (libarchive's disk writer is not used, so that every byte is
// counted and every path is checked here).
#include "archive.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <sstream>

#include "files.hpp"

namespace tito {

namespace fs = std::filesystem;

namespace {

using ReadHandle = std::unique_ptr<struct archive, decltype(&archive_read_free)>;
using WriteHandle = std::unique_ptr<struct archive, decltype(&archive_write_free)>;

// Splits an entry path into its components, refusing anything that could
// reach outside the destination. A trailing '/' (a folder) is allowed.
std::vector<std::string> safe_components(const std::string& path, const fs::path& archive) {
    const auto refuse = [&](const char* why) {
        return ArchiveError(fmt::format("{}: refused entry \"{}\": {}", archive.string(), path, why));
    };
    if (path.empty()) throw refuse("an empty path");
    if (path.front() == '/') throw refuse("an absolute path");
    if (path.find('\\') != std::string::npos) throw refuse("a backslash in the path");
    if (path.find('\0') != std::string::npos) throw refuse("a NUL byte in the path");
    std::vector<std::string> parts;
    std::istringstream in(path);
    for (std::string part; std::getline(in, part, '/');) {
        if (part.empty() || part == ".") continue;
        if (part == "..") throw refuse("a \"..\" component");
        parts.push_back(part);
    }
    if (parts.empty()) throw refuse("no file name");
    return parts;
}

// Makes each folder of `parts` under `root` (never following a link).
fs::path make_folders(const fs::path& root, const std::vector<std::string>& parts, size_t count,
                      const fs::path& archive) {
    fs::path dir = root;
    for (size_t i = 0; i < count; ++i) {
        dir /= parts[i];
        struct stat info {};
        if (::lstat(dir.c_str(), &info) == 0) {
            if (!S_ISDIR(info.st_mode))
                throw ArchiveError(fmt::format("{}: refused entry under {}: not a folder",
                                               archive.string(), dir.string()));
            continue;
        }
        if (::mkdir(dir.c_str(), 0755) != 0)
            throw ArchiveError(fmt::format("{}: cannot create {}: {}", archive.string(),
                                           dir.string(), std::strerror(errno)));
    }
    return dir;
}

// Copies the current entry's data into a new file, counting the bytes.
uint64_t write_entry_data(struct archive* in, const fs::path& target, const std::string& name,
                          const fs::path& archive, uint64_t entry_budget, uint64_t total_budget,
                          bool executable) {
    const int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                          executable ? 0755 : 0644);
    if (fd < 0)
        throw ArchiveError(fmt::format("{}: cannot create \"{}\": {}{}", archive.string(), name,
                                       std::strerror(errno),
                                       errno == EEXIST ? " (the archive holds it twice)" : ""));
    uint64_t written = 0;
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    try {
        for (;;) {
            const int r = archive_read_data_block(in, &block, &size, &offset);
            if (r == ARCHIVE_EOF) break;
            if (r < ARCHIVE_WARN)
                throw ArchiveError(fmt::format("{}: corrupt data in \"{}\": {}", archive.string(),
                                               name, archive_error_string(in)));
            written += size;
            if (written > entry_budget || written > total_budget)
                throw ArchiveError(fmt::format(
                    "{}: refused entry \"{}\": larger than the {} allowed", archive.string(), name,
                    written > entry_budget ? fmt::format("{} bytes per file", entry_budget)
                                           : std::string("total size")));
            // Sparse entries give an offset; we write blocks in order, so
            // holes become zeros through lseek.
            if (::lseek(fd, offset, SEEK_SET) < 0 ||
                ::write(fd, block, size) != static_cast<ssize_t>(size))
                throw ArchiveError(fmt::format("{}: cannot write \"{}\": {}", archive.string(),
                                               name, std::strerror(errno)));
        }
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);
    return written;
}

}  // namespace

std::vector<ExtractedEntry> extract_archive(const fs::path& archive, const fs::path& destination,
                                            const ArchiveLimits& limits) {
    ReadHandle in(archive_read_new(), archive_read_free);
    archive_read_support_filter_gzip(in.get());
    archive_read_support_format_tar(in.get());
    archive_read_support_format_zip(in.get());
    if (archive_read_open_filename(in.get(), archive.c_str(), 1 << 16) != ARCHIVE_OK)
        throw ArchiveError(fmt::format("{}: cannot open it as an archive: {}", archive.string(),
                                       archive_error_string(in.get())));
    const fs::path root = fs::canonical(destination);
    std::vector<ExtractedEntry> entries;
    uint64_t total = 0;
    struct archive_entry* entry = nullptr;
    for (;;) {
        const int r = archive_read_next_header(in.get(), &entry);
        if (r == ARCHIVE_EOF) break;
        if (r < ARCHIVE_WARN)
            throw ArchiveError(fmt::format("{}: not a readable archive: {}", archive.string(),
                                           archive_error_string(in.get())));
        const char* raw = archive_entry_pathname(entry);
        const std::string name = raw ? raw : "";
        if (entries.size() >= limits.max_entries)
            throw ArchiveError(fmt::format("{}: refused: more than {} entries", archive.string(),
                                           limits.max_entries));
        const std::vector<std::string> parts = safe_components(name, archive);
        if (archive_entry_hardlink(entry) != nullptr || archive_entry_symlink(entry) != nullptr)
            throw ArchiveError(
                fmt::format("{}: refused entry \"{}\": a link", archive.string(), name));
        const mode_t type = archive_entry_filetype(entry);
        if (type == AE_IFDIR) {
            make_folders(root, parts, parts.size(), archive);
            continue;
        }
        if (type != AE_IFREG)
            throw ArchiveError(fmt::format(
                "{}: refused entry \"{}\": not a regular file or folder (a device, FIFO or socket)",
                archive.string(), name));
        if (archive_entry_size_is_set(entry) &&
            static_cast<uint64_t>(archive_entry_size(entry)) > limits.max_entry_bytes)
            throw ArchiveError(fmt::format("{}: refused entry \"{}\": {} bytes, more than the {} "
                                           "allowed per file",
                                           archive.string(), name, archive_entry_size(entry),
                                           limits.max_entry_bytes));
        const fs::path folder = make_folders(root, parts, parts.size() - 1, archive);
        const bool executable = (archive_entry_perm(entry) & 0100) != 0;
        const uint64_t bytes =
            write_entry_data(in.get(), folder / parts.back(), name, archive,
                             limits.max_entry_bytes, limits.max_total_bytes - total, executable);
        total += bytes;
        std::string relative = parts.front();
        for (size_t i = 1; i < parts.size(); ++i) relative += "/" + parts[i];
        entries.push_back({relative, bytes});
    }
    return entries;
}

void write_archive(const fs::path& out, const std::vector<ArchiveMember>& members,
                   ArchiveFormat format) {
    const fs::path temp = out.parent_path() / fmt::format(".{}.partial", out.filename().string());
    {
        WriteHandle writer(archive_write_new(), archive_write_free);
        if (format == ArchiveFormat::TarGz) {
            archive_write_add_filter_gzip(writer.get());
            archive_write_set_format_pax_restricted(writer.get());
        } else {
            archive_write_set_format_zip(writer.get());
        }
        if (archive_write_open_filename(writer.get(), temp.c_str()) != ARCHIVE_OK)
            throw ArchiveError(fmt::format("cannot write {}: {}", out.string(),
                                           archive_error_string(writer.get())));
        for (const ArchiveMember& member : members) {
            const std::string data = read_file(member.source);
            struct stat info {};
            if (::stat(member.source.c_str(), &info) != 0)
                throw ArchiveError(fmt::format("cannot read {}", member.source.string()));
            std::unique_ptr<struct archive_entry, decltype(&archive_entry_free)> entry(
                archive_entry_new(), archive_entry_free);
            archive_entry_set_pathname(entry.get(), member.path.c_str());
            archive_entry_set_filetype(entry.get(), AE_IFREG);
            archive_entry_set_perm(entry.get(), (info.st_mode & 0111) ? 0755 : 0644);
            archive_entry_set_size(entry.get(), static_cast<la_int64_t>(data.size()));
            archive_entry_set_mtime(entry.get(), 0, 0);
            if (archive_write_header(writer.get(), entry.get()) != ARCHIVE_OK ||
                archive_write_data(writer.get(), data.data(), data.size()) !=
                    static_cast<la_ssize_t>(data.size()))
                throw ArchiveError(fmt::format("cannot write {} into {}: {}", member.path,
                                               out.string(), archive_error_string(writer.get())));
        }
        if (archive_write_close(writer.get()) != ARCHIVE_OK)
            throw ArchiveError(fmt::format("cannot finish {}: {}", out.string(),
                                           archive_error_string(writer.get())));
    }
    std::error_code ec;
    fs::rename(temp, out, ec);
    if (ec) throw ArchiveError(fmt::format("cannot write {}: {}", out.string(), ec.message()));
}

}  // namespace tito
