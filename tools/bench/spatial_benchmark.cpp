// spatial_benchmark — module 09's kernels on the shapes of the CIFAR CNN of
// milestone 04 (batch 64):
//
//   conv1    Conv2d 3 -> 32, kernel 3, padding 1, on 32x32   (N, 3, 32, 32) -> (N, 32, 32, 32)
//   conv2    Conv2d 32 -> 64, kernel 3, padding 1, on 16x16  (N, 32, 16, 16) -> (N, 64, 16, 16)
//   pool1    MaxPool2d 2 on (N, 32, 32, 32);  pool2  MaxPool2d 2 on (N, 64, 16, 16)
//   bn1/bn2  BatchNorm2d (training) on the two conv outputs
//
//   cmake --build build/release --target spatial_benchmark
//   build/release/bin/spatial_benchmark
//
// Forward and backward are timed apart, through the plain functions (no
// autograd graph). conv1's backward computes no input gradient, as in the
// network, where its input is the data; conv2's computes all three.
// "GFLOP/s" counts 2 * multiply-adds of the products (im2col, col2im and the
// bias are not counted); the kernels run on every core.
#include <benchmark/benchmark.h>

#include "spatial.hpp"

using namespace tinytorch;

namespace {

struct ConvShape {
    const char* name;
    int64_t channels, out_channels, size;  // input (N, channels, size, size), kernel 3, padding 1
};
constexpr ConvShape kConvShapes[] = {{"conv1", 3, 32, 32}, {"conv2", 32, 64, 16}};
constexpr int64_t kBatch = 64;

struct ConvOperands {
    Tensor x, weight, bias, grad_output;
    explicit ConvOperands(const ConvShape& s) {
        Generator gen(1);
        x = randn({kBatch, s.channels, s.size, s.size}, gen);
        weight = randn({s.out_channels, s.channels, 3, 3}, gen);
        bias = randn({s.out_channels}, gen);
        grad_output = randn({kBatch, s.out_channels, s.size, s.size}, gen);
    }
};

// One product per image: (OC x C*9) * (C*9 x size^2).
double conv_flops(const ConvShape& s) {
    return 2.0 * static_cast<double>(kBatch * s.out_channels * s.channels * 9 * s.size * s.size);
}

void set_flop_rate(benchmark::State& state, double flops_per_iteration) {
    state.counters["GFLOP/s"] = benchmark::Counter(
        flops_per_iteration * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate,
        benchmark::Counter::kIs1000);
}

void BM_Conv2dForward(benchmark::State& state) {
    const ConvShape& s = kConvShapes[state.range(0)];
    state.SetLabel(s.name);
    ConvOperands op(s);
    for (auto _ : state) benchmark::DoNotOptimize(conv2d(op.x, op.weight, op.bias, 1, 1).data());
    set_flop_rate(state, conv_flops(s));
}

void BM_Conv2dBackward(benchmark::State& state) {
    const ConvShape& s = kConvShapes[state.range(0)];
    const bool input_gradient = state.range(0) != 0;  // conv1's input is the data
    state.SetLabel(input_gradient ? std::string(s.name) + ", dx dw db" : std::string(s.name) + ", dw db");
    ConvOperands op(s);
    const NeededGradients needed{.input = input_gradient};
    for (auto _ : state) {
        Conv2dGradients grads = conv2d_backward(op.grad_output, op.x, op.weight, 1, 1, needed);
        benchmark::DoNotOptimize(grads.weight.data());
    }
    set_flop_rate(state, conv_flops(s) * (input_gradient ? 2.0 : 1.0));
}

// Pooling and batch norm: the conv outputs, (N, 32, 32, 32) and (N, 64, 16, 16).
Tensor activation(int64_t shape_index) {
    const ConvShape& s = kConvShapes[shape_index];
    Generator gen(2);
    return randn({kBatch, s.out_channels, s.size, s.size}, gen);
}

void set_byte_rate(benchmark::State& state, const Tensor& x) {
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * x.numel() *
                            static_cast<int64_t>(sizeof(float)));
}

void BM_MaxPool2dForward(benchmark::State& state) {
    const Tensor x = activation(state.range(0));
    state.SetLabel(state.range(0) == 0 ? "pool1" : "pool2");
    for (auto _ : state) benchmark::DoNotOptimize(max_pool2d_with_indices(x, 2).output.data());
    set_byte_rate(state, x);
}

void BM_MaxPool2dBackward(benchmark::State& state) {
    const Tensor x = activation(state.range(0));
    state.SetLabel(state.range(0) == 0 ? "pool1" : "pool2");
    const MaxPool2dResult pooled = max_pool2d_with_indices(x, 2);
    const Tensor grad_output = ones(pooled.output.shape());
    for (auto _ : state)
        benchmark::DoNotOptimize(max_pool2d_backward(grad_output, pooled.argmax, x.shape()).data());
    set_byte_rate(state, x);
}

void BM_BatchNorm2dForward(benchmark::State& state) {
    const Tensor x = activation(state.range(0));
    state.SetLabel(state.range(0) == 0 ? "bn1" : "bn2");
    const int64_t C = x.size(1);
    Tensor gamma = ones({C}), beta = zeros({C}), running_mean = zeros({C}), running_var = ones({C});
    for (auto _ : state)
        benchmark::DoNotOptimize(
            batch_norm2d(x, gamma, beta, running_mean, running_var, true).data());
    set_byte_rate(state, x);
}

void BM_BatchNorm2dBackward(benchmark::State& state) {
    const Tensor x = activation(state.range(0));
    state.SetLabel(state.range(0) == 0 ? "bn1" : "bn2");
    const int64_t C = x.size(1);
    const Tensor grad_output = ones(x.shape()), mean = zeros({C}), inv_std = ones({C});
    const Tensor gamma = ones({C});
    for (auto _ : state)
        benchmark::DoNotOptimize(
            batch_norm2d_backward(grad_output, x, mean, inv_std, gamma, true).input.data());
    set_byte_rate(state, x);
}

void both_shapes(benchmark::internal::Benchmark* b) {
    b->Arg(0)->Arg(1)->ArgName("shape")->Unit(benchmark::kMicrosecond)->UseRealTime();
}

}  // namespace

BENCHMARK(BM_Conv2dForward)->Apply(both_shapes);
BENCHMARK(BM_Conv2dBackward)->Apply(both_shapes);
BENCHMARK(BM_MaxPool2dForward)->Apply(both_shapes);
BENCHMARK(BM_MaxPool2dBackward)->Apply(both_shapes);
BENCHMARK(BM_BatchNorm2dForward)->Apply(both_shapes);
BENCHMARK(BM_BatchNorm2dBackward)->Apply(both_shapes);
BENCHMARK_MAIN();
