// watch.cpp — inotify (or polling) plus the self-pipe of interrupt.hpp in
// one poll() loop.
#include "watch.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <chrono>
#include <iostream>
#include <map>
#include <thread>

#include "console.hpp"
#include "errors.hpp"
#include "interrupt.hpp"
#include "module_test.hpp"
#include "progress.hpp"

namespace tito {

namespace {

constexpr int kPollIntervalMs = 500;
constexpr int kSettleMs = 150;  // editors write in several steps; wait for the last
// A save closes a written file or renames a new one into place; a touch
// changes its times (both: IN_ATTRIB; the modification time alone: IN_MODIFY).
constexpr uint32_t kInotifyEvents = IN_CLOSE_WRITE | IN_MOVED_TO | IN_ATTRIB | IN_MODIFY;

// Notices saves of a module's student files.
class ChangeDetector {
public:
    ChangeDetector(const Workspace& workspace, const Module& module, bool poll)
        : workspace_(workspace), module_(module) {
        if (!poll) {
            fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
            if (fd_ >= 0 &&
                ::inotify_add_watch(fd_, workspace.module_dir(module).c_str(),
                                    kInotifyEvents) < 0) {
                ::close(fd_);
                fd_ = -1;
            }
        }
        snapshot_ = stamps();
    }
    ~ChangeDetector() {
        if (fd_ >= 0) ::close(fd_);
    }
    ChangeDetector(const ChangeDetector&) = delete;
    ChangeDetector& operator=(const ChangeDetector&) = delete;

    bool uses_inotify() const { return fd_ >= 0; }

    // Blocks until a student file is saved (true) or tito is interrupted (false).
    bool wait() {
        for (;;) {
            if (interrupt_requested()) return false;
            pollfd fds[2] = {{interrupt_fd(), POLLIN, 0}, {fd_, POLLIN, 0}};
            const int ready = ::poll(fds, 2, uses_inotify() ? -1 : kPollIntervalMs);
            if (ready < 0 && errno != EINTR) throw Error(fmt::format("watch: poll failed: {}", std::strerror(errno)));
            if (interrupt_requested()) return false;
            if (changed()) {
                settle();
                return true;
            }
        }
    }

private:
    using Stamps = std::map<std::string, std::pair<long long, long long>>;  // file -> (mtime ns, size)

    Stamps stamps() const {
        Stamps s;
        for (const std::string& file : module_.files) {
            struct stat info {};
            if (::stat((workspace_.module_dir(module_) / file).c_str(), &info) == 0)
                s[file] = {info.st_mtim.tv_sec * 1'000'000'000LL + info.st_mtim.tv_nsec, info.st_size};
            else
                s[file] = {-1, -1};
        }
        return s;
    }

    // Reads pending inotify events (or compares stamps); true if one was ours.
    bool changed() {
        bool ours = false;
        if (uses_inotify()) {
            alignas(inotify_event) char buffer[8192];
            for (;;) {
                const ssize_t n = ::read(fd_, buffer, sizeof buffer);
                if (n <= 0) break;
                for (char* p = buffer; p < buffer + n;) {
                    const auto* event = reinterpret_cast<const inotify_event*>(p);
                    const std::string name = event->len > 0 ? event->name : "";
                    if (std::find(module_.files.begin(), module_.files.end(), name) != module_.files.end())
                        ours = true;
                    p += sizeof(inotify_event) + event->len;
                }
            }
        } else {
            const Stamps now = stamps();
            ours = now != snapshot_;
            snapshot_ = now;
        }
        return ours;
    }

    // Lets a burst of writes finish, then forgets the events it made.
    void settle() {
        std::this_thread::sleep_for(std::chrono::milliseconds(kSettleMs));
        changed();
        snapshot_ = stamps();
    }

    const Workspace& workspace_;
    const Module& module_;
    int fd_ = -1;
    Stamps snapshot_;
};

void run_once(const Workspace& workspace, const Module& module, const WatchOptions& options) {
    ModuleTestOptions test_options;
    test_options.verbose = options.verbose;
    try {
        test_module(workspace, module, test_options);
    } catch (const ProgressError&) {
        throw;  // nothing will fix itself by saving a file
    } catch (const Error& e) {
        std::cout << console::red("error: ") << e.what() << "\n";
    }
}

}  // namespace

void watch_module(const Workspace& workspace, const Module& module, const WatchOptions& options) {
    ChangeDetector detector(workspace, module, options.poll);
    const std::string files = fmt::format("{}", fmt::join(module.files, ", "));
    std::cout << console::bold(fmt::format("Watching {}/{{{}}}", module.folder(), files))
              << fmt::format(" ({}). The tests run again each time you save; Ctrl-C stops.\n\n",
                             detector.uses_inotify() ? "inotify" : "polling");
    try {
        run_once(workspace, module, options);
        for (;;) {
            std::cout << console::dim(fmt::format("\nWaiting for you to save {} (Ctrl-C to stop)…", files))
                      << std::endl;
            if (!detector.wait()) break;
            std::cout << "\n" << console::bold(fmt::format("── saved at {:%H:%M:%S} ──", fmt::localtime(std::time(nullptr)))) << std::endl;
            run_once(workspace, module, options);
        }
    } catch (const Interrupted&) {
    }
    std::cout << "\nStopped watching module " << module.number << ".\n";
}

}  // namespace tito
