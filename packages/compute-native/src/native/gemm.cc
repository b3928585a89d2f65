#include "gemm.h"

#include <immintrin.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "pool.h"

namespace sentrl {
namespace {

constexpr int MR = 6;
constexpr int NR = 16;
constexpr int MC = 144;   // A block MC x KC (<= 288 KiB) stays in L2
constexpr int KC = 512;   // most K per block: one B micro-panel KC x NR (<= 32 KiB) stays in L1
constexpr int NC = 3072;  // B block KC x NC (<= 6 MiB) lives in L3

struct PackBuffers {
  float* a = nullptr;
  float* b = nullptr;
  PackBuffers() {
    a = static_cast<float*>(std::aligned_alloc(64, sizeof(float) * MC * KC));
    b = static_cast<float*>(std::aligned_alloc(64, sizeof(float) * KC * NC));
  }
  ~PackBuffers() {
    std::free(a);
    std::free(b);
  }
};

PackBuffers& buffers() {
  static thread_local PackBuffers buf;
  return buf;
}

// A block (mc x kc) -> panels of MR rows: for each k, MR consecutive values (zero padded).
void packA(int mc, int kc, const float* a, int64_t rs, int64_t cs, float* dst) {
  for (int i0 = 0; i0 < mc; i0 += MR) {
    const int mr = std::min(MR, mc - i0);
    if (cs == 1) {
      const float* rows[MR];
      for (int i = 0; i < MR; i++) rows[i] = a + (i0 + (i < mr ? i : 0)) * rs;
      if (mr == MR) {
        for (int k = 0; k < kc; k++) {
          float* d = dst + k * MR;
          d[0] = rows[0][k];
          d[1] = rows[1][k];
          d[2] = rows[2][k];
          d[3] = rows[3][k];
          d[4] = rows[4][k];
          d[5] = rows[5][k];
        }
      } else {
        for (int k = 0; k < kc; k++)
          for (int i = 0; i < MR; i++) dst[k * MR + i] = i < mr ? rows[i][k] : 0.0f;
      }
    } else {
      for (int k = 0; k < kc; k++) {
        const float* src = a + k * cs + i0 * rs;
        for (int i = 0; i < MR; i++) dst[k * MR + i] = i < mr ? src[i * rs] : 0.0f;
      }
    }
    dst += MR * kc;
  }
}

// B block (kc x nc) -> panels of NR columns: for each k, NR consecutive values (zero padded).
void packB(int kc, int nc, const float* b, int64_t rs, int64_t cs, float* dst) {
  for (int j0 = 0; j0 < nc; j0 += NR) {
    const int nr = std::min(NR, nc - j0);
    if (cs == 1) {
      const float* src = b + j0;
      if (nr == NR) {
        for (int k = 0; k < kc; k++) {
          _mm256_store_ps(dst + k * NR, _mm256_loadu_ps(src + k * rs));
          _mm256_store_ps(dst + k * NR + 8, _mm256_loadu_ps(src + k * rs + 8));
        }
      } else {
        for (int k = 0; k < kc; k++)
          for (int j = 0; j < NR; j++) dst[k * NR + j] = j < nr ? src[k * rs + j] : 0.0f;
      }
    } else if (rs == 1) {
      // Transposed source (e.g. W[out, in] read as W^T): each column is contiguous in memory.
      if (nr == NR) {
        // 8x8 transposes would be faster; column-wise copies keep reads sequential.
        for (int j = 0; j < NR; j++) {
          const float* src = b + (j0 + j) * cs;
          for (int k = 0; k < kc; k++) dst[k * NR + j] = src[k];
        }
      } else {
        for (int j = 0; j < NR; j++) {
          if (j < nr) {
            const float* src = b + (j0 + j) * cs;
            for (int k = 0; k < kc; k++) dst[k * NR + j] = src[k];
          } else {
            for (int k = 0; k < kc; k++) dst[k * NR + j] = 0.0f;
          }
        }
      }
    } else {
      for (int k = 0; k < kc; k++)
        for (int j = 0; j < NR; j++) dst[k * NR + j] = j < nr ? b[k * rs + (j0 + j) * cs] : 0.0f;
    }
    dst += NR * kc;
  }
}

// C[6 x 16] (= or +=) A panel (kc x 6) . B panel (kc x 16).
inline void micro6x16(int kc, const float* __restrict A, const float* __restrict B, float* __restrict C, int64_t ldc,
                      bool accumulate) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  for (int k = 0; k < kc; k++) {
    const __m256 b0 = _mm256_load_ps(B);
    const __m256 b1 = _mm256_load_ps(B + 8);
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
    A += MR;
    B += NR;
  }
#define SENTRL_STORE_ROW(i, lo, hi)                                                  \
  do {                                                                               \
    float* row = C + (i) * ldc;                                                      \
    if (accumulate) {                                                                \
      _mm256_storeu_ps(row, _mm256_add_ps(_mm256_loadu_ps(row), lo));                \
      _mm256_storeu_ps(row + 8, _mm256_add_ps(_mm256_loadu_ps(row + 8), hi));        \
    } else {                                                                         \
      _mm256_storeu_ps(row, lo);                                                     \
      _mm256_storeu_ps(row + 8, hi);                                                 \
    }                                                                                \
  } while (0)
  SENTRL_STORE_ROW(0, c00, c01);
  SENTRL_STORE_ROW(1, c10, c11);
  SENTRL_STORE_ROW(2, c20, c21);
  SENTRL_STORE_ROW(3, c30, c31);
  SENTRL_STORE_ROW(4, c40, c41);
  SENTRL_STORE_ROW(5, c50, c51);
#undef SENTRL_STORE_ROW
}

void microEdge(int kc, int mr, int nr, const float* A, const float* B, float* C, int64_t ldc, bool accumulate) {
  alignas(64) float tmp[MR * NR];
  micro6x16(kc, A, B, tmp, NR, false);
  for (int i = 0; i < mr; i++) {
    float* row = C + i * ldc;
    if (accumulate)
      for (int j = 0; j < nr; j++) row[j] += tmp[i * NR + j];
    else
      for (int j = 0; j < nr; j++) row[j] = tmp[i * NR + j];
  }
}

}  // namespace

void gemmSingle(int M, int N, int K, MatView A, MatView B, float* C, int64_t ldc, bool accumulate) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (int i = 0; i < M; i++) std::memset(C + i * ldc, 0, sizeof(float) * N);
    return;
  }
  PackBuffers& buf = buffers();
  // Even K blocks of at most KC (K = 384 is one block, 1024 two of 512): C is revisited as rarely as possible.
  const int kblocks = (K + KC - 1) / KC;
  const int kcStep = (K + kblocks - 1) / kblocks;
  for (int jc = 0; jc < N; jc += NC) {
    const int nc = std::min(NC, N - jc);
    for (int pc = 0; pc < K; pc += kcStep) {
      const int kc = std::min(kcStep, K - pc);
      const bool acc = accumulate || pc > 0;
      packB(kc, nc, B.p + pc * B.rs + jc * B.cs, B.rs, B.cs, buf.b);
      for (int ic = 0; ic < M; ic += MC) {
        const int mc = std::min(MC, M - ic);
        packA(mc, kc, A.p + ic * A.rs + pc * A.cs, A.rs, A.cs, buf.a);
        for (int jr = 0; jr < nc; jr += NR) {
          const int nr = std::min(NR, nc - jr);
          const float* bp = buf.b + jr * kc;
          for (int ir = 0; ir < mc; ir += MR) {
            const int mr = std::min(MR, mc - ir);
            float* c = C + (ic + ir) * ldc + jc + jr;
            const float* ap = buf.a + ir * kc;
            if (mr == MR && nr == NR)
              micro6x16(kc, ap, bp, c, ldc, acc);
            else
              microEdge(kc, mr, nr, ap, bp, c, ldc, acc);
          }
        }
      }
    }
  }
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
