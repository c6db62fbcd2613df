// cnn_step_benchmark — one training step (forward, cross-entropy, backward,
// SGD update) of whole networks built from modules 01–09, on random data.
// tools/bench/cnn_step_pytorch.py times the same networks in PyTorch and
// tools/bench/compare_cnn_step.sh runs both side by side.
//
//     build/release/bin/cnn_step_benchmark [--steps 50] [--warmup 5] [cifar] [tinydigits]
//
// Prints one line per network: "<network> <milliseconds per step, median> <threads>".
//   cifar       Conv 3->32 k3 p1, ReLU, MaxPool 2, Conv 32->64 k3 p1, ReLU,
//               MaxPool 2, Flatten, Linear 4096->10; batch 64 of 3x32x32
//   tinydigits  Conv 1->8 k3 p1, ReLU, MaxPool 2, Conv 8->16 k3 p1, ReLU,
//               MaxPool 2, Flatten, Linear 64->10; batch 32 of 1x8x8
#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "losses.hpp"
#include "optimizers.hpp"
#include "spatial.hpp"

using namespace tinytorch;

namespace {

Sequential cifar_net(Generator& gen) {
    return Sequential{Conv2d(3, 32, 3, 1, 1, true, gen), ReLU{}, MaxPool2d(2),
                      Conv2d(32, 64, 3, 1, 1, true, gen), ReLU{}, MaxPool2d(2),
                      Flatten(), Linear(4096, 10, true, gen)};
}

Sequential tinydigits_net(Generator& gen) {
    return Sequential{Conv2d(1, 8, 3, 1, 1, true, gen), ReLU{}, MaxPool2d(2),
                      Conv2d(8, 16, 3, 1, 1, true, gen), ReLU{}, MaxPool2d(2),
                      Flatten(), Linear(64, 10, true, gen)};
}

double median_step_ms(const std::string& name, int steps, int warmup) {
    Generator gen(0);
    const bool cifar = name == "cifar";
    Sequential model = cifar ? cifar_net(gen) : tinydigits_net(gen);
    const Shape shape = cifar ? Shape{64, 3, 32, 32} : Shape{32, 1, 8, 8};
    const Tensor x = rand(shape, gen);
    std::vector<float> labels(static_cast<size_t>(shape[0]));
    for (float& label : labels) label = static_cast<float>(gen.randint(0, 10));
    const Tensor y(labels, {shape[0]});
    SGD sgd(model.parameters(), 0.01f);
    CrossEntropyLoss criterion;
    std::vector<double> times;
    for (int i = 0; i < warmup + steps; ++i) {
        const auto start = std::chrono::steady_clock::now();
        sgd.zero_grad();
        Tensor loss = criterion(model(x), y);
        loss.backward();
        sgd.step();
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        if (i >= warmup) times.push_back(ms);
    }
    std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
    return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    int steps = 50, warmup = 5;
    std::vector<std::string> networks;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--steps" && i + 1 < argc) steps = std::stoi(argv[++i]);
        else if (arg == "--warmup" && i + 1 < argc) warmup = std::stoi(argv[++i]);
        else if (arg == "cifar" || arg == "tinydigits") networks.push_back(arg);
        else {
            fmt::print(stderr, "usage: cnn_step_benchmark [--steps N] [--warmup N] [cifar] [tinydigits]\n");
            return 2;
        }
    }
    if (networks.empty()) networks = {"cifar", "tinydigits"};
    for (const std::string& name : networks)
        fmt::print("{} {:.3f} {}\n", name, median_step_ms(name, steps, warmup), omp_get_max_threads());
    return 0;
}
