// 01_lecun_tinydigits.cpp — milestone 04, part 1: a LeNet-style CNN against
// an MLP on TinyDigits (8x8 handwritten digits), trained in one run with the
// same data, seed, optimizer and number of epochs, on nothing but the nine
// modules you wrote.
//
//     tito milestone run 04 --part 1              (or run the binary directly)
//     build/release/bin/milestone_04_01_lecun_tinydigits --epochs 30 --seed 7
//
// Writes record.json (what tito checks the gate against), curves.svg (loss
// and accuracy per epoch of both models) into --output-dir.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "datasets.hpp"
#include "losses.hpp"
#include "run_record.hpp"
#include "spatial.hpp"
#include "svg_charts.hpp"
#include "training.hpp"

using namespace tinytorch;
namespace fs = std::filesystem;

namespace {

struct Config {
    int64_t epochs = 20;
    int64_t batch_size = 32;
    float lr = 0.01f;
    uint64_t seed = 42;
    fs::path data_dir;  // empty: the shipped milestones/datasets/tinydigits
    fs::path output_dir = "runs/04_1998_cnn/01_lecun_tinydigits";
};

// x (N, 1, 8, 8) -> conv 3x3 (N, 8, 8, 8) -> pool (N, 8, 4, 4) -> conv 3x3
// (N, 16, 4, 4) -> pool (N, 16, 2, 2) -> flatten (N, 64) -> logits (N, 10).
// The convolutions see each 3x3 neighbourhood with the same weights wherever
// it is: that weight sharing is LeCun's idea.
Sequential make_cnn(Generator& gen) {
    return Sequential{Conv2d(1, 8, 3, 1, 1, true, gen), ReLU{}, MaxPool2d(2),
                      Conv2d(8, 16, 3, 1, 1, true, gen), ReLU{}, MaxPool2d(2),
                      Flatten(),                         Linear(64, 10, true, gen)};
}

// x (N, 1, 8, 8) -> flatten (N, 64) -> hidden (N, 32) -> logits (N, 10): about
// as many parameters as the CNN, but every pixel gets its own weights.
Sequential make_mlp(Generator& gen) {
    return Sequential{Flatten(), Linear(64, 32, true, gen), ReLU{}, Linear(32, 10, true, gen)};
}

// One model's run: its figures before and after training.
struct ModelResult {
    std::string name;
    int64_t parameters = 0;
    double accuracy_before = 0;
    EpochResult train, test;
    double seconds = 0;
};

ModelResult train_model(const std::string& name, Sequential& model, const Config& config,
                        DataLoader& train_loader, DataLoader& test_loader,
                        milestone::RunRecord& record) {
    ModelResult result;
    result.name = name;
    result.parameters = count_parameters(model);
    Adam adam(model.parameters(), AdamOptions{.lr = config.lr});
    // The rate decays to zero along a cosine, so the last epochs settle
    // instead of bouncing between nearby solutions: the final accuracy then
    // says what the architecture can do, not where the last step landed.
    CosineSchedule schedule(config.lr, config.epochs);
    Trainer trainer(model, adam, CrossEntropyLoss{}, {.schedule = &schedule});
    result.accuracy_before = trainer.evaluate(test_loader).accuracy;
    fmt::print("\n{}: {} parameters, test accuracy before training {:.1f}% (chance is 10%)\n",
               name, result.parameters, 100 * result.accuracy_before);
    const auto start = std::chrono::steady_clock::now();
    for (int64_t epoch = 1; epoch <= config.epochs; ++epoch) {
        result.train = trainer.train_epoch(train_loader);
        result.test = trainer.evaluate(test_loader);
        record.add_epoch(name, {static_cast<int>(epoch), result.train.loss, result.train.accuracy,
                                result.test.loss, result.test.accuracy,
                                result.train.seconds + result.test.seconds});
        fmt::print("  epoch {:>2}/{}  train loss {:.4f}  acc {:5.1f}%   test loss {:.4f}  acc {:5.1f}%\n",
                   epoch, config.epochs, result.train.loss, 100 * result.train.accuracy,
                   result.test.loss, 100 * result.test.accuracy);
    }
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

void print_comparison(const ModelResult& cnn, const ModelResult& mlp) {
    fmt::print("\n{:<24}{:>12}{:>12}\n", "", "CNN", "MLP");
    fmt::print("{:<24}{:>12}{:>12}\n", "parameters", cnn.parameters, mlp.parameters);
    fmt::print("{:<24}{:>11.1f}%{:>11.1f}%\n", "test accuracy before", 100 * cnn.accuracy_before,
               100 * mlp.accuracy_before);
    fmt::print("{:<24}{:>11.1f}%{:>11.1f}%\n", "train accuracy", 100 * cnn.train.accuracy,
               100 * mlp.train.accuracy);
    fmt::print("{:<24}{:>11.1f}%{:>11.1f}%\n", "test accuracy", 100 * cnn.test.accuracy,
               100 * mlp.test.accuracy);
    fmt::print("{:<24}{:>11.2f}s{:>11.2f}s\n", "training time", cnn.seconds, mlp.seconds);
    const double gap = cnn.test.accuracy - mlp.test.accuracy;
    fmt::print("\nThe CNN is {:.1f} points {} than the MLP on images neither has seen.\n",
               100 * std::abs(gap), gap > 0 ? "better" : "worse");
}

}  // namespace

int main(int argc, char** argv) {
    Config config;
    CLI::App app{"Milestone 04, part 1: a LeNet-style CNN against an MLP on TinyDigits"};
    app.add_option("--epochs", config.epochs, "Epochs for each model")->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--batch-size", config.batch_size, "Images per batch")->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--lr", config.lr, "Adam's learning rate")->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--seed", config.seed, "Seed of the initial weights and the shuffling")->capture_default_str();
    app.add_option("--data-dir", config.data_dir, "TinyDigits folder (default: the shipped one)");
    app.add_option("--output-dir", config.output_dir, "Where record.json and curves.svg go")->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    try {
        const auto start = std::chrono::steady_clock::now();
        const fs::path data_dir = config.data_dir.empty() ? find_tinydigits_dir() : config.data_dir;
        const ImageSet train_set = load_tinydigits(data_dir, Split::Train);
        const ImageSet test_set = load_tinydigits(data_dir, Split::Test);
        fmt::print("Milestone 04, part 1 — The CNN Revolution (1998), on TinyDigits\n");
        fmt::print("{} training and {} test images of 1x8x8, shifted by up to 1 pixel in training; "
                   "{} epochs, batch {}, Adam lr {} (cosine), seed {}\n",
                   train_set.size(), test_set.size(), config.epochs, config.batch_size, config.lr,
                   config.seed);

        milestone::RunRecord record("04", "01_lecun_tinydigits");
        record.config = {{"dataset", "tinydigits"}, {"epochs", config.epochs},
                         {"batch_size", config.batch_size}, {"optimizer", "Adam"},
                         {"schedule", "cosine"}, {"lr", config.lr}, {"seed", config.seed},
                         {"augment", "random shifts of up to 1 pixel"},
                         {"train_images", train_set.size()}, {"test_images", test_set.size()}};

        // Both models see the same batches in the same order: each gets a
        // loader with the same seed, and its weights from a generator with it.
        // Each training image is shifted by up to one pixel each time it is
        // seen (a random 8x8 crop of the image padded by 1). A convolution
        // applies the same weights at every position, so a shifted digit
        // still looks familiar to it; the MLP has a separate weight for every
        // pixel and must learn each shift anew. That is LeCun's point.
        const TensorDataset train(train_set.images, train_set.labels);
        const TensorDataset test(test_set.images, test_set.labels);
        std::vector<ModelResult> results;
        for (const std::string name : {"cnn", "mlp"}) {
            Generator init(config.seed);
            Sequential model = name == "cnn" ? make_cnn(init) : make_mlp(init);
            DataLoader train_loader(train, config.batch_size, true, false, config.seed,
                                    RandomCrop(8, 1));
            DataLoader test_loader(test, 200);
            results.push_back(train_model(name, model, config, train_loader, test_loader, record));
        }
        const ModelResult& cnn = results[0];
        const ModelResult& mlp = results[1];
        print_comparison(cnn, mlp);

        for (const ModelResult& r : results) {
            record.set_result(r.name + "_parameters", r.parameters);
            record.set_result(r.name + "_test_accuracy_before", r.accuracy_before);
            record.set_result(r.name + "_train_accuracy", r.train.accuracy);
            record.set_result(r.name + "_test_accuracy", r.test.accuracy);
            record.set_result(r.name + "_seconds", r.seconds);
        }
        record.set_result("cnn_minus_mlp_test_accuracy", cnn.test.accuracy - mlp.test.accuracy);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        record.set_seconds(seconds);
        record.write(config.output_dir);
        milestone::write_file_atomically(
            config.output_dir / "curves.svg",
            milestone::training_curves_svg(record, "TinyDigits: CNN vs MLP"));
        fmt::print("\nWhole run: {:.2f} s. Wrote {} and curves.svg (open it in a browser).\n",
                   seconds, (config.output_dir / "record.json").string());
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
