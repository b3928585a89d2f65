import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Backend, createReferenceBackend } from "@sentrl/compute";
import { type ModelConfig, parseModelConfig, toHfConfig } from "./config.js";
import { DecoderModel } from "./decoder.js";
import { ModelError } from "./errors.js";
import type { FloatDtype } from "./safetensors/dtype.js";
import { type TensorToWrite, writeFileAtomic, writeSafetensors } from "./safetensors/write.js";
import { parameterSpecs, readCheckpoint } from "./weights.js";

/** Options of `loadModel`. */
export interface LoadModelOptions {
  /** Where the parameters live (default: the TypeScript reference backend). */
  backend?: Backend;
}

/** Reads and validates `<dir>/config.json`. */
export function readModelConfig(dir: string): ModelConfig {
  const path = join(dir, "config.json");
  if (!existsSync(path)) throw new ModelError("MODEL_FILES_MISSING", `${path} not found: --model must be a Hugging Face model folder with config.json and safetensors weights`);
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
  const backend = options.backend ?? createReferenceBackend();
  const model = DecoderModel.empty(config, backend);
  try {
    readCheckpoint(dir, config, (spec, data) => model.setParameter(spec.name, data));
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
