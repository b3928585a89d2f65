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

/** ISA-specific prepacked-B pieces (see gemm_impl.h). */
int64_t packedBFloatsAvx512(int N, int K);
void prepackBAvx512(int N, int K, MatView B, float* dst);
int64_t packedAFloatsAvx512(int M, int K);
void prepackAAvx512(int M, int K, MatView A, float* dst);
void gemmPackedAvx512(int M, int n0, int n1, int N, int K, const float* packedA, const float* packed, float* C,
                      int64_t ldc, bool accumulate);

/**
 * Prepacked B for repeated small-M products (decoding): `packedBSize` floats (the packing plus one trailing ISA tag),
 * filled by `prepackB`; `gemmPacked` computes C[M, N] (= or +=) A · B from it, multi-threaded over N, with results
 * bit-identical to `gemm`. Returns false when `packed` was made for another ISA (repack it).
 */
int64_t packedBSize(int N, int K);
void prepackB(int N, int K, MatView B, float* dst);
bool gemmPacked(int M, int N, int K, MatView A, const float* packed, float* C, int64_t ldc, bool accumulate);
/** Whether `packed` (made by prepackB(N, K)) fits the ISA gemmPacked uses now. */
bool packedBCurrent(int N, int K, const float* packed);

/** Same as gemmSingle, split over the thread pool. */
void gemm(int M, int N, int K, MatView A, MatView B, float* C, int64_t ldc, bool accumulate);

}  // namespace sentrl
