// Token sampling, one block per row (docs/contracts.md §9, `SampleArgs`/`SampleTokensArgs`): greedy argmax (lowest id
// on ties), or the inverse CDF of exp(z − max), z = logits/T, either in id order (unfiltered) or over the top-k /
// top-p candidates in descending rank order (larger z first, lower id on ties). Candidates are found one at a time
// by a block-wide "best after the previous one" search: O(kept · vocab / threads), which is cheap for top-k and for
// peaked top-p distributions, and slow for top-p over a flat distribution of a large vocabulary (documented).
// Also the token's log-probability z[id] − logsumexp(z) at T (1 when greedy). Launch with 256 threads.
#include "common.cuh"

#define SAMPLE_THREADS 256

/** The block's best (larger z, then lower id) of the per-thread candidates (id < 0: none); the same in every thread. */
__device__ int sample_block_best(double z, int id) {
  __shared__ double bz[SAMPLE_THREADS];
  __shared__ int bi[SAMPLE_THREADS];
  __shared__ int result;
  bz[threadIdx.x] = z;
  bi[threadIdx.x] = id;
  __syncthreads();
  if (threadIdx.x == 0) {
    int best = -1;
    double best_z = 0;
    for (int t = 0; t < (int)blockDim.x; t++) {
      if (bi[t] < 0) continue;
      if (best < 0 || bz[t] > best_z || (bz[t] == best_z && bi[t] < best)) {
        best = bi[t];
        best_z = bz[t];
      }
    }
    result = best;
  }
  __syncthreads();
  const int r = result;
  __syncthreads();
  return r;
}

/** The token ranking right after (prev_z, prev_id), or −1. */
__device__ int sample_next(const float *lr, int vocab, double t, double prev_z, int prev_id) {
  double bz = 0;
  int bi = -1;
  for (int j = threadIdx.x; j < vocab; j += blockDim.x) {
    const double z = (double)lr[j] / t;
    if (!(z < prev_z || (z == prev_z && j > prev_id))) continue;
    if (bi < 0 || z > bz) {
      bz = z;
      bi = j;
    }
  }
  return sample_block_best(bz, bi);
}

/** Per-thread contiguous chunk sums of exp(z − max) in id order; thread 0 gets their total in chunk order. */
__device__ void sample_chunk_sums(double *chunk, const float *lr, int vocab, double t, double max) {
  const int c = (vocab + blockDim.x - 1) / blockDim.x;
  const int lo = threadIdx.x * c, hi = lo + c < vocab ? lo + c : vocab;
  double s = 0;
  for (int j = lo; j < hi; j++) s += exp((double)lr[j] / t - max);
  chunk[threadIdx.x] = s;
  __syncthreads();
}

extern "C" __global__ void __launch_bounds__(SAMPLE_THREADS) sample_rows(int *out_ids, float *out_logp, int *cand, long long cand_stride, const float *logits, int vocab,
                                                                         const double *uniforms, const double *temps, const int *topks, const double *topps) {
  __shared__ double chunk[SAMPLE_THREADS];
  __shared__ int pick_s, count_s;
  const int r = blockIdx.x;
  const float *lr = logits + (long long)r * vocab;
  const double T = temps[r];
  int pick;
  if (T == 0) {
    double bz = 0;
    int bi = -1;
    for (int j = threadIdx.x; j < vocab; j += blockDim.x)
      if (bi < 0 || (double)lr[j] > bz) {
        bz = lr[j];
        bi = j;
      }
    pick = sample_block_best(bz, bi);
  } else {
    double m = -INFINITY;
    for (int j = threadIdx.x; j < vocab; j += blockDim.x) {
      const double z = (double)lr[j] / T;
      m = z > m ? z : m;
    }
    m = block_max(m);
    const int k = topks[r] > 0 && topks[r] < vocab ? topks[r] : vocab;
    const double p = topps[r], u = uniforms[r];
    if (k == vocab && p >= 1) {
      sample_chunk_sums(chunk, lr, vocab, T, m);
      if (threadIdx.x == 0) {
        double total = 0;
        for (int t = 0; t < (int)blockDim.x; t++) total += chunk[t];
        const double target = u * total;
        const int c = (vocab + blockDim.x - 1) / blockDim.x;
        double acc = 0;
        int found = -1;
        for (int t = 0; t < (int)blockDim.x && found == -1; t++) {
          if (!(acc + chunk[t] > target)) {
            acc += chunk[t];
            continue;
          }
          const int hi = (t + 1) * c < vocab ? (t + 1) * c : vocab;
          for (int j = t * c; j < hi; j++) {
            const double e = exp((double)lr[j] / T - m);
            if (e == 0) continue;
            acc += e;
            if (acc > target) {
              found = j;
              break;
            }
          }
          if (found < 0) found = -2;  // rounding left the target unreached inside its chunk: fall through below
        }
        if (found < 0) {  // the reference then picks the last token with a non-zero weight
          found = vocab - 1;
          for (int j = vocab - 1; j >= 0; j--)
            if (exp((double)lr[j] / T - m) != 0) {
              found = j;
              break;
            }
        }
        pick_s = found;
      }
      __syncthreads();
      pick = pick_s;
      __syncthreads();
    } else {
      int *cr = cand + (long long)r * cand_stride;
      double prev_z = INFINITY;
      int prev_id = -1, count = 0;
      if (k < vocab) {
        for (; count < k; count++) {
          const int id = sample_next(lr, vocab, T, prev_z, prev_id);
          if (threadIdx.x == 0) cr[count] = id;
          prev_z = (double)lr[id] / T;
          prev_id = id;
        }
        if (threadIdx.x == 0) {
          int n = count;
          if (p < 1) {
            double total = 0, acc = 0;
            for (int i = 0; i < count; i++) total += exp((double)lr[cr[i]] / T - m);
            for (n = 0; n < count;) {
              acc += exp((double)lr[cr[n]] / T - m);
              n++;
              if (acc >= p * total) break;
            }
          }
          count_s = n;
        }
      } else {
        sample_chunk_sums(chunk, lr, vocab, T, m);
        double total = 0, acc = 0;
        if (threadIdx.x == 0)
          for (int t = 0; t < (int)blockDim.x; t++) total += chunk[t];
        for (;;) {
          const int id = sample_next(lr, vocab, T, prev_z, prev_id);
          prev_z = (double)lr[id] / T;
          prev_id = id;
          if (threadIdx.x == 0) {
            cr[count] = id;
            acc += exp(prev_z - m);
            pick_s = (acc >= p * total || count + 1 == vocab) ? 1 : 0;
            count_s = count + 1;
          }
          count++;
          __syncthreads();
          const int stop = pick_s;
          __syncthreads();
          if (stop) break;
        }
      }
      __syncthreads();
      if (threadIdx.x == 0) {
        const int n = count_s;
        double sum = 0, acc = 0;
        for (int i = 0; i < n; i++) sum += exp((double)lr[cr[i]] / T - m);
        const double target = u * sum;
        int found = cr[n - 1];
        for (int i = 0; i < n; i++) {
          acc += exp((double)lr[cr[i]] / T - m);
          if (acc > target) {
            found = cr[i];
            break;
          }
        }
        pick_s = found;
      }
      __syncthreads();
      pick = pick_s;
      __syncthreads();
    }
  }
  // log-probability of the pick at T (1 when greedy), before any truncation
  const double inv = 1.0 / (T > 0 ? T : 1.0);
  double m2 = -INFINITY;
  for (int j = threadIdx.x; j < vocab; j += blockDim.x) {
    const double z = (double)lr[j] * inv;
    m2 = z > m2 ? z : m2;
  }
  m2 = block_max(m2);
  double s2 = 0;
  for (int j = threadIdx.x; j < vocab; j += blockDim.x) s2 += exp((double)lr[j] * inv - m2);
  s2 = block_sum(s2);
  if (threadIdx.x == 0) {
    out_ids[r] = pick;
    out_logp[r] = (float)((double)lr[pick] * inv - m2 - log(s2));
  }
}
