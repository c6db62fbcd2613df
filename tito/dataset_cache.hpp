// dataset_cache.hpp — `tito data`: the datasets the course uses, and installing
// CIFAR-10 into the cache.
//
// The cache is $XDG_CACHE_HOME/tinytorch (or ~/.cache/tinytorch when
// XDG_CACHE_HOME is unset, empty or relative) — the same rule as
// default_cifar10_dir() in modules/05_dataloader/datasets.hpp, which is
// where the milestone reads CIFAR-10 from.
//
// Installing CIFAR-10, by download or from a file an instructor hands out,
// always goes the same way: the archive's checksum is verified first, the
// archive is extracted into a scratch folder inside the cache, the six batch
// files are checked, and only then is the folder renamed to
// cifar-10-batches-bin. A failure at any step leaves no half dataset behind.
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

#include "hashing.hpp"
#include "workspace.hpp"

namespace tito {

// $XDG_CACHE_HOME/tinytorch or ~/.cache/tinytorch; throws tito::Error when
// neither XDG_CACHE_HOME (absolute) nor HOME is set.
std::filesystem::path tinytorch_cache_dir();

// The official CIFAR-10 binary version.
inline constexpr const char* kCifar10Url = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";
inline constexpr const char* kCifar10Md5 = "c32a1d4ab5d03f1284b67883e8d87530";

struct Checksum {
    Digest digest = Digest::Md5;
    std::string hex;  // lowercase
    std::string name() const { return digest == Digest::Md5 ? "MD5" : "SHA-256"; }
};

// The checksum to verify against: --sha256 or --md5 when given (at most one),
// else the official MD5. Throws tito::UsageError for a malformed value.
Checksum choose_checksum(const std::string& md5, const std::string& sha256);

// Where the batches go: <cache>/cifar-10-batches-bin.
std::filesystem::path cifar10_dir();
// The six batch files are there, each a whole number of records.
bool cifar10_installed();

struct CifarInstallOptions {
    bool force = false;     // replace an installed copy
    bool progress = true;   // show a download progress bar
};

// Downloads `url` (resuming a partial download), verifies it and installs it.
// Returns false (having said so) when it is installed already and not forced.
bool download_cifar10(const std::string& url, const Checksum& checksum, const CifarInstallOptions& options);
// Verifies `archive` and installs it; the archive itself is left as it is.
bool import_cifar10(const std::filesystem::path& archive, const Checksum& checksum, const CifarInstallOptions& options);

// `tito data list`.
void print_datasets(const Workspace& workspace, std::ostream& out);

}  // namespace tito
