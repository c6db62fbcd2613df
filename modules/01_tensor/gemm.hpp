// gemm.hpp — module 01: the matrix-multiply kernel behind Tensor::matmul,
// Linear (module 03) and Conv2d (module 09).
//
//     C (M x N)  =  A (M x K) * B (K x N)      (accumulate: C += A * B)
//
// Operands are described by a pointer and two strides, so a transposed view
// costs nothing: element A[i][k] is at a[i * a_row_stride + k * a_col_stride].
// C is row-major with c_row_stride floats between rows (and 1 between columns).
//
// The kernel in gemm.cpp is yours. Start with three plain loops in i-k-j order;
// the reference packs panels of A and B into contiguous buffers and runs a
// register-blocked micro-kernel over them — see the module guide for why that
// is 3–5x faster, and tools/bench/gemm_benchmark.cpp to measure yours.
#pragma once

#include <cstdint>

namespace tinytorch {

struct MatrixView {
    const float* data;
    int64_t row_stride;
    int64_t col_stride;
};

void gemm(int64_t M, int64_t N, int64_t K, MatrixView A, MatrixView B, float* C,
          int64_t c_row_stride, bool accumulate);
// Threads: the reference splits large products over OpenMP threads, and runs
// on one thread when called from inside a parallel region (Conv2d runs one
// gemm per image, in parallel over the batch).

}  // namespace tinytorch
