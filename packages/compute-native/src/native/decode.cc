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
    if (hd % 8 == 0) {
      // Eight keys at a time: eight vector accumulators reduced together (no horizontal sum per key).
      for (int j = 0; j < group; j++) {
        const float* qj = Q + j * hd;
        float* Sj = S + static_cast<int64_t>(j) * n;
        int s = 0;
        for (; s + 8 <= n; s += 8) {
          __m256 a[8];
          for (int p = 0; p < 8; p++) a[p] = _mm256_setzero_ps();
          for (int c = 0; c < hd; c += 8) {
            const __m256 qv = _mm256_loadu_ps(qj + c);
            for (int p = 0; p < 8; p++) a[p] = _mm256_fmadd_ps(qv, _mm256_loadu_ps(K + (s + p) * kw + c), a[p]);
          }
          const __m256 t0 = _mm256_hadd_ps(_mm256_hadd_ps(a[0], a[1]), _mm256_hadd_ps(a[2], a[3]));
          const __m256 t1 = _mm256_hadd_ps(_mm256_hadd_ps(a[4], a[5]), _mm256_hadd_ps(a[6], a[7]));
          const __m256 sum = _mm256_add_ps(_mm256_permute2f128_ps(t0, t1, 0x20), _mm256_permute2f128_ps(t0, t1, 0x31));
          _mm256_storeu_ps(Sj + s, _mm256_mul_ps(sum, _mm256_set1_ps(scale)));
        }
        for (; s < n; s++) Sj[s] = dot(qj, K + s * kw, hd) * scale;
      }
    } else {
      for (int s = 0; s < n; s++) {
        const float* k = K + s * kw;
        for (int j = 0; j < group; j++) S[j * n + s] = dot(Q + j * hd, k, hd) * scale;
      }
    }
    for (int j = 0; j < group; j++) {
      float* row = S + static_cast<int64_t>(j) * n;
      float mx = row[0];
      for (int s = 1; s < n; s++) mx = std::max(mx, row[s]);
      // exp in 8 lanes (exp256, ~1 ulp), the sum in double per vector.
      const __m256 vmx = _mm256_set1_ps(mx);
      double sum = 0;
      int s = 0;
      for (; s + 8 <= n; s += 8) {
        const __m256 e = exp256(_mm256_sub_ps(_mm256_loadu_ps(row + s), vmx));
        _mm256_storeu_ps(row + s, e);
        sum += hsum256(e);
      }
      for (; s < n; s++) {
        row[s] = std::exp(row[s] - mx);
        sum += row[s];
      }
      const __m256 vinv = _mm256_set1_ps(static_cast<float>(1.0 / sum));
      s = 0;
      for (; s + 8 <= n; s += 8) _mm256_storeu_ps(row + s, _mm256_mul_ps(_mm256_loadu_ps(row + s), vinv));
      const float inv = static_cast<float>(1.0 / sum);
      for (; s < n; s++) row[s] *= inv;
    }
    if (hd % 64 == 0) {
      // Weighted values in registers, 64 output floats at a time (no load/store of the output per key).
      for (int j = 0; j < group; j++) {
        const float* Sj = S + static_cast<int64_t>(j) * n;
        for (int c0 = 0; c0 < hd; c0 += 64) {
          __m256 a[8];
          for (int i = 0; i < 8; i++) a[i] = _mm256_setzero_ps();
          for (int s = 0; s < n; s++) {
            const __m256 p = _mm256_set1_ps(Sj[s]);
            const float* v = V + s * kw + c0;
            for (int i = 0; i < 8; i++) a[i] = _mm256_fmadd_ps(p, _mm256_loadu_ps(v + 8 * i), a[i]);
          }
          for (int i = 0; i < 8; i++) _mm256_storeu_ps(O + j * hd + c0 + 8 * i, a[i]);
        }
      }
    } else {
      std::memset(O, 0, sizeof(float) * group * hd);
      for (int s = 0; s < n; s++) {
        const float* v = V + s * kw;
        for (int j = 0; j < group; j++) axpy(O + j * hd, S[j * n + s], v, hd);
      }
    }
  });
}

}  // namespace sentrl

namespace sentrl {

// Rows with topK = 0 and topP = 1 (plain or greedy draws) of the Backend's `sampleTokens`: per row, the largest logit;
// greedy takes it (lowest id on ties) with its log-prob at temperature 1; otherwise e_j = exp((z_j − z_max)/T)
// (vectorised, float) with the sum in double, the inverse CDF of uniforms[r] in id order, and log(e_id / sum).
void sampleUnfiltered(const float* logits, int rows, int vocab, const double* uniforms, const double* temperature,
                      const uint8_t* which, int32_t* ids, float* logprobs) {
  parallelFor(rows, [&](int r, int) {
    if (!which[r]) return;
    const float* z = logits + static_cast<int64_t>(r) * vocab;
    thread_local std::vector<float> e;
    if (e.size() < static_cast<size_t>(vocab)) e.resize(vocab);
    float mx = z[0];
    int arg = 0;
    for (int j = 1; j < vocab; j++)
      if (z[j] > mx) {
        mx = z[j];
        arg = j;
      }
    const double t = temperature[r];
    const float inv = static_cast<float>(1.0 / (t > 0 ? t : 1.0));
    const __m256 vmx = _mm256_set1_ps(mx), vinv = _mm256_set1_ps(inv);
    double sum = 0;
    int j = 0;
    for (; j + 8 <= vocab; j += 8) {
      const __m256 x = exp256(_mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(z + j), vmx), vinv));
      _mm256_storeu_ps(e.data() + j, x);
      sum += hsum256(x);
    }
    for (; j < vocab; j++) {
      e[j] = std::exp((z[j] - mx) * inv);
      sum += e[j];
    }
    int pick = arg;
    if (t > 0) {
      const double target = uniforms[r] * sum;
      double acc = 0;
      pick = vocab - 1;
      for (int k = 0; k < vocab; k++) {
        if (e[k] == 0.0f) continue;
        acc += e[k];
        pick = k;
        if (acc > target) break;
      }
    }
    ids[r] = pick;
    logprobs[r] = static_cast<float>(std::log(static_cast<double>(e[pick]) / sum));
  });
}

}  // namespace sentrl
