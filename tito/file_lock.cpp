// file_lock.cpp — flock with a polling wait, so a wait can time out and
// notice Ctrl-C.
#include "file_lock.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "errors.hpp"
#include "interrupt.hpp"

namespace tito {

FileLock::FileLock(const std::filesystem::path& lock_file, double timeout_seconds,
                   const std::function<void()>& on_wait) {
    std::error_code ec;
    std::filesystem::create_directories(lock_file.parent_path(), ec);
    fd_ = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
        throw Error(fmt::format("cannot open the lock file {}: {}", lock_file.string(), std::strerror(errno)));
    const auto start = std::chrono::steady_clock::now();
    bool told = false;
    while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        if (err != EWOULDBLOCK && err != EINTR) {
            ::close(fd_);
            throw Error(fmt::format("cannot lock {}: {}", lock_file.string(), std::strerror(err)));
        }
        if (!told && on_wait) on_wait();
        told = true;
        const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (interrupt_requested()) {
            ::close(fd_);
            throw Interrupted{};
        }
        if (timeout_seconds > 0 && waited > timeout_seconds) {
            ::close(fd_);
            throw Error(fmt::format("another tito has held {} for {:.0f} s; wait for it to finish "
                                    "(or stop it) and try again",
                                    lock_file.string(), waited));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

FileLock::~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

}  // namespace tito
