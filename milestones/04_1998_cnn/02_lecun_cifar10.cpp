// 02_lecun_cifar10.cpp — milestone 04, part 2: a CNN with BatchNorm on
// CIFAR-10 (32x32 colour photographs in 10 classes), trained with Adam and
// data augmentation on nothing but the nine modules you wrote.
//
//     tito data download cifar10                 (once; or tito data import cifar10 FILE)
//     tito milestone run 04 --part 2
//     tito milestone run 04 --part 2 -- --subset 5000 --epochs 2     (a quick look)
//     tito milestone run 04 --part 2 -- --dataset fashion-mnist      (offline, real images)
//
// Writes record.json (what tito checks the gate against), curves.svg and
// confusion.svg into --output-dir, and checkpoint.ckpt after every epoch so
// that --resume continues an interrupted run where it stopped.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <string_view>

#include "datasets.hpp"
#include "losses.hpp"
#include "progress.hpp"
#include "run_record.hpp"
#include "spatial.hpp"
#include "svg_charts.hpp"
#include "training.hpp"

using namespace tinytorch;
namespace fs = std::filesystem;

namespace {

struct Config {
    std::string dataset = "cifar10";  // or "fashion-mnist"
    fs::path data_dir;                // empty: where `tito data` or the Debian package put it
    int64_t epochs = 15;
    int64_t batch_size = 64;
    float lr = 2e-3f;
    uint64_t seed = 42;
    int64_t subset = 0;       // training images used; 0: all
    int64_t test_subset = 0;  // test images used; 0: all
    bool augment = true;
    bool resume = false;
    fs::path output_dir = "runs/04_1998_cnn/02_lecun_cifar10";
};

// The dataset: where it lives, how to get it, and its per-channel statistics.
struct DatasetInfo {
    fs::path dir;
    std::vector<std::string_view> classes;
    std::vector<float> mean, std;
};

DatasetInfo dataset_info(const Config& config) {
    if (config.dataset == "cifar10") {
        const fs::path dir = config.data_dir.empty() ? default_cifar10_dir() : config.data_dir;
        if (!fs::exists(dir / "data_batch_1.bin"))
            throw FileError(fmt::format(
                "CIFAR-10 is not in {}. Get it with `tito data download cifar10` (or `tito data "
                "import cifar10 FILE` with a copy your instructor gives you), or point --data-dir "
                "at a folder holding data_batch_1.bin ... test_batch.bin. Offline, try "
                "--dataset fashion-mnist.",
                dir.string()));
        const auto& names = cifar10_classes();
        return {dir, {names.begin(), names.end()}, {0.4914f, 0.4822f, 0.4465f}, {0.2470f, 0.2435f, 0.2616f}};
    }
    const fs::path dir = config.data_dir.empty() ? default_fashion_mnist_dir() : config.data_dir;
    if (!fs::exists(dir))
        throw FileError(fmt::format(
            "Fashion-MNIST is not in {}. Install Debian's package with `sudo apt-get install "
            "dataset-fashion-mnist`, or point --data-dir at a folder holding its IDX files.",
            dir.string()));
    const auto& names = fashion_mnist_classes();
    return {dir, {names.begin(), names.end()}, {0.2860f}, {0.3530f}};
}

ImageSet load_split(const Config& config, const DatasetInfo& info, Split split, int64_t limit) {
    ImageSet set = config.dataset == "cifar10" ? load_cifar10(info.dir, split)
                                               : load_mnist(info.dir, split);
    if (limit > 0 && limit < set.size()) {
        set.images = set.images.slice(0, limit);
        set.labels = set.labels.slice(0, limit);
    }
    return set;
}

// x (N, C, S, S) -> conv 3x3 (N, 32, S, S) -> BN -> ReLU -> pool (N, 32, S/2, S/2)
// -> conv 3x3 (N, 64, S/2, S/2) -> BN -> ReLU -> pool (N, 64, S/4, S/4)
// -> flatten (N, 64*(S/4)^2) -> (N, 256) -> ReLU -> logits (N, 10).
Sequential make_cnn(int64_t channels, int64_t size, Generator& gen) {
    const int64_t features = 64 * (size / 4) * (size / 4);
    return Sequential{Conv2d(channels, 32, 3, 1, 1, true, gen), BatchNorm2d(32), ReLU{},
                      MaxPool2d(2),
                      Conv2d(32, 64, 3, 1, 1, true, gen),       BatchNorm2d(64), ReLU{},
                      MaxPool2d(2),
                      Flatten(),
                      Linear(features, 256, true, gen),         ReLU{},
                      Linear(256, 10, true, gen)};
}

// counts[true][predicted] over a loader, with the model in evaluation mode.
std::vector<std::vector<int64_t>> confusion_matrix(Module& model, DataLoader& loader) {
    std::vector<std::vector<int64_t>> counts(10, std::vector<int64_t>(10, 0));
    NoGradGuard no_grad;
    model.eval();
    for (const Batch& batch : loader) {
        const Tensor predicted = model(batch.inputs).argmax(1).contiguous();
        const Tensor labels = batch.targets.contiguous();
        for (int64_t i = 0; i < labels.numel(); ++i)
            ++counts[static_cast<size_t>(labels.data()[i])][static_cast<size_t>(predicted.data()[i])];
    }
    model.train();
    return counts;
}

void print_per_class(const std::vector<std::vector<int64_t>>& counts, const DatasetInfo& info,
                     milestone::RunRecord& record) {
    fmt::print("\nPer-class test accuracy:\n");
    nlohmann::json per_class = nlohmann::json::object();
    for (size_t c = 0; c < counts.size(); ++c) {
        int64_t total = 0;
        for (int64_t n : counts[c]) total += n;
        const double accuracy = total > 0 ? static_cast<double>(counts[c][c]) / total : 0;
        per_class[std::string(info.classes[c])] = accuracy;
        fmt::print("  {:<12} {:5.1f}%  {}\n", info.classes[c], 100 * accuracy,
                   std::string(static_cast<size_t>(accuracy * 40 + 0.5), '#'));
    }
    record.set_result("per_class_test_accuracy", per_class);
}

int run(const Config& config) {
    const auto start = std::chrono::steady_clock::now();
    const DatasetInfo info = dataset_info(config);
    const ImageSet train_set = load_split(config, info, Split::Train, config.subset);
    const ImageSet test_set = load_split(config, info, Split::Test, config.test_subset);
    const int64_t channels = train_set.images.size(1), size = train_set.images.size(2);
    fmt::print("Milestone 04, part 2 — The CNN Revolution (1998), on {}\n", config.dataset);
    fmt::print("{} training and {} test images of {}x{}x{}, {} epochs, batch {}, Adam lr {} "
               "(cosine), seed {}, augmentation {}\n",
               train_set.size(), test_set.size(), channels, size, size, config.epochs,
               config.batch_size, config.lr, config.seed, config.augment ? "on" : "off");

    Generator init(config.seed);
    Sequential model = make_cnn(channels, size, init);
    fmt::print("CNN: {} parameters\n", count_parameters(model));

    const Normalize normalize(info.mean, info.std);
    Transform train_transform = normalize;
    if (config.augment)
        train_transform = Compose({RandomCrop(size, size / 8), RandomHorizontalFlip(), normalize});
    const TensorDataset train(train_set.images, train_set.labels);
    const TensorDataset test(test_set.images, test_set.labels);
    DataLoader train_loader(train, config.batch_size, true, true, config.seed, train_transform);
    DataLoader test_loader(test, 500, false, false, 0, normalize);

    Adam adam(model.parameters(), AdamOptions{.lr = config.lr});
    CosineSchedule schedule(config.lr, config.epochs);
    ProgressLine progress(config.epochs);
    Trainer trainer(model, adam, CrossEntropyLoss{},
                    {.schedule = &schedule, .on_batch = progress.callback()});

    milestone::RunRecord record("04", "02_lecun_cifar10");
    record.config = {{"dataset", config.dataset}, {"epochs", config.epochs},
                     {"batch_size", config.batch_size}, {"optimizer", "Adam"},
                     {"schedule", "cosine"}, {"lr", config.lr}, {"seed", config.seed},
                     {"augment", config.augment}, {"train_images", train_set.size()},
                     {"test_images", test_set.size()}};
    fs::create_directories(config.output_dir);
    const fs::path checkpoint = config.output_dir / "checkpoint.ckpt";
    if (config.resume && fs::exists(checkpoint)) {
        trainer.load_checkpoint(checkpoint, train_loader);
        fmt::print("Resumed from {} after epoch {}\n", checkpoint.string(), trainer.epoch());
        for (const EpochRecord& e : trainer.history())
            if (e.evaluation)
                record.add_epoch("cnn", {static_cast<int>(e.epoch + 1), e.train.loss, e.train.accuracy,
                                         e.evaluation->loss, e.evaluation->accuracy,
                                         e.train.seconds + e.evaluation->seconds});
    }

    EpochResult train_result, test_result;
    if (!trainer.history().empty()) train_result = trainer.history().back().train;
    while (trainer.epoch() < config.epochs) {
        train_result = trainer.train_epoch(train_loader);
        test_result = trainer.evaluate(test_loader);
        record.add_epoch("cnn", {static_cast<int>(trainer.epoch()), train_result.loss,
                                 train_result.accuracy, test_result.loss, test_result.accuracy,
                                 train_result.seconds + test_result.seconds});
        fmt::print("epoch {:>2}/{}  train loss {:.4f} acc {:5.1f}%  test loss {:.4f} acc {:5.1f}%  "
                   "{:.0f} img/s\n",
                   trainer.epoch(), config.epochs, train_result.loss, 100 * train_result.accuracy,
                   test_result.loss, 100 * test_result.accuracy,
                   train_result.examples / train_result.seconds);
        trainer.save_checkpoint(checkpoint, train_loader);
    }
    if (test_result.examples == 0) test_result = trainer.evaluate(test_loader);

    const auto counts = confusion_matrix(model, test_loader);
    print_per_class(counts, info, record);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fmt::print("\nTest accuracy {:.2f}% after {} epochs; whole run {:.0f} s.\n",
               100 * test_result.accuracy, config.epochs, seconds);

    record.set_result("dataset", config.dataset);
    record.set_result("test_accuracy", test_result.accuracy);
    record.set_result("train_accuracy", train_result.accuracy);
    record.set_result("parameters", count_parameters(model));
    record.set_seconds(seconds);
    record.write(config.output_dir);
    const std::string title = config.dataset == "cifar10" ? "CIFAR-10" : "Fashion-MNIST";
    milestone::write_file_atomically(config.output_dir / "curves.svg",
                                     milestone::training_curves_svg(record, title + ": CNN with BatchNorm"));
    milestone::write_file_atomically(
        config.output_dir / "confusion.svg",
        milestone::confusion_matrix_svg(counts, info.classes, title + ": test confusion matrix"));
    fmt::print("Wrote record.json, curves.svg and confusion.svg to {} (open the SVGs in a browser).\n",
               config.output_dir.string());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Config config;
    CLI::App app{"Milestone 04, part 2: a CNN with BatchNorm on CIFAR-10 (or Fashion-MNIST)"};
    app.add_option("--dataset", config.dataset, "cifar10 or fashion-mnist")
        ->check(CLI::IsMember({"cifar10", "fashion-mnist"}))->capture_default_str();
    app.add_option("--data-dir", config.data_dir, "Folder of the dataset's files");
    app.add_option("--epochs", config.epochs)->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--batch-size", config.batch_size)->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--lr", config.lr, "Adam's initial learning rate")->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--seed", config.seed)->capture_default_str();
    app.add_option("--subset", config.subset, "Train on the first N images only (a quick run)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--test-subset", config.test_subset, "Test on the first N images only")
        ->check(CLI::NonNegativeNumber);
    app.add_flag("!--no-augment", config.augment, "No random crops and flips");
    app.add_flag("--resume", config.resume, "Continue from checkpoint.ckpt in --output-dir");
    app.add_option("--output-dir", config.output_dir)->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    if (config.output_dir == Config{}.output_dir && config.dataset == "fashion-mnist")
        config.output_dir = "runs/04_1998_cnn/02_lecun_fashion_mnist";
    try {
        return run(config);
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
}
