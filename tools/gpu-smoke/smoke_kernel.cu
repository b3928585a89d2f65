// The trivial kernel tools/gpu-smoke launches: y[i] = a * x[i] + y[i].
// Compiled here to PTX by ./build-ptx.sh (nvcc -ptx); the PTX is committed so the GPU machine needs no compiler.
extern "C" __global__ void saxpy(int n, float a, const float* x, float* y) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] + y[i];
}
