// Kernels that test the emulator itself (compiled into the emulator library only, not into the PTX; test/emulator.test.ts
// also compiles this file with nvcc when it is present, to show the same source builds for both).
//   emu_block_sum:   out[b] = Σ in[b·n ..] through shared memory, __syncthreads and __shfl_xor_sync (exact for ints)
//   emu_ballot:      out[warp] = __ballot_sync of (lane is odd), the vote across a warp
//   emu_deadlock:    lane 0 waits at a warp barrier, the others at the block barrier: no barrier can ever open

extern "C" __global__ void emu_block_sum(int *out, const int *in, int n) {
  __shared__ int warp_sums[32];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  int v = 0;
  for (int i = threadIdx.x; i < n; i += blockDim.x) v += in[blockIdx.x * n + i];
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  if (lane == 0) warp_sums[warp] = v;
  __syncthreads();
  if (threadIdx.x == 0) {
    int s = 0;
    for (int w = 0; w < (int)(blockDim.x >> 5); w++) s += warp_sums[w];
    out[blockIdx.x] = s;
  }
}

extern "C" __global__ void emu_ballot(unsigned *out) {
  const unsigned b = __ballot_sync(0xffffffffu, threadIdx.x & 1);
  if ((threadIdx.x & 31) == 0) out[threadIdx.x >> 5] = b;
}

extern "C" __global__ void emu_deadlock(int *out) {
  if (threadIdx.x == 0) __syncwarp();
  else __syncthreads();
  out[threadIdx.x] = 1;
}
