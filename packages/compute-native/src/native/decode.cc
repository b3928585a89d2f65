// Attention of single query rows over a KV cache laid out [slot, position, kvHeads*headDim] (the Backend's
// `cachedAttention`, used for decode and prefill): one task per (row, kv head) computes the scores of the group's
// query heads against the row's cached keys (each key row read once per group), a softmax per head, and the weighted
// sum of the cached values (each value row read once per group).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "kernels.h"
#include "pool.h"
#include "simd.h"

namespace sentrl {

void cachedAttention(float* out, const float* q, const float* kCache, const float* vCache, const int32_t* slots,
                     const int32_t* lengths, int rows, int capacity, int heads, int kvHeads, int headDim) {
  const int group = heads / kvHeads, hd = headDim;
  const int64_t qw = static_cast<int64_t>(heads) * hd, kw = static_cast<int64_t>(kvHeads) * hd;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  parallelFor(rows * kvHeads, [&](int task, int) {
    const int r = task / kvHeads, g = task % kvHeads;
    const int n = slots[r] < 0 ? 0 : lengths[r];
    float* O = out + r * qw + static_cast<int64_t>(g) * group * hd;
    if (n == 0) {
      std::memset(O, 0, sizeof(float) * group * hd);
      return;
    }
    const float* Q = q + r * qw + static_cast<int64_t>(g) * group * hd;
    const float* K = kCache + static_cast<int64_t>(slots[r]) * capacity * kw + static_cast<int64_t>(g) * hd;
    const float* V = vCache + static_cast<int64_t>(slots[r]) * capacity * kw + static_cast<int64_t>(g) * hd;
    thread_local std::vector<float> scores;
    if (scores.size() < static_cast<size_t>(group) * n) scores.resize(static_cast<size_t>(group) * n * 2);
    float* S = scores.data();
    for (int s = 0; s < n; s++) {
      const float* k = K + s * kw;
      for (int j = 0; j < group; j++) S[j * n + s] = dot(Q + j * hd, k, hd) * scale;
    }
    for (int j = 0; j < group; j++) {
      float* row = S + static_cast<int64_t>(j) * n;
      float mx = row[0];
      for (int s = 1; s < n; s++) mx = std::max(mx, row[s]);
      double sum = 0;
      for (int s = 0; s < n; s++) {
        row[s] = std::exp(row[s] - mx);
        sum += row[s];
      }
      const float inv = static_cast<float>(1.0 / sum);
      for (int s = 0; s < n; s++) row[s] *= inv;
    }
    std::memset(O, 0, sizeof(float) * group * hd);
    for (int s = 0; s < n; s++) {
      const float* v = V + s * kw;
      for (int j = 0; j < group; j++) axpy(O + j * hd, S[j * n + s], v, hd);
    }
  });
}

}  // namespace sentrl
