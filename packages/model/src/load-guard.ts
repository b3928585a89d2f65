import { statSync } from "node:fs";
import { totalmem } from "node:os";
import { join } from "node:path";
import type { ModelConfig } from "./config.js";
import { ModelError } from "./errors.js";
import { SafetensorsFile } from "./safetensors/read.js";
import { weightFiles } from "./weights.js";

// Resource limits checked before any allocation (docs/contracts.md §1): config.json's sizes against the weights
// file's header (read alone, a few KB), and the parameter memory against a limit; special files are refused.

/** Throws `MODEL_FILE_NOT_REGULAR` unless `path` is a regular file (a FIFO would block, a device never end). */
export function assertRegularFile(path: string): void {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) throw new ModelError("MODEL_FILES_MISSING", `${path} not found`);
  if (!st.isFile())
    throw new ModelError(
      "MODEL_FILE_NOT_REGULAR",
      `${path} is not a regular file (${st.isDirectory() ? "a directory" : st.isFIFO() ? "a FIFO" : "a device or socket"}); model files must be plain files`,
    );
}

/** Parameters of a config, by arithmetic (no tensor list: 10^7 layers cost nothing to count). */
export function parameterCount(cfg: ModelConfig): number {
  const { hiddenSize: H, intermediateSize: I, headDim: hd, numHeads: nh, numKvHeads: nkv, vocabSize: V } = cfg;
  const perLayer =
    2 * H + nh * hd * H + 2 * nkv * hd * H + H * nh * hd + 3 * I * H + (cfg.attentionBias ? (nh + 2 * nkv) * hd : 0);
  return V * H * (cfg.tieWordEmbeddings ? 1 : 2) + cfg.numLayers * perLayer + H;
}

/** The parameter-memory limit: `SENTRL_MAX_MODEL_BYTES` when set, else this machine's total memory. */
export function maxModelBytes(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.SENTRL_MAX_MODEL_BYTES;
  if (v !== undefined && v !== "") {
    const n = Number(v);
    if (!(n > 0))
      throw new ModelError(
        "MODEL_BAD_ARGUMENT",
        `SENTRL_MAX_MODEL_BYTES must be a positive number of bytes, got \`${v.slice(0, 40)}\``,
      );
    return n;
  }
  return totalmem();
}

const gb = (b: number) => `${(b / 2 ** 30).toPrecision(3)} GiB`;

/**
 * Checks, before anything is allocated, that the weights in `dir` match `cfg` (layer count, vocabulary and hidden
 * size, from the safetensors headers only: `MODEL_WEIGHT_MISSING`, `MODEL_WEIGHT_UNEXPECTED`, `MODEL_WEIGHT_SHAPE`) and that the float32 parameters fit the limit
 * (`MODEL_TOO_LARGE`; `SENTRL_MAX_MODEL_BYTES` overrides it).
 *
 * @example
 * ```ts
 * checkModelFits("models/Qwen2.5-0.5B", readModelConfig("models/Qwen2.5-0.5B"));
 * ```
 */
export function checkModelFits(dir: string, cfg: ModelConfig, options: { maxBytes?: number } = {}): void {
  const files = weightFiles(dir);
  const shapes = new Map<string, number[]>();
  for (const file of typeof files === "string" ? [files] : new Set(files.values())) {
    const path = join(dir, file);
    assertRegularFile(path);
    const f = SafetensorsFile.open(path);
    try {
      for (const name of f.names()) shapes.set(name, f.info(name)?.shape ?? []);
    } finally {
      f.close();
    }
  }
  let layers = 0;
  for (const name of shapes.keys()) {
    const m = /^model\.layers\.(\d+)\./.exec(name);
    if (m) layers = Math.max(layers, Number(m[1]) + 1);
  }
  // The codes readCheckpoint would give after allocating (MODEL_WEIGHT_MISSING / _UNEXPECTED / _SHAPE), given first.
  const mismatch = (code: string, what: string, cfgValue: number, weights: number) =>
    new ModelError(
      code,
      `${join(dir, "config.json")}: ${what} is ${cfgValue} but the weights have ${weights}; the config does not belong to these weights`,
    );
  if (layers < cfg.numLayers) throw mismatch("MODEL_WEIGHT_MISSING", "num_hidden_layers", cfg.numLayers, layers);
  if (layers > cfg.numLayers) throw mismatch("MODEL_WEIGHT_UNEXPECTED", "num_hidden_layers", cfg.numLayers, layers);
  const embed = shapes.get("model.embed_tokens.weight");
  if (embed && embed.length === 2) {
    if (embed[0] !== cfg.vocabSize) throw mismatch("MODEL_WEIGHT_SHAPE", "vocab_size", cfg.vocabSize, embed[0]);
    if (embed[1] !== cfg.hiddenSize) throw mismatch("MODEL_WEIGHT_SHAPE", "hidden_size", cfg.hiddenSize, embed[1]);
  }
  const gate = shapes.get("model.layers.0.mlp.gate_proj.weight");
  if (gate && gate.length === 2 && gate[0] !== cfg.intermediateSize)
    throw mismatch("MODEL_WEIGHT_SHAPE", "intermediate_size", cfg.intermediateSize, gate[0]);
  const bytes = 4 * parameterCount(cfg);
  const limit = options.maxBytes ?? maxModelBytes();
  if (bytes > limit)
    throw new ModelError(
      "MODEL_TOO_LARGE",
      `${dir}: the parameters need ${gb(bytes)} as float32, more than the ${gb(limit)} limit (this machine's memory unless SENTRL_MAX_MODEL_BYTES is set); set SENTRL_MAX_MODEL_BYTES=<bytes> to allow it`,
    );
}

/** Largest weight magnitude accepted: beyond it float32 activations overflow in the first layer. */
export const MAX_WEIGHT_MAGNITUDE = 1e18;

/** Throws `MODEL_WEIGHTS_NOT_FINITE` at the first NaN, ±Infinity or |w| > 1e18 in a tensor. */
export function assertFiniteWeights(name: string, data: Float32Array, source: string): void {
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (!(Math.abs(x) <= MAX_WEIGHT_MAGNITUDE)) {
      throw new ModelError(
        "MODEL_WEIGHTS_NOT_FINITE",
        `${source}: tensor \`${name}\` holds ${x} at index ${i} (weights must be finite and at most ${MAX_WEIGHT_MAGNITUDE} in magnitude); the checkpoint is corrupt or diverged`,
      );
    }
  }
}
