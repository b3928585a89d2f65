// RMSNorm forward/backward: one block per row, float64 sums through the deterministic block reduction; the weight
// gradient is a column walk over rows (no atomics).
#include "common.cuh"

extern "C" __global__ void rmsnorm_forward(float *out, float *rstd, const float *x, const float *weight, int rows, int dim, double eps, int store_rstd) {
  const int r = blockIdx.x;
  if (r >= rows) return;
  const float *xr = x + (long long)r * dim;
  double ss = 0;
  for (int i = threadIdx.x; i < dim; i += blockDim.x) ss += (double)xr[i] * (double)xr[i];
  ss = block_sum(ss);
  const float inv = (float)(1.0 / sqrt(ss / dim + eps));
  if (store_rstd && threadIdx.x == 0) rstd[r] = inv;
  float *o = out + (long long)r * dim;
  for (int i = threadIdx.x; i < dim; i += blockDim.x) o[i] = (xr[i] * inv) * weight[i];
}

/** `dx += r·g − r³·x·(Σ g·x)/dim` with `g = dOut ⊙ weight`, `r = rstd[row]`. */
extern "C" __global__ void rmsnorm_backward(float *dx, const float *dout, const float *x, const float *weight, const float *rstd, int rows, int dim) {
  const int r = blockIdx.x;
  if (r >= rows) return;
  const long long o = (long long)r * dim;
  double dot = 0;
  for (int i = threadIdx.x; i < dim; i += blockDim.x) dot += (double)dout[o + i] * (double)weight[i] * (double)x[o + i];
  dot = block_sum(dot);
  const double inv = rstd[r];
  const double c = inv * inv * inv * dot / dim;
  for (int i = threadIdx.x; i < dim; i += blockDim.x)
    dx[o + i] = (float)((double)dx[o + i] + inv * (double)dout[o + i] * (double)weight[i] - c * (double)x[o + i]);
}

/** `dWeight += Σ_rows dOut·x·rstd`, one column per thread, rows in order. */
extern "C" __global__ void rmsnorm_dweight(float *dweight, const float *dout, const float *x, const float *rstd, int rows, int dim) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= dim) return;
  double s = 0;
  for (int r = 0; r < rows; r++) s += (double)dout[(long long)r * dim + i] * (double)x[(long long)r * dim + i] * (double)rstd[r];
  dweight[i] = (float)((double)dweight[i] + s);
}
