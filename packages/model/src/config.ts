import { ModelError } from "./errors.js";

/** The decoder's shape and constants, read from a Hugging Face `config.json` (camelCase here). */
export interface ModelConfig {
  /** `"qwen2"` or `"llama"` (same block; llama has no q/k/v biases unless `attention_bias`). */
  modelType: "qwen2" | "llama";
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  vocabSize: number;
  rmsNormEps: number;
  ropeTheta: number;
  tieWordEmbeddings: boolean;
  /** q/k/v projections carry biases (always for qwen2). */
  attentionBias: boolean;
  maxPositionEmbeddings: number;
  torchDtype?: string;
  bosTokenId?: number;
  eosTokenId?: number | number[];
}

const ARCHITECTURES: Record<string, string> = { qwen2: "Qwen2ForCausalLM", llama: "LlamaForCausalLM" };

/**
 * Parses and validates a Hugging Face `config.json` object. Supports `model_type` `qwen2` and `llama` with SiLU
 * MLPs; `rope_scaling`, an enabled sliding window, MLP biases, other activations or architectures are coded errors.
 *
 * @example
 * ```ts
 * import { parseModelConfig } from "@sentrl/model";
 * const cfg = parseModelConfig({ model_type: "qwen2", hidden_size: 896, intermediate_size: 4864, num_hidden_layers: 24,
 *   num_attention_heads: 14, num_key_value_heads: 2, vocab_size: 151936, tie_word_embeddings: true });
 * cfg.headDim; // 64
 * ```
 */
export function parseModelConfig(raw: unknown, source = "config.json"): ModelConfig {
  const invalid = (msg: string) => new ModelError("MODEL_CONFIG_INVALID", `${source}: ${msg}`);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw invalid("must be a JSON object");
  const c = raw as Record<string, unknown>;
  const modelType = c.model_type;
  if (modelType !== "qwen2" && modelType !== "llama") {
    throw new ModelError("MODEL_UNSUPPORTED_ARCHITECTURE", `${source}: model_type ${JSON.stringify(modelType)} is not supported; supported: qwen2 (Qwen2/Qwen2.5), llama`);
  }
  if (c.architectures !== undefined) {
    const a = c.architectures;
    if (!Array.isArray(a) || a.length !== 1 || a[0] !== ARCHITECTURES[modelType]) {
      throw new ModelError("MODEL_UNSUPPORTED_ARCHITECTURE", `${source}: architectures ${JSON.stringify(a)} is not supported; expected ["${ARCHITECTURES[modelType]}"] (a causal LM)`);
    }
  }
  if (c.rope_scaling !== undefined && c.rope_scaling !== null) {
    throw new ModelError("MODEL_UNSUPPORTED_ROPE_SCALING", `${source}: rope_scaling ${JSON.stringify(c.rope_scaling)} is not supported; only plain RoPE (rope_scaling: null)`);
  }
  if (c.use_sliding_window === true) {
    throw new ModelError("MODEL_UNSUPPORTED_SLIDING_WINDOW", `${source}: use_sliding_window is true; sliding-window attention is not supported (set it to false only if the model was trained without it)`);
  }
  if (c.hidden_act !== undefined && c.hidden_act !== "silu") throw new ModelError("MODEL_UNSUPPORTED_ARCHITECTURE", `${source}: hidden_act ${JSON.stringify(c.hidden_act)} is not supported; only silu`);
  if (c.mlp_bias === true) throw new ModelError("MODEL_UNSUPPORTED_ARCHITECTURE", `${source}: mlp_bias is not supported`);
  if (c.pretraining_tp !== undefined && c.pretraining_tp !== 1) throw new ModelError("MODEL_UNSUPPORTED_ARCHITECTURE", `${source}: pretraining_tp ${JSON.stringify(c.pretraining_tp)} is not supported; only 1`);

  const int = (key: string, fallback?: number): number => {
    const v = c[key] ?? fallback;
    if (v === undefined) throw invalid(`missing required field \`${key}\``);
    if (!Number.isSafeInteger(v) || (v as number) <= 0) throw invalid(`\`${key}\` must be a positive integer, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const num = (key: string, fallback: number): number => {
    const v = c[key] ?? fallback;
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) throw invalid(`\`${key}\` must be a positive number, got ${JSON.stringify(v)}`);
    return v;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const v = c[key] ?? fallback;
    if (typeof v !== "boolean") throw invalid(`\`${key}\` must be true or false, got ${JSON.stringify(v)}`);
    return v;
  };
  const hiddenSize = int("hidden_size");
  const numHeads = int("num_attention_heads");
  const numKvHeads = int("num_key_value_heads", numHeads);
  if (hiddenSize % numHeads !== 0) throw invalid(`hidden_size ${hiddenSize} is not a multiple of num_attention_heads ${numHeads}`);
  const headDim = hiddenSize / numHeads;
  if (c.head_dim !== undefined && c.head_dim !== null && c.head_dim !== headDim) {
    throw new ModelError("MODEL_UNSUPPORTED_ARCHITECTURE", `${source}: head_dim ${JSON.stringify(c.head_dim)} differs from hidden_size / num_attention_heads = ${headDim}; not supported`);
  }
  if (headDim % 2 !== 0) throw invalid(`head dimension ${headDim} must be even for RoPE`);
  if (numHeads % numKvHeads !== 0) throw invalid(`num_attention_heads ${numHeads} is not a multiple of num_key_value_heads ${numKvHeads}`);
  const eos = c.eos_token_id;
  if (eos !== undefined && eos !== null && !Number.isSafeInteger(eos) && !(Array.isArray(eos) && eos.every(Number.isSafeInteger))) throw invalid(`eos_token_id must be an integer or a list of integers`);
  const bos = c.bos_token_id;
  if (bos !== undefined && bos !== null && !Number.isSafeInteger(bos)) throw invalid(`bos_token_id must be an integer`);
  const cfg: ModelConfig = {
    modelType,
    hiddenSize,
    intermediateSize: int("intermediate_size"),
    numLayers: int("num_hidden_layers"),
    numHeads,
    numKvHeads,
    headDim,
    vocabSize: int("vocab_size"),
    rmsNormEps: num("rms_norm_eps", 1e-6),
    ropeTheta: num("rope_theta", 10000),
    tieWordEmbeddings: bool("tie_word_embeddings", false),
    attentionBias: modelType === "qwen2" ? true : bool("attention_bias", false),
    maxPositionEmbeddings: int("max_position_embeddings", 32768),
  };
  if (typeof c.torch_dtype === "string") cfg.torchDtype = c.torch_dtype;
  if (typeof bos === "number") cfg.bosTokenId = bos;
  if (typeof eos === "number" || Array.isArray(eos)) cfg.eosTokenId = eos as number | number[];
  return cfg;
}

/** The Hugging Face `config.json` object for a config (what `saveModel` writes). */
export function toHfConfig(cfg: ModelConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {
    architectures: [ARCHITECTURES[cfg.modelType]],
    model_type: cfg.modelType,
    hidden_act: "silu",
    hidden_size: cfg.hiddenSize,
    intermediate_size: cfg.intermediateSize,
    num_hidden_layers: cfg.numLayers,
    num_attention_heads: cfg.numHeads,
    num_key_value_heads: cfg.numKvHeads,
    vocab_size: cfg.vocabSize,
    rms_norm_eps: cfg.rmsNormEps,
    rope_theta: cfg.ropeTheta,
    rope_scaling: null,
    tie_word_embeddings: cfg.tieWordEmbeddings,
    max_position_embeddings: cfg.maxPositionEmbeddings,
  };
  if (cfg.modelType === "qwen2") out.use_sliding_window = false;
  else out.attention_bias = cfg.attentionBias;
  if (cfg.torchDtype) out.torch_dtype = cfg.torchDtype;
  if (cfg.bosTokenId !== undefined) out.bos_token_id = cfg.bosTokenId;
  if (cfg.eosTokenId !== undefined) out.eos_token_id = cfg.eosTokenId;
  return out;
}
