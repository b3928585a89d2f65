// The packed, cache-blocked GEMM driver (BLIS loop order), shared by the AVX2 and AVX-512 translation units.
// Each unit instantiates it with its own micro-kernel and block sizes and compiles it with its own ISA flags.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "gemm.h"

namespace sentrl {
namespace gemm_detail {

// Pack buffers sized for one instantiation, one set per thread.
template <int MR, int NR, int MC, int KC, int NC>
struct PackBuffers {
  float* a;
  float* b;
  PackBuffers() {
    a = static_cast<float*>(std::aligned_alloc(64, sizeof(float) * MC * KC));
    b = static_cast<float*>(std::aligned_alloc(64, sizeof(float) * KC * NC));
  }
  ~PackBuffers() {
    std::free(a);
    std::free(b);
  }
  static PackBuffers& get() {
    static thread_local PackBuffers buf;
    return buf;
  }
};

// A block (mc x kc) -> panels of MR rows: for each k, MR consecutive values (zero padded).
template <int MR>
void packA(int mc, int kc, const float* a, int64_t rs, int64_t cs, float* dst) {
  for (int i0 = 0; i0 < mc; i0 += MR) {
    const int mr = std::min(MR, mc - i0);
    if (cs == 1) {
      const float* rows[MR];
      for (int i = 0; i < MR; i++) rows[i] = a + (i0 + (i < mr ? i : 0)) * rs;
      if (mr == MR) {
        for (int k = 0; k < kc; k++)
          for (int i = 0; i < MR; i++) dst[k * MR + i] = rows[i][k];
      } else {
        for (int k = 0; k < kc; k++)
          for (int i = 0; i < MR; i++) dst[k * MR + i] = i < mr ? rows[i][k] : 0.0f;
      }
    } else {
      for (int k = 0; k < kc; k++) {
        const float* src = a + k * cs + i0 * rs;
        if (rs == 1 && mr == MR) {
          std::memcpy(dst + k * MR, src, sizeof(float) * MR);
        } else {
          for (int i = 0; i < MR; i++) dst[k * MR + i] = i < mr ? src[i * rs] : 0.0f;
        }
      }
    }
    dst += MR * kc;
  }
}

// B block (kc x nc) -> panels of NR columns: for each k, NR consecutive values (zero padded).
template <int NR>
void packB(int kc, int nc, const float* b, int64_t rs, int64_t cs, float* dst) {
  for (int j0 = 0; j0 < nc; j0 += NR) {
    const int nr = std::min(NR, nc - j0);
    if (cs == 1) {
      const float* src = b + j0;
      if (nr == NR) {
        for (int k = 0; k < kc; k++) std::memcpy(dst + k * NR, src + k * rs, sizeof(float) * NR);
      } else {
        for (int k = 0; k < kc; k++)
          for (int j = 0; j < NR; j++) dst[k * NR + j] = j < nr ? src[k * rs + j] : 0.0f;
      }
    } else if (rs == 1) {
      // Transposed source (e.g. W[out, in] read as Wᵀ): each column is contiguous; copy column by column.
      for (int j = 0; j < NR; j++) {
        if (j < nr) {
          const float* src = b + (j0 + j) * cs;
          for (int k = 0; k < kc; k++) dst[k * NR + j] = src[k];
        } else {
          for (int k = 0; k < kc; k++) dst[k * NR + j] = 0.0f;
        }
      }
    } else {
      for (int k = 0; k < kc; k++)
        for (int j = 0; j < NR; j++) dst[k * NR + j] = j < nr ? b[k * rs + (j0 + j) * cs] : 0.0f;
    }
    dst += NR * kc;
  }
}

// Micro: static void run(int kc, const float* A, const float* B, float* C, int64_t ldc, bool accumulate) computing
// the full MR x NR tile.
template <int MR, int NR, int MC, int KC, int NC, class Micro>
void gemmDriver(int M, int N, int K, MatView A, MatView B, float* C, int64_t ldc, bool accumulate) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (int i = 0; i < M; i++) std::memset(C + i * ldc, 0, sizeof(float) * N);
    return;
  }
  auto& buf = PackBuffers<MR, NR, MC, KC, NC>::get();
  // Even K blocks of at most KC: C is revisited as rarely as possible.
  const int kblocks = (K + KC - 1) / KC;
  const int kcStep = (K + kblocks - 1) / kblocks;
  alignas(64) float tmp[MR * NR];
  for (int jc = 0; jc < N; jc += NC) {
    const int nc = std::min(NC, N - jc);
    for (int pc = 0; pc < K; pc += kcStep) {
      const int kc = std::min(kcStep, K - pc);
      const bool acc = accumulate || pc > 0;
      packB<NR>(kc, nc, B.p + pc * B.rs + jc * B.cs, B.rs, B.cs, buf.b);
      for (int ic = 0; ic < M; ic += MC) {
        const int mc = std::min(MC, M - ic);
        packA<MR>(mc, kc, A.p + ic * A.rs + pc * A.cs, A.rs, A.cs, buf.a);
        for (int jr = 0; jr < nc; jr += NR) {
          const int nr = std::min(NR, nc - jr);
          const float* bp = buf.b + jr * kc;
          for (int ir = 0; ir < mc; ir += MR) {
            const int mr = std::min(MR, mc - ir);
            float* c = C + (ic + ir) * ldc + jc + jr;
            const float* ap = buf.a + ir * kc;
            if (mr == MR && nr == NR) {
              Micro::run(kc, ap, bp, c, ldc, acc);
            } else {
              Micro::run(kc, ap, bp, tmp, NR, false);
              for (int i = 0; i < mr; i++) {
                float* row = c + i * ldc;
                if (acc)
                  for (int j = 0; j < nr; j++) row[j] += tmp[i * NR + j];
                else
                  for (int j = 0; j < nr; j++) row[j] = tmp[i * NR + j];
              }
            }
          }
        }
      }
    }
  }
}


// ---------------------------------------------------------------------------------------------------------------
// Prepacked B (weights reused by many small-M calls, e.g. decoding): the whole B packed once, per K block of the
// driver's kcStep, in NR-column panels over the NR-padded width. gemmPackedDriver runs exactly the loops of
// gemmDriver minus packB, so its results are bit-identical to gemmDriver's.

template <int NR>
int64_t packedBFloats(int N, int K) {
  return static_cast<int64_t>((N + NR - 1) / NR) * NR * K;
}

template <int NR, int KC>
void prepackB(int N, int K, MatView B, float* dst) {
  const int kblocks = (K + KC - 1) / KC;
  const int kcStep = (K + kblocks - 1) / kblocks;
  const int64_t npad = static_cast<int64_t>((N + NR - 1) / NR) * NR;
  for (int pc = 0; pc < K; pc += kcStep) {
    const int kc = std::min(kcStep, K - pc);
    packB<NR>(kc, N, B.p + pc * B.rs, B.rs, B.cs, dst + pc * npad);
  }
}

// All of A packed once, block (pc, ic) at pc·Mpad + ic·kc (Mpad = M rounded up to MR): what gemmDriver's packA
// writes block by block, shared by the threads of a prepacked-B product.
template <int MR>
int64_t packedAFloats(int M, int K) {
  return static_cast<int64_t>((M + MR - 1) / MR) * MR * K;
}

template <int MR, int MC, int KC>
void prepackA(int M, int K, MatView A, float* dst) {
  const int kblocks = (K + KC - 1) / KC;
  const int kcStep = (K + kblocks - 1) / kblocks;
  const int64_t mpad = static_cast<int64_t>((M + MR - 1) / MR) * MR;
  for (int pc = 0; pc < K; pc += kcStep) {
    const int kc = std::min(kcStep, K - pc);
    for (int ic = 0; ic < M; ic += MC) {
      packA<MR>(std::min(MC, M - ic), kc, A.p + ic * A.rs + pc * A.cs, A.rs, A.cs, dst + pc * mpad + static_cast<int64_t>(ic) * kc);
    }
  }
}

// C[M, n0:n1) (= or +=) A[M, K] · B[K, n0:n1) with A packed by prepackA(M, K) and B by prepackB(N, K); n0 is a
// multiple of NR.
template <int MR, int NR, int MC, int KC, int NC, class Micro>
void gemmPackedDriver(int M, int n0, int n1, int N, int K, const float* packedA, const float* packed, float* C,
                      int64_t ldc, bool accumulate) {
  if (M <= 0 || n1 <= n0 || K <= 0) return;
  const int64_t mpad = static_cast<int64_t>((M + MR - 1) / MR) * MR;
  const int kblocks = (K + KC - 1) / KC;
  const int kcStep = (K + kblocks - 1) / kblocks;
  const int64_t npad = static_cast<int64_t>((N + NR - 1) / NR) * NR;
  alignas(64) float tmp[MR * NR];
  for (int pc = 0; pc < K; pc += kcStep) {
    const int kc = std::min(kcStep, K - pc);
    const bool acc = accumulate || pc > 0;
    const float* block = packed + pc * npad;
    for (int ic = 0; ic < M; ic += MC) {
      const int mc = std::min(MC, M - ic);
      const float* ablock = packedA + pc * mpad + static_cast<int64_t>(ic) * kc;
      for (int jr = n0; jr < n1; jr += NR) {
        const int nr = std::min(NR, n1 - jr);
        const float* bp = block + static_cast<int64_t>(jr / NR) * NR * kc;
        for (int ir = 0; ir < mc; ir += MR) {
          const int mr = std::min(MR, mc - ir);
          float* c = C + (ic + ir) * ldc + jr;
          const float* ap = ablock + ir * kc;
          if (mr == MR && nr == NR) {
            Micro::run(kc, ap, bp, c, ldc, acc);
          } else {
            Micro::run(kc, ap, bp, tmp, NR, false);
            for (int i = 0; i < mr; i++) {
              float* row = c + i * ldc;
              if (acc)
                for (int j = 0; j < nr; j++) row[j] += tmp[i * NR + j];
              else
                for (int j = 0; j < nr; j++) row[j] = tmp[i * NR + j];
            }
          }
        }
      }
    }
  }
}

}  // namespace gemm_detail
}  // namespace sentrl
