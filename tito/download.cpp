// download.cpp — libcurl's easy interface with our own write, header and
// progress callbacks.
#include "download.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <regex>
#include <thread>

#include "console.hpp"
#include "errors.hpp"
#include "interrupt.hpp"

namespace tito {

namespace fs = std::filesystem;

namespace {

// libcurl's global state, set up once per process.
void curl_global() {
    static const bool done = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
    if (!done) throw Error("cannot initialise libcurl");
}

std::string megabytes(uint64_t bytes) { return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6); }

// Draws "[█████░░░░░] 45%  76.5 of 170.5 MB  3.2 MB/s" on stderr.
class ProgressBar {
public:
    explicit ProgressBar(bool enabled) : enabled_(enabled), terminal_(::isatty(STDERR_FILENO) != 0) {}
    void update(uint64_t done, uint64_t total, double bytes_per_second) {
        if (!enabled_ || total == 0) return;
        const int percent = static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total));
        if (terminal_) {
            const auto now = std::chrono::steady_clock::now();
            if (now - last_draw_ < std::chrono::milliseconds(100) && done < total) return;
            last_draw_ = now;
            const int width = 30, filled = percent * width / 100;
            std::string bar;
            for (int i = 0; i < width; ++i) bar += i < filled ? "█" : "░";
            std::cerr << fmt::format("\r  [{}] {:3d}%  {} of {}  {:.1f} MB/s  ", bar, percent, megabytes(done),
                                     megabytes(total), bytes_per_second / 1e6)
                      << std::flush;
        } else if (percent / 10 > last_tenth_) {
            last_tenth_ = percent / 10;
            std::cerr << fmt::format("  {}% ({} of {})\n", percent, megabytes(done), megabytes(total));
        }
    }
    void finish() {
        if (enabled_ && terminal_) std::cerr << "\n";
    }

private:
    bool enabled_, terminal_;
    int last_tenth_ = -1;
    std::chrono::steady_clock::time_point last_draw_{};
};

// One transfer: the state the callbacks share.
struct Transfer {
    CURL* curl = nullptr;
    int fd = -1;
    uint64_t offset = 0;      // bytes in the partial file before this request
    uint64_t received = 0;    // body bytes written by this request
    long status = 0;          // HTTP status, once known
    bool started = false;     // the first body byte has been seen
    bool restarted = false;   // the server sent the whole file: the partial file was emptied
    std::string error;        // why the write callback stopped the transfer
    ProgressBar* bar = nullptr;
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    uint64_t total = 0;       // the whole file's size, when the server said
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::string line(data, size * count);
    static const std::regex content_range(R"(^[Cc]ontent-[Rr]ange: *bytes +(\d+)-(\d+)/(\d+)\s*$)");
    static const std::regex content_length(R"(^[Cc]ontent-[Ll]ength: *(\d+)\s*$)");
    std::smatch m;
    if (line.rfind("HTTP/", 0) == 0) {
        t->total = 0;  // a new response (after a redirect): forget the last one's sizes
    } else if (std::regex_match(line, m, content_range)) {
        if (std::stoull(m[1].str()) != t->offset) {
            t->error = fmt::format("the server resumed at byte {} instead of {}", m[1].str(), t->offset);
            return 0;
        }
        t->total = std::stoull(m[3].str());
    } else if (std::regex_match(line, m, content_length) && t->total == 0) {
        t->total = std::stoull(m[1].str());  // corrected below for a 206
    }
    return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const size_t bytes = size * count;
    if (!t->started) {
        t->started = true;
        curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &t->status);
        if (t->status == 200 && t->offset > 0) {
            // The server ignored the Range request: start the file over.
            if (::ftruncate(t->fd, 0) != 0 || ::lseek(t->fd, 0, SEEK_SET) != 0) {
                t->error = fmt::format("cannot empty the partial file: {}", std::strerror(errno));
                return 0;
            }
            t->offset = 0;
            t->restarted = true;
        } else if (t->status != 200 && t->status != 206) {
            return 0;  // an error page: not written; the status explains it
        }
    }
    for (size_t written = 0; written < bytes;) {
        const ssize_t n = ::write(t->fd, data + written, bytes - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            t->error = fmt::format("cannot write the partial file: {}", std::strerror(errno));
            return 0;
        }
        written += static_cast<size_t>(n);
    }
    t->received += bytes;
    return bytes;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* t = static_cast<Transfer*>(user);
    if (interrupt_requested()) return 1;  // aborts the transfer
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t->start).count();
    if (t->total > 0 && t->bar)
        t->bar->update(t->offset + t->received, t->total, seconds > 0 ? static_cast<double>(t->received) / seconds : 0);
    return 0;
}

enum class Attempt { Complete, Retry };

// One request for the rest of the file.
Attempt attempt_once(const std::string& url, const fs::path& partial, const DownloadOptions& options,
                     ProgressBar& bar, std::string& why) {
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) throw Error("cannot start a libcurl transfer");
    Transfer t;
    t.curl = curl.get();
    t.bar = &bar;
    t.fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (t.fd < 0) throw Error(fmt::format("cannot write {}: {}", partial.string(), std::strerror(errno)));
    struct FdCloser {
        int fd;
        ~FdCloser() { ::close(fd); }
    } closer{t.fd};
    std::error_code ec;
    t.offset = fs::file_size(partial, ec);
    const std::string range = fmt::format("{}-", t.offset);
    char error_buffer[CURL_ERROR_SIZE] = "";

    curl_easy_setopt(t.curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(t.curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(t.curl, CURLOPT_USERAGENT, "tito (TinyTorch C++)");
    if (t.offset > 0) curl_easy_setopt(t.curl, CURLOPT_RANGE, range.c_str());
    curl_easy_setopt(t.curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(t.curl, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(t.curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(t.curl, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(t.curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(t.curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(t.curl, CURLOPT_XFERINFODATA, &t);
    curl_easy_setopt(t.curl, CURLOPT_CONNECTTIMEOUT, options.connect_timeout_seconds);
    curl_easy_setopt(t.curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(t.curl, CURLOPT_LOW_SPEED_TIME, options.stall_seconds);
    curl_easy_setopt(t.curl, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(t.curl, CURLOPT_NOSIGNAL, 1L);

    const CURLcode code = curl_easy_perform(t.curl);
    if (t.status == 0) curl_easy_getinfo(t.curl, CURLINFO_RESPONSE_CODE, &t.status);
    if (::fsync(t.fd) != 0 && code == CURLE_OK)
        throw Error(fmt::format("cannot flush {}: {}", partial.string(), std::strerror(errno)));
    if (code == CURLE_OK && (t.status == 200 || t.status == 206)) return Attempt::Complete;
    if (t.status == 416 && t.offset > 0) return Attempt::Complete;  // nothing left to send: the checksum decides
    if (code == CURLE_ABORTED_BY_CALLBACK && interrupt_requested()) throw Interrupted{};
    if (!t.error.empty()) throw Error(fmt::format("downloading {}: {}", url, t.error));
    if (t.status >= 400)
        throw Error(fmt::format("downloading {}: the server answered HTTP {}; check the address (--url)", url, t.status));
    why = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    // Only a connection that broke after giving something is worth retrying at once.
    if (t.received == 0 && code != CURLE_PARTIAL_FILE && code != CURLE_RECV_ERROR && code != CURLE_OPERATION_TIMEDOUT &&
        code != CURLE_GOT_NOTHING)
        throw Error(fmt::format("downloading {}: {}. Check the address and your connection, then run the same "
                                "command again",
                                url, why));
    return Attempt::Retry;
}

}  // namespace

void download_resuming(const std::string& url, const fs::path& partial, const DownloadOptions& options) {
    curl_global();
    ProgressBar bar(options.progress);
    std::string why;
    for (int attempt = 1; attempt <= options.max_attempts; ++attempt) {
        std::error_code ec;
        const uint64_t before = fs::exists(partial, ec) ? fs::file_size(partial, ec) : 0;
        if (options.progress && before > 0)
            std::cerr << fmt::format("  resuming at {}\n", megabytes(before));
        const Attempt result = attempt_once(url, partial, options, bar, why);
        bar.finish();
        if (result == Attempt::Complete) return;
        const uint64_t after = fs::file_size(partial, ec);
        std::cerr << console::yellow("  connection lost") << fmt::format(" at {} ({})", megabytes(after), why)
                  << (attempt < options.max_attempts ? "; resuming" : "") << "\n";
        if (attempt < options.max_attempts) std::this_thread::sleep_for(std::chrono::milliseconds(500 * attempt));
    }
    std::error_code ec;
    throw Error(fmt::format("downloading {} failed {} times ({}). The {} received so far are kept in {}; run the "
                            "same command again to resume",
                            url, options.max_attempts, why, megabytes(fs::file_size(partial, ec)), partial.string()));
}

}  // namespace tito
