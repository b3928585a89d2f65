// Helpers shared by the kernels: deterministic block reductions (a fixed shuffle tree inside each warp, then the
// warp results summed in warp order by every thread), so a kernel gives bit-identical results run after run.
// Every kernel that calls them launches blockDim.x as a multiple of 32 (at most 1024), blockDim.y = blockDim.z = 1.
#pragma once

__device__ __forceinline__ double warp_sum(double v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

__device__ __forceinline__ double warp_max(double v) {
  for (int o = 16; o > 0; o >>= 1) {
    double u = __shfl_xor_sync(0xffffffffu, v, o);
    v = u > v ? u : v;
  }
  return v;
}

/** Sum of `v` over the block, the same value in every thread. */
__device__ __forceinline__ double block_sum(double v) {
  __shared__ double partial[32];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
  v = warp_sum(v);
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  double total = 0;
  for (int w = 0; w < warps; w++) total += partial[w];
  __syncthreads();
  return total;
}

/** Maximum of `v` over the block (−inf for an empty block), the same value in every thread. */
__device__ __forceinline__ double block_max(double v) {
  __shared__ double partial[32];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
  v = warp_max(v);
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  double m = partial[0];
  for (int w = 1; w < warps; w++) m = partial[w] > m ? partial[w] : m;
  __syncthreads();
  return m;
}
