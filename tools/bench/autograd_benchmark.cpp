// autograd_benchmark — what backward() costs next to the forward pass.
//
//   build/release/bin/autograd_benchmark
//
// Pairs of benchmarks on the same inputs, forward only (under a NoGradGuard,
// as in evaluation) and forward + backward (as in training):
//   - MatMul: one (M x K) @ (K x N) product. Backward is two more products
//     of the same size (g @ b^T, a^T @ g) through transposed views, so
//     forward + backward should take about 3x the forward; "GFLOP/s" counts
//     2*M*N*K per product done (1 or 3).
//   - MLP: 784 -> 256 -> 128 -> 10 with ReLU and cross-entropy on a batch of
//     128 (the shape of an MNIST step), the matmul-and-bias pattern Linear
//     records. Ideal ratio about 3x again; more means the rules and the
//     engine cost more than the products.
//   - Elementwise: sigmoid(x * w + b) over 1M floats (x (1024, 1024), w and
//     b (1024) broadcast), whose rules are one pass each: "items/s" is
//     elements of x per second for the whole step.
//   - Chain: 10,000 one-element ops, the engine's own cost per node (sorting,
//     bookkeeping, one small rule each).
#include <benchmark/benchmark.h>

#include "autograd.hpp"
#include "losses.hpp"

using namespace tinytorch;

namespace {

void count_products(benchmark::State& state, int64_t M, int64_t N, int64_t K, int products) {
    state.counters["GFLOP/s"] = benchmark::Counter(
        2.0 * static_cast<double>(M * N * K) * products * static_cast<double>(state.iterations()),
        benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
}

void BM_MatMulForward(benchmark::State& state) {
    const int64_t M = state.range(0), N = state.range(1), K = state.range(2);
    Generator gen(1);
    Tensor a = randn({M, K}, gen).requires_grad_();
    Tensor b = randn({K, N}, gen).requires_grad_();
    NoGradGuard no_grad;
    for (auto _ : state) benchmark::DoNotOptimize(a.matmul(b).data());
    count_products(state, M, N, K, 1);
}

void BM_MatMulForwardBackward(benchmark::State& state) {
    const int64_t M = state.range(0), N = state.range(1), K = state.range(2);
    Generator gen(1);
    Tensor a = randn({M, K}, gen).requires_grad_();
    Tensor b = randn({K, N}, gen).requires_grad_();
    Tensor g = randn({M, N}, gen);
    for (auto _ : state) {
        a.zero_grad();
        b.zero_grad();
        a.matmul(b).backward(g);
        benchmark::DoNotOptimize(a.grad().data());
    }
    count_products(state, M, N, K, 3);
}

struct MLP {
    Tensor x, labels;
    std::vector<Tensor> weights, biases;
    MLP() {
        Generator gen(2);
        x = randn({128, 784}, gen);
        labels = empty({128});
        for (int64_t i = 0; i < 128; ++i) labels.data()[i] = static_cast<float>(i % 10);
        const std::vector<int64_t> sizes = {784, 256, 128, 10};
        for (size_t l = 0; l + 1 < sizes.size(); ++l) {
            weights.push_back((randn({sizes[l], sizes[l + 1]}, gen) * 0.05f).requires_grad_());
            biases.push_back(zeros({sizes[l + 1]}).requires_grad_());
        }
    }
    Tensor loss() const {
        Tensor h = x;
        for (size_t l = 0; l < weights.size(); ++l) {
            h = h.matmul(weights[l]) + biases[l];
            if (l + 1 < weights.size()) h = relu(h);
        }
        return cross_entropy(h, labels);
    }
    void zero_grad() const {
        for (const Tensor& w : weights) w.zero_grad();
        for (const Tensor& b : biases) b.zero_grad();
    }
};

void BM_MLPForward(benchmark::State& state) {
    MLP mlp;
    NoGradGuard no_grad;
    for (auto _ : state) benchmark::DoNotOptimize(mlp.loss().item());
}

void BM_MLPForwardBackward(benchmark::State& state) {
    MLP mlp;
    for (auto _ : state) {
        mlp.zero_grad();
        mlp.loss().backward();
        benchmark::DoNotOptimize(mlp.weights[0].grad().data());
    }
}

struct Elementwise {
    Tensor x, w, b;
    Elementwise() {
        Generator gen(3);
        x = randn({1024, 1024}, gen).requires_grad_();
        w = randn({1024}, gen).requires_grad_();
        b = randn({1024}, gen).requires_grad_();
    }
    Tensor out() const { return sigmoid(x * w + b); }
};

// Elements of x per second, for one step (forward, or forward + backward).
void element_rate(benchmark::State& state) {
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 1024 * 1024);
}

void BM_ElementwiseForward(benchmark::State& state) {
    Elementwise e;
    NoGradGuard no_grad;
    for (auto _ : state) benchmark::DoNotOptimize(e.out().data());
    element_rate(state);
}

void BM_ElementwiseForwardBackward(benchmark::State& state) {
    Elementwise e;
    Tensor g = ones({1024, 1024});
    for (auto _ : state) {
        e.x.zero_grad();
        e.w.zero_grad();
        e.b.zero_grad();
        e.out().backward(g);
        benchmark::DoNotOptimize(e.x.grad().data());
    }
    element_rate(state);
}

void BM_ChainForwardBackward(benchmark::State& state) {
    const int64_t depth = state.range(0);
    Tensor x = Tensor({1.0f}).requires_grad_();
    const Tensor factor = scalar_tensor(1.0f);
    for (auto _ : state) {
        x.zero_grad();
        Tensor y = x;
        for (int64_t i = 0; i < depth; ++i) y = y * factor;
        y.backward();
        benchmark::DoNotOptimize(x.grad().data());
    }
    // Seconds per op (forward and backward), printed with an SI prefix: "900n" is 900 ns.
    state.counters["s/op"] = benchmark::Counter(
        static_cast<double>(depth),
        benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

}  // namespace

BENCHMARK(BM_MatMulForward)->Args({256, 256, 256})->Args({128, 256, 784})->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MatMulForwardBackward)->Args({256, 256, 256})->Args({128, 256, 784})->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MLPForward)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MLPForwardBackward)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ElementwiseForward)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ElementwiseForwardBackward)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ChainForwardBackward)->Arg(10000)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
