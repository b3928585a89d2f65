import { type Backend, BackendUnavailableError } from "@sentrl/compute";
import { probeCuda } from "./probe.js";

export interface CudaBackendOptions {
  /** GPU ordinal (default 0). */
  device?: number;
}

/**
 * The CUDA backend. Status: the driver binding and device probe are in place; the kernels are not written yet, so on
 * a machine WITH a GPU this also throws `BackendUnavailableError` (saying so) and callers fall back to the CPU
 * backends. Without a GPU or driver it throws `BackendUnavailableError` with the probe's reason, never crashes.
 *
 * @example
 * ```ts
 * import { createCudaBackend } from "@sentrl/compute-cuda";
 * import { createDefaultBackend } from "@sentrl/compute";
 * let backend;
 * try { backend = createCudaBackend(); } catch (e) { backend = createDefaultBackend(); }
 * ```
 */
export function createCudaBackend(options: CudaBackendOptions = {}): Backend {
  const probe = probeCuda();
  if (!probe.available) throw new BackendUnavailableError("cuda", probe.reason);
  const ordinal = options.device ?? 0;
  if (!probe.devices.some((d) => d.ordinal === ordinal)) {
    throw new BackendUnavailableError("cuda", `no GPU with ordinal ${ordinal} (found ${probe.devices.length})`);
  }
  throw new BackendUnavailableError(
    "cuda",
    `found ${probe.devices[ordinal].name}, but the CUDA kernels are not implemented in this version; use the CPU backend`,
  );
}
