import type { Backend, DeviceBuffer } from "@sentrl/compute";
import type { ModelConfig } from "./config.js";
import { ModelError } from "./errors.js";
import { parameterSpecs } from "./weights.js";

/** Options of `DecoderModel.score`. */
export interface ScoreOptions {
  /** Sampling temperature the logits are divided by (default 1). */
  temperature?: number;
  /** Rows per forward pass (default 8). Results do not depend on it. */
  batchSize?: number;
}

/** Per-row next-token statistics: `logp[i][t] = log p(tokens[i][t+1] | tokens[i][..t])`, `entropy[i][t]` likewise. */
export interface ScoreResult {
  logp: Float32Array[];
  entropy: Float32Array[];
}

interface LayerParams {
  ln1: DeviceBuffer;
  wq: DeviceBuffer;
  bq?: DeviceBuffer;
  wk: DeviceBuffer;
  bk?: DeviceBuffer;
  wv: DeviceBuffer;
  bv?: DeviceBuffer;
  wo: DeviceBuffer;
  ln2: DeviceBuffer;
  wg: DeviceBuffer;
  wu: DeviceBuffer;
  wd: DeviceBuffer;
}

/** Checks that `tokens` is a list of integer rows inside the vocabulary. */
export function validateTokens(tokens: unknown, vocabSize: number): asserts tokens is number[][] {
  if (!Array.isArray(tokens)) throw new ModelError("MODEL_BAD_TOKENS", "tokens must be an array of rows of token ids");
  tokens.forEach((row, i) => {
    if (!Array.isArray(row)) throw new ModelError("MODEL_BAD_TOKENS", `tokens[${i}] must be an array of token ids`);
    row.forEach((id, t) => {
      if (!Number.isInteger(id)) throw new ModelError("MODEL_BAD_TOKENS", `tokens[${i}][${t}] = ${JSON.stringify(id)} is not an integer token id`);
      if (id < 0 || id >= vocabSize) throw new ModelError("MODEL_TOKEN_OUT_OF_RANGE", `tokens[${i}][${t}] = ${id} is outside the vocabulary [0, ${vocabSize}); was it made by this model's tokenizer?`);
    });
  });
}

/**
 * A Qwen2-family decoder (ALGORITHMS §15) whose parameters live in a Backend's buffers. Built by `loadModel`
 * (from a Hugging Face folder) or `DecoderModel.fromTensors`.
 *
 * @example
 * ```ts
 * import { createReferenceBackend } from "@sentrl/compute";
 * import { loadModel } from "@sentrl/model";
 * const model = await loadModel("path/to/qwen2", { backend: createReferenceBackend() });
 * const { logp, entropy } = model.score([[1, 2, 3], [4, 5]], { temperature: 1 });
 * logp[0].length; // 2
 * ```
 */
export class DecoderModel {
  private readonly params = new Map<string, DeviceBuffer>();
  private readonly layers: LayerParams[] = [];
  private disposed = false;

  private constructor(
    readonly config: ModelConfig,
    readonly backend: Backend,
  ) {}

  /**
   * Builds a model from float32 tensors by Hugging Face name (every name `parameterSpecs(config)` lists, with
   * matching sizes). `lm_head.weight` is omitted for tied embeddings.
   */
  static fromTensors(config: ModelConfig, tensors: Map<string, Float32Array> | Record<string, Float32Array>, backend: Backend): DecoderModel {
    const get = (name: string) => (tensors instanceof Map ? tensors.get(name) : tensors[name]);
    const m = DecoderModel.empty(config, backend);
    for (const spec of parameterSpecs(config)) {
      const data = get(spec.name);
      if (!data) throw new ModelError("MODEL_WEIGHT_MISSING", `tensor \`${spec.name}\` is missing`);
      m.setParameter(spec.name, data);
    }
    m.link();
    return m;
  }

  /** @internal A model with allocated, zero parameters (the loader fills them with `setParameter`, then `link`). */
  static empty(config: ModelConfig, backend: Backend): DecoderModel {
    const m = new DecoderModel(config, backend);
    for (const spec of parameterSpecs(config)) m.params.set(spec.name, backend.alloc(spec.shape.reduce((a, d) => a * d, 1)));
    return m;
  }

  /** @internal Resolves the per-layer handles once every parameter is set. */
  link(): void {
    const p = (n: string) => this.buffer(n);
    const bias = (n: string) => (this.config.attentionBias ? p(n) : undefined);
    this.layers.length = 0;
    for (let l = 0; l < this.config.numLayers; l++) {
      const pre = `model.layers.${l}.`;
      this.layers.push({
        ln1: p(`${pre}input_layernorm.weight`),
        wq: p(`${pre}self_attn.q_proj.weight`),
        bq: bias(`${pre}self_attn.q_proj.bias`),
        wk: p(`${pre}self_attn.k_proj.weight`),
        bk: bias(`${pre}self_attn.k_proj.bias`),
        wv: p(`${pre}self_attn.v_proj.weight`),
        bv: bias(`${pre}self_attn.v_proj.bias`),
        wo: p(`${pre}self_attn.o_proj.weight`),
        ln2: p(`${pre}post_attention_layernorm.weight`),
        wg: p(`${pre}mlp.gate_proj.weight`),
        wu: p(`${pre}mlp.up_proj.weight`),
        wd: p(`${pre}mlp.down_proj.weight`),
      });
    }
  }

  private buffer(name: string): DeviceBuffer {
    const b = this.params.get(name);
    if (!b) throw new ModelError("MODEL_WEIGHT_MISSING", `no parameter \`${name}\``);
    return b;
  }

  /** Parameter names in Hugging Face order. */
  parameterNames(): string[] {
    return [...this.params.keys()];
  }

  /** Copies a parameter's values to the host. */
  getParameter(name: string): Float32Array {
    return this.backend.download(this.buffer(name));
  }

  /** Overwrites a parameter (same number of values). */
  setParameter(name: string, data: Float32Array): void {
    const b = this.buffer(name);
    if (data.length !== b.length) throw new ModelError("MODEL_WEIGHT_SHAPE", `tensor \`${name}\` has ${data.length} values, expected ${b.length}`);
    this.backend.upload(b, data);
  }

  /**
   * Next-token log-probs and entropies of every row at `temperature` (CONTRACTS §6): rows may differ in length,
   * a row of length 0 or 1 gives empty arrays, and a row's values do not depend on the other rows.
   */
  score(tokens: number[][], options: ScoreOptions = {}): ScoreResult {
    this.checkAlive();
    const temperature = options.temperature ?? 1;
    if (typeof temperature !== "number" || !(temperature > 0) || !Number.isFinite(temperature)) throw new ModelError("MODEL_BAD_ARGUMENT", `temperature must be a positive finite number, got ${temperature}`);
    const batchSize = options.batchSize ?? 8;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ModelError("MODEL_BAD_ARGUMENT", `batchSize must be a positive integer, got ${batchSize}`);
    validateTokens(tokens, this.config.vocabSize);
    const logp: Float32Array[] = tokens.map((r) => new Float32Array(Math.max(0, r.length - 1)));
    const entropy: Float32Array[] = tokens.map((r) => new Float32Array(Math.max(0, r.length - 1)));
    // Longest first, so each forward pass pads little; rows of length < 2 need no forward pass.
    const order = tokens
      .map((_row, i) => i)
      .filter((i) => tokens[i].length >= 2)
      .sort((a, b) => tokens[b].length - tokens[a].length || a - b);
    for (let s = 0; s < order.length; s += batchSize) {
      const idx = order.slice(s, s + batchSize);
      const out = this.forwardStats(
        idx.map((i) => tokens[i]),
        temperature,
      );
      idx.forEach((i, b) => {
        logp[i].set(out.logp[b]);
        entropy[i].set(out.entropy[b]);
      });
    }
    return { logp, entropy };
  }

  /** One padded forward pass over `rows` (right padding, key-padding mask, per-row positions from 0). */
  private forwardStats(rows: number[][], temperature: number): ScoreResult {
    const be = this.backend;
    const { hiddenSize: H, intermediateSize: I, numHeads: nh, numKvHeads: nkv, headDim: hd, vocabSize: V, rmsNormEps: eps, ropeTheta } = this.config;
    const B = rows.length;
    const T = Math.max(...rows.map((r) => r.length));
    const N = B * T;
    const ids = new Int32Array(N);
    const positions = new Int32Array(N);
    const keyMask = new Uint8Array(N);
    const targets = new Int32Array(N).fill(-1);
    rows.forEach((r, b) => {
      for (let t = 0; t < T; t++) {
        const i = b * T + t;
        positions[i] = t;
        if (t < r.length) {
          ids[i] = r[t];
          keyMask[i] = 1;
          if (t + 1 < r.length) targets[i] = r[t + 1];
        }
      }
    });
    const bufs: DeviceBuffer[] = [];
    const alloc = (n: number) => {
      const b = be.alloc(n);
      bufs.push(b);
      return b;
    };
    try {
      const x = alloc(N * H);
      const hn = alloc(N * H);
      const q = alloc(N * nh * hd);
      const k = alloc(N * nkv * hd);
      const v = alloc(N * nkv * hd);
      const att = alloc(N * nh * hd);
      const proj = alloc(N * H);
      const gate = alloc(N * I);
      const up = alloc(N * I);
      const lp = alloc(N);
      const ent = alloc(N);
      be.embeddingForward({ out: x, table: this.buffer("model.embed_tokens.weight"), ids, rows: N, dim: H, vocab: V });
      for (const L of this.layers) {
        be.rmsnormForward({ out: hn, x, weight: L.ln1, rows: N, dim: H, eps });
        be.matmulForward({ out: q, x: hn, w: L.wq, bias: L.bq, rows: N, inDim: H, outDim: nh * hd });
        be.matmulForward({ out: k, x: hn, w: L.wk, bias: L.bk, rows: N, inDim: H, outDim: nkv * hd });
        be.matmulForward({ out: v, x: hn, w: L.wv, bias: L.bv, rows: N, inDim: H, outDim: nkv * hd });
        be.ropeForward({ out: q, x: q, positions, rows: N, heads: nh, headDim: hd, theta: ropeTheta });
        be.ropeForward({ out: k, x: k, positions, rows: N, heads: nkv, headDim: hd, theta: ropeTheta });
        be.attentionForward({ out: att, q, k, v, batch: B, seqLen: T, heads: nh, kvHeads: nkv, headDim: hd, keyMask });
        be.matmulForward({ out: proj, x: att, w: L.wo, rows: N, inDim: nh * hd, outDim: H });
        be.residualForward({ out: x, a: x, b: proj, length: N * H });
        be.rmsnormForward({ out: hn, x, weight: L.ln2, rows: N, dim: H, eps });
        be.matmulForward({ out: gate, x: hn, w: L.wg, rows: N, inDim: H, outDim: I });
        be.matmulForward({ out: up, x: hn, w: L.wu, rows: N, inDim: H, outDim: I });
        be.swigluForward({ out: gate, gate, up, length: N * I });
        be.matmulForward({ out: proj, x: gate, w: L.wd, rows: N, inDim: I, outDim: H });
        be.residualForward({ out: x, a: x, b: proj, length: N * H });
      }
      be.rmsnormForward({ out: hn, x, weight: this.buffer("model.norm.weight"), rows: N, dim: H, eps });
      const head = this.buffer(this.config.tieWordEmbeddings ? "model.embed_tokens.weight" : "lm_head.weight");
      be.logitsStatsForward({ logp: lp, entropy: ent, h: hn, w: head, targets, rows: N, dim: H, vocab: V, temperature });
      const lpAll = be.download(lp);
      const entAll = be.download(ent);
      return {
        logp: rows.map((r, b) => lpAll.slice(b * T, b * T + r.length - 1)),
        entropy: rows.map((r, b) => entAll.slice(b * T, b * T + r.length - 1)),
      };
    } finally {
      for (const b of bufs) be.free(b);
    }
  }

  /** Frees every parameter buffer; the model cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    for (const b of this.params.values()) this.backend.free(b);
    this.params.clear();
    this.layers.length = 0;
    this.disposed = true;
  }

  private checkAlive(): void {
    if (this.disposed) throw new ModelError("MODEL_BAD_ARGUMENT", "the model was disposed");
  }
}
