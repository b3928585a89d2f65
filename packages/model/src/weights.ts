import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ModelConfig } from "./config.js";
import { ModelError } from "./errors.js";
import { SafetensorsFile } from "./safetensors/read.js";

/** One parameter tensor of the decoder: its Hugging Face name and shape. */
export interface ParamSpec {
  name: string;
  shape: number[];
}

/** Every parameter the config implies, in Hugging Face names and `[out, in]` shapes, embeddings first. */
export function parameterSpecs(cfg: ModelConfig): ParamSpec[] {
  const { hiddenSize: H, intermediateSize: I, headDim: hd, numHeads: nh, numKvHeads: nkv, vocabSize: V } = cfg;
  const specs: ParamSpec[] = [{ name: "model.embed_tokens.weight", shape: [V, H] }];
  for (let l = 0; l < cfg.numLayers; l++) {
    const p = `model.layers.${l}.`;
    specs.push({ name: `${p}input_layernorm.weight`, shape: [H] });
    specs.push({ name: `${p}self_attn.q_proj.weight`, shape: [nh * hd, H] });
    if (cfg.attentionBias) specs.push({ name: `${p}self_attn.q_proj.bias`, shape: [nh * hd] });
    specs.push({ name: `${p}self_attn.k_proj.weight`, shape: [nkv * hd, H] });
    if (cfg.attentionBias) specs.push({ name: `${p}self_attn.k_proj.bias`, shape: [nkv * hd] });
    specs.push({ name: `${p}self_attn.v_proj.weight`, shape: [nkv * hd, H] });
    if (cfg.attentionBias) specs.push({ name: `${p}self_attn.v_proj.bias`, shape: [nkv * hd] });
    specs.push({ name: `${p}self_attn.o_proj.weight`, shape: [H, nh * hd] });
    specs.push({ name: `${p}post_attention_layernorm.weight`, shape: [H] });
    specs.push({ name: `${p}mlp.gate_proj.weight`, shape: [I, H] });
    specs.push({ name: `${p}mlp.up_proj.weight`, shape: [I, H] });
    specs.push({ name: `${p}mlp.down_proj.weight`, shape: [H, I] });
  }
  specs.push({ name: "model.norm.weight", shape: [H] });
  if (!cfg.tieWordEmbeddings) specs.push({ name: "lm_head.weight", shape: [V, H] });
  return specs;
}

/** Tensors that may appear in checkpoints and are ignored (recomputed buffers, a redundant tied head). */
function ignorable(name: string, cfg: ModelConfig): boolean {
  return /\.rotary_emb\.inv_freq$/.test(name) || (cfg.tieWordEmbeddings && name === "lm_head.weight");
}

/** Maps each tensor name to the safetensors file holding it (single file or sharded index). */
export function weightFiles(dir: string): Map<string, string> | string {
  const single = join(dir, "model.safetensors");
  const index = join(dir, "model.safetensors.index.json");
  if (existsSync(index)) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(index, "utf8"));
    } catch (e) {
      throw new ModelError("MODEL_SHARD_INDEX_INVALID", `${index} is not valid JSON: ${(e as Error).message}`);
    }
    const wm = (json as { weight_map?: unknown } | null)?.weight_map;
    if (wm === null || typeof wm !== "object" || Array.isArray(wm)) throw new ModelError("MODEL_SHARD_INDEX_INVALID", `${index}: missing \`weight_map\` object`);
    const map = new Map<string, string>();
    for (const [name, file] of Object.entries(wm as Record<string, unknown>)) {
      if (typeof file !== "string" || !/^[\w.-]+\.safetensors$/.test(file) || file.startsWith(".")) {
        throw new ModelError("MODEL_SHARD_INDEX_INVALID", `${index}: weight_map[\`${name}\`] = ${JSON.stringify(file)} is not a safetensors file name in the model folder`);
      }
      map.set(name, file);
    }
    return map;
  }
  if (existsSync(single)) return "model.safetensors";
  throw new ModelError("MODEL_FILES_MISSING", `${dir}: no model.safetensors or model.safetensors.index.json (only safetensors checkpoints are supported)`);
}

/**
 * Reads every parameter of `cfg` from the safetensors checkpoint in `dir` (single file or sharded), as float32,
 * validating names, shapes and dtypes. `onTensor` receives each tensor as soon as it is read (so a caller can
 * upload and drop it); the function returns nothing else.
 */
export function readCheckpoint(dir: string, cfg: ModelConfig, onTensor: (spec: ParamSpec, data: Float32Array) => void): void {
  const files = weightFiles(dir);
  const opened = new Map<string, SafetensorsFile>();
  const open = (file: string): SafetensorsFile => {
    let f = opened.get(file);
    if (!f) {
      const path = join(dir, file);
      if (!existsSync(path)) throw new ModelError("MODEL_FILES_MISSING", `${path} is missing (listed in the shard index)`);
      f = SafetensorsFile.open(path);
      opened.set(file, f);
    }
    return f;
  };
  try {
    const specs = parameterSpecs(cfg);
    const expected = new Set(specs.map((s) => s.name));
    // Unexpected tensors: a different architecture or config mismatch.
    const allNames: [string, string][] = typeof files === "string" ? open(files).names().map((n) => [n, files]) : [...files.entries()];
    for (const [name] of allNames) {
      if (!expected.has(name) && !ignorable(name, cfg)) {
        throw new ModelError("MODEL_WEIGHT_UNEXPECTED", `${dir}: tensor \`${name}\` is not part of a ${cfg.modelType} model with this config.json (wrong architecture, num_hidden_layers or tie_word_embeddings?)`);
      }
    }
    for (const spec of specs) {
      const file = typeof files === "string" ? files : files.get(spec.name);
      if (file === undefined) throw new ModelError("MODEL_WEIGHT_MISSING", `${dir}: tensor \`${spec.name}\` is not in the shard index`);
      const f = open(file);
      const info = f.info(spec.name);
      if (!info) {
        throw new ModelError(
          typeof files === "string" ? "MODEL_WEIGHT_MISSING" : "MODEL_SHARD_INDEX_INVALID",
          `${join(dir, file)}: tensor \`${spec.name}\` is missing${typeof files === "string" ? "" : " (the shard index points here)"}`,
        );
      }
      if (info.shape.length !== spec.shape.length || info.shape.some((d, i) => d !== spec.shape[i])) {
        throw new ModelError("MODEL_WEIGHT_SHAPE", `${join(dir, file)}: tensor \`${spec.name}\` has shape [${info.shape.join(", ")}], config.json implies [${spec.shape.join(", ")}]`);
      }
      onTensor(spec, f.readFloat32(spec.name));
    }
  } finally {
    for (const f of opened.values()) f.close();
  }
}
