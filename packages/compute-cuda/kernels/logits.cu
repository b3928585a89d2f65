// The fused language-model head over vocabulary chunks (docs/algorithms.md §15). The host computes one chunk of
// logits Z = h·W[v0:v0+n]^T at a time with the GEMM; these kernels fold it into per-row float64 running statistics
// (max m, S = Σ e^{z−m}, U = Σ e^{z−m}·z, the target's z), finish logp/entropy/lse, and for backward turn a chunk of
// logits into dZ/T in place. One block per row; chunks in order, so the result is deterministic.
#include "common.cuh"

/** stats[r] = {m, S, U, z_target}, initialised with m = −inf, S = U = 0. */
extern "C" __global__ void logits_chunk_stats(double *stats, const float *z, const int *targets, int n, int v0, double inv_t) {
  const int r = blockIdx.x;
  const int y = targets[r];
  if (y < 0) return;
  const float *zr = z + (long long)r * n;
  double cm = -INFINITY;
  for (int j = threadIdx.x; j < n; j += blockDim.x) {
    const double v = (double)zr[j] * inv_t;
    cm = v > cm ? v : cm;
  }
  cm = block_max(cm);
  double *st = stats + 4LL * r;
  const double m = st[0] > cm ? st[0] : cm;
  double s = 0, u = 0;
  for (int j = threadIdx.x; j < n; j += blockDim.x) {
    const double v = (double)zr[j] * inv_t;
    const double e = exp(v - m);
    s += e;
    u += e * v;
  }
  s = block_sum(s);
  u = block_sum(u);
  if (threadIdx.x == 0) {
    const double f = st[0] == -INFINITY ? 0.0 : exp(st[0] - m);
    st[1] = st[1] * f + s;
    st[2] = st[2] * f + u;
    st[0] = m;
    if (y >= v0 && y < v0 + n) st[3] = (double)zr[y - v0] * inv_t;
  }
}

extern "C" __global__ void logits_stats_init(double *stats, int rows) {
  const int r = blockIdx.x * blockDim.x + threadIdx.x;
  if (r >= rows) return;
  stats[4LL * r] = -INFINITY;
  stats[4LL * r + 1] = 0;
  stats[4LL * r + 2] = 0;
  stats[4LL * r + 3] = 0;
}

extern "C" __global__ void logits_finish(float *logp, float *entropy, float *lse, int store_lse, const double *stats, const int *targets, int rows) {
  const int r = blockIdx.x * blockDim.x + threadIdx.x;
  if (r >= rows) return;
  if (targets[r] < 0) {
    logp[r] = 0;
    entropy[r] = 0;
    if (store_lse) lse[r] = 0;
    return;
  }
  const double *st = stats + 4LL * r;
  const double l = st[0] + log(st[1]);
  logp[r] = (float)(st[3] - l);
  entropy[r] = (float)(l - st[2] / st[1]);
  if (store_lse) lse[r] = (float)l;
}

/**
 * In place: `z[r, j] ← dz/T` with `p = e^{z/T − lse}`, `dz = dLogp·(onehot(y) − p) − dEntropy·p·(log p + H)`;
 * rows with a negative target get 0.
 */
extern "C" __global__ void logits_dz(float *z, const int *targets, const float *lse, const float *entropy, const float *dlogp, const float *dentropy, int has_dentropy,
                                     int n, int v0, double inv_t) {
  const int r = blockIdx.x;
  const int y = targets[r];
  float *zr = z + (long long)r * n;
  const double l = lse[r], H = entropy[r], gl = dlogp[r], ge = has_dentropy ? (double)dentropy[r] : 0.0;
  for (int j = threadIdx.x; j < n; j += blockDim.x) {
    if (y < 0) {
      zr[j] = 0.0f;
      continue;
    }
    const double lp = (double)zr[j] * inv_t - l;
    const double p = exp(lp);
    const double dz = gl * ((v0 + j == y ? 1.0 : 0.0) - p) - ge * p * (lp + H);
    zr[j] = (float)(dz * inv_t);
  }
}
