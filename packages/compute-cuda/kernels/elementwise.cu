// Elementwise kernels: SwiGLU and the residual add, forward and backward (accumulating), in float64 like the
// reference (docs/contracts.md §1 Backend). One thread per element, grid-stride loops.
#include "common.cuh"

extern "C" __global__ void swiglu_forward(float *out, const float *gate, const float *up, long long n) {
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
    const double g = gate[i];
    out[i] = (float)((g / (1.0 + exp(-g))) * (double)up[i]);
  }
}

extern "C" __global__ void swiglu_backward(const float *dout, const float *gate, const float *up, float *dgate, float *dup, long long n) {
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
    const double g = gate[i], d = dout[i];
    const double s = 1.0 / (1.0 + exp(-g));
    dgate[i] = (float)((double)dgate[i] + d * (double)up[i] * s * (1.0 + g * (1.0 - s)));
    dup[i] = (float)((double)dup[i] + d * g * s);
  }
}

extern "C" __global__ void residual_forward(float *out, const float *a, const float *b, long long n) {
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) out[i] = a[i] + b[i];
}

/** `dst += src` (the residual backward, once per gradient buffer). */
extern "C" __global__ void accumulate(float *dst, const float *src, long long n) {
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) dst[i] += src[i];
}
