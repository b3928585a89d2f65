import type { AdamWResult, Backend, DeviceBuffer } from "@sentrl/compute";
import { type Attend, blockForward, inferenceBuffers } from "./block.js";
import type { ModelConfig } from "./config.js";
import { ModelError } from "./errors.js";
import { type Activations, backwardTrain, forwardTrain, type ModelRefs, padBatch, releaseActivations, resolveRefs } from "./graph.js";
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


/** Options of `DecoderModel.step` (PyTorch AdamW defaults). */
export interface AdamWOptions {
  lr: number;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  eps?: number;
  /** Decoupled weight decay, default 0.01. */
  weightDecay?: number;
  /** Global-norm clipping threshold (none when absent). */
  maxGradNorm?: number;
  /** Tensors for which weight decay is 0 (e.g. `(n) => n.endsWith("norm.weight") || n.endsWith(".bias")`). */
  noDecay?: (name: string) => boolean;
}

/**
 * What `DecoderModel.forward` returns: per-row `logp`/`entropy` (length `row.length − 1`) and the saved activations
 * (opaque) for one `backward` or `release`.
 */
export class ForwardHandle {
  /** @internal */
  constructor(
    readonly logp: Float32Array[],
    readonly entropy: Float32Array[],
    /** @internal */
    readonly activations: Activations,
  ) {}
}

function checkTemperature(temperature: unknown): number {
  if (typeof temperature !== "number" || !(temperature > 0) || !Number.isFinite(temperature)) throw new ModelError("MODEL_BAD_ARGUMENT", `temperature must be a positive finite number, got ${temperature}`);
  return temperature;
}

function unpad(lpAll: Float32Array, entAll: Float32Array, lengths: number[], T: number): ScoreResult {
  return {
    logp: lengths.map((n, b) => lpAll.slice(b * T, b * T + Math.max(0, n - 1))),
    entropy: lengths.map((n, b) => entAll.slice(b * T, b * T + Math.max(0, n - 1))),
  };
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
 * A Qwen2-family decoder (docs/algorithms.md §15) whose parameters live in a Backend's buffers. Built by `loadModel`
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
  private refs: ModelRefs | undefined;
  private grads: Map<string, DeviceBuffer> | undefined;
  private gradRefs: ModelRefs | undefined;
  private moments: Map<string, { m: DeviceBuffer; v: DeviceBuffer }> | undefined;
  private stepCount = 0;
  private readonly live = new Set<ForwardHandle>();
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
    this.refs = resolveRefs(this.config, (n) => this.buffer(n));
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
   * Next-token log-probs and entropies of every row at `temperature` (docs/contracts.md §6): rows may differ in length,
   * a row of length 0 or 1 gives empty arrays, and a row's values do not depend on the other rows.
   */
  score(tokens: number[][], options: ScoreOptions = {}): ScoreResult {
    this.checkAlive();
    const temperature = checkTemperature(options.temperature ?? 1);
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

  /** One padded inference forward pass over `rows` (right padding, key-padding mask, per-row positions from 0). */
  private forwardStats(rows: number[][], temperature: number): ScoreResult {
    const be = this.backend;
    const P = this.linked();
    const { hiddenSize: H, numHeads: nh, numKvHeads: nkv, headDim: hd, vocabSize: V, rmsNormEps: eps } = this.config;
    const { batch: B, seqLen: T, rows: N, ids, positions, keyMask, targets } = padBatch(rows);
    const bufs: DeviceBuffer[] = [];
    const alloc = (n: number) => {
      const b = be.alloc(n);
      bufs.push(b);
      return b;
    };
    try {
      const b = inferenceBuffers(this.config, N, alloc);
      const { x, hn1: hn } = b;
      const lp = alloc(N);
      const ent = alloc(N);
      const attend: Attend = (_l, q, k, v, att) => be.attentionForward({ out: att, q, k, v, batch: B, seqLen: T, heads: nh, kvHeads: nkv, headDim: hd, keyMask });
      be.embeddingForward({ out: x, table: P.embed, ids, rows: N, dim: H, vocab: V });
      P.layers.forEach((L, l) => {
        blockForward(be, this.config, L, l, b, N, positions, attend);
      });
      be.rmsnormForward({ out: hn, x, weight: P.norm, rows: N, dim: H, eps });
      be.logitsStatsForward({ logp: lp, entropy: ent, h: hn, w: P.head, targets, rows: N, dim: H, vocab: V, temperature });
      return unpad(be.download(lp), be.download(ent), rows.map((r) => r.length), T);
    } finally {
      for (const b of bufs) be.free(b);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Training

  /**
   * Training forward pass over a batch of token rows (right-padded internally): returns a handle holding the
   * per-row log-probs and entropies at `temperature` and every activation backward needs. Pass it to `backward`
   * (or `release`) exactly once.
   *
   * @example
   * ```ts
   * const h = model.forward([[1, 2, 3], [4, 5]], { temperature: 1 });
   * model.zeroGrad();
   * model.backward(h, { dLogp: h.logp.map((r) => r.map(() => -1)) }); // maximise log-likelihood
   * model.step({ lr: 1e-3, maxGradNorm: 1 });
   * ```
   */
  forward(tokens: number[][], options: { temperature?: number } = {}): ForwardHandle {
    this.checkAlive();
    const temperature = checkTemperature(options.temperature ?? 1);
    validateTokens(tokens, this.config.vocabSize);
    if (tokens.length === 0) throw new ModelError("MODEL_BAD_TOKENS", "forward needs at least one row");
    const input = padBatch(tokens);
    const acts = forwardTrain(this.backend, this.config, this.linked(), input, temperature);
    const out = unpad(this.backend.download(acts.logp), this.backend.download(acts.entropy), input.lengths, input.seqLen);
    const handle = new ForwardHandle(out.logp, out.entropy, acts);
    this.live.add(handle);
    return handle;
  }

  /**
   * Back-propagates upstream gradients of a scalar loss w.r.t. the handle's per-token `logp` (and optionally
   * `entropy`), one array per row shaped like `handle.logp`, and ACCUMULATES into the parameter gradients (so
   * micro-batches add up; call `zeroGrad` between optimiser steps). Frees the handle's activations.
   */
  backward(handle: ForwardHandle, grads: { dLogp: ArrayLike<number>[]; dEntropy?: ArrayLike<number>[] }): void {
    this.checkAlive();
    const acts = this.take(handle);
    const be = this.backend;
    const { rows: N, seqLen: T, lengths } = acts.input;
    const flat = (g: ArrayLike<number>[], what: string): Float32Array => {
      if (!Array.isArray(g) || g.length !== lengths.length) throw new ModelError("MODEL_BAD_ARGUMENT", `${what} must have one array per row (${lengths.length})`);
      const out = new Float32Array(N);
      g.forEach((row, b) => {
        const n = Math.max(0, lengths[b] - 1);
        if (row.length !== n) throw new ModelError("MODEL_BAD_ARGUMENT", `${what}[${b}] has ${row.length} values, the row predicts ${n} tokens`);
        for (let t = 0; t < n; t++) {
          if (!Number.isFinite(row[t])) throw new ModelError("MODEL_BAD_ARGUMENT", `${what}[${b}][${t}] is not finite`);
          out[b * T + t] = row[t];
        }
      });
      return out;
    };
    const dl = be.alloc(N);
    const de = grads.dEntropy ? be.alloc(N) : undefined;
    try {
      be.upload(dl, flat(grads.dLogp, "dLogp"));
      if (de && grads.dEntropy) be.upload(de, flat(grads.dEntropy, "dEntropy"));
      backwardTrain(be, this.config, this.linked(), this.gradientRefs(), acts, dl, de);
    } finally {
      be.free(dl);
      if (de) be.free(de);
      releaseActivations(be, acts);
    }
  }

  /** Frees a forward handle's activations without back-propagating. */
  release(handle: ForwardHandle): void {
    releaseActivations(this.backend, this.take(handle));
  }

  /** Sets every parameter gradient to zero (allocating them on first use). */
  zeroGrad(): void {
    this.checkAlive();
    this.gradientRefs();
    for (const g of this.grads?.values() ?? []) this.backend.fill(g, 0);
  }

  /** A parameter's accumulated gradient, copied to the host (zeros before any backward). */
  getGradient(name: string): Float32Array {
    this.gradientRefs();
    const g = this.grads?.get(name);
    if (!g) throw new ModelError("MODEL_WEIGHT_MISSING", `no parameter \`${name}\``);
    return this.backend.download(g);
  }

  /** Overwrites a parameter's gradient (e.g. gradients averaged elsewhere). */
  setGradient(name: string, data: Float32Array): void {
    this.gradientRefs();
    const g = this.grads?.get(name);
    if (!g) throw new ModelError("MODEL_WEIGHT_MISSING", `no parameter \`${name}\``);
    if (data.length !== g.length) throw new ModelError("MODEL_WEIGHT_SHAPE", `gradient of \`${name}\` has ${data.length} values, expected ${g.length}`);
    this.backend.upload(g, data);
  }

  /**
   * One AdamW step on the accumulated gradients (PyTorch `clip_grad_norm_` + `AdamW` semantics): global-norm clipping
   * when `maxGradNorm` is set, decoupled weight decay (`noDecay(name)` true → no decay for that tensor), bias
   * correction with the model's own step counter. Gradients are left as they are (call `zeroGrad`).
   */
  step(options: AdamWOptions): AdamWResult & { step: number } {
    this.checkAlive();
    const { lr, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0.01, maxGradNorm, noDecay } = options;
    for (const [k, v] of Object.entries({ lr, beta1, beta2, eps, weightDecay })) {
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new ModelError("MODEL_BAD_ARGUMENT", `AdamW ${k} must be a finite non-negative number, got ${v}`);
    }
    if (beta1 >= 1 || beta2 >= 1) throw new ModelError("MODEL_BAD_ARGUMENT", "AdamW betas must be below 1");
    this.gradientRefs();
    const moments = this.optimizerMoments();
    const params = [...this.params.entries()].map(([name, param]) => {
      const mv = moments.get(name) as { m: DeviceBuffer; v: DeviceBuffer };
      return { param, grad: this.grads?.get(name) as DeviceBuffer, m: mv.m, v: mv.v, weightDecay: noDecay?.(name) ? 0 : weightDecay };
    });
    const res = this.backend.adamwStep({ params, lr, beta1, beta2, eps, weightDecay, step: this.stepCount + 1, maxGradNorm });
    if (res.applied) this.stepCount++; // a skipped update (non-finite gradient norm, see AdamWArgs) is not a step
    return { ...res, step: this.stepCount };
  }

  /** AdamW steps taken so far (restored by `loadOptimizerState`). */
  get optimizerStep(): number {
    return this.stepCount;
  }

  /** @internal The AdamW moments by parameter name (allocated on first use). */
  optimizerMoments(): Map<string, { m: DeviceBuffer; v: DeviceBuffer }> {
    if (!this.moments) {
      this.moments = new Map();
      for (const [name, p] of this.params) this.moments.set(name, { m: this.backend.alloc(p.length), v: this.backend.alloc(p.length) });
    }
    return this.moments;
  }

  /** @internal Restores the step counter (optimizer-state loading). */
  setOptimizerStep(step: number): void {
    this.stepCount = step;
  }

  private gradientRefs(): ModelRefs {
    if (!this.grads || !this.gradRefs) {
      const grads = new Map<string, DeviceBuffer>();
      for (const [name, p] of this.params) grads.set(name, this.backend.alloc(p.length));
      this.grads = grads;
      this.gradRefs = resolveRefs(this.config, (n) => grads.get(n) as DeviceBuffer);
    }
    return this.gradRefs;
  }

  private take(handle: ForwardHandle): Activations {
    if (!this.live.has(handle)) throw new ModelError("MODEL_HANDLE_CONSUMED", "this forward handle was already used by backward/release (or belongs to another model); run forward again");
    this.live.delete(handle);
    return handle.activations;
  }

  private linked(): ModelRefs {
    if (!this.refs) throw new ModelError("MODEL_BAD_ARGUMENT", "the model's parameters are not linked (internal error)");
    return this.refs;
  }

  /** Frees every parameter buffer; the model cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    for (const h of this.live) releaseActivations(this.backend, h.activations);
    this.live.clear();
    for (const b of this.params.values()) this.backend.free(b);
    for (const b of this.grads?.values() ?? []) this.backend.free(b);
    for (const { m, v } of this.moments?.values() ?? []) {
      this.backend.free(m);
      this.backend.free(v);
    }
    this.params.clear();
    this.grads = undefined;
    this.moments = undefined;
    this.refs = undefined;
    this.disposed = true;
  }

  private checkAlive(): void {
    if (this.disposed) throw new ModelError("MODEL_BAD_ARGUMENT", "the model was disposed");
  }
}
