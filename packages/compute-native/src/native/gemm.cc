#include "gemm.h"

#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "gemm_impl.h"
#include "pool.h"

namespace sentrl {
namespace {

// C[6 x 16] (= or +=) A panel (kc x 6) . B panel (kc x 16): 12 ymm accumulators.
struct Micro6x16 {
  static inline void run(int kc, const float* __restrict A, const float* __restrict B, float* __restrict C,
                         int64_t ldc, bool accumulate) {
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
    __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
    __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
    for (int k = 0; k < kc; k++) {
      const __m256 b0 = _mm256_loadu_ps(B);
      const __m256 b1 = _mm256_loadu_ps(B + 8);
      __m256 a = _mm256_broadcast_ss(A + 0);
      c00 = _mm256_fmadd_ps(a, b0, c00);
      c01 = _mm256_fmadd_ps(a, b1, c01);
      a = _mm256_broadcast_ss(A + 1);
      c10 = _mm256_fmadd_ps(a, b0, c10);
      c11 = _mm256_fmadd_ps(a, b1, c11);
      a = _mm256_broadcast_ss(A + 2);
      c20 = _mm256_fmadd_ps(a, b0, c20);
      c21 = _mm256_fmadd_ps(a, b1, c21);
      a = _mm256_broadcast_ss(A + 3);
      c30 = _mm256_fmadd_ps(a, b0, c30);
      c31 = _mm256_fmadd_ps(a, b1, c31);
      a = _mm256_broadcast_ss(A + 4);
      c40 = _mm256_fmadd_ps(a, b0, c40);
      c41 = _mm256_fmadd_ps(a, b1, c41);
      a = _mm256_broadcast_ss(A + 5);
      c50 = _mm256_fmadd_ps(a, b0, c50);
      c51 = _mm256_fmadd_ps(a, b1, c51);
      A += 6;
      B += 16;
    }
#define SENTRL_STORE_ROW(i, lo, hi)                                           \
  do {                                                                        \
    float* row = C + (i) * ldc;                                               \
    if (accumulate) {                                                         \
      _mm256_storeu_ps(row, _mm256_add_ps(_mm256_loadu_ps(row), lo));         \
      _mm256_storeu_ps(row + 8, _mm256_add_ps(_mm256_loadu_ps(row + 8), hi)); \
    } else {                                                                  \
      _mm256_storeu_ps(row, lo);                                              \
      _mm256_storeu_ps(row + 8, hi);                                          \
    }                                                                         \
  } while (0)
    SENTRL_STORE_ROW(0, c00, c01);
    SENTRL_STORE_ROW(1, c10, c11);
    SENTRL_STORE_ROW(2, c20, c21);
    SENTRL_STORE_ROW(3, c30, c31);
    SENTRL_STORE_ROW(4, c40, c41);
    SENTRL_STORE_ROW(5, c50, c51);
#undef SENTRL_STORE_ROW
  }
};

// 0 = not chosen yet, 1 = AVX2/FMA 6x16, 2 = AVX-512 12x32.
std::atomic<int>& isaChoice() {
  static std::atomic<int> v{0};
  return v;
}

bool cpuHasAvx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
}

int isa() {
  int v = isaChoice().load(std::memory_order_acquire);
  if (v == 0) {
    const char* env = std::getenv("SENTRL_NATIVE_ISA");
    const bool forceAvx2 = env && std::strcmp(env, "avx2") == 0;
    v = (!forceAvx2 && cpuHasAvx512()) ? 2 : 1;
    isaChoice().store(v, std::memory_order_release);
  }
  return v;
}

}  // namespace

void gemmSingleAvx2(int M, int N, int K, MatView A, MatView B, float* C, int64_t ldc, bool accumulate) {
  gemm_detail::gemmDriver<6, 16, 144, 512, 3072, Micro6x16>(M, N, K, A, B, C, ldc, accumulate);
}

const char* gemmIsa() { return isa() == 2 ? "avx512" : "avx2"; }

bool setGemmIsa(const char* name) {
  if (std::strcmp(name, "avx2") == 0) {
    isaChoice().store(1, std::memory_order_release);
    return true;
  }
  if (std::strcmp(name, "avx512") == 0 && cpuHasAvx512()) {
    isaChoice().store(2, std::memory_order_release);
    return true;
  }
  return false;
}

void gemmSingle(int M, int N, int K, MatView A, MatView B, float* C, int64_t ldc, bool accumulate) {
  if (isa() == 2)
    gemmSingleAvx512(M, N, K, A, B, C, ldc, accumulate);
  else
    gemmSingleAvx2(M, N, K, A, B, C, ldc, accumulate);
}

int64_t packedBSize(int N, int K) {
  return (isa() == 2 ? packedBFloatsAvx512(N, K) : gemm_detail::packedBFloats<16>(N, K)) + 1;
}

void prepackB(int N, int K, MatView B, float* dst) {
  const int which = isa();
  if (which == 2)
    prepackBAvx512(N, K, B, dst);
  else
    gemm_detail::prepackB<16, 512>(N, K, B, dst);
  dst[packedBSize(N, K) - 1] = static_cast<float>(which);
}

bool packedBCurrent(int N, int K, const float* packed) {
  return packed[packedBSize(N, K) - 1] == static_cast<float>(isa());
}

bool gemmPacked(int M, int N, int K, MatView A, const float* packed, float* C, int64_t ldc, bool accumulate) {
  const int which = isa();
  if (!packedBCurrent(N, K, packed)) return false;
  const int NR = which == 2 ? 32 : 16;
  const int units = (N + NR - 1) / NR;
  const int threads = threadCount();
  const double flops = 2.0 * M * N * K;
  // Slabs of at least 64 columns, up to 4 per thread (an even split matters: 3 slabs on 2 threads idle one a third).
  const int slabs = units / std::max(1, 64 / NR);
  const int parts = (threads <= 1 || flops < 1e6) ? 1 : std::max(1, std::min(threads * 4, slabs));
  // A is small here (a decode batch): pack it once on this thread, the slabs share it.
  thread_local std::vector<float> apack;
  const int64_t na = which == 2 ? packedAFloatsAvx512(M, K) : gemm_detail::packedAFloats<6>(M, K);
  if (static_cast<int64_t>(apack.size()) < na) apack.resize(na);
  if (which == 2)
    prepackAAvx512(M, K, A, apack.data());
  else
    gemm_detail::prepackA<6, 144, 512>(M, K, A, apack.data());
  const float* pa = apack.data();
  auto run = [&](int n0, int n1) {
    if (which == 2)
      gemmPackedAvx512(M, n0, n1, N, K, pa, packed, C, ldc, accumulate);
    else
      gemm_detail::gemmPackedDriver<6, 16, 144, 512, 3072, Micro6x16>(M, n0, n1, N, K, pa, packed, C, ldc, accumulate);
  };
  if (parts <= 1) {
    run(0, N);
    return true;
  }
  parallelFor(parts, [&](int t, int) {
    const int u0 = static_cast<int>(static_cast<int64_t>(units) * t / parts);
    const int u1 = static_cast<int>(static_cast<int64_t>(units) * (t + 1) / parts);
    const int n0 = u0 * NR, n1 = std::min(N, u1 * NR);
    if (n1 > n0) run(n0, n1);
  });
  return true;
}

void gemm(int M, int N, int K, MatView A, MatView B, float* C, int64_t ldc, bool accumulate) {
  const int threads = threadCount();
  const double flops = 2.0 * M * N * K;
  if (threads <= 1 || flops < 4e6) {
    gemmSingle(M, N, K, A, B, C, ldc, accumulate);
    return;
  }
  // Split the larger output dimension into contiguous slabs aligned to the micro-tile: a few per thread, so that a
  // thread that gets descheduled on a busy machine leaves its remaining slabs to the others.
  const int MR = isa() == 2 ? 12 : 6, NR = isa() == 2 ? 32 : 16;
  const bool splitRows = (M / MR) >= (N / NR);
  const int unit = splitRows ? MR : NR;
  const int extent = splitRows ? M : N;
  const int units = (extent + unit - 1) / unit;
  const int minUnitsPerPart = splitRows ? 64 / MR : 64 / NR;  // keep slabs >= ~64 wide so packing stays cheap
  const int parts = std::max(1, std::min(threads * 4, units / std::max(1, minUnitsPerPart)));
  if (parts <= 1) {
    gemmSingle(M, N, K, A, B, C, ldc, accumulate);
    return;
  }
  parallelFor(parts, [&](int t, int) {
    const int u0 = static_cast<int>(static_cast<int64_t>(units) * t / parts);
    const int u1 = static_cast<int>(static_cast<int64_t>(units) * (t + 1) / parts);
    const int s0 = u0 * unit;
    const int s1 = std::min(extent, u1 * unit);
    if (s1 <= s0) return;
    if (splitRows) {
      gemmSingle(s1 - s0, N, K, MatView{A.p + s0 * A.rs, A.rs, A.cs}, B, C + s0 * ldc, ldc, accumulate);
    } else {
      gemmSingle(M, s1 - s0, K, A, MatView{B.p + s0 * B.cs, B.rs, B.cs}, C + s0, ldc, accumulate);
    }
  });
}

}  // namespace sentrl
