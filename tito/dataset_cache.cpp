// dataset_cache.cpp — the dataset table, the cache, and installing CIFAR-10.
#include "dataset_cache.hpp"

#include <fmt/format.h>
#include <stdlib.h>

#include <array>
#include <cstdlib>
#include <iostream>

#include "archive.hpp"
#include "console.hpp"
#include "download.hpp"
#include "errors.hpp"
#include "file_lock.hpp"

namespace tito {

namespace fs = std::filesystem;

namespace {

constexpr uint64_t kCifar10RecordBytes = 1 + 3 * 32 * 32;
constexpr std::array<const char*, 6> kCifar10Batches = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                                        "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"};
constexpr const char* kCifar10Folder = "cifar-10-batches-bin";

bool is_hex(const std::string& text, size_t length) {
    return text.size() == length && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::string lowercase(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// Why `folder` is not a complete set of CIFAR-10 batches; empty if it is.
std::string cifar10_problem(const fs::path& folder, uint64_t* images = nullptr) {
    uint64_t records = 0;
    for (const char* batch : kCifar10Batches) {
        const fs::path file = folder / batch;
        std::error_code ec;
        if (!fs::is_regular_file(file, ec)) return fmt::format("{} is missing", batch);
        const uint64_t size = fs::file_size(file, ec);
        if (ec || size == 0 || size % kCifar10RecordBytes != 0)
            return fmt::format("{} holds {} bytes, not a whole number of {}-byte records", batch, size,
                               kCifar10RecordBytes);
        records += size / kCifar10RecordBytes;
    }
    if (images) *images = records;
    return "";
}

void verify(const fs::path& file, const Checksum& checksum, const std::string& what_then) {
    std::cout << fmt::format("Checking its {}… ", checksum.name()) << std::flush;
    const std::string actual = digest_file_hex(checksum.digest, file);
    if (actual != checksum.hex) {
        std::cout << console::red("✗") << "\n";
        throw Error(fmt::format("{} has {} {}, not the expected {}: {}", file.string(), checksum.name(), actual,
                                checksum.hex, what_then));
    }
    std::cout << console::green("✓ ") << actual << "\n";
}

// Extracts into a scratch folder of the cache, checks, then renames into place.
void install_archive(const fs::path& archive) {
    const fs::path cache = tinytorch_cache_dir();
    std::string pattern = (cache / ".cifar10-extract-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
        throw Error(fmt::format("cannot create a scratch folder in {}: {}", cache.string(), std::strerror(errno)));
    const fs::path scratch = pattern;
    struct Cleanup {
        fs::path folder;
        ~Cleanup() {
            std::error_code ignored;
            fs::remove_all(folder, ignored);
        }
    } cleanup{scratch};

    std::cout << "Extracting… " << std::flush;
    ArchiveLimits limits;
    limits.max_entries = 64;
    limits.max_entry_bytes = 64u << 20;    // a batch is 30.7 MB
    limits.max_total_bytes = 512u << 20;   // the archive holds 184 MB
    extract_archive(archive, scratch, limits);
    const fs::path extracted = scratch / kCifar10Folder;
    uint64_t images = 0;
    if (const std::string problem = cifar10_problem(extracted, &images); !problem.empty())
        throw Error(fmt::format("{} is not the CIFAR-10 binary archive: in its {}/ folder, {}", archive.string(),
                                kCifar10Folder, problem));
    const fs::path target = cifar10_dir();
    if (fs::exists(target)) fs::rename(target, scratch / "previous");  // removed with the scratch folder
    fs::rename(extracted, target);
    std::cout << console::green("✓") << "\n"
              << console::green("✓ ") << fmt::format("CIFAR-10 is in {} ({} images).\n", target.string(), images);
}

bool already_installed(const CifarInstallOptions& options) {
    if (options.force || !cifar10_installed()) return false;
    std::cout << console::green("✓ ") << "CIFAR-10 is already in " << cifar10_dir().string()
              << " (--force installs it again).\n";
    return true;
}

// Two tito runs never install into the cache at once.
FileLock lock_cache() {
    fs::create_directories(tinytorch_cache_dir());
    return FileLock(tinytorch_cache_dir() / ".cifar10.lock", 0, [] {
        std::cout << console::dim("Waiting for another tito that is installing CIFAR-10…") << std::endl;
    });
}

}  // namespace

fs::path tinytorch_cache_dir() {
    const char* cache = std::getenv("XDG_CACHE_HOME");
    if (cache != nullptr && *cache != '\0' && fs::path(cache).is_absolute()) return fs::path(cache) / "tinytorch";
    const char* home = std::getenv("HOME");
    if (home == nullptr || *home == '\0')
        throw Error("neither XDG_CACHE_HOME nor HOME is set, so there is no cache folder; set XDG_CACHE_HOME to "
                    "an absolute path");
    return fs::path(home) / ".cache" / "tinytorch";
}

fs::path cifar10_dir() { return tinytorch_cache_dir() / kCifar10Folder; }

bool cifar10_installed() { return cifar10_problem(cifar10_dir()).empty(); }

Checksum choose_checksum(const std::string& md5, const std::string& sha256) {
    if (!md5.empty() && !sha256.empty()) throw UsageError("give --md5 or --sha256, not both");
    if (!sha256.empty()) {
        if (!is_hex(lowercase(sha256), 64)) throw UsageError("--sha256 takes 64 hexadecimal digits");
        return {Digest::Sha256, lowercase(sha256)};
    }
    if (!md5.empty()) {
        if (!is_hex(lowercase(md5), 32)) throw UsageError("--md5 takes 32 hexadecimal digits");
        return {Digest::Md5, lowercase(md5)};
    }
    return {Digest::Md5, kCifar10Md5};
}

bool download_cifar10(const std::string& url, const Checksum& checksum, const CifarInstallOptions& options) {
    const FileLock lock = lock_cache();
    if (already_installed(options)) return false;
    const fs::path partial = tinytorch_cache_dir() / "cifar-10-binary.tar.gz.partial";
    std::cout << "Downloading CIFAR-10 (the binary version" << (url == kCifar10Url ? ", 170 MB" : "") << ") from " << url << "\n"
              << console::dim("  into " + tinytorch_cache_dir().string() + "; Ctrl-C stops, the same command resumes")
              << std::endl;
    DownloadOptions download;
    download.progress = options.progress;
    download_resuming(url, partial, download);
    try {
        verify(partial, checksum,
               "the download is damaged, or the address serves another file. It was deleted; run the command "
               "again to download it afresh (and check --url and --md5/--sha256 if you gave them)");
    } catch (const Error&) {
        fs::remove(partial);
        throw;
    }
    install_archive(partial);
    fs::remove(partial);
    return true;
}

bool import_cifar10(const fs::path& archive, const Checksum& checksum, const CifarInstallOptions& options) {
    if (!fs::is_regular_file(archive))
        throw Error(fmt::format("{} does not exist (or is not a file)", archive.string()));
    const FileLock lock = lock_cache();
    if (already_installed(options)) return false;
    std::cout << "Importing CIFAR-10 from " << archive.string() << "\n";
    verify(archive, checksum,
           "it is not the official CIFAR-10 binary archive, or it is damaged. Ask for the file again, or pass "
           "the checksum your course gives with --md5 or --sha256");
    install_archive(archive);
    return true;
}

void print_datasets(const Workspace& workspace, std::ostream& out) {
    const fs::path tinydigits = workspace.root() / "milestones" / "datasets" / "tinydigits";
    const bool tinydigits_ok = fs::is_regular_file(tinydigits / "train.txt") && fs::is_regular_file(tinydigits / "test.txt");
    const fs::path fashion = "/usr/share/datasets/fashion-mnist";
    const bool fashion_ok = fs::is_regular_file(fashion / "train-images-idx3-ubyte.gz");
    std::string cache;
    try {
        cache = tinytorch_cache_dir().string();
    } catch (const Error& e) {
        cache = std::string("(none: ") + e.what() + ")";
    }
    const bool cifar_ok = !cache.empty() && cache.front() == '/' && cifar10_installed();

    auto row = [&](const char* name, bool present, const std::string& where, const std::string& what,
                   const std::string& how) {
        out << fmt::format("  {:<14}{}  {}\n", name, present ? console::green("✓ present") : console::yellow("✗ missing"),
                           what)
            << console::dim(fmt::format("  {:<14}{}", "", where)) << "\n";
        if (!present) out << fmt::format("  {:<14}get it: {}\n", "", how);
    };
    out << console::bold("Datasets") << console::dim("  (cache: " + cache + ")") << "\n";
    row("tinydigits", tinydigits_ok, fs::relative(tinydigits, workspace.root()).string(),
        "8x8 digits, 1000 train / 200 test; ships with the course (milestone 04 part 1)",
        "it is part of the course tree; restore milestones/datasets/tinydigits from your copy");
    row("cifar10", cifar_ok, cifar_ok ? cifar10_dir().string() : cache + "/" + kCifar10Folder,
        "32x32 colour images in 10 classes, 50000 train / 10000 test (milestone 04 part 2)",
        "tito data download cifar10   (or: tito data import cifar10 FILE)");
    row("fashion-mnist", fashion_ok, fashion.string(), "28x28 clothing images, 60000 train / 10000 test (optional)",
        "sudo apt-get install dataset-fashion-mnist");
}

}  // namespace tito
