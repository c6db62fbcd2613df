// gemm.cpp — module 01: your matrix-multiply kernel, C = A * B (+ C).
//
// Every matmul, every Linear layer and every convolution of the course ends
// up here, so this one function sets the speed of the whole framework.
//
// A first version is three loops in i-k-j order (the innermost loop then runs
// along a row of B and a row of C, both contiguous). The module guide shows
// the step from there to the reference: copy ("pack") blocks of A and B into
// small contiguous panels, then compute a tile of C that lives in registers
// for a whole pass over k. That turns a memory-bound loop into an
// arithmetic-bound one.
#include "gemm.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif
#ifdef _OPENMP
#include <omp.h>
#endif

#include "errors.hpp"  // not_implemented()

namespace tinytorch {

// BEGIN SOLUTION HELPERS
namespace {

// ---------------------------------------------------------------------------
// Micro-kernels: a tile of MR x NR values of C held in registers while k runs
// over a packed panel of A (kc x MR, MR values per k) and of B (kc x NR, NR
// values per k). Per k step: NR/W vector loads of B, MR broadcasts of A and
// MR * NR / W fused multiply-adds, W floats per vector.
// ---------------------------------------------------------------------------
#if defined(__AVX512F__)
constexpr int64_t MR = 8, NR = 32;  // 16 zmm accumulators

void micro_kernel(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                  bool accumulate) {
    __m512 acc[MR][2];
    for (auto& row : acc) row[0] = row[1] = _mm512_setzero_ps();
    for (int64_t k = 0; k < kc; ++k, a += MR, b += NR) {
        const __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
        for (int64_t i = 0; i < MR; ++i) {
            const __m512 ai = _mm512_set1_ps(a[i]);
            acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
        }
    }
    for (int64_t i = 0; i < MR; ++i, c += ldc) {
        if (accumulate) {
            acc[i][0] = _mm512_add_ps(acc[i][0], _mm512_loadu_ps(c));
            acc[i][1] = _mm512_add_ps(acc[i][1], _mm512_loadu_ps(c + 16));
        }
        _mm512_storeu_ps(c, acc[i][0]);
        _mm512_storeu_ps(c + 16, acc[i][1]);
    }
}
#elif defined(__AVX2__) && defined(__FMA__)
constexpr int64_t MR = 6, NR = 16;  // 12 ymm accumulators of the 16 registers

void micro_kernel(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                  bool accumulate) {
    __m256 acc[MR][2];
    for (auto& row : acc) row[0] = row[1] = _mm256_setzero_ps();
    for (int64_t k = 0; k < kc; ++k, a += MR, b += NR) {
        const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
        for (int64_t i = 0; i < MR; ++i) {
            const __m256 ai = _mm256_broadcast_ss(a + i);
            acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
        }
    }
    for (int64_t i = 0; i < MR; ++i, c += ldc) {
        if (accumulate) {
            acc[i][0] = _mm256_add_ps(acc[i][0], _mm256_loadu_ps(c));
            acc[i][1] = _mm256_add_ps(acc[i][1], _mm256_loadu_ps(c + 8));
        }
        _mm256_storeu_ps(c, acc[i][0]);
        _mm256_storeu_ps(c + 8, acc[i][1]);
    }
}
#else
// Portable: plain loops over a small tile; the compiler vectorises the j loop.
constexpr int64_t MR = 4, NR = 8;

void micro_kernel(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                  bool accumulate) {
    float acc[MR][NR] = {};
    for (int64_t k = 0; k < kc; ++k, a += MR, b += NR)
        for (int64_t i = 0; i < MR; ++i)
            for (int64_t j = 0; j < NR; ++j) acc[i][j] += a[i] * b[j];
    for (int64_t i = 0; i < MR; ++i, c += ldc)
        for (int64_t j = 0; j < NR; ++j) c[j] = accumulate ? c[j] + acc[i][j] : acc[i][j];
}
#endif

// Block sizes: a KC x NR panel of B stays in L1 while the micro-kernel sweeps
// an MC x KC block of A (in L2); a KC x NC block of B is reused by every
// MR-row panel of that A block.
constexpr int64_t KC = 320, MC = 96, NC = 512;
static_assert(MC % MR == 0 && NC % NR == 0);

// Below this many multiply-adds, packing costs more than it saves.
constexpr int64_t kSmallProduct = 32 * 32 * 32;
// Above this many, the product is split over threads.
constexpr int64_t kParallelGrain = 1 << 20;

// Small products and thin matrices, unpacked. Every sum adds its products
// in k order, one fused multiply-add each where the target has FMA (GCC
// contracts `c += a * b` by default in C++), whichever loop below computes
// it: all of them give the same bits.
//
// Rows one at a time, streaming along B's rows: for the last M % kRows rows,
// and for matrices of a few rows and many columns (a Linear layer applied to
// one image), where B's rows are long and contiguous.
void gemm_rows(int64_t i0, int64_t M, int64_t N, int64_t K, MatrixView A, MatrixView B, float* C,
               int64_t ldc, bool accumulate) {
    for (int64_t i = i0; i < M; ++i) {
        float* c = C + i * ldc;
        if (!accumulate) std::fill_n(c, N, 0.0f);
        for (int64_t k = 0; k < K; ++k) {
            const float a = A.data[i * A.row_stride + k * A.col_stride];
            const float* b = B.data + k * B.row_stride;
            if (B.col_stride == 1)
                for (int64_t j = 0; j < N; ++j) c[j] += a * b[j];
            else
                for (int64_t j = 0; j < N; ++j) c[j] += a * b[j * B.col_stride];
        }
    }
}

// Tiles of kRows x kCols sums held in registers while k runs: the rows give
// the FMA unit independent chains, and C is loaded and stored once per tile
// instead of once per k (the small products of a convolution per image).
constexpr int64_t kRows = 4, kCols = 16;

// A tile of kRows x cols (cols <= kCols), any strides.
void simple_tile(int64_t cols, int64_t K, const float* a, MatrixView A, const float* b, MatrixView B,
                 float* c, int64_t ldc, bool accumulate) {
    float acc[kRows][kCols];
    for (int64_t r = 0; r < kRows; ++r)
        for (int64_t j = 0; j < cols; ++j) acc[r][j] = accumulate ? c[r * ldc + j] : 0.0f;
    for (int64_t k = 0; k < K; ++k) {
        const float* b_row = b + k * B.row_stride;
        for (int64_t r = 0; r < kRows; ++r) {
            const float a_rk = a[r * A.row_stride + k * A.col_stride];
            for (int64_t j = 0; j < cols; ++j) acc[r][j] += a_rk * b_row[j * B.col_stride];
        }
    }
    for (int64_t r = 0; r < kRows; ++r)
        for (int64_t j = 0; j < cols; ++j) c[r * ldc + j] = acc[r][j];
}

// A full kRows x kCols tile with B's rows contiguous.
#if defined(__AVX512F__)
void simple_tile_full(int64_t K, const float* a, MatrixView A, const float* b, MatrixView B, float* c,
                      int64_t ldc, bool accumulate) {
    __m512 acc[kRows];
    for (int64_t r = 0; r < kRows; ++r) acc[r] = accumulate ? _mm512_loadu_ps(c + r * ldc) : _mm512_setzero_ps();
    for (int64_t k = 0; k < K; ++k) {
        const __m512 bk = _mm512_loadu_ps(b + k * B.row_stride);
        for (int64_t r = 0; r < kRows; ++r)
            acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(a[r * A.row_stride + k * A.col_stride]), bk, acc[r]);
    }
    for (int64_t r = 0; r < kRows; ++r) _mm512_storeu_ps(c + r * ldc, acc[r]);
}
#elif defined(__AVX2__) && defined(__FMA__)
void simple_tile_full(int64_t K, const float* a, MatrixView A, const float* b, MatrixView B, float* c,
                      int64_t ldc, bool accumulate) {
    __m256 acc[kRows][2];
    for (int64_t r = 0; r < kRows; ++r)
        for (int64_t h = 0; h < 2; ++h)
            acc[r][h] = accumulate ? _mm256_loadu_ps(c + r * ldc + 8 * h) : _mm256_setzero_ps();
    for (int64_t k = 0; k < K; ++k) {
        const float* b_row = b + k * B.row_stride;
        const __m256 b0 = _mm256_loadu_ps(b_row), b1 = _mm256_loadu_ps(b_row + 8);
        for (int64_t r = 0; r < kRows; ++r) {
            const __m256 a_rk = _mm256_broadcast_ss(a + r * A.row_stride + k * A.col_stride);
            acc[r][0] = _mm256_fmadd_ps(a_rk, b0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(a_rk, b1, acc[r][1]);
        }
    }
    for (int64_t r = 0; r < kRows; ++r) {
        _mm256_storeu_ps(c + r * ldc, acc[r][0]);
        _mm256_storeu_ps(c + r * ldc + 8, acc[r][1]);
    }
}
#else
void simple_tile_full(int64_t K, const float* a, MatrixView A, const float* b, MatrixView B, float* c,
                      int64_t ldc, bool accumulate) {
    simple_tile(kCols, K, a, A, b, B, c, ldc, accumulate);
}
#endif

void gemm_simple(int64_t M, int64_t N, int64_t K, MatrixView A, MatrixView B, float* C,
                 int64_t ldc, bool accumulate) {
    const int64_t tiled_rows = M / kRows * kRows;
    for (int64_t i = 0; i < tiled_rows; i += kRows)
        for (int64_t j = 0; j < N; j += kCols) {
            const int64_t cols = std::min(kCols, N - j);
            const float* a = A.data + i * A.row_stride;
            const float* b = B.data + j * B.col_stride;
            float* c = C + i * ldc + j;
            if (cols == kCols && B.col_stride == 1)
                simple_tile_full(K, a, A, b, B, c, ldc, accumulate);
            else
                simple_tile(cols, K, a, A, b, B, c, ldc, accumulate);
        }
    gemm_rows(tiled_rows, M, N, K, A, B, C, ldc, accumulate);
}

// Copies rows [i0, i0+mc) x cols [k0, k0+kc) of A into MR-row panels: panel p
// holds, for each k, the MR values A[i0 + p*MR + r][k0 + k]. Rows past the
// end are zero, so edge tiles need no special case inside the kernel.
void pack_a(MatrixView A, int64_t i0, int64_t mc, int64_t k0, int64_t kc, float* packed) {
    for (int64_t p = 0; p < mc; p += MR) {
        const int64_t rows = std::min(MR, mc - p);
        for (int64_t k = 0; k < kc; ++k, packed += MR) {
            const float* column = A.data + (i0 + p) * A.row_stride + (k0 + k) * A.col_stride;
            for (int64_t r = 0; r < rows; ++r) packed[r] = column[r * A.row_stride];
            for (int64_t r = rows; r < MR; ++r) packed[r] = 0.0f;
        }
    }
}

// Copies rows [k0, k0+kc) x cols [j0, j0+nc) of B into NR-column panels: panel
// q holds, for each k, the NR values B[k0 + k][j0 + q*NR + c], zero-padded.
void pack_b(MatrixView B, int64_t k0, int64_t kc, int64_t j0, int64_t nc, float* packed) {
    for (int64_t q = 0; q < nc; q += NR) {
        const int64_t cols = std::min(NR, nc - q);
        for (int64_t k = 0; k < kc; ++k, packed += NR) {
            const float* row = B.data + (k0 + k) * B.row_stride + (j0 + q) * B.col_stride;
            if (B.col_stride == 1) {
                std::memcpy(packed, row, static_cast<size_t>(cols) * sizeof(float));
            } else {
                for (int64_t c = 0; c < cols; ++c) packed[c] = row[c * B.col_stride];
            }
            for (int64_t c = cols; c < NR; ++c) packed[c] = 0.0f;
        }
    }
}

// Per-thread packing buffers, allocated once, 64-byte aligned for the
// aligned vector loads of the micro-kernels.
struct PackBuffers {
    struct AlignedFree {
        void operator()(float* p) const { ::operator delete(p, std::align_val_t{64}); }
    };
    using Buffer = std::unique_ptr<float, AlignedFree>;
    static Buffer allocate(int64_t floats) {
        return Buffer(static_cast<float*>(
            ::operator new(static_cast<size_t>(floats) * sizeof(float), std::align_val_t{64})));
    }
    Buffer a = allocate(MC * KC);
    Buffer b = allocate(KC * NC);
};

PackBuffers& thread_buffers() {
    thread_local PackBuffers buffers;
    return buffers;
}

// C[i0:i0+mc, j0:j0+nc] (+)= A[i0:i0+mc, :] * B[:, j0:j0+nc]: one task.
void gemm_block(int64_t i0, int64_t mc, int64_t j0, int64_t nc, int64_t K, MatrixView A,
                MatrixView B, float* C, int64_t ldc, bool accumulate) {
    PackBuffers& buffers = thread_buffers();
    float* packed_a = buffers.a.get();
    float* packed_b = buffers.b.get();
    alignas(64) float edge[MR * NR];
    // Split K into equal blocks of at most KC (288 -> one block, 400 -> 200 + 200).
    const int64_t k_blocks = (K + KC - 1) / KC, k_step = (K + k_blocks - 1) / k_blocks;
    for (int64_t k0 = 0; k0 < K; k0 += k_step) {
        const int64_t kc = std::min(k_step, K - k0);
        const bool add = accumulate || k0 > 0;  // later k blocks add to the first
        pack_a(A, i0, mc, k0, kc, packed_a);
        pack_b(B, k0, kc, j0, nc, packed_b);
        for (int64_t q = 0; q < nc; q += NR) {
            for (int64_t p = 0; p < mc; p += MR) {
                const float* a = packed_a + p * kc;
                const float* b = packed_b + q * kc;
                float* c = C + (i0 + p) * ldc + j0 + q;
                const int64_t rows = std::min(MR, mc - p), cols = std::min(NR, nc - q);
                if (rows == MR && cols == NR) {
                    micro_kernel(kc, a, b, c, ldc, add);
                } else {  // edge tile: compute a full tile aside, keep the valid part
                    micro_kernel(kc, a, b, edge, NR, false);
                    for (int64_t r = 0; r < rows; ++r)
                        for (int64_t j = 0; j < cols; ++j)
                            c[r * ldc + j] = add ? c[r * ldc + j] + edge[r * NR + j] : edge[r * NR + j];
                }
            }
        }
    }
}

bool in_parallel_region() {
#ifdef _OPENMP
    return omp_in_parallel() != 0;
#else
    return false;
#endif
}

int64_t max_threads() {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

}  // namespace
// END SOLUTION

void gemm(int64_t M, int64_t N, int64_t K, MatrixView A, MatrixView B, float* C,
          int64_t c_row_stride, bool accumulate) {
    // BEGIN SOLUTION
    if (M <= 0 || N <= 0) return;
    if (K <= 0) {
        if (!accumulate)
            for (int64_t i = 0; i < M; ++i) std::fill_n(C + i * c_row_stride, N, 0.0f);
        return;
    }
    if (M * N * K < kSmallProduct || (M < MR / 2 && N < NR / 2)) {
        gemm_simple(M, N, K, A, B, C, c_row_stride, accumulate);
        return;
    }
    if (N < NR / 2 || M < MR / 2) {
        // A thin product, such as a Linear layer with 10 outputs: the packed
        // kernel would waste most of each NR-wide tile. Let the long side
        // run along NR instead, C^T (N x M) = B^T A^T, and transpose back.
        if (N < NR / 2) {
            std::vector<float> transposed(static_cast<size_t>(N * M));
            gemm(N, M, K, {B.data, B.col_stride, B.row_stride}, {A.data, A.col_stride, A.row_stride},
                 transposed.data(), M, false);
            for (int64_t i = 0; i < M; ++i) {
                float* c = C + i * c_row_stride;
                for (int64_t j = 0; j < N; ++j)
                    c[j] = (accumulate ? c[j] : 0.0f) + transposed[static_cast<size_t>(j * M + i)];
            }
            return;
        }
        gemm_rows(0, M, N, K, A, B, C, c_row_stride, accumulate);  // few rows, many columns
        return;
    }
    // Tasks are blocks of C; each packs its own panels, so threads share
    // nothing but the read-only inputs. When there are fewer blocks than
    // threads, narrower column blocks give every thread work.
    const bool parallel = M * N * K >= kParallelGrain && !in_parallel_region();
    const int64_t threads = parallel ? max_threads() : 1;
    const int64_t row_blocks = (M + MC - 1) / MC;
    int64_t nc = NC;
    while (row_blocks * ((N + nc - 1) / nc) < 2 * threads && nc > 2 * NR) nc = nc / 2 / NR * NR;
    const int64_t col_blocks = (N + nc - 1) / nc, tasks = row_blocks * col_blocks;
#pragma omp parallel for schedule(dynamic) if (parallel && tasks > 1)
    for (int64_t t = 0; t < tasks; ++t) {
        const int64_t i0 = (t / col_blocks) * MC, j0 = (t % col_blocks) * nc;
        gemm_block(i0, std::min(MC, M - i0), j0, std::min(nc, N - j0), K, A, B, C, c_row_stride,
                   accumulate);
    }
    // END SOLUTION
}

}  // namespace tinytorch
