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

/** The ISA-specific single-thread drivers (gemmSingle picks one). */
void gemmSingleAvx2(int M, int N, int K, MatView A, MatView B, float* C, int64_t ldc, bool accumulate);
void gemmSingleAvx512(int M, int N, int K, MatView A, MatView B, float* C, int64_t ldc, bool accumulate);

/** "avx512" or "avx2": the micro-kernel gemmSingle uses (AVX-512 when the CPU has it, unless SENTRL_NATIVE_ISA=avx2). */
const char* gemmIsa();
/** Forces "avx2" or "avx512"; false (nothing changed) when the CPU cannot run it. */
bool setGemmIsa(const char* name);

/** Same as gemmSingle, split over the thread pool. */
void gemm(int M, int N, int K, MatView A, MatView B, float* C, int64_t ldc, bool accumulate);

}  // namespace sentrl
