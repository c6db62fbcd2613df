// files.cpp — atomic writes: temporary file, fsync, rename, fsync the folder.
#include "files.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "errors.hpp"

namespace tito {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& what, const fs::path& file) {
    throw Error(fmt::format("cannot {} {}: {}", what, file.string(), std::strerror(errno)));
}

void write_all(int fd, std::string_view content, const fs::path& file) {
    while (!content.empty()) {
        const ssize_t n = ::write(fd, content.data(), content.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail("write", file);
        content.remove_prefix(static_cast<size_t>(n));
    }
}

void sync_folder(const fs::path& folder) {
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;  // best effort: the rename itself already happened
    ::fsync(fd);
    ::close(fd);
}

// Writes content into a fresh temporary file beside `file`, synced, with the
// given mode, and renames it over `file`.
void replace_atomically(const fs::path& file, std::string_view content, mode_t mode) {
    const fs::path folder = file.parent_path().empty() ? fs::path(".") : file.parent_path();
    std::error_code ec;
    fs::create_directories(folder, ec);
    std::string temp = (folder / fmt::format(".{}.XXXXXX", file.filename().string())).string();
    const int fd = ::mkstemp(temp.data());
    if (fd < 0) fail("create a temporary file for", file);
    try {
        write_all(fd, content, file);
        if (::fchmod(fd, mode) != 0) fail("set the permissions of", file);
        if (::fsync(fd) != 0) fail("flush", file);
    } catch (...) {
        ::close(fd);
        ::unlink(temp.c_str());
        throw;
    }
    ::close(fd);
    if (::rename(temp.c_str(), file.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        errno = err;
        fail("replace", file);
    }
    sync_folder(folder);
}

}  // namespace

std::string read_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) fail("read", file);
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad()) fail("read", file);
    return content.str();
}

void write_file_atomically(const fs::path& file, std::string_view content) {
    replace_atomically(file, content, 0644);
}

void copy_file_atomically(const fs::path& from, const fs::path& to) {
    struct stat info {};
    if (::stat(from.c_str(), &info) != 0) fail("read", from);
    replace_atomically(to, read_file(from), info.st_mode & 07777);
}

}  // namespace tito
