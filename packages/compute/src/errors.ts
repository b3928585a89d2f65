/**
 * Errors thrown by backends. Each carries a stable UPPER_SNAKE `code` (the sentrl CLI prints
 * `sentrl: <CODE>: <message>`); `@sentrl/compute` does not depend on `@sentrl/core`, so the class is its own.
 *
 * @example
 * ```ts
 * import { ComputeError } from "@sentrl/compute";
 * throw new ComputeError("BACKEND_SHAPE", "matmulForward: x has 10 elements, expected rows·inDim = 12");
 * ```
 */
export class ComputeError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ComputeError";
    this.code = code;
  }
}

/**
 * An optional backend (CUDA, a native CPU addon) cannot run here: no device, no driver, no prebuilt binary.
 * Callers catch it and fall back to another backend. Code: `BACKEND_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * import { BackendUnavailableError } from "@sentrl/compute";
 * throw new BackendUnavailableError("cuda", "no CUDA driver found (libcuda.so.1); use the CPU backend");
 * ```
 */
export class BackendUnavailableError extends ComputeError {
  readonly backend: string;
  constructor(backend: string, reason: string, options?: { cause?: unknown }) {
    super("BACKEND_UNAVAILABLE", `backend \`${backend}\` is unavailable: ${reason}`, options);
    this.name = "BackendUnavailableError";
    this.backend = backend;
  }
}
