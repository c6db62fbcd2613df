// A checkpoint save killed halfway, for the tests of the atomic write: a
// forked child runs `save` with a write hook that, once half the bytes are
// out, tells the parent and waits; the parent runs `while_paused` (to look
// at the folder mid-write) and kills the child with SIGKILL.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <functional>

#include "checkpoint_file.hpp"

namespace tinytorch::testing {

// Succeeds when the child reached the middle of its write and died of the
// kill there; `chunk_bytes` is how often the hook looks (smaller than the file).
inline ::testing::AssertionResult kill_save_halfway(const std::function<void()>& save, int64_t chunk_bytes,
                                                    const std::function<void()>& while_paused = {}) {
    int ready[2];
    if (::pipe(ready) != 0) return ::testing::AssertionFailure() << "pipe() failed";
    const pid_t child = ::fork();
    if (child < 0) return ::testing::AssertionFailure() << "fork() failed";
    if (child == 0) {
        ::close(ready[0]);
        set_checkpoint_write_hook(
            [&](int64_t written, int64_t total) {
                if (written < total / 2) return;
                const char byte = 'k';
                (void)!::write(ready[1], &byte, 1);
                for (;;) ::pause();
            },
            chunk_bytes);
        try {
            save();
        } catch (...) {
        }
        ::_exit(3);  // not reached when the kill works
    }
    ::close(ready[1]);
    char byte = 0;
    const bool reached_middle = ::read(ready[0], &byte, 1) == 1;
    ::close(ready[0]);
    if (reached_middle && while_paused) while_paused();
    ::kill(child, SIGKILL);
    int status = 0;
    if (::waitpid(child, &status, 0) != child) return ::testing::AssertionFailure() << "waitpid() failed";
    if (!reached_middle) return ::testing::AssertionFailure() << "the child never reached the middle of its write";
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
        return ::testing::AssertionFailure() << "the child was not killed mid-write (wait status " << status << ")";
    return ::testing::AssertionSuccess();
}

}  // namespace tinytorch::testing
