// Causal grouped-query attention with an optional key-padding mask; probabilities are stored for backward.
// Per (sequence, head) the work runs in blocks of ATTN_ROWS query rows: the scores of a block against the keys up
// to its last row come from one packed GEMM, so only about half of the T x T products are computed.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "gemm.h"
#include "kernels.h"
#include "pool.h"
#include "simd.h"

namespace sentrl {
namespace {

constexpr int ATTN_ROWS = 64;

// row[0..n) holds raw scores; turns them into softmax(scale · score) over the visible keys (0 elsewhere).
// Returns false (row all zero) when no key is visible.
bool softmaxRow(float* row, int n, float scale, const uint8_t* mask) {
  const float ninf = -std::numeric_limits<float>::infinity();
  float mx = ninf;
  for (int s = 0; s < n; s++) {
    const float x = (mask && !mask[s]) ? ninf : row[s] * scale;
    row[s] = x;
    mx = std::max(mx, x);
  }
  if (mx == ninf) {
    std::memset(row, 0, sizeof(float) * n);
    return false;
  }
  const __m256 vmx = _mm256_set1_ps(mx);
  const __m256 vninf = _mm256_set1_ps(ninf);
  __m256 vsum = _mm256_setzero_ps();
  int s = 0;
  for (; s + 8 <= n; s += 8) {
    const __m256 x = _mm256_loadu_ps(row + s);
    const __m256 e = _mm256_andnot_ps(_mm256_cmp_ps(x, vninf, _CMP_EQ_OQ), exp256(_mm256_sub_ps(x, vmx)));
    _mm256_storeu_ps(row + s, e);
    vsum = _mm256_add_ps(vsum, e);
  }
  double sum = hsum256(vsum);
  for (; s < n; s++) {
    const float e = row[s] == ninf ? 0.0f : std::exp(row[s] - mx);
    row[s] = e;
    sum += e;
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (s = 0; s < n; s++) row[s] *= inv;
  return true;
}

}  // namespace

void attentionForward(float* out, float* probs, const float* q, const float* k, const float* v,
                      const uint8_t* keyMask, int batch, int seqLen, int heads, int kvHeads, int headDim) {
  const int T = seqLen, hd = headDim, group = heads / kvHeads;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  const int64_t qs = static_cast<int64_t>(heads) * hd;
  const int64_t ks = static_cast<int64_t>(kvHeads) * hd;
  parallelFor(batch * heads, [&](int task, int) {
    const int b = task / heads, h = task % heads, kh = h / group;
    const float* Q = q + static_cast<int64_t>(b) * T * qs + static_cast<int64_t>(h) * hd;
    const float* K = k + static_cast<int64_t>(b) * T * ks + static_cast<int64_t>(kh) * hd;
    const float* V = v + static_cast<int64_t>(b) * T * ks + static_cast<int64_t>(kh) * hd;
    float* O = out + static_cast<int64_t>(b) * T * qs + static_cast<int64_t>(h) * hd;
    float* P = probs ? probs + (static_cast<int64_t>(b) * heads + h) * T * T : nullptr;
    const uint8_t* mask = keyMask ? keyMask + static_cast<int64_t>(b) * T : nullptr;
    std::vector<float> scratch(probs ? 0 : static_cast<size_t>(std::min(ATTN_ROWS, T)) * T);
    for (int i0 = 0; i0 < T; i0 += ATTN_ROWS) {
      const int i1 = std::min(T, i0 + ATTN_ROWS), m = i1 - i0;
      // Without `probs`, one block of rows lives in a scratch buffer.
      float* Pb = probs ? P + static_cast<int64_t>(i0) * T : scratch.data();
      // S[i0:i1, 0:i1] = Q[i0:i1] · K[0:i1]ᵀ, straight into the probability rows
      gemmSingle(m, i1, hd, MatView{Q + i0 * qs, qs, 1}, MatView{K, 1, ks}, Pb, T, false);
      for (int t = i0; t < i1; t++) {
        float* row = Pb + static_cast<int64_t>(t - i0) * T;
        softmaxRow(row, t + 1, scale, mask);
        std::memset(row + t + 1, 0, sizeof(float) * (T - t - 1));
      }
      // O[i0:i1] = P[i0:i1, 0:i1] · V[0:i1]
      gemmSingle(m, hd, i1, MatView{Pb, T, 1}, MatView{V, ks, 1}, O + i0 * qs, qs, false);
    }
  });
}

void attentionBackward(float* dq, float* dk, float* dv, const float* dout, const float* probs, const float* q,
                       const float* k, const float* v, int batch, int seqLen, int heads, int kvHeads, int headDim,
                       bool accumulate) {
  const int T = seqLen, hd = headDim, group = heads / kvHeads;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  const int64_t qs = static_cast<int64_t>(heads) * hd;
  const int64_t ks = static_cast<int64_t>(kvHeads) * hd;
  // One task per (sequence, kv head): it owns that slice of dk/dv and the dq rows of its query heads.
  parallelFor(batch * kvHeads, [&](int task, int) {
    const int b = task / kvHeads, kh = task % kvHeads;
    const float* K = k + static_cast<int64_t>(b) * T * ks + static_cast<int64_t>(kh) * hd;
    const float* V = v + static_cast<int64_t>(b) * T * ks + static_cast<int64_t>(kh) * hd;
    float* dK = dk + static_cast<int64_t>(b) * T * ks + static_cast<int64_t>(kh) * hd;
    float* dV = dv + static_cast<int64_t>(b) * T * ks + static_cast<int64_t>(kh) * hd;
    if (!accumulate) {
      for (int s = 0; s < T; s++) {
        std::memset(dK + s * ks, 0, sizeof(float) * hd);
        std::memset(dV + s * ks, 0, sizeof(float) * hd);
      }
    }
    std::vector<float> ds(static_cast<size_t>(std::min(ATTN_ROWS, T)) * T);
    for (int h = kh * group; h < (kh + 1) * group; h++) {
      const float* Q = q + static_cast<int64_t>(b) * T * qs + static_cast<int64_t>(h) * hd;
      const float* dO = dout + static_cast<int64_t>(b) * T * qs + static_cast<int64_t>(h) * hd;
      float* dQ = dq + static_cast<int64_t>(b) * T * qs + static_cast<int64_t>(h) * hd;
      const float* P = probs + (static_cast<int64_t>(b) * heads + h) * T * T;
      for (int i0 = 0; i0 < T; i0 += ATTN_ROWS) {
        const int i1 = std::min(T, i0 + ATTN_ROWS), m = i1 - i0, n = i1;
        const float* Pb = P + static_cast<int64_t>(i0) * T;
        // dP = dO[i0:i1] · V[0:n]ᵀ  (into ds, row stride n)
        gemmSingle(m, n, hd, MatView{dO + i0 * qs, qs, 1}, MatView{V, 1, ks}, ds.data(), n, false);
        // dV[0:n] += P[i0:i1, 0:n]ᵀ · dO[i0:i1]
        gemmSingle(n, hd, m, MatView{Pb, 1, T}, MatView{dO + i0 * qs, qs, 1}, dV, ks, true);
        // dS = P ⊙ (dP − Σ_s P·dP) · scale
        for (int i = 0; i < m; i++) {
          const float* pr = Pb + static_cast<int64_t>(i) * T;
          float* d = ds.data() + static_cast<int64_t>(i) * n;
          const int len = i0 + i + 1;
          const float rowdot = dot(pr, d, len);
          for (int s = 0; s < len; s++) d[s] = pr[s] * (d[s] - rowdot) * scale;
          for (int s = len; s < n; s++) d[s] = 0.0f;
        }
        // dQ[i0:i1] = dS · K[0:n] ;  dK[0:n] += dSᵀ · Q[i0:i1]
        gemmSingle(m, hd, n, MatView{ds.data(), n, 1}, MatView{K, ks, 1}, dQ + i0 * qs, qs, accumulate);
        gemmSingle(n, hd, m, MatView{ds.data(), 1, n}, MatView{Q + i0 * qs, qs, 1}, dK, ks, true);
      }
    }
  });
}

}  // namespace sentrl
