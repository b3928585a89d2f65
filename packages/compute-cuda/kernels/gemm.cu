// Our SGEMM, used when cuBLAS is absent: the cuBLAS strided-batched contract exactly (column-major,
// C = alpha·op(A)·op(B) + beta·C, op = transpose when trans ≠ 0; beta = 0 never reads C), so the host maps the
// three training layouts once for both. 64×64 tiles of C per block, 16-deep slices of k through shared memory,
// 256 threads each holding a 4×4 accumulator; every element sums k in order (deterministic, batch-independent).
// Plus the bias kernels of the linear layer.
#define TM 64
#define TN 64
#define TK 16

extern "C" __global__ void __launch_bounds__(256) sgemm_tiled(int transa, int transb, int m, int n, int k, float alpha, const float *A, int lda, long long stride_a,
                                                              const float *B, int ldb, long long stride_b, float beta, float *C, int ldc, long long stride_c) {
  __shared__ float As[TK][TM];
  __shared__ float Bs[TK][TN];
  const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
  const int m0 = blockIdx.x * TM, n0 = blockIdx.y * TN;
  A += blockIdx.z * stride_a;
  B += blockIdx.z * stride_b;
  C += blockIdx.z * stride_c;
  float acc[4][4];
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++) acc[i][j] = 0.0f;
  for (int k0 = 0; k0 < k; k0 += TK) {
    for (int e = tid; e < TK * TM; e += 256) {
      const int l = e / TM, i = e % TM, gi = m0 + i, gl = k0 + l;
      As[l][i] = (gi < m && gl < k) ? (transa ? A[gl + (long long)gi * lda] : A[gi + (long long)gl * lda]) : 0.0f;
    }
    for (int e = tid; e < TK * TN; e += 256) {
      const int l = e / TN, j = e % TN, gj = n0 + j, gl = k0 + l;
      Bs[l][j] = (gj < n && gl < k) ? (transb ? B[gj + (long long)gl * ldb] : B[gl + (long long)gj * ldb]) : 0.0f;
    }
    __syncthreads();
    for (int l = 0; l < TK; l++) {
      float a[4], b[4];
      for (int i = 0; i < 4; i++) a[i] = As[l][tx + 16 * i];
      for (int j = 0; j < 4; j++) b[j] = Bs[l][ty + 16 * j];
      for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) acc[i][j] += a[i] * b[j];
    }
    __syncthreads();
  }
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++) {
      const int gi = m0 + tx + 16 * i, gj = n0 + ty + 16 * j;
      if (gi < m && gj < n) {
        float *c = C + gi + (long long)gj * ldc;
        *c = beta == 0.0f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * *c;
      }
    }
}

/** `out[r, o] += bias[o]` over rows × cols. */
extern "C" __global__ void bias_add(float *out, const float *bias, int rows, int cols) {
  const long long total = (long long)rows * cols;
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < total; i += (long long)gridDim.x * blockDim.x) out[i] += bias[i % cols];
}

/** `dBias[o] += Σ_rows dOut[r, o]`, one column per thread, rows in order. */
extern "C" __global__ void bias_backward(float *dbias, const float *dout, int rows, int cols) {
  const int o = blockIdx.x * blockDim.x + threadIdx.x;
  if (o >= cols) return;
  double s = 0;
  for (int r = 0; r < rows; r++) s += dout[(long long)r * cols + o];
  dbias[o] = (float)((double)dbias[o] + s);
}
