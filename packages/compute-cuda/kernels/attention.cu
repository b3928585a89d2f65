// Causal GQA attention with a key-padding mask, over materialised probabilities (training and scoring), and its
// backward. Scores and softmax in float64 (recomputed per pass rather than stored), every sum in a fixed order.
//   attention_probs:  one block per (b, h, t): max, Σ exp, then P[b,h,t,:] (zeros where masked or s > t)
//   attention_output: one thread per (b, t, h, d): out = Σ_s P·v
//   attention_dscores: one block per (b, h, t): dS = P ⊙ (dP − Σ P·dP), dP = dOut·v
//   attention_dq:     one thread per (b, t, h, d): dq += scale · Σ_s dS·k
//   attention_dkv:    one thread per (b, s, kvh, d): dv += Σ_{h in group, t ≥ s} P·dOut, dk += scale · Σ dS·q
#include "common.cuh"

__device__ __forceinline__ double attn_score(const float *q, const float *k, int d) {
  double s = 0;
  for (int i = 0; i < d; i++) s += (double)q[i] * (double)k[i];
  return s;
}

extern "C" __global__ void attention_probs(float *probs, const float *q, const float *k, const int *mask, int has_mask, int T, int H, int KVH, int D, double scale) {
  const int t = blockIdx.x % T, h = (blockIdx.x / T) % H, b = blockIdx.x / (T * H);
  const int kh = h / (H / KVH);
  const float *qr = q + ((long long)(b * T + t) * H + h) * D;
  float *pr = probs + (long long)blockIdx.x * T;
  double m = -INFINITY;
  for (int s = threadIdx.x; s <= t; s += blockDim.x) {
    if (has_mask && mask[b * T + s] == 0) continue;
    const double sc = attn_score(qr, k + ((long long)(b * T + s) * KVH + kh) * D, D) * scale;
    m = sc > m ? sc : m;
  }
  m = block_max(m);
  double sum = 0;
  if (m != -INFINITY)
    for (int s = threadIdx.x; s <= t; s += blockDim.x) {
      if (has_mask && mask[b * T + s] == 0) continue;
      sum += exp(attn_score(qr, k + ((long long)(b * T + s) * KVH + kh) * D, D) * scale - m);
    }
  sum = block_sum(sum);
  for (int s = threadIdx.x; s < T; s += blockDim.x) {
    double p = 0;
    if (m != -INFINITY && s <= t && !(has_mask && mask[b * T + s] == 0))
      p = exp(attn_score(qr, k + ((long long)(b * T + s) * KVH + kh) * D, D) * scale - m) / sum;
    pr[s] = (float)p;
  }
}

extern "C" __global__ void attention_output(float *out, const float *probs, const float *v, int B, int T, int H, int KVH, int D) {
  const long long total = (long long)B * T * H * D;
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < total; i += (long long)gridDim.x * blockDim.x) {
    const int d = (int)(i % D), h = (int)((i / D) % H), t = (int)((i / ((long long)D * H)) % T), b = (int)(i / ((long long)D * H * T));
    const int kh = h / (H / KVH);
    const float *pr = probs + (((long long)b * H + h) * T + t) * T;
    double acc = 0;
    for (int s = 0; s <= t; s++) {
      const float p = pr[s];
      if (p != 0.0f) acc += (double)p * (double)v[((long long)(b * T + s) * KVH + kh) * D + d];
    }
    out[i] = (float)acc;
  }
}

extern "C" __global__ void attention_dscores(float *ds, const float *probs, const float *dout, const float *v, int T, int H, int KVH, int D) {
  const int t = blockIdx.x % T, h = (blockIdx.x / T) % H, b = blockIdx.x / (T * H);
  const int kh = h / (H / KVH);
  const float *dor = dout + ((long long)(b * T + t) * H + h) * D;
  const float *pr = probs + (long long)blockIdx.x * T;
  double dot = 0;
  for (int s = threadIdx.x; s <= t; s += blockDim.x)
    if (pr[s] != 0.0f) dot += (double)pr[s] * attn_score(dor, v + ((long long)(b * T + s) * KVH + kh) * D, D);
  dot = block_sum(dot);
  float *dr = ds + (long long)blockIdx.x * T;
  for (int s = threadIdx.x; s < T; s += blockDim.x) {
    double g = 0;
    if (s <= t && pr[s] != 0.0f) g = (double)pr[s] * (attn_score(dor, v + ((long long)(b * T + s) * KVH + kh) * D, D) - dot);
    dr[s] = (float)g;
  }
}

extern "C" __global__ void attention_dq(float *dq, const float *ds, const float *k, int B, int T, int H, int KVH, int D, double scale) {
  const long long total = (long long)B * T * H * D;
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < total; i += (long long)gridDim.x * blockDim.x) {
    const int d = (int)(i % D), h = (int)((i / D) % H), t = (int)((i / ((long long)D * H)) % T), b = (int)(i / ((long long)D * H * T));
    const int kh = h / (H / KVH);
    const float *dr = ds + (((long long)b * H + h) * T + t) * T;
    double acc = 0;
    for (int s = 0; s <= t; s++) acc += (double)dr[s] * (double)k[((long long)(b * T + s) * KVH + kh) * D + d];
    dq[i] = (float)((double)dq[i] + acc * scale);
  }
}

extern "C" __global__ void attention_dkv(float *dk, float *dv, const float *ds, const float *probs, const float *q, const float *dout, int B, int T, int H, int KVH, int D, double scale) {
  const long long total = (long long)B * T * KVH * D;
  const int group = H / KVH;
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < total; i += (long long)gridDim.x * blockDim.x) {
    const int d = (int)(i % D), kh = (int)((i / D) % KVH), s = (int)((i / ((long long)D * KVH)) % T), b = (int)(i / ((long long)D * KVH * T));
    double gk = 0, gv = 0;
    for (int h = kh * group; h < (kh + 1) * group; h++) {
      const long long base = ((long long)b * H + h) * T;
      for (int t = s; t < T; t++) {
        const long long qo = ((long long)(b * T + t) * H + h) * D + d;
        gv += (double)probs[(base + t) * T + s] * (double)dout[qo];
        gk += (double)ds[(base + t) * T + s] * (double)q[qo];
      }
    }
    dk[i] = (float)((double)dk[i] + gk * scale);
    dv[i] = (float)((double)dv[i] + gv);
  }
}
