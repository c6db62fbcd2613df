// file_lock.hpp — an exclusive advisory lock (flock) on a lock file, held
// for the lifetime of the object. The kernel drops it when the process
// dies, so a killed tito never leaves a lock behind.
#pragma once

#include <filesystem>
#include <functional>

namespace tito {

class FileLock {
public:
    // Waits up to `timeout_seconds` (forever when 0); `on_wait` is called
    // once if the lock is busy at first (to say what tito waits for).
    // Throws tito::Error naming the file after the timeout, tito::Interrupted
    // on Ctrl-C.
    FileLock(const std::filesystem::path& lock_file, double timeout_seconds,
             const std::function<void()>& on_wait = {});
    ~FileLock();
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

private:
    int fd_ = -1;
};

}  // namespace tito
