// `tito data`: CIFAR-10 downloaded with resume and a checksum, or imported
// from a file, into the XDG cache where the dataloader reads it. The
// machine running the tests has no internet: a small HTTP server on a
// loopback socket (below) serves a CIFAR-10-shaped archive, honours Range
// requests, and can drop the connection halfway or ignore Range.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <random>
#include <regex>
#include <thread>

#include "archive.hpp"
#include "dataset_cache.hpp"
#include "files.hpp"
#include "hashing.hpp"
#include "tito_test_support.hpp"
#include "toy_workspace.hpp"

// Module 05's reader and its idea of where CIFAR-10 lives.
#include "../../modules/05_dataloader/datasets.hpp"

using namespace tito;
using namespace tito::testing;

namespace {

// Serves one file over HTTP/1.1 on 127.0.0.1.
class FileServer {
public:
    explicit FileServer(std::string body) : body_(std::move(body)) {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = 0;  // any free port
        if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::listen(listen_fd_, 8) != 0)
            throw std::runtime_error("cannot listen on the loopback interface");
        socklen_t length = sizeof address;
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~FileServer() {
        stop_ = true;
        thread_.join();
        ::close(listen_fd_);
    }

    std::string url() const { return fmt::format("http://127.0.0.1:{}/cifar-10-binary.tar.gz", port_); }

    // The next `count` responses send only `bytes` of their body, then close.
    void drop_after(size_t bytes, int count) {
        const std::lock_guard<std::mutex> lock(mutex_);
        drop_bytes_ = bytes;
        drops_left_ = count;
    }
    void ignore_range(bool ignore) { ignore_range_ = ignore; }
    void answer_with(int status) { forced_status_ = status; }

    // The Range header of each request so far ("" when there was none).
    std::vector<std::string> ranges() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return ranges_;
    }

private:
    void serve() {
        while (!stop_) {
            pollfd fd{listen_fd_, POLLIN, 0};
            if (::poll(&fd, 1, 50) <= 0) continue;
            const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0) continue;
            respond(client);
            ::close(client);
        }
    }

    void respond(int client) {
        std::string request;
        char buffer[4096];
        while (request.find("\r\n\r\n") == std::string::npos) {
            const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
            if (n <= 0) return;
            request.append(buffer, static_cast<size_t>(n));
        }
        std::smatch m;
        std::string range;
        size_t from = 0;
        if (std::regex_search(request, m, std::regex(R"(Range: bytes=(\d+)-)", std::regex::icase))) {
            range = m[0].str().substr(std::string("Range: ").size());
            from = std::stoull(m[1].str());
        }
        size_t send_limit = std::string::npos;
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            ranges_.push_back(range);
            if (drops_left_ > 0) {
                --drops_left_;
                send_limit = drop_bytes_;
            }
        }
        std::string head;
        std::string_view body = body_;
        if (forced_status_ != 0) {
            head = fmt::format("HTTP/1.1 {} Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\n", forced_status_.load());
            body = "not found";
        } else if (!range.empty() && !ignore_range_) {
            if (from >= body_.size()) {
                head = fmt::format("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{}\r\nContent-Length: 0\r\n"
                                   "Connection: close\r\n\r\n", body_.size());
                body = "";
            } else {
                body = body.substr(from);
                head = fmt::format("HTTP/1.1 206 Partial Content\r\nContent-Length: {}\r\nContent-Range: bytes {}-{}/{}\r\n"
                                   "Connection: close\r\n\r\n", body.size(), from, body_.size() - 1, body_.size());
            }
        } else {
            head = fmt::format("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.size());
        }
        send_all(client, head);
        send_all(client, body.substr(0, std::min(send_limit, body.size())));
    }

    static void send_all(int client, std::string_view data) {
        while (!data.empty()) {
            const ssize_t n = ::send(client, data.data(), data.size(), MSG_NOSIGNAL);
            if (n <= 0) return;
            data.remove_prefix(static_cast<size_t>(n));
        }
    }

    std::string body_;
    int listen_fd_ = -1;
    int port_ = 0;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> ignore_range_{false};
    std::atomic<int> forced_status_{0};
    mutable std::mutex mutex_;
    size_t drop_bytes_ = 0;
    int drops_left_ = 0;
    std::vector<std::string> ranges_;
};

constexpr int64_t kRecord = 1 + 3 * 32 * 32;
const char* kBatches[] = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                          "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"};

// A CIFAR-10 binary archive in the official layout, two images per batch.
struct SmallCifar {
    TempDir dir{"cifar"};
    fs::path archive = dir.path() / "cifar-10-binary.tar.gz";
    std::string bytes;
    explicit SmallCifar(int batches = 6) {
        std::mt19937 random(5);
        std::vector<ArchiveMember> members;
        for (int b = 0; b < batches; ++b) {
            std::string data;
            for (int image = 0; image < 2; ++image) {
                data += static_cast<char>((b + image) % 10);  // the label
                for (int64_t i = 1; i < kRecord; ++i) data += static_cast<char>(random() & 0xff);
            }
            const fs::path file = dir.path() / "src" / kBatches[b];
            write_text(file, data);
            members.push_back({std::string("cifar-10-batches-bin/") + kBatches[b], file});
        }
        write_text(dir.path() / "src" / "batches.meta.txt", "airplane\nautomobile\n");
        members.push_back({"cifar-10-batches-bin/batches.meta.txt", dir.path() / "src" / "batches.meta.txt"});
        write_archive(archive, members, ArchiveFormat::TarGz);
        bytes = read_text(archive);
    }
    std::string md5() const { return digest_hex(Digest::Md5, bytes); }
    std::string sha256() const { return digest_hex(Digest::Sha256, bytes); }
    std::string batch(const char* name) const { return read_text(dir.path() / "src" / name); }
};

// A cache folder of its own, passed to tito as XDG_CACHE_HOME.
struct Cache {
    TempDir dir{"cache"};
    fs::path dataset() const { return dir.path() / "tinytorch" / "cifar-10-batches-bin"; }
    fs::path partial() const { return dir.path() / "tinytorch" / "cifar-10-binary.tar.gz.partial"; }
    EnvChanges env() const { return {{"XDG_CACHE_HOME", dir.path().string()}}; }
    // Anything in the cache besides the dataset (and the lock file)?
    std::vector<std::string> leftovers() const {
        std::vector<std::string> names;
        if (!fs::exists(dir.path() / "tinytorch")) return names;
        for (const auto& entry : fs::directory_iterator(dir.path() / "tinytorch")) {
            const std::string name = entry.path().filename().string();
            if (name != "cifar-10-batches-bin" && name != ".cifar10.lock") names.push_back(name);
        }
        return names;
    }
};

ProcessResult tito_in(const Cache& cache, const std::vector<std::string>& args) {
    return run_tito(cache.dir.path(), args, 120, cache.env());
}

ProcessResult download(const Cache& cache, const FileServer& server, const std::string& md5) {
    return tito_in(cache, {"data", "download", "cifar10", "--url", server.url(), "--md5", md5});
}

}  // namespace

TEST(Data, DownloadVerifiesTheChecksumAndInstallsTheBatches) {
    SmallCifar cifar;
    FileServer server(cifar.bytes);
    Cache cache;
    const ProcessResult r = download(cache, server, cifar.md5());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("Checking its MD5… ✓ " + cifar.md5()), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("CIFAR-10 is in " + cache.dataset().string() + " (12 images)"), std::string::npos) << r.output;
    for (const char* batch : kBatches) EXPECT_EQ(read_text(cache.dataset() / batch), cifar.batch(batch)) << batch;
    EXPECT_TRUE(cache.leftovers().empty()) << fmt::format("{}", fmt::join(cache.leftovers(), ", "));
}

TEST(Data, DroppedConnectionIsResumedWithARangeRequest) {
    SmallCifar cifar;
    FileServer server(cifar.bytes);
    server.drop_after(cifar.bytes.size() / 2, 1);
    Cache cache;
    const ProcessResult r = download(cache, server, cifar.md5());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("connection lost"), std::string::npos) << r.output;
    const auto ranges = server.ranges();
    ASSERT_EQ(ranges.size(), 2u);
    EXPECT_EQ(ranges[0], "");
    EXPECT_EQ(ranges[1], fmt::format("bytes={}-", cifar.bytes.size() / 2));
    EXPECT_EQ(read_text(cache.dataset() / "test_batch.bin"), cifar.batch("test_batch.bin"));
}

TEST(Data, DownloadCutShortKeepsThePartialFileAndTheNextRunResumesIt) {
    SmallCifar cifar;
    FileServer server(cifar.bytes);
    server.drop_after(1000, 4);  // every attempt of the first run breaks
    Cache cache;
    const ProcessResult first = download(cache, server, cifar.md5());
    EXPECT_EQ(first.exit_code, 1) << first.output;
    EXPECT_NE(first.output.find("run the same command again to resume"), std::string::npos) << first.output;
    ASSERT_TRUE(fs::exists(cache.partial()));
    EXPECT_EQ(fs::file_size(cache.partial()), 4000u);
    EXPECT_FALSE(fs::exists(cache.dataset()));

    const ProcessResult second = download(cache, server, cifar.md5());
    ASSERT_EQ(second.exit_code, 0) << second.output;
    EXPECT_NE(second.output.find("resuming at"), std::string::npos) << second.output;
    EXPECT_EQ(server.ranges().back(), "bytes=4000-");
    EXPECT_EQ(read_text(cache.dataset() / "data_batch_3.bin"), cifar.batch("data_batch_3.bin"));
    EXPECT_FALSE(fs::exists(cache.partial()));
}

TEST(Data, ServerThatIgnoresRangeStartsTheFileOver) {
    SmallCifar cifar;
    FileServer server(cifar.bytes);
    server.ignore_range(true);
    Cache cache;
    write_text(cache.partial(), std::string(500, 'x'));  // left by an earlier run
    const ProcessResult r = download(cache, server, cifar.md5());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(server.ranges().front(), "bytes=500-");
    EXPECT_EQ(read_text(cache.dataset() / "data_batch_1.bin"), cifar.batch("data_batch_1.bin"));
}

TEST(Data, ChecksumMismatchDeletesTheDownloadAndInstallsNothing) {
    SmallCifar cifar;
    FileServer server(cifar.bytes);
    Cache cache;
    const std::string wrong(32, '0');
    const ProcessResult r = download(cache, server, wrong);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("has MD5 " + cifar.md5() + ", not the expected " + wrong), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("It was deleted; run the command again"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(cache.dataset()));
    EXPECT_TRUE(cache.leftovers().empty()) << fmt::format("{}", fmt::join(cache.leftovers(), ", "));
}

TEST(Data, Sha256CanReplaceTheMd5) {
    SmallCifar cifar;
    FileServer server(cifar.bytes);
    Cache cache;
    const ProcessResult r =
        tito_in(cache, {"data", "download", "cifar10", "--url", server.url(), "--sha256", cifar.sha256()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("Checking its SHA-256… ✓ " + cifar.sha256()), std::string::npos) << r.output;
}

TEST(Data, ProgressBarOnATerminal) {
    SmallCifar cifar;
    FileServer server(cifar.bytes);
    Cache cache;
    const std::string out = run_tito_on_terminal(
        cache.dir.path(), {"data", "download", "cifar10", "--url", server.url(), "--md5", cifar.md5()}, cache.env());
    EXPECT_NE(out.find("\r  [██████████████████████████████] 100%"), std::string::npos) << out;
    EXPECT_NE(out.find("CIFAR-10 is in"), std::string::npos) << out;
}

TEST(Data, QuietDownloadDrawsNoProgress) {
    SmallCifar cifar;
    FileServer server(cifar.bytes);
    Cache cache;
    const ProcessResult r = tito_in(cache, {"data", "download", "cifar10", "-q", "--url", server.url(), "--md5", cifar.md5()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(r.output.find("100%"), std::string::npos) << r.output;
}

TEST(Data, HttpErrorNamesTheStatus) {
    SmallCifar cifar;
    FileServer server(cifar.bytes);
    server.answer_with(404);
    Cache cache;
    const ProcessResult r = download(cache, server, cifar.md5());
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("the server answered HTTP 404; check the address (--url)"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(cache.dataset()));
}

TEST(Data, UnreachableServerIsAClearError) {
    Cache cache;
    const ProcessResult r = tito_in(cache, {"data", "download", "cifar10", "--url", "http://127.0.0.1:1/x.tar.gz"});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("downloading http://127.0.0.1:1/x.tar.gz: "), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("Check the address and your connection"), std::string::npos) << r.output;
}

TEST(Data, ImportVerifiesAndInstallsLeavingTheFileAsItIs) {
    SmallCifar cifar;
    Cache cache;
    const ProcessResult r = tito_in(cache, {"data", "import", "cifar10", cifar.archive.string(), "--md5", cifar.md5()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(read_text(cache.dataset() / "data_batch_5.bin"), cifar.batch("data_batch_5.bin"));
    EXPECT_EQ(read_text(cifar.archive), cifar.bytes);
}

TEST(Data, ImportIsCheckedAgainstTheOfficialMd5ByDefault) {
    SmallCifar cifar;
    Cache cache;
    const ProcessResult r = tito_in(cache, {"data", "import", "cifar10", cifar.archive.string()});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find(std::string("not the expected ") + kCifar10Md5), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("it is not the official CIFAR-10 binary archive, or it is damaged"), std::string::npos)
        << r.output;
    EXPECT_FALSE(fs::exists(cache.dataset()));
}

TEST(Data, ArchiveWithoutEveryBatchIsRefusedAndLeavesNothing) {
    SmallCifar cifar(/*batches=*/3);
    Cache cache;
    const ProcessResult r = tito_in(cache, {"data", "import", "cifar10", cifar.archive.string(), "--md5", cifar.md5()});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("is not the CIFAR-10 binary archive: in its cifar-10-batches-bin/ folder, "
                            "data_batch_4.bin is missing"),
              std::string::npos)
        << r.output;
    EXPECT_FALSE(fs::exists(cache.dataset()));
    EXPECT_TRUE(cache.leftovers().empty()) << fmt::format("{}", fmt::join(cache.leftovers(), ", "));
}

TEST(Data, InstalledDatasetIsKeptUnlessForced) {
    SmallCifar cifar;
    Cache cache;
    const std::vector<std::string> import = {"data", "import", "cifar10", cifar.archive.string(), "--md5", cifar.md5()};
    ASSERT_EQ(tito_in(cache, import).exit_code, 0);
    write_text(cache.dataset() / "marker", "installed first");
    const ProcessResult again = tito_in(cache, import);
    EXPECT_EQ(again.exit_code, 0);
    EXPECT_NE(again.output.find("CIFAR-10 is already in"), std::string::npos) << again.output;
    EXPECT_TRUE(fs::exists(cache.dataset() / "marker"));
    std::vector<std::string> forced = import;
    forced.push_back("--force");
    ASSERT_EQ(tito_in(cache, forced).exit_code, 0);
    EXPECT_FALSE(fs::exists(cache.dataset() / "marker"));
    EXPECT_TRUE(cache.leftovers().empty());
}

TEST(Data, WithoutXdgCacheHomeTheCacheIsUnderHome) {
    SmallCifar cifar;
    TempDir home("home");
    const ProcessResult r = run_tito(home.path(), {"data", "import", "cifar10", cifar.archive.string(), "--md5", cifar.md5()},
                                     120, {{"XDG_CACHE_HOME", ""}, {"HOME", home.path().string()}});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(fs::exists(home.path() / ".cache" / "tinytorch" / "cifar-10-batches-bin" / "test_batch.bin"));
}

// The folder tito installs into is the one module 05's default_cifar10_dir()
// reads, and what it installs reads back as the images in the archive.
TEST(Data, DataloaderReadsWhatTitoInstalled) {
    SmallCifar cifar;
    Cache cache;
    ASSERT_EQ(tito_in(cache, {"data", "import", "cifar10", cifar.archive.string(), "--md5", cifar.md5()}).exit_code, 0);
    ::setenv("XDG_CACHE_HOME", cache.dir.path().c_str(), 1);
    EXPECT_EQ(tinytorch::default_cifar10_dir(), cache.dataset());
    EXPECT_EQ(tito::cifar10_dir(), cache.dataset());
    const tinytorch::ImageSet test = tinytorch::load_cifar10(tinytorch::default_cifar10_dir(), tinytorch::Split::Test);
    ::unsetenv("XDG_CACHE_HOME");
    EXPECT_EQ(test.size(), 2);
    const std::string batch = cifar.batch("test_batch.bin");
    EXPECT_FLOAT_EQ(test.labels.data()[1], static_cast<float>(batch[kRecord]));
    EXPECT_FLOAT_EQ(test.images.data()[0], static_cast<float>(static_cast<unsigned char>(batch[1])) / 255.0f);
}

TEST(Data, ListShowsWhatIsMissingAndHowToGetIt) {
    ToyWorkspace toy;
    Cache cache;
    const ProcessResult r = toy.tito({"data", "list"}, 60, cache.env());
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("(cache: " + (cache.dir.path() / "tinytorch").string() + ")"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("cifar10       ✗ missing"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("get it: tito data download cifar10"), std::string::npos) << r.output;
}

TEST(Data, ListShowsAnInstalledDataset) {
    SmallCifar cifar;
    ToyWorkspace toy;
    Cache cache;
    ASSERT_EQ(tito_in(cache, {"data", "import", "cifar10", cifar.archive.string(), "--md5", cifar.md5()}).exit_code, 0);
    const ProcessResult r = toy.tito({"data", "list"}, 60, cache.env());
    EXPECT_NE(r.output.find("cifar10       ✓ present"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find(cache.dataset().string()), std::string::npos) << r.output;
}

TEST(Data, MalformedChecksumIsAUsageError) {
    Cache cache;
    const ProcessResult r = tito_in(cache, {"data", "download", "cifar10", "--md5", "xyz"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("--md5 takes 32 hexadecimal digits"), std::string::npos) << r.output;
}

TEST(Data, OnlyCifar10IsDownloaded) {
    Cache cache;
    const ProcessResult r = tito_in(cache, {"data", "download", "tinydigits"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("tinydigits ships with the course"), std::string::npos) << r.output;
}
