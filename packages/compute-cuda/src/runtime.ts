import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BackendUnavailableError, ComputeError } from "@sentrl/compute";
import type { CudaDriver } from "./driver.js";
import { packageRoot } from "./paths.js";

/** One kernel argument: a device pointer, int32, int64, float32 or float64 (the kernel's C parameter type). */
export type KernelArg = ["p", bigint] | ["i", number] | ["q", number] | ["f", number] | ["d", number];

/** Where the committed PTX lives: `<package>/ptx` (one level above both src/ and dist/), or `SENTRL_CUDA_PTX_DIR`. */
export function defaultPtxDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SENTRL_CUDA_PTX_DIR ?? join(packageRoot(), "ptx");
}

/** Size class of a pooled allocation: powers of two from 256 B to 64 MiB, then multiples of 2 MiB. */
function sizeClass(bytes: number): number {
  if (bytes <= 256) return 256;
  if (bytes <= 1 << 26) return 2 ** Math.ceil(Math.log2(bytes));
  return Math.ceil(bytes / (1 << 21)) * (1 << 21);
}

/**
 * The device side of the CUDA backend: a context on one device, the kernels' modules (one per .cu file), a memory
 * pool and kernel launches on the legacy default stream (one stream, so every launch, copy and cuBLAS call runs in
 * call order and a pooled block can be reused as soon as it is released). The same code drives a GPU through
 * libcuda and the CPU emulator through its driver-like library.
 */
export class CudaRuntime {
  private readonly functions = new Map<string, unknown>();
  private readonly pool = new Map<number, bigint[]>();
  private readonly argBuf = Buffer.alloc(8 * 24);
  private readonly paramBuf = Buffer.alloc(8 * 24);
  private readonly argBase: bigint;
  /** Bytes handed out by the pool and not yet released. */
  liveBytes = 0;

  constructor(
    readonly driver: CudaDriver,
    device: number,
    ptxDir: string,
  ) {
    this.check(driver.init(0), "cuInit");
    const dev = [0];
    this.check(driver.deviceGet(dev, device), `cuDeviceGet(${device})`);
    const ctx: unknown[] = [null];
    this.check(driver.primaryCtxRetain(ctx, dev[0]), "cuDevicePrimaryCtxRetain");
    this.check(driver.ctxSetCurrent(ctx[0]), "cuCtxSetCurrent");
    let files: string[];
    try {
      files = readdirSync(ptxDir).filter((f) => f.endsWith(".ptx"));
    } catch (e) {
      throw new BackendUnavailableError(
        "cuda",
        `the kernels' PTX folder ${ptxDir} cannot be read (${(e as Error).message}); reinstall @sentrl/compute-cuda`,
      );
    }
    for (const f of files.sort()) {
      const ptx = readFileSync(join(ptxDir, f), "utf8");
      const mod: unknown[] = [null];
      this.check(driver.moduleLoadData(mod, `${ptx}\0`), `cuModuleLoadData(${f}) (an old driver rejects newer PTX)`);
      for (const m of ptx.matchAll(/\.entry\s+(\w+)\s*\(/g)) {
        const fn: unknown[] = [null];
        this.check(driver.moduleGetFunction(fn, mod[0], m[1]), `cuModuleGetFunction(${m[1]})`);
        this.functions.set(m[1], fn[0]);
      }
    }
    this.argBase = driver.address(this.argBuf);
    for (let i = 0; i < 24; i++) this.paramBuf.writeBigUInt64LE(this.argBase + BigInt(8 * i), 8 * i);
  }

  /** Throws `ComputeError("CUDA_ERROR")` naming the failed call unless `rc` is 0. */
  check(rc: number, what: string): void {
    if (rc === 0) return;
    const name: (string | null)[] = [null];
    this.driver.getErrorName(rc, name);
    throw new ComputeError(
      "CUDA_ERROR",
      `${what} failed: ${name[0] ?? "CUDA_ERROR"} (${rc}); the CUDA context may be unusable, restart the process`,
    );
  }

  /** A pooled device block of at least `bytes` bytes (contents undefined). */
  alloc(bytes: number): bigint {
    const cls = sizeClass(bytes);
    const list = this.pool.get(cls);
    this.liveBytes += cls;
    const reused = list?.pop();
    if (reused !== undefined) return reused;
    const out: (number | bigint)[] = [0n];
    let rc = this.driver.memAlloc(out, cls);
    if (rc === 2) {
      this.trim();
      rc = this.driver.memAlloc(out, cls);
    }
    this.check(rc, `cuMemAlloc(${cls} bytes)`);
    return BigInt(out[0]);
  }

  /** Returns a block from `alloc(bytes)` to the pool. */
  release(ptr: bigint, bytes: number): void {
    const cls = sizeClass(bytes);
    this.liveBytes -= cls;
    const list = this.pool.get(cls);
    if (list) list.push(ptr);
    else this.pool.set(cls, [ptr]);
  }

  /** Frees every pooled block that is not in use. */
  trim(): void {
    for (const list of this.pool.values()) for (const p of list.splice(0)) this.driver.memFree(p);
  }

  /** Uploads a small host array into a fresh pooled block; `free()` the result after the launches that read it. */
  stage(data: Int32Array | Float32Array | Float64Array): { ptr: bigint; free: () => void } {
    const bytes = Math.max(4, data.byteLength);
    const ptr = this.alloc(bytes);
    if (data.byteLength > 0) this.check(this.driver.memcpyHtoD(ptr, data, data.byteLength), "cuMemcpyHtoD");
    return { ptr, free: () => this.release(ptr, bytes) };
  }

  /** Launches kernel `name` on a 1-D block of `threads` over `grid` blocks (x, or [x, y, z]). */
  launch(name: string, grid: number | [number, number, number], threads: number, args: KernelArg[]): void {
    const fn = this.functions.get(name);
    if (fn === undefined)
      throw new ComputeError(
        "CUDA_ERROR",
        `kernel ${name} is not in the loaded PTX; rebuild @sentrl/compute-cuda (npm run build)`,
      );
    const [gx, gy, gz] = typeof grid === "number" ? [grid, 1, 1] : grid;
    if (gx === 0 || gy === 0 || gz === 0) return;
    args.forEach(([t, v], i) => {
      const o = 8 * i;
      if (t === "p") this.argBuf.writeBigUInt64LE(v, o);
      else if (t === "i") this.argBuf.writeInt32LE(v, o);
      else if (t === "q") this.argBuf.writeBigInt64LE(BigInt(v), o);
      else if (t === "f") this.argBuf.writeFloatLE(v, o);
      else this.argBuf.writeDoubleLE(v, o);
    });
    this.check(
      this.driver.launchKernel(fn, gx, gy, gz, threads, 1, 1, 0, null, this.paramBuf, null),
      `cuLaunchKernel(${name})`,
    );
  }

  /** Waits for every queued launch (errors of asynchronous kernels surface here). */
  synchronize(): void {
    this.check(this.driver.ctxSynchronize(), "cuCtxSynchronize");
  }
}
