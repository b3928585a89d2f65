import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { SentrlError } from "@sentrl/core";

/**
 * Lazy access to the optional peer dependencies `@huggingface/transformers` and `onnxruntime-node`: nothing here
 * imports them at module load, so a program that never asks for an ONNX model never loads them (docs/contracts.md §1).
 */

/** The module namespace of `@huggingface/transformers` (typed loosely: the package is optional). */
export type TransformersModule = typeof import("@huggingface/transformers");

/** Exact versions this release is tested with (also its optional peer dependency ranges). */
export const TRANSFORMERS_VERSION = "4.3.2";
export const ONNXRUNTIME_NODE_VERSION = "1.30.0";

/** What a user without the optional packages is told to run. */
export const INSTALL_HINT = `npm install @huggingface/transformers@${TRANSFORMERS_VERSION} onnxruntime-node@${ONNXRUNTIME_NODE_VERSION} (ONNXRUNTIME_NODE_INSTALL=skip is enough: the CPU execution provider ships in the package)`;

const OPTIONAL_PACKAGES = ["@huggingface/transformers", "onnxruntime-node"] as const;

/**
 * Maps an import failure to a coded error: `ONNX_DEPENDENCY_MISSING` naming the missing package, or
 * `ONNX_RUNTIME_UNAVAILABLE` when the packages are there but the native runtime does not load.
 */
export function transformersImportError(e: unknown): SentrlError {
  const err = e as Error & { code?: string };
  const msg = String(err?.message ?? e);
  if (err?.code === "ERR_MODULE_NOT_FOUND" || err?.code === "MODULE_NOT_FOUND") {
    const missing =
      OPTIONAL_PACKAGES.find((p) => msg.includes(`'${p}'`) || msg.includes(`"${p}"`)) ?? OPTIONAL_PACKAGES[0];
    return new SentrlError(
      "ONNX_DEPENDENCY_MISSING",
      `${missing} is not installed; ONNX models (onnx: generators, NLI and embedding clustering) need the optional packages: ${INSTALL_HINT}`,
      { cause: e },
    );
  }
  return new SentrlError(
    "ONNX_RUNTIME_UNAVAILABLE",
    `@huggingface/transformers did not load (${msg.split("\n")[0]}); reinstall ${INSTALL_HINT}`,
    { cause: e },
  );
}

/**
 * Imports `@huggingface/transformers` with `importer` and configures it for local files only: remote models off, no
 * file-system or browser cache (nothing is downloaded or written at run time). Failures become coded errors
 * (`transformersImportError`). Uncached: use `loadTransformers`.
 */
export async function importTransformers(
  importer: () => Promise<TransformersModule> = () => import("@huggingface/transformers"),
): Promise<TransformersModule> {
  let t: TransformersModule;
  try {
    t = await importer();
  } catch (e) {
    throw transformersImportError(e);
  }
  t.env.allowRemoteModels = false;
  t.env.allowLocalModels = true;
  t.env.useFSCache = false;
  t.env.useBrowserCache = false;
  return t;
}

let loaded: Promise<TransformersModule> | undefined;

/**
 * `importTransformers()` once per process (a failed import is retried on the next call).
 *
 * @example
 * ```ts
 * import { loadTransformers } from "@sentrl/onnx";
 * const { env } = await loadTransformers();
 * console.log(env.allowRemoteModels); // → false
 * ```
 */
export function loadTransformers(): Promise<TransformersModule> {
  if (!loaded)
    loaded = importTransformers().catch((e) => {
      loaded = undefined;
      throw e;
    });
  return loaded;
}

/**
 * Runs a transformers.js `from_pretrained` for a local folder; a failure that is not already coded (an unsupported
 * `model_type`, a broken file) becomes `ONNX_BAD_MODEL` naming the folder.
 */
export async function fromPretrained<T>(what: string, dir: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    if ((e as { code?: unknown })?.code && e instanceof SentrlError) throw e;
    throw new SentrlError(
      "ONNX_BAD_MODEL",
      `cannot load ${what} from ${dir}: ${String((e as Error)?.message ?? e).split("\n")[0]}`,
      {
        cause: e,
      },
    );
  }
}

/**
 * Checks a local Hugging Face model folder for ONNX use and returns its absolute path (transformers.js treats
 * relative `owner/name` strings as Hub ids, so paths are always made absolute). Needs `config.json` and
 * `onnx/model.onnx`.
 */
export function localOnnxModelDir(dir: string, what = "model"): string {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory())
    throw new SentrlError(
      "ONNX_MODEL_NOT_FOUND",
      `${what} folder ${dir} does not exist (a local folder is needed: no downloads)`,
    );
  for (const f of ["config.json", join("onnx", "model.onnx")])
    if (!existsSync(join(abs, f)))
      throw new SentrlError(
        "ONNX_MODEL_NOT_FOUND",
        `${what} folder ${dir} has no ${f} (Hugging Face ONNX layout: config.json, tokenizer files, onnx/model.onnx)`,
      );
  return abs;
}

/**
 * Options every local `from_pretrained` call uses: local files, float32 weights, CPU, and ONNX Runtime's thread pool
 * without busy-waiting (`session.intra_op.allow_spinning = 0`). sentrl runs these models beside training and other
 * CPU work; spinning threads then fight for cores (on a loaded 2-core machine NLI batches ran 2-3x faster without).
 */
export const LOCAL_PRETRAINED = {
  local_files_only: true,
  dtype: "fp32",
  device: "cpu",
  session_options: { extra: { session: { intra_op: { allow_spinning: "0" }, inter_op: { allow_spinning: "0" } } } },
} as const;
