import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { NATIVE_ABI_VERSION, type NativeBinding } from "./binding.js";
import { type NativeKernels, wrapBinding } from "./kernels.js";

/** Where the native kernels stand: loaded, or why not. */
export interface NativeKernelsStatus {
  available: boolean;
  /** Why the kernels are unavailable (null when available). */
  reason: string | null;
  /** The addon file that was (or would have been) loaded. */
  addonPath: string;
}

interface LoadState {
  kernels: NativeKernels | null;
  status: NativeKernelsStatus;
}

let state: LoadState | undefined;

/** The package root: this file lives in `src/` (sources) or `dist/` (built), one level below it. */
function packageRoot(): string {
  return fileURLToPath(new URL("..", import.meta.url));
}

/**
 * The addon to load: `SENTRL_NATIVE_ADDON` when set, else the one built on this machine
 * (`<package>/build/Release/sentrl_native.node`), else the prebuilt one shipped in the published package
 * (`<package>/prebuilds/<platform>-<arch>/sentrl_native.node`, linux-x64 only). When none exists, the local build path.
 */
export function nativeAddonPath(): string {
  if (process.env.SENTRL_NATIVE_ADDON) return process.env.SENTRL_NATIVE_ADDON;
  const built = join(packageRoot(), "build", "Release", "sentrl_native.node");
  const prebuilt = join(packageRoot(), "prebuilds", `${process.platform}-${process.arch}`, "sentrl_native.node");
  return !existsSync(built) && existsSync(prebuilt) ? prebuilt : built;
}

/** How a user rebuilds the addon in their own project (works outside this monorepo). */
export const NATIVE_REBUILD_HINT = "npm rebuild @sentrl/compute-native";

function buildFailureReason(): string | null {
  try {
    const status = JSON.parse(readFileSync(join(packageRoot(), "build", "native-build.json"), "utf8")) as {
      ok?: boolean;
      reason?: string;
    };
    return status.ok === false && typeof status.reason === "string" ? status.reason : null;
  } catch {
    return null;
  }
}

function load(): LoadState {
  const addonPath = nativeAddonPath();
  const fail = (reason: string): LoadState => ({ kernels: null, status: { available: false, reason, addonPath } });
  if (process.env.SENTRL_NATIVE === "0") return fail("disabled by SENTRL_NATIVE=0");
  if (process.arch !== "x64")
    return fail(`unsupported architecture ${process.arch} (the native kernels need x86-64 with AVX2/FMA)`);
  if (!existsSync(addonPath)) {
    const why = buildFailureReason();
    return fail(
      `native addon not built${why ? ` (${why})` : ""}: run \`${NATIVE_REBUILD_HINT}\` (needs a C++ compiler and Python for node-gyp)`,
    );
  }
  let binding: NativeBinding;
  try {
    binding = createRequire(import.meta.url)(addonPath) as NativeBinding;
  } catch (e) {
    return fail(
      `native addon failed to load (${e instanceof Error ? e.message : String(e)}): rebuild it with \`${NATIVE_REBUILD_HINT}\``,
    );
  }
  if (binding.abiVersion !== NATIVE_ABI_VERSION) {
    return fail(
      `native addon is stale (ABI ${binding.abiVersion}, expected ${NATIVE_ABI_VERSION}): rebuild it with \`${NATIVE_REBUILD_HINT}\``,
    );
  }
  if (!binding.cpuSupported()) return fail("this CPU lacks AVX2/FMA");
  // Default: the CPUs this process may run on (affinity-aware, unlike the addon's hardware_concurrency()).
  const threads = Number(process.env.SENTRL_NATIVE_THREADS);
  binding.setThreads(Number.isInteger(threads) && threads >= 1 ? threads : Math.max(1, availableParallelism()));
  return { kernels: wrapBinding(binding, addonPath), status: { available: true, reason: null, addonPath } };
}

/**
 * Loads the AVX2/FMA kernels once; `null` when the addon is missing, fails to load, the CPU lacks AVX2/FMA, or
 * `SENTRL_NATIVE=0`. `nativeKernelsStatus().reason` says why. Never throws.
 *
 * @example
 * ```ts
 * import { loadNativeKernels, nativeKernelsStatus } from "@sentrl/compute-native";
 * const kernels = loadNativeKernels();
 * if (!kernels) console.warn(`native kernels unavailable: ${nativeKernelsStatus().reason}`);
 * ```
 */
export function loadNativeKernels(): NativeKernels | null {
  state ??= load();
  return state.kernels;
}

/** Whether the native kernels are available and, if not, why (loads them on first call). */
export function nativeKernelsStatus(): NativeKernelsStatus {
  state ??= load();
  return { ...state.status };
}
