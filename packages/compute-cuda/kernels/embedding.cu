// Token embedding gather and its backward. The backward gives each thread one column and walks the rows in order,
// so repeated ids add up in a fixed order without atomics (deterministic).

extern "C" __global__ void embedding_forward(float *out, const float *table, const int *ids, int rows, int dim) {
  const int r = blockIdx.x;
  if (r >= rows) return;
  const float *src = table + (long long)ids[r] * dim;
  float *dst = out + (long long)r * dim;
  for (int c = threadIdx.x; c < dim; c += blockDim.x) dst[c] = src[c];
}

extern "C" __global__ void embedding_backward(float *dtable, const float *dout, const int *ids, int rows, int dim) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= dim) return;
  for (int r = 0; r < rows; r++) dtable[(long long)ids[r] * dim + c] += dout[(long long)r * dim + c];
}
