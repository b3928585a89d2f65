// Row-wise and elementwise kernels: RMSNorm, SwiGLU, AdamW.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "kernels.h"
#include "pool.h"
#include "simd.h"

namespace sentrl {
namespace {
// Splits [0, n) into about `threads * 4` ranges when n is large enough to be worth it.
template <typename F>
void parallelRange(int64_t n, int64_t grain, F&& fn) {
  const int threads = threadCount();
  int64_t parts = std::min<int64_t>(threads * 4, (n + grain - 1) / grain);
  if (parts <= 1) {
    fn(0, n, 0);
    return;
  }
  parallelFor(static_cast<int>(parts), [&](int p, int tid) { fn(n * p / parts, n * (p + 1) / parts, tid); });
}
}  // namespace

void rmsnormForward(float* out, float* rstd, const float* x, const float* weight, int rows, int dim, float eps) {
  parallelRange(rows, 64, [&](int64_t a, int64_t b, int) {
    for (int64_t r = a; r < b; r++) {
      const float* xr = x + r * dim;
      float* o = out + r * dim;
      double ss = 0;
      for (int i = 0; i < dim; i++) ss += static_cast<double>(xr[i]) * xr[i];
      const float inv = static_cast<float>(1.0 / std::sqrt(ss / dim + eps));
      if (rstd) rstd[r] = inv;
      for (int i = 0; i < dim; i++) o[i] = (xr[i] * inv) * weight[i];
    }
  });
}

void rmsnormBackward(float* dx, float* dweight, const float* dout, const float* x, const float* weight,
                     const float* rstd, int rows, int dim, bool accumulate) {
  // dweight partials per fixed block of rows (not per thread, whose share of the blocks varies from run to run),
  // summed in block order: the same bits on every run.
  constexpr int64_t BLOCK = 64;
  const int64_t blocks = (rows + BLOCK - 1) / BLOCK;
  std::vector<double> dwPriv(dweight ? static_cast<size_t>(blocks) * dim : 0, 0.0);
  parallelFor(static_cast<int>(blocks), [&](int blk, int) {
    const int64_t a = blk * BLOCK, b = std::min<int64_t>(rows, a + BLOCK);
    double* dwp = dweight ? dwPriv.data() + static_cast<int64_t>(blk) * dim : nullptr;
    for (int64_t r = a; r < b; r++) {
      const float* xr = x + r * dim;
      const float* g = dout + r * dim;
      float* d = dx + r * dim;
      const float inv = rstd[r];
      // xhat = x·inv ; dxhat = g·w ; dx = inv·(dxhat − xhat·mean(dxhat·xhat))
      double dot = 0;
      for (int i = 0; i < dim; i++) {
        const float xh = xr[i] * inv;
        dot += static_cast<double>(g[i] * weight[i]) * xh;
        if (dweight) dwp[i] += static_cast<double>(g[i]) * xh;
      }
      const float mean = static_cast<float>(dot / dim);
      for (int i = 0; i < dim; i++) {
        const float v = inv * (g[i] * weight[i] - xr[i] * inv * mean);
        d[i] = accumulate ? d[i] + v : v;
      }
    }
  });
  if (dweight) {
    std::vector<double> sum(dim, 0.0);
    for (int64_t t = 0; t < blocks; t++) {
      const double* dwp = dwPriv.data() + t * dim;
      for (int i = 0; i < dim; i++) sum[i] += dwp[i];
    }
    for (int i = 0; i < dim; i++) dweight[i] += static_cast<float>(sum[i]);
  }
}

void swigluForward(float* out, const float* gate, const float* up, int64_t n) {
  parallelRange(n, 1 << 15, [&](int64_t a, int64_t b, int) {
    const __m256 one = _mm256_set1_ps(1.0f);
    const __m256 zero = _mm256_setzero_ps();
    int64_t i = a;
    for (; i + 8 <= b; i += 8) {
      const __m256 g = _mm256_loadu_ps(gate + i);
      const __m256 sig = _mm256_div_ps(one, _mm256_add_ps(one, exp256(_mm256_sub_ps(zero, g))));
      _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_mul_ps(g, sig), _mm256_loadu_ps(up + i)));
    }
    for (; i < b; i++) {
      const float g = gate[i];
      out[i] = g / (1.0f + std::exp(-g)) * up[i];
    }
  });
}

void swigluBackward(float* dgate, float* dup, const float* dout, const float* gate, const float* up, int64_t n,
                    bool accumulate) {
  parallelRange(n, 1 << 15, [&](int64_t a, int64_t b, int) {
    const __m256 one = _mm256_set1_ps(1.0f);
    const __m256 zero = _mm256_setzero_ps();
    int64_t i = a;
    for (; i + 8 <= b; i += 8) {
      const __m256 g = _mm256_loadu_ps(gate + i);
      const __m256 d = _mm256_loadu_ps(dout + i);
      const __m256 sig = _mm256_div_ps(one, _mm256_add_ps(one, exp256(_mm256_sub_ps(zero, g))));
      const __m256 silu = _mm256_mul_ps(g, sig);
      // d silu/dg = sig·(1 + g·(1 − sig))
      const __m256 dsilu = _mm256_mul_ps(sig, _mm256_fmadd_ps(g, _mm256_sub_ps(one, sig), one));
      __m256 dg = _mm256_mul_ps(_mm256_mul_ps(d, _mm256_loadu_ps(up + i)), dsilu);
      __m256 du = _mm256_mul_ps(d, silu);
      if (accumulate) {
        dg = _mm256_add_ps(dg, _mm256_loadu_ps(dgate + i));
        du = _mm256_add_ps(du, _mm256_loadu_ps(dup + i));
      }
      _mm256_storeu_ps(dgate + i, dg);
      _mm256_storeu_ps(dup + i, du);
    }
    for (; i < b; i++) {
      const float g = gate[i];
      const float sig = 1.0f / (1.0f + std::exp(-g));
      const float dg = dout[i] * up[i] * sig * (1.0f + g * (1.0f - sig));
      const float du = dout[i] * g * sig;
      dgate[i] = accumulate ? dgate[i] + dg : dg;
      dup[i] = accumulate ? dup[i] + du : du;
    }
  });
}

double sumSquares(const float* x, int64_t n) {
  const int threads = threadCount();
  std::vector<double> part(static_cast<size_t>(threads) * 4 + 1, 0.0);
  int64_t parts = std::min<int64_t>(threads * 4, (n + (1 << 16) - 1) / (1 << 16));
  if (parts < 1) parts = 1;
  parallelFor(static_cast<int>(parts), [&](int p, int) {
    const int64_t a = n * p / parts, b = n * (p + 1) / parts;
    double s = 0;
    int64_t i = a;
    // Float lanes over short runs, folded into double every 1024 values.
    while (i < b) {
      const int64_t e = std::min(b, i + 1024);
      __m256 acc = _mm256_setzero_ps();
      for (; i + 8 <= e; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        acc = _mm256_fmadd_ps(v, v, acc);
      }
      double t = hsum256(acc);
      for (; i < e; i++) t += static_cast<double>(x[i]) * x[i];
      s += t;
    }
    part[p] = s;
  });
  double s = 0;
  for (int64_t p = 0; p < parts; p++) s += part[p];
  return s;
}

void adamwUpdate(float* param, const float* grad, float* m, float* v, int64_t n, float lr, float beta1, float beta2,
                 float eps, float weightDecay, int step, float gradScale) {
  const double bc1 = 1.0 - std::pow(static_cast<double>(beta1), step);
  const double bc2Sqrt = std::sqrt(1.0 - std::pow(static_cast<double>(beta2), step));
  const float stepSize = static_cast<float>(lr / bc1);
  const float invBc2 = static_cast<float>(1.0 / bc2Sqrt);
  const float decay = 1.0f - lr * weightDecay;
  const float b1c = 1.0f - beta1, b2c = 1.0f - beta2;
  parallelRange(n, 1 << 15, [&](int64_t a, int64_t b, int) {
    for (int64_t i = a; i < b; i++) {
      const float g = grad[i] * gradScale;
      const float mi = beta1 * m[i] + b1c * g;
      const float vi = beta2 * v[i] + b2c * g * g;
      m[i] = mi;
      v[i] = vi;
      param[i] = param[i] * decay - stepSize * mi / (std::sqrt(vi) * invBc2 + eps);
    }
  });
}

}  // namespace sentrl
