// A CPU stand-in for the two cuBLAS entry points the backend calls, for tests on the CUDA emulator (whose "device"
// pointers are host pointers): the documented column-major contract of cublasSgemmStridedBatched, including its
// argument checks (CUBLAS_STATUS_INVALID_VALUE = 7 for a leading dimension that is too small), written from the
// cuBLAS documentation, independently of kernels/gemm.cu.
#include <stdint.h>

int cublasCreate_v2(void **handle) { *handle = (void *)0xB1A5; return 0; }

int cublasSgemmStridedBatched(void *h, int ta, int tb, int m, int n, int k, const float *alpha, uint64_t A, int lda, int64_t sA, uint64_t B, int ldb, int64_t sB,
                              const float *beta, uint64_t C, int ldc, int64_t sC, int batch) {
  if (h != (void *)0xB1A5) return 1; /* CUBLAS_STATUS_NOT_INITIALIZED */
  if (m < 0 || n < 0 || k < 0 || batch < 0) return 7;
  if (lda < (ta ? (k > 1 ? k : 1) : (m > 1 ? m : 1)) || ldb < (tb ? (n > 1 ? n : 1) : (k > 1 ? k : 1)) || ldc < (m > 1 ? m : 1)) return 7;
  for (int b = 0; b < batch; b++) {
    const float *a = (const float *)(uintptr_t)A + b * sA, *bb = (const float *)(uintptr_t)B + b * sB;
    float *c = (float *)(uintptr_t)C + b * sC;
    for (int j = 0; j < n; j++)
      for (int i = 0; i < m; i++) {
        float s = 0;
        for (int l = 0; l < k; l++) s += (ta ? a[l + (int64_t)i * lda] : a[i + (int64_t)l * lda]) * (tb ? bb[j + (int64_t)l * ldb] : bb[l + (int64_t)j * ldb]);
        float *o = &c[i + (int64_t)j * ldc];
        *o = *beta == 0.0f ? *alpha * s : *alpha * s + *beta * *o;
      }
  }
  return 0;
}
