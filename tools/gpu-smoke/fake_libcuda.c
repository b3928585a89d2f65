// A CPU stand-in for the few CUDA driver API entry points gpu-smoke.mjs calls, used by gpu-smoke.test.ts to check
// the FFI marshalling (out-parameters, device pointers, the kernelParams array) on a machine without a GPU.
// "Device memory" is host memory; cuLaunchKernel runs saxpy on the host with the same argument layout.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int cuInit(unsigned int flags) { return flags == 0 ? 0 : 1; }
int cuDriverGetVersion(int *v) { *v = 13000; return 0; }
int cuGetErrorName(int err, const char **name) { *name = err ? "CUDA_ERROR_FAKE" : "CUDA_SUCCESS"; return 0; }
int cuDeviceGetCount(int *n) { *n = 1; return 0; }
int cuDeviceGet(int *dev, int ordinal) { *dev = ordinal; return ordinal == 0 ? 0 : 101; }
int cuDeviceGetName(char *name, int len, int dev) { (void)dev; strncpy(name, "Fake CPU Device", len); return 0; }
int cuDeviceTotalMem_v2(size_t *bytes, int dev) { (void)dev; *bytes = (size_t)1 << 30; return 0; }
int cuDeviceGetAttribute(int *v, int attr, int dev) { (void)dev; *v = attr == 75 ? 9 : 0; return 0; }
int cuDevicePrimaryCtxRetain(void **ctx, int dev) { (void)dev; *ctx = (void *)0x1234; return 0; }
int cuCtxSetCurrent(void *ctx) { return ctx == (void *)0x1234 ? 0 : 201; }
int cuModuleLoadData(void **mod, const char *image) { *mod = strstr(image, ".entry saxpy") ? (void *)0x42 : 0; return *mod ? 0 : 200; }
int cuModuleGetFunction(void **fn, void *mod, const char *name) { (void)mod; *fn = strcmp(name, "saxpy") == 0 ? (void *)0x43 : 0; return *fn ? 0 : 500; }
int cuMemAlloc_v2(uint64_t *ptr, size_t bytes) { *ptr = (uint64_t)(uintptr_t)malloc(bytes); return *ptr ? 0 : 2; }
int cuMemFree_v2(uint64_t ptr) { free((void *)(uintptr_t)ptr); return 0; }
int cuMemcpyHtoD_v2(uint64_t dst, const void *src, size_t bytes) { memcpy((void *)(uintptr_t)dst, src, bytes); return 0; }
int cuMemcpyDtoH_v2(void *dst, uint64_t src, size_t bytes) { memcpy(dst, (void *)(uintptr_t)src, bytes); return 0; }
int cuMemcpyDtoD_v2(uint64_t dst, uint64_t src, size_t bytes) { memmove((void *)(uintptr_t)dst, (void *)(uintptr_t)src, bytes); return 0; }
int cuMemsetD32_v2(uint64_t dst, unsigned v, size_t n) { for (size_t i = 0; i < n; i++) ((unsigned *)(uintptr_t)dst)[i] = v; return 0; }
int cuLaunchKernel(void *fn, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                   unsigned shmem, void *stream, void **params, void **extra) {
  (void)gy; (void)gz; (void)by; (void)bz; (void)shmem; (void)stream; (void)extra;
  if (fn != (void *)0x43) return 400;
  int n = *(int *)params[0];
  float a = *(float *)params[1];
  const float *x = (const float *)(uintptr_t)*(uint64_t *)params[2];
  float *y = (float *)(uintptr_t)*(uint64_t *)params[3];
  for (unsigned i = 0; i < gx * bx; i++) if ((int)i < n) y[i] = a * x[i] + y[i];
  return 0;
}
int cuCtxSynchronize(void) { return 0; }
