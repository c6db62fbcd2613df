// gemm_benchmark — the module-01 GEMM kernel on the shapes the course uses.
//
//   build/release/tools/bench/gemm_benchmark
//
// 64 x 288 x 16384 is the second convolution of the CIFAR network as one
// product (64 output channels, 32*3*3 inputs per position, 64 images of
// 16x16). Each shape runs on 1 thread and on every core; "GFLOP/s" counts
// 2*M*N*K per product. Where OpenBLAS is installed, the same products run
// through cblas_sgemm for comparison.
#include <benchmark/benchmark.h>
#include <omp.h>

#include "gemm.hpp"
#include "tensor.hpp"

#ifdef TINYTORCH_HAVE_OPENBLAS
#include <cblas.h>
extern "C" void openblas_set_num_threads(int);
#endif

using namespace tinytorch;

namespace {

struct Operands {
    Tensor a, b, c;
    Operands(int64_t M, int64_t N, int64_t K) {
        Generator gen(1);
        a = randn({M, K}, gen);
        b = randn({K, N}, gen);
        c = zeros({M, N});
    }
};

void report(benchmark::State& state, int64_t M, int64_t N, int64_t K) {
    state.counters["GFLOP/s"] = benchmark::Counter(
        2.0 * static_cast<double>(M * N * K) * static_cast<double>(state.iterations()),
        benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
}

void BM_TinyTorchGemm(benchmark::State& state) {
    const int64_t M = state.range(0), N = state.range(1), K = state.range(2);
    omp_set_num_threads(static_cast<int>(state.range(3)));
    Operands op(M, N, K);
    for (auto _ : state) {
        gemm(M, N, K, {op.a.data(), K, 1}, {op.b.data(), N, 1}, op.c.data(), N, false);
        benchmark::DoNotOptimize(op.c.data());
    }
    report(state, M, N, K);
}

#ifdef TINYTORCH_HAVE_OPENBLAS
void BM_OpenBLAS(benchmark::State& state) {
    const int64_t M = state.range(0), N = state.range(1), K = state.range(2);
    openblas_set_num_threads(static_cast<int>(state.range(3)));
    Operands op(M, N, K);
    for (auto _ : state) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(M),
                    static_cast<int>(N), static_cast<int>(K), 1.0f, op.a.data(),
                    static_cast<int>(K), op.b.data(), static_cast<int>(N), 0.0f, op.c.data(),
                    static_cast<int>(N));
        benchmark::DoNotOptimize(op.c.data());
    }
    report(state, M, N, K);
}
#endif

// M, N, K, threads: the CIFAR conv2 product, one image of it, a Linear layer
// (batch 64, 4096 -> 256), a square product, and the TinyDigits CNN's conv2
// per image (16 x 16 x 72: below the packing threshold, on one thread only).
void shapes(benchmark::internal::Benchmark* b) {
    const int cores = omp_get_num_procs();
    b->Args({16, 16, 72, 1});
    for (int threads : {1, cores}) {
        b->Args({64, 16384, 288, threads});
        b->Args({64, 256, 288, threads});
        b->Args({64, 256, 4096, threads});
        b->Args({512, 512, 512, threads});
        if (cores == 1) break;
    }
    b->ArgNames({"M", "N", "K", "threads"})->Unit(benchmark::kMicrosecond)->UseRealTime();
}

}  // namespace

BENCHMARK(BM_TinyTorchGemm)->Apply(shapes);
#ifdef TINYTORCH_HAVE_OPENBLAS
BENCHMARK(BM_OpenBLAS)->Apply(shapes);
#endif
BENCHMARK_MAIN();
