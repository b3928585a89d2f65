// Packed, cache-blocked single-precision GEMM with an AVX2/FMA 6x16 micro-kernel.
#pragma once
#include <cstdint>

namespace sentrl {

/** A strided matrix view: element (i, j) is p[i * rs + j * cs]. */
struct MatView {
  const float* p;
  int64_t rs;
  int64_t cs;
};

/** C[M, N] (row stride ldc) = (accumulate ? C : 0) + A[M, K] · B[K, N], on the calling thread only. */
void gemmSingle(int M, int N, int K, MatView A, MatView B, float* C, int64_t ldc, bool accumulate);

/** Same as gemmSingle, split over the thread pool. */
void gemm(int M, int N, int K, MatView A, MatView B, float* C, int64_t ldc, bool accumulate);

}  // namespace sentrl
