import { createRequire } from "node:module";
import { moduleFile } from "./paths.js";

/**
 * The slice of the CUDA driver API that sentrl uses, bound through FFI (koffi) at run time: no compile step, no
 * CUDA toolkit needed on the user's machine, only the NVIDIA driver (`libcuda.so.1`).
 * Every function returns a CUresult (0 = success); out-parameters are one-element arrays.
 */
export interface CudaDriver {
  readonly library: string;
  init(flags: number): number;
  driverGetVersion(out: number[]): number;
  getErrorName(err: number, out: (string | null)[]): number;
  deviceGetCount(out: number[]): number;
  deviceGet(out: number[], ordinal: number): number;
  deviceGetName(out: Buffer, len: number, dev: number): number;
  deviceTotalMem(out: (number | bigint)[], dev: number): number;
  deviceGetAttribute(out: number[], attr: number, dev: number): number;
  primaryCtxRetain(out: unknown[], dev: number): number;
  ctxSetCurrent(ctx: unknown): number;
  moduleLoadData(out: unknown[], image: string): number;
  moduleGetFunction(out: unknown[], mod: unknown, name: string): number;
  memAlloc(out: (number | bigint)[], bytes: number): number;
  memFree(ptr: bigint): number;
  memcpyHtoD(dst: bigint, src: ArrayBufferView, bytes: number): number;
  memcpyDtoH(dst: ArrayBufferView, src: bigint, bytes: number): number;
  memcpyDtoD(dst: bigint, src: bigint, bytes: number): number;
  memsetD32(dst: bigint, value: number, count: number): number;
  /** `params` is a `void*[]` of pointers to each argument's bytes (see `runtime.ts`). */
  launchKernel(
    fn: unknown,
    gx: number,
    gy: number,
    gz: number,
    bx: number,
    by: number,
    bz: number,
    shmem: number,
    stream: null,
    params: Buffer,
    extra: null,
  ): number;
  ctxSynchronize(): number;
  /** The address of a Buffer's bytes (koffi.address), for building `params`. */
  address(buf: Buffer): bigint;
}

/** CU_DEVICE_ATTRIBUTE_* values used here. */
export const CU_ATTR = { computeCapabilityMajor: 75, computeCapabilityMinor: 76, multiprocessorCount: 16 } as const;

/**
 * Loads the driver library (`SENTRL_LIBCUDA`, else `libcuda.so.1`, else `libcuda.so`).
 * Returns the bound driver, or a reason string when koffi or the library cannot be loaded.
 */
export function loadCudaDriver(env: NodeJS.ProcessEnv = process.env): CudaDriver | string {
  let koffi: typeof import("koffi");
  try {
    koffi = createRequire(moduleFile())("koffi");
  } catch (e) {
    return `the FFI library koffi could not be loaded (${(e as Error).message})`;
  }
  const names = [env.SENTRL_LIBCUDA, "libcuda.so.1", "libcuda.so"].filter((n): n is string => !!n);
  let lib: ReturnType<typeof koffi.load> | undefined;
  let lastError = "";
  let library = "";
  for (const name of names) {
    try {
      lib = koffi.load(name);
      library = name;
      break;
    } catch (e) {
      lastError = (e as Error).message;
    }
  }
  if (!lib) return `no NVIDIA driver library found (tried ${names.join(", ")}: ${lastError})`;
  const f = (sig: string) => lib.func(sig) as (...args: unknown[]) => number;
  let fn: Record<string, (...args: unknown[]) => number>;
  try {
    fn = {
      init: f("int cuInit(unsigned int flags)"),
      driverGetVersion: f("int cuDriverGetVersion(_Out_ int *v)"),
      getErrorName: f("int cuGetErrorName(int err, _Out_ const char **name)"),
      deviceGetCount: f("int cuDeviceGetCount(_Out_ int *n)"),
      deviceGet: f("int cuDeviceGet(_Out_ int *dev, int ordinal)"),
      deviceGetName: f("int cuDeviceGetName(_Out_ char *name, int len, int dev)"),
      deviceTotalMem: f("int cuDeviceTotalMem_v2(_Out_ size_t *bytes, int dev)"),
      deviceGetAttribute: f("int cuDeviceGetAttribute(_Out_ int *v, int attr, int dev)"),
      primaryCtxRetain: f("int cuDevicePrimaryCtxRetain(_Out_ void **ctx, int dev)"),
      ctxSetCurrent: f("int cuCtxSetCurrent(void *ctx)"),
      moduleLoadData: f("int cuModuleLoadData(_Out_ void **mod, const char *image)"),
      moduleGetFunction: f("int cuModuleGetFunction(_Out_ void **fn, void *mod, const char *name)"),
      memAlloc: f("int cuMemAlloc_v2(_Out_ uint64_t *ptr, size_t bytes)"),
      memFree: f("int cuMemFree_v2(uint64_t ptr)"),
      memcpyHtoD: f("int cuMemcpyHtoD_v2(uint64_t dst, const void *src, size_t bytes)"),
      memcpyDtoH: f("int cuMemcpyDtoH_v2(void *dst, uint64_t src, size_t bytes)"),
      memcpyDtoD: f("int cuMemcpyDtoD_v2(uint64_t dst, uint64_t src, size_t bytes)"),
      memsetD32: f("int cuMemsetD32_v2(uint64_t dst, unsigned int value, size_t count)"),
      launchKernel: f(
        "int cuLaunchKernel(void *fn, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by, unsigned int bz, unsigned int shmem, void *stream, void *params, void *extra)",
      ),
      ctxSynchronize: f("int cuCtxSynchronize()"),
    };
  } catch (e) {
    return `${library} lacks a CUDA driver entry point we need (${(e as Error).message})`;
  }
  const address = (buf: Buffer) => koffi.address(buf) as bigint;
  return { library, address, ...fn } as unknown as CudaDriver;
}
