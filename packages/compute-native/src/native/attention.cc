// Causal grouped-query attention with an optional key-padding mask; probabilities are stored for backward.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "kernels.h"
#include "pool.h"
#include "simd.h"

namespace sentrl {

void attentionForward(float* out, float* probs, const float* q, const float* k, const float* v,
                      const uint8_t* keyMask, int batch, int seqLen, int heads, int kvHeads, int headDim) {
  const int group = heads / kvHeads;
  const float scale = 1.0f / std::sqrt(static_cast<float>(headDim));
  const int64_t qStride = static_cast<int64_t>(heads) * headDim;
  const int64_t kvStride = static_cast<int64_t>(kvHeads) * headDim;
  parallelFor(batch * heads, [&](int task, int) {
    const int b = task / heads, h = task % heads, kh = h / group;
    std::vector<float> score(seqLen);
    for (int t = 0; t < seqLen; t++) {
      const int64_t row = static_cast<int64_t>(b) * seqLen + t;
      const float* qr = q + row * qStride + static_cast<int64_t>(h) * headDim;
      float* o = out + row * qStride + static_cast<int64_t>(h) * headDim;
      float* pr = probs + ((static_cast<int64_t>(b) * heads + h) * seqLen + t) * seqLen;
      float mx = -std::numeric_limits<float>::infinity();
      for (int s = 0; s <= t; s++) {
        if (keyMask && !keyMask[static_cast<int64_t>(b) * seqLen + s]) {
          score[s] = -std::numeric_limits<float>::infinity();
          continue;
        }
        const float* kr = k + (static_cast<int64_t>(b) * seqLen + s) * kvStride + static_cast<int64_t>(kh) * headDim;
        score[s] = dot(qr, kr, headDim) * scale;
        mx = std::max(mx, score[s]);
      }
      std::memset(o, 0, sizeof(float) * headDim);
      std::memset(pr, 0, sizeof(float) * seqLen);
      if (mx == -std::numeric_limits<float>::infinity()) continue;  // no visible key: zero output
      double sum = 0;
      for (int s = 0; s <= t; s++) {
        const float e = score[s] == -std::numeric_limits<float>::infinity() ? 0.0f : std::exp(score[s] - mx);
        score[s] = e;
        sum += e;
      }
      const float inv = static_cast<float>(1.0 / sum);
      for (int s = 0; s <= t; s++) {
        const float p = score[s] * inv;
        pr[s] = p;
        if (p == 0.0f) continue;
        const float* vr = v + (static_cast<int64_t>(b) * seqLen + s) * kvStride + static_cast<int64_t>(kh) * headDim;
        axpy(o, p, vr, headDim);
      }
    }
  });
}

void attentionBackward(float* dq, float* dk, float* dv, const float* dout, const float* probs, const float* q,
                       const float* k, const float* v, int batch, int seqLen, int heads, int kvHeads, int headDim) {
  const int group = heads / kvHeads;
  const float scale = 1.0f / std::sqrt(static_cast<float>(headDim));
  const int64_t qStride = static_cast<int64_t>(heads) * headDim;
  const int64_t kvStride = static_cast<int64_t>(kvHeads) * headDim;
  // One task per (sequence, kv head): it owns that slice of dk/dv and the dq rows of its query heads.
  parallelFor(batch * kvHeads, [&](int task, int) {
    const int b = task / kvHeads, kh = task % kvHeads;
    for (int s = 0; s < seqLen; s++) {
      const int64_t off = (static_cast<int64_t>(b) * seqLen + s) * kvStride + static_cast<int64_t>(kh) * headDim;
      std::memset(dk + off, 0, sizeof(float) * headDim);
      std::memset(dv + off, 0, sizeof(float) * headDim);
    }
    std::vector<float> ds(seqLen);
    for (int h = kh * group; h < (kh + 1) * group; h++) {
      for (int t = 0; t < seqLen; t++) {
        const int64_t row = static_cast<int64_t>(b) * seqLen + t;
        const int64_t qo = row * qStride + static_cast<int64_t>(h) * headDim;
        const float* g = dout + qo;
        const float* qr = q + qo;
        float* dqr = dq + qo;
        const float* pr = probs + ((static_cast<int64_t>(b) * heads + h) * seqLen + t) * seqLen;
        std::memset(dqr, 0, sizeof(float) * headDim);
        double sum = 0;
        for (int s = 0; s <= t; s++) {
          if (pr[s] == 0.0f) {
            ds[s] = 0.0f;
            continue;
          }
          const int64_t ko = (static_cast<int64_t>(b) * seqLen + s) * kvStride + static_cast<int64_t>(kh) * headDim;
          const float dp = dot(g, v + ko, headDim);
          ds[s] = dp;
          sum += static_cast<double>(pr[s]) * dp;
          axpy(dv + ko, pr[s], g, headDim);
        }
        const float fsum = static_cast<float>(sum);
        for (int s = 0; s <= t; s++) {
          if (pr[s] == 0.0f) continue;
          const int64_t ko = (static_cast<int64_t>(b) * seqLen + s) * kvStride + static_cast<int64_t>(kh) * headDim;
          const float d = pr[s] * (ds[s] - fsum) * scale;
          axpy(dqr, d, k + ko, headDim);
          axpy(dk + ko, d, qr, headDim);
        }
      }
    }
  });
}

}  // namespace sentrl
