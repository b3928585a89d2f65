// Fused language-model head: logits chunk by chunk (never the whole [rows, vocab] matrix), online
// logsumexp / entropy, and the backward pass to dHidden and dW_lm.
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
constexpr int FWD_ROWS = 128;  // rows per forward task
constexpr int FWD_VOCAB = 512;  // vocabulary chunk per logits tile
constexpr int BWD_VOCAB = 256;  // vocabulary chunk per backward task
constexpr int BWD_ROWS = 256;   // rows per backward tile
}  // namespace

void logitsStatsForward(const float* h, const float* w, const int32_t* targets, int rows, int dim, int vocab,
                        float temperature, float* logp, float* entropy, float* lse) {
  const float invT = 1.0f / temperature;
  const int tasks = (rows + FWD_ROWS - 1) / FWD_ROWS;
  const int vc = std::min(FWD_VOCAB, vocab);
  parallelFor(tasks, [&](int task, int) {
    const int r0 = task * FWD_ROWS;
    const int rb = std::min(FWD_ROWS, rows - r0);
    std::vector<float> z(static_cast<size_t>(rb) * vc);
    double m[FWD_ROWS], s[FWD_ROWS], t[FWD_ROWS];  // running max, Σ e^(z−m), Σ e^(z−m)·(z−m)
    float zy[FWD_ROWS];
    for (int i = 0; i < rb; i++) {
      m[i] = -std::numeric_limits<double>::infinity();
      s[i] = 0;
      t[i] = 0;
      zy[i] = 0;
    }
    for (int v0 = 0; v0 < vocab; v0 += vc) {
      const int n = std::min(vc, vocab - v0);
      gemmSingle(rb, n, dim, MatView{h + static_cast<int64_t>(r0) * dim, dim, 1},
                 MatView{w + static_cast<int64_t>(v0) * dim, 1, dim}, z.data(), n, false);
      for (int i = 0; i < rb; i++) {
        const int y = targets[r0 + i];
        if (y < 0) continue;
        float* zr = z.data() + static_cast<int64_t>(i) * n;
        const __m256 vT = _mm256_set1_ps(invT);
        __m256 vmax = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
        int j = 0;
        for (; j + 8 <= n; j += 8) {
          const __m256 zz = _mm256_mul_ps(_mm256_loadu_ps(zr + j), vT);
          _mm256_storeu_ps(zr + j, zz);
          vmax = _mm256_max_ps(vmax, zz);
        }
        float cm = hmax256(vmax);
        for (; j < n; j++) {
          zr[j] *= invT;
          cm = std::max(cm, zr[j]);
        }
        if (y >= v0 && y < v0 + n) zy[i] = zr[y - v0];
        if (cm > m[i]) {
          if (s[i] > 0) {
            const double scale = std::exp(m[i] - cm);
            t[i] = scale * (t[i] + s[i] * (m[i] - cm));
            s[i] *= scale;
          }
          m[i] = cm;
        }
        const float mi = static_cast<float>(m[i]);
        const __m256 vm = _mm256_set1_ps(mi);
        __m256 vs = _mm256_setzero_ps(), vt = _mm256_setzero_ps();
        j = 0;
        for (; j + 8 <= n; j += 8) {
          const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(zr + j), vm);
          const __m256 e = exp256(d);
          vs = _mm256_add_ps(vs, e);
          vt = _mm256_fmadd_ps(e, d, vt);
        }
        double cs = hsum256(vs), ct = hsum256(vt);
        for (; j < n; j++) {
          const float d = zr[j] - mi;
          const float e = std::exp(d);
          cs += e;
          ct += static_cast<double>(e) * d;
        }
        s[i] += cs;
        t[i] += ct;
      }
    }
    for (int i = 0; i < rb; i++) {
      const int r = r0 + i;
      if (targets[r] < 0) {
        logp[r] = 0;
        entropy[r] = 0;
        if (lse) lse[r] = 0;
        continue;
      }
      const double logS = std::log(s[i]);
      const double l = m[i] + logS;
      logp[r] = static_cast<float>(zy[i] - l);
      entropy[r] = static_cast<float>(logS - t[i] / s[i]);
      if (lse) lse[r] = static_cast<float>(l);
    }
  });
}

void logitsStatsBackward(const float* h, const float* w, const int32_t* targets, const float* lse,
                         const float* entropy, const float* dlogp, const float* dentropy, int rows, int dim, int vocab,
                         float temperature, float* dh, float* dw, bool accumulateDh) {
  const float invT = 1.0f / temperature;
  const int threads = threadCount();
  const int64_t hsize = static_cast<int64_t>(rows) * dim;
  // dH partials per fixed group of vocabulary chunks (a group's chunks in order), not per thread, whose share of the
  // work varies from run to run: the same bits on every run with the same thread count. (The group count follows the
  // thread count, so that each thread keeps one hidden-sized buffer; a vocabulary of one chunk, BWD_VOCAB or fewer
  // tokens, gives the same bits for any thread count.) Each group's buffer starts at zero, so dh can be "="
  // or "+=" at the end.
  const int tasks = (vocab + BWD_VOCAB - 1) / BWD_VOCAB;
  const int groups = std::max(1, std::min(tasks, threads));
  std::vector<std::vector<float>> priv(groups);
  parallelFor(groups, [&](int group, int) {
    std::vector<float>& acc = priv[group];
    if (dh) acc.assign(hsize, 0.0f);
    for (int task = tasks * group / groups; task < tasks * (group + 1) / groups; task++) {
      const int v0 = task * BWD_VOCAB;
      const int n = std::min(BWD_VOCAB, vocab - v0);
      const float* wc = w + static_cast<int64_t>(v0) * dim;
      float* dwc = dw ? dw + static_cast<int64_t>(v0) * dim : nullptr;
      std::vector<float> g(static_cast<size_t>(std::min(BWD_ROWS, rows)) * n);
      for (int r0 = 0; r0 < rows; r0 += BWD_ROWS) {
        const int rb = std::min(BWD_ROWS, rows - r0);
        const float* hb = h + static_cast<int64_t>(r0) * dim;
        gemmSingle(rb, n, dim, MatView{hb, dim, 1}, MatView{wc, 1, dim}, g.data(), n, false);
        bool any = false;
        for (int i = 0; i < rb; i++) {
          const int r = r0 + i;
          const int y = targets[r];
          float* gr = g.data() + static_cast<int64_t>(i) * n;
          const float dl = dlogp ? dlogp[r] : 0.0f;
          const float de = dentropy ? dentropy[r] : 0.0f;
          if (y < 0 || (dl == 0.0f && de == 0.0f)) {
            std::memset(gr, 0, sizeof(float) * n);
            continue;
          }
          any = true;
          // g = (1/T) · [dl·(onehot − p) − de·p·(log p + H)],  log p = z − lse
          const float l = lse[r];
          const float c0 = dl + de * (entropy[r] - l);  // p·(dl + de·(z − lse + H)) = p·(c0 + de·z)
          const __m256 vT = _mm256_set1_ps(invT), vl = _mm256_set1_ps(l), vc0 = _mm256_set1_ps(c0),
                       vde = _mm256_set1_ps(de), vneg = _mm256_set1_ps(-invT);
          int j = 0;
          for (; j + 8 <= n; j += 8) {
            const __m256 z = _mm256_mul_ps(_mm256_loadu_ps(gr + j), vT);
            const __m256 p = exp256(_mm256_sub_ps(z, vl));
            const __m256 coef = _mm256_fmadd_ps(vde, z, vc0);
            _mm256_storeu_ps(gr + j, _mm256_mul_ps(vneg, _mm256_mul_ps(p, coef)));
          }
          for (; j < n; j++) {
            const float z = gr[j] * invT;
            const float p = std::exp(z - l);
            gr[j] = -invT * p * (c0 + de * z);
          }
          if (y >= v0 && y < v0 + n) gr[y - v0] += invT * dl;
        }
        if (!any) continue;
        // dW_chunk[n, dim] += G^T · H_block ;  dH_block[rb, dim] += G · W_chunk
        if (dw) gemmSingle(n, dim, rb, MatView{g.data(), 1, n}, MatView{hb, dim, 1}, dwc, dim, true);
        if (dh)
          gemmSingle(rb, dim, n, MatView{g.data(), n, 1}, MatView{wc, dim, 1}, acc.data() + static_cast<int64_t>(r0) * dim,
                     dim, true);
      }
    }
  });
  if (!dh) return;
  // Reduce the per-thread partial dH into dh.
  const int chunks = threads * 4;
  parallelFor(chunks, [&](int c, int) {
    const int64_t a = hsize * c / chunks, b = hsize * (c + 1) / chunks;
    if (!accumulateDh) std::memset(dh + a, 0, sizeof(float) * (b - a));
    for (const auto& p : priv) {
      if (p.empty()) continue;
      for (int64_t i = a; i < b; i++) dh[i] += p[i];
    }
  });
}

}  // namespace sentrl
