import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Backend, BackendUnavailableError } from "@sentrl/compute";
import { sourcesHash } from "../scripts/kernel-sources.mjs";
import { type CudaBackendOptions, createCudaBackend } from "./backend.js";
import { packageRoot } from "./paths.js";

/** Where `npm run build` puts the emulator: `<package>/build/libsentrl_cuda_emu.so` (or `SENTRL_CUDA_EMULATOR`). */
export function emulatorLibraryPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.SENTRL_CUDA_EMULATOR ?? join(packageRoot(), "build", "libsentrl_cuda_emu.so");
}

/** The emulator library if it was built, else the reason it is missing (what the emulator tests print when skipping). */
export function emulatorStatus(env: NodeJS.ProcessEnv = process.env): { library: string } | { reason: string } {
  const lib = emulatorLibraryPath(env);
  if (existsSync(lib)) return { library: lib };
  const status = join(lib, "..", "emu-status.json");
  if (existsSync(status)) {
    const s = JSON.parse(readFileSync(status, "utf8")) as { reason?: string };
    if (s.reason) return { reason: s.reason };
  }
  return { reason: `the CUDA emulator is not built (${lib}); run npm run build -w @sentrl/compute-cuda (needs g++)` };
}

/**
 * The CUDA backend running on the CPU emulator: the same `kernels/*.cu` sources compiled by g++ with `emu/emu.h`,
 * behind a driver-like library with libcuda's entry points, so everything above the driver (module loading,
 * launches, the memory pool, the GEMM layouts) is the code a GPU runs. For tests: it is slow, and it cannot show
 * races, memory-ordering bugs or timing (README "The emulator"). GEMMs use our tiled kernel unless `cublas` names a
 * library (tests pass a CPU stand-in).
 *
 * @example
 * ```ts
 * import { createCudaEmulatorBackend } from "@sentrl/compute-cuda";
 * const be = createCudaEmulatorBackend();
 * const x = be.alloc(3);
 * be.upload(x, new Float32Array([1, 2, 3]));
 * be.residualForward({ out: x, a: x, b: x, length: 3 });
 * be.download(x); // Float32Array [2, 4, 6]
 * ```
 */
export function createCudaEmulatorBackend(options: Omit<CudaBackendOptions, "driverLibrary"> = {}): Backend {
  const s = emulatorStatus();
  if ("reason" in s) throw new BackendUnavailableError("cuda-emulator", s.reason);
  const record = join(s.library, "..", "emu-status.json");
  const built = existsSync(record) ? (JSON.parse(readFileSync(record, "utf8")) as { sha256?: string }) : {};
  const root = packageRoot();
  if (built.sha256 && existsSync(join(root, "kernels")) && built.sha256 !== sourcesHash(root, true)) {
    // A stale build would test old kernel code: fail loudly instead of skipping.
    throw new BackendUnavailableError(
      "cuda-emulator",
      `${s.library} is stale against kernels/ and emu/; run npm run build -w @sentrl/compute-cuda`,
    );
  }
  return createCudaBackend({ threads: 64, cublas: false, name: "cuda-emulator", ...options, driverLibrary: s.library });
}
