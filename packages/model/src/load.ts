import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Backend, createDefaultBackend } from "@sentrl/compute";
import { type ModelConfig, parseModelConfig, toHfConfig } from "./config.js";
import { DecoderModel } from "./decoder.js";
import { assertFiniteWeights, assertRegularFile, checkModelFits } from "./load-guard.js";
import { ModelError } from "./errors.js";
import type { FloatDtype } from "./safetensors/dtype.js";
import { SafetensorsFile } from "./safetensors/read.js";
import { type TensorToWrite, writeFileAtomic, writeSafetensors } from "./safetensors/write.js";
import { parameterSpecs, readCheckpoint } from "./weights.js";

/** Options of `loadModel`. */
export interface LoadModelOptions {
  /**
   * Where the parameters live. Default: `createDefaultBackend()` from `@sentrl/compute`: the fast CPU backend
   * (native AVX2/FMA kernels) when it loads, else the TypeScript reference with one warning.
   */
  backend?: Backend;
  /** Largest float32 parameter memory accepted (default: `SENTRL_MAX_MODEL_BYTES`, else the machine's memory). */
  maxBytes?: number;
}

/** Reads and validates `<dir>/config.json`. */
export function readModelConfig(dir: string): ModelConfig {
  const path = join(dir, "config.json");
  if (!existsSync(path)) throw new ModelError("MODEL_FILES_MISSING", `${path} not found: a model is a Hugging Face model folder with config.json and safetensors weights`);
  assertRegularFile(path);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ModelError("MODEL_CONFIG_INVALID", `${path} is not valid JSON: ${(e as Error).message}`);
  }
  return parseModelConfig(raw, path);
}

/**
 * Loads a Hugging Face Qwen2-family model folder (`config.json` + `model.safetensors` or a sharded
 * `model.safetensors.index.json`; F32, F16 or BF16 weights) onto a backend. Tokenizer files are not needed.
 *
 * @example
 * ```ts
 * import { loadModel } from "@sentrl/model";
 * const model = await loadModel("models/Qwen2.5-0.5B");
 * const { logp } = model.score([[9707, 11, 1879]]);
 * ```
 */
export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<DecoderModel> {
  const config = readModelConfig(dir);
  // Sizes against the weights' headers and the memory limit, before anything is allocated.
  checkModelFits(dir, config, { maxBytes: options.maxBytes });
  const backend = options.backend ?? (await createDefaultBackend());
  const model = DecoderModel.empty(config, backend);
  try {
    readCheckpoint(dir, config, (spec, data) => {
      assertFiniteWeights(spec.name, data, dir);
      model.setParameter(spec.name, data);
    });
  } catch (e) {
    model.dispose();
    throw e;
  }
  model.link();
  return model;
}

/** Options of `saveModel`. */
export interface SaveModelOptions {
  /** Storage dtype of the weights (default F32). */
  dtype?: FloatDtype;
}

/**
 * Writes a model as a Hugging Face folder: `config.json` and `model.safetensors` (atomic writes), loadable by
 * `loadModel` and by `transformers`.
 *
 * @example
 * ```ts
 * import { saveModel } from "@sentrl/model";
 * await saveModel(model, "checkpoints/step-100", { dtype: "BF16" });
 * ```
 */
export async function saveModel(model: DecoderModel, dir: string, options: SaveModelOptions = {}): Promise<void> {
  const dtype = options.dtype ?? "F32";
  mkdirSync(dir, { recursive: true });
  const tensors: Record<string, TensorToWrite> = {};
  for (const spec of parameterSpecs(model.config)) tensors[spec.name] = { data: model.getParameter(spec.name), shape: spec.shape, dtype };
  writeSafetensors(join(dir, "model.safetensors"), tensors, { format: "pt" });
  const torchDtype = { F32: "float32", F16: "float16", BF16: "bfloat16" }[dtype];
  writeFileAtomic(join(dir, "config.json"), [Buffer.from(`${JSON.stringify({ ...toHfConfig(model.config), torch_dtype: torchDtype }, null, 2)}\n`)]);
}

/** File name of the AdamW state written by `saveOptimizerState`. */
export const OPTIMIZER_FILE = "optimizer.safetensors";

/**
 * Writes the AdamW state (first and second moments of every parameter as `<name>.exp_avg` / `<name>.exp_avg_sq`,
 * F32, and the step count in the metadata) to `<dir>/optimizer.safetensors`, atomically.
 */
export async function saveOptimizerState(model: DecoderModel, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const moments = model.optimizerMoments();
  const tensors: Record<string, TensorToWrite> = {};
  for (const spec of parameterSpecs(model.config)) {
    const mv = moments.get(spec.name);
    if (!mv) continue;
    tensors[`${spec.name}.exp_avg`] = { data: model.backend.download(mv.m), shape: spec.shape };
    tensors[`${spec.name}.exp_avg_sq`] = { data: model.backend.download(mv.v), shape: spec.shape };
  }
  writeSafetensors(join(dir, OPTIMIZER_FILE), tensors, { format: "sentrl-adamw", step: String(model.optimizerStep) });
}

/** Restores the AdamW state written by `saveOptimizerState` (names, shapes and the step count are validated). */
export async function loadOptimizerState(model: DecoderModel, dir: string): Promise<void> {
  const path = join(dir, OPTIMIZER_FILE);
  if (!existsSync(path)) throw new ModelError("MODEL_FILES_MISSING", `${path} not found (no optimiser state was saved there)`);
  const f = SafetensorsFile.open(path);
  try {
    const step = Number(f.header.metadata.step);
    if (f.header.metadata.format !== "sentrl-adamw" || !Number.isSafeInteger(step) || step < 0) {
      throw new ModelError("MODEL_OPTIMIZER_STATE_INVALID", `${path}: metadata must have format "sentrl-adamw" and an integer step`);
    }
    const moments = model.optimizerMoments();
    const expected = new Set<string>();
    for (const spec of parameterSpecs(model.config)) {
      for (const [suffix, key] of [
        ["exp_avg", "m"],
        ["exp_avg_sq", "v"],
      ] as const) {
        const name = `${spec.name}.${suffix}`;
        expected.add(name);
        const info = f.info(name);
        if (!info) throw new ModelError("MODEL_OPTIMIZER_STATE_INVALID", `${path}: tensor \`${name}\` is missing`);
        if (info.shape.join(",") !== spec.shape.join(",")) throw new ModelError("MODEL_OPTIMIZER_STATE_INVALID", `${path}: tensor \`${name}\` has shape [${info.shape.join(", ")}], expected [${spec.shape.join(", ")}]`);
        const mv = moments.get(spec.name);
        if (mv) model.backend.upload(mv[key], f.readFloat32(name));
      }
    }
    const extra = f.names().find((n) => !expected.has(n));
    if (extra) throw new ModelError("MODEL_OPTIMIZER_STATE_INVALID", `${path}: unexpected tensor \`${extra}\` (saved for a different model?)`);
    model.setOptimizerStep(step);
  } finally {
    f.close();
  }
}

/**
 * Saves a training checkpoint: the Hugging Face model folder (`saveModel`, F32 by default so training resumes
 * exactly) plus `optimizer.safetensors`.
 */
export async function saveCheckpoint(model: DecoderModel, dir: string, options: SaveModelOptions = {}): Promise<void> {
  await saveModel(model, dir, options);
  await saveOptimizerState(model, dir);
}

/** Loads a checkpoint written by `saveCheckpoint` (the optimiser state when present, else a fresh optimiser). */
export async function loadCheckpoint(dir: string, options: LoadModelOptions = {}): Promise<DecoderModel> {
  const model = await loadModel(dir, options);
  if (existsSync(join(dir, OPTIMIZER_FILE))) {
    try {
      await loadOptimizerState(model, dir);
    } catch (e) {
      model.dispose();
      throw e;
    }
  }
  return model;
}
