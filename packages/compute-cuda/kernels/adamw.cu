// AdamW with global-norm clipping (docs/algorithms.md §16, PyTorch semantics). The squared norm of each gradient is
// summed by a fixed grid (partials per block, then one thread adds the partials in order): deterministic. The host
// adds the per-tensor sums, decides the clip factor and launches the update, computed in float64 like the reference.
#include "common.cuh"

extern "C" __global__ void sumsq_partial(double *partial, const float *g, long long n) {
  double s = 0;
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) s += (double)g[i] * (double)g[i];
  s = block_sum(s);
  if (threadIdx.x == 0) partial[blockIdx.x] = s;
}

extern "C" __global__ void sumsq_finish(double *out, const double *partial, int blocks) {
  if (blockIdx.x != 0 || threadIdx.x != 0) return;
  double s = 0;
  for (int b = 0; b < blocks; b++) s += partial[b];
  *out = s;
}

extern "C" __global__ void adamw_update(float *param, const float *grad, float *m, float *v, long long n, double clip, double decay, double beta1, double beta2,
                                        double step_size, double bc2_sqrt, double eps) {
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
    const double g = (double)grad[i] * clip;
    const double p = (double)param[i] * decay;
    const double mi = beta1 * (double)m[i] + (1.0 - beta1) * g;
    const double vi = beta2 * (double)v[i] + (1.0 - beta2) * g * g;
    m[i] = (float)mi;
    v[i] = (float)vi;
    param[i] = (float)(p - (step_size * mi) / (sqrt(vi) / bc2_sqrt + eps));
  }
}
