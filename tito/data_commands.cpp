// data_commands.cpp — `tito data list | download cifar10 | import cifar10 FILE`.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "commands.hpp"
#include "dataset_cache.hpp"
#include "errors.hpp"

namespace tito {

namespace {

struct InstallArgs {
    std::string dataset;
    std::string file;
    std::string url = kCifar10Url;
    std::string md5;
    std::string sha256;
    bool force = false;
    bool quiet = false;
};

void check_dataset(const std::string& name, const char* verb) {
    if (name == "cifar10") return;
    if (name == "tinydigits")
        throw UsageError(fmt::format("tinydigits ships with the course (milestones/datasets/tinydigits); there is "
                                     "nothing to {}", verb));
    if (name == "fashion-mnist")
        throw UsageError("fashion-mnist comes from Debian: sudo apt-get install dataset-fashion-mnist");
    throw UsageError(fmt::format("tito can {} cifar10, not \"{}\" (`tito data list` shows every dataset)", verb, name));
}

void add_checksum_options(CLI::App& command, InstallArgs& args) {
    command.add_option("--md5", args.md5, "Expected MD5 of the archive (default: the official one)");
    command.add_option("--sha256", args.sha256, "Expected SHA-256 of the archive, instead of the MD5");
    command.add_flag("--force", args.force, "Install again even if it is already there");
}

}  // namespace

void add_data_commands(CLI::App& app) {
    auto* data = app.add_subcommand("data", "Datasets: list, download, import");
    data->require_subcommand(1);

    auto* list = data->add_subcommand("list", "The datasets, where they are, and how to get the missing ones");
    list->callback([] { print_datasets(Workspace::find(), std::cout); });

    auto download_args = std::make_shared<InstallArgs>();
    auto* download = data->add_subcommand("download", "Download a dataset into the cache, resuming and checking it");
    download->add_option("DATASET", download_args->dataset, "cifar10")->required();
    download->add_option("--url", download_args->url, "Download from this address (a course mirror)");
    download->add_flag("-q,--quiet", download_args->quiet, "No progress bar");
    add_checksum_options(*download, *download_args);
    download->callback([download_args] {
        check_dataset(download_args->dataset, "download");
        const Checksum checksum = choose_checksum(download_args->md5, download_args->sha256);
        CifarInstallOptions options;
        options.force = download_args->force;
        options.progress = !download_args->quiet;
        download_cifar10(download_args->url, checksum, options);
    });

    auto import_args = std::make_shared<InstallArgs>();
    auto* import = data->add_subcommand("import", "Install a dataset from an archive you were given, checking it");
    import->add_option("DATASET", import_args->dataset, "cifar10")->required();
    import->add_option("FILE", import_args->file, "The archive (cifar-10-binary.tar.gz)")->required();
    add_checksum_options(*import, *import_args);
    import->callback([import_args] {
        check_dataset(import_args->dataset, "import");
        const Checksum checksum = choose_checksum(import_args->md5, import_args->sha256);
        CifarInstallOptions options;
        options.force = import_args->force;
        import_cifar10(import_args->file, checksum, options);
    });
}

}  // namespace tito
