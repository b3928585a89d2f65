import type { Backend } from "../backend.js";
import { BackendUnavailableError, ComputeError } from "../errors.js";
import { createReferenceBackend } from "../reference/backend.js";
import { createFastCpuBackend, type FastCpuBackendOptions } from "./backend.js";
import { loadFastKernels } from "./kernels.js";

/**
 * Which backend to use: `fast` (native CPU kernels, error when unavailable), `reference`, `auto` (fast, else
 * reference; CPU until a GPU run has verified the CUDA backend), or `cuda` (`@sentrl/compute-cuda`, error when there
 * is no GPU or the package is not installed).
 */
export type BackendChoice = "auto" | "fast" | "reference" | "cuda";

/** The accepted `BackendChoice` values. */
export const BACKEND_CHOICES: readonly BackendChoice[] = ["auto", "fast", "reference", "cuda"];

/** `@sentrl/compute-cuda`'s backend, imported only when asked for (an optional package that depends on this one). */
async function loadCudaBackend(): Promise<Backend> {
  const specifier = "@sentrl/compute-cuda"; // not a literal import: no build-time dependency cycle
  let mod: { createCudaBackend: () => Backend };
  try {
    mod = (await import(specifier)) as typeof mod;
  } catch (e) {
    throw new BackendUnavailableError("cuda", `@sentrl/compute-cuda is not installed (${(e as Error).message}); npm install @sentrl/compute-cuda`);
  }
  return mod.createCudaBackend();
}

/** Options of `selectBackend` / `createDefaultBackend`. */
export interface SelectBackendOptions extends FastCpuBackendOptions {
  /** Receives the one fallback warning (default: a line on stderr). */
  warn?: (message: string) => void;
}

let warned = false;

/**
 * Loads the fast CPU backend; throws `BackendUnavailableError` (code `BACKEND_UNAVAILABLE`, with the reason) when
 * the native kernels cannot load.
 *
 * @example
 * ```ts
 * import { loadFastCpuBackend } from "@sentrl/compute";
 * const be = await loadFastCpuBackend(); // or catch BackendUnavailableError
 * ```
 */
export async function loadFastCpuBackend(options: FastCpuBackendOptions = {}): Promise<Backend> {
  const { kernels, reason } = await loadFastKernels();
  if (!kernels) throw new BackendUnavailableError("fast", reason ?? "native kernels unavailable");
  return createFastCpuBackend(kernels, options);
}

/**
 * Picks a backend. `auto` (the default, or `SENTRL_BACKEND` when set) is the fast backend when its native
 * kernels load, else the TypeScript reference after ONE warning per process saying why; `fast` throws
 * `BackendUnavailableError` instead of falling back; `reference` is the reference backend; `cuda` is
 * `createCudaBackend()` of `@sentrl/compute-cuda` (`BackendUnavailableError` with the reason when there is no GPU).
 *
 * @example
 * ```ts
 * import { selectBackend } from "@sentrl/compute";
 * const be = await selectBackend("auto");
 * be.name; // "cpu" (fast) or "reference"
 * ```
 */
export async function selectBackend(choice?: BackendChoice | string, options: SelectBackendOptions = {}): Promise<Backend> {
  const c = choice ?? process.env.SENTRL_BACKEND ?? "auto";
  if (!(BACKEND_CHOICES as readonly string[]).includes(c)) throw new ComputeError("BACKEND_BAD_ARGUMENT", `unknown backend \`${c}\`; choose one of ${BACKEND_CHOICES.join(", ")}`);
  if (c === "reference") return createReferenceBackend();
  if (c === "fast") return loadFastCpuBackend(options);
  if (c === "cuda") return loadCudaBackend();
  const { kernels, reason } = await loadFastKernels();
  if (kernels) return createFastCpuBackend(kernels, options);
  if (!warned) {
    warned = true;
    const message = `sentrl: warning: the fast CPU backend is unavailable (${reason}); using the TypeScript reference backend (much slower)`;
    if (options.warn) options.warn(message);
    else process.stderr.write(`${message}\n`);
  }
  return createReferenceBackend();
}

/**
 * The backend `loadModel` and `sentrl score` use when none is given: `selectBackend()` (fast CPU when available,
 * else the reference with one warning; `SENTRL_BACKEND=reference|fast|auto` overrides).
 *
 * @example
 * ```ts
 * import { createDefaultBackend } from "@sentrl/compute";
 * const be = await createDefaultBackend();
 * ```
 */
export function createDefaultBackend(options: SelectBackendOptions = {}): Promise<Backend> {
  return selectBackend(undefined, options);
}
