// The AVX-512 GEMM micro-kernel (12 x 32, 24 zmm accumulators), compiled with -mavx512f in its own library and
// only called when the CPU reports AVX-512F (see gemmSingle).
#include <immintrin.h>

#include "gemm.h"
#include "gemm_impl.h"

namespace sentrl {
namespace {

struct Micro12x32 {
  static inline void run(int kc, const float* __restrict A, const float* __restrict B, float* __restrict C,
                         int64_t ldc, bool accumulate) {
    __m512 c0[12], c1[12];
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) {
      c0[i] = _mm512_setzero_ps();
      c1[i] = _mm512_setzero_ps();
    }
    for (int k = 0; k < kc; k++) {
      const __m512 b0 = _mm512_loadu_ps(B);
      const __m512 b1 = _mm512_loadu_ps(B + 16);
#pragma GCC unroll 12
      for (int i = 0; i < 12; i++) {
        const __m512 a = _mm512_set1_ps(A[i]);
        c0[i] = _mm512_fmadd_ps(a, b0, c0[i]);
        c1[i] = _mm512_fmadd_ps(a, b1, c1[i]);
      }
      A += 12;
      B += 32;
    }
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) {
      float* row = C + i * ldc;
      if (accumulate) {
        _mm512_storeu_ps(row, _mm512_add_ps(_mm512_loadu_ps(row), c0[i]));
        _mm512_storeu_ps(row + 16, _mm512_add_ps(_mm512_loadu_ps(row + 16), c1[i]));
      } else {
        _mm512_storeu_ps(row, c0[i]);
        _mm512_storeu_ps(row + 16, c1[i]);
      }
    }
  }
};

}  // namespace

void gemmSingleAvx512(int M, int N, int K, MatView A, MatView B, float* C, int64_t ldc, bool accumulate) {
  gemm_detail::gemmDriver<12, 32, 144, 256, 3072, Micro12x32>(M, N, K, A, B, C, ldc, accumulate);
}

int64_t packedBFloatsAvx512(int N, int K) { return gemm_detail::packedBFloats<32>(N, K); }
void prepackBAvx512(int N, int K, MatView B, float* dst) { gemm_detail::prepackB<32, 256>(N, K, B, dst); }
int64_t packedAFloatsAvx512(int M, int K) { return gemm_detail::packedAFloats<12>(M, K); }
void prepackAAvx512(int M, int K, MatView A, float* dst) { gemm_detail::prepackA<12, 144, 256>(M, K, A, dst); }
void gemmPackedAvx512(int M, int n0, int n1, int N, int K, const float* packedA, const float* packed, float* C,
                      int64_t ldc, bool accumulate) {
  gemm_detail::gemmPackedDriver<12, 32, 144, 256, 3072, Micro12x32>(M, n0, n1, N, K, packedA, packed, C, ldc,
                                                                    accumulate);
}

}  // namespace sentrl
