// Decoding kernels over a KV cache laid out [slot, position, width] (docs/contracts.md §9): the scatter of new rows
// into the cache and attention of query rows over their slot's first `lengths[r]` positions.
#include "common.cuh"

extern "C" __global__ void kv_cache_write(float *cache, const float *src, const int *slots, const int *positions, int rows, int capacity, int width) {
  const long long total = (long long)rows * width;
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < total; i += (long long)gridDim.x * blockDim.x) {
    const int r = (int)(i / width), c = (int)(i % width);
    if (slots[r] < 0) continue;
    cache[((long long)slots[r] * capacity + positions[r]) * width + c] = src[i];
  }
}

/**
 * One block per (row, head). Scores go to `scratch` (float64, [rows·heads, capacity]): pass 1 scores and their max,
 * pass 2 exp and the sum, pass 3 each thread one output dimension, positions in order.
 */
extern "C" __global__ void cached_attention(float *out, const float *q, const float *kc, const float *vc, const int *slots, const int *lengths, double *scratch,
                                            int capacity, int H, int KVH, int D, double scale) {
  const int r = blockIdx.x / H, h = blockIdx.x % H;
  const int kh = h / (H / KVH);
  const int n = slots[r] < 0 ? 0 : lengths[r];
  const long long kw = (long long)KVH * D;
  const long long base = (long long)(slots[r] < 0 ? 0 : slots[r]) * capacity * kw + (long long)kh * D;
  const float *qr = q + ((long long)r * H + h) * D;
  double *sc = scratch + (long long)blockIdx.x * capacity;
  double m = -INFINITY;
  for (int s = threadIdx.x; s < n; s += blockDim.x) {
    double d = 0;
    for (int i = 0; i < D; i++) d += (double)qr[i] * (double)kc[base + s * kw + i];
    sc[s] = d * scale;
    m = sc[s] > m ? sc[s] : m;
  }
  m = block_max(m);
  double sum = 0;
  for (int s = threadIdx.x; s < n; s += blockDim.x) {
    sc[s] = exp(sc[s] - m);
    sum += sc[s];
  }
  sum = block_sum(sum);  // its barrier also publishes every sc[s]
  float *o = out + ((long long)r * H + h) * D;
  for (int i = threadIdx.x; i < D; i += blockDim.x) {
    double acc = 0;
    for (int s = 0; s < n; s++) acc += sc[s] / sum * (double)vc[base + s * kw + i];
    o[i] = (float)acc;
  }
}
