/**
 * The Backend contract: forward kernels and their backward twins over float32 buffers the
 * backend owns, in the style of llm.c's named buffers. A model is a fixed sequence of kernel calls; there is no
 * autograd tape. Index arrays (token ids, positions, targets, masks) are small host typed arrays; a device backend
 * copies them itself.
 *
 * Layouts are row-major. "rows" is the number of token positions (batch · seqLen); linear weights are `[out, in]`
 * (Hugging Face layout) and applied as `x @ W^T`.
 */

declare const deviceBufferBrand: unique symbol;

/**
 * An opaque handle to `length` float32 values owned by one backend. Only the backend that allocated it may read it:
 * use `upload`/`download` to move data, `free` to release it.
 */
export interface DeviceBuffer {
  /** Number of float32 elements. */
  readonly length: number;
  /** Brand: handles are made by `Backend.alloc` only. */
  readonly [deviceBufferBrand]: true;
}

/** `out[r, :] = table[ids[r], :]`. */
export interface EmbeddingForwardArgs {
  out: DeviceBuffer;
  table: DeviceBuffer;
  ids: Int32Array;
  rows: number;
  dim: number;
  vocab: number;
}

/** `out[rows, outDim] = x[rows, inDim] @ w[outDim, inDim]^T (+ bias[outDim])`. */
export interface MatmulForwardArgs {
  out: DeviceBuffer;
  x: DeviceBuffer;
  w: DeviceBuffer;
  bias?: DeviceBuffer;
  rows: number;
  inDim: number;
  outDim: number;
}

/**
 * `out[r, :] = x[r, :] · rsqrt(mean(x[r, :]²) + eps) · weight` (float32 result, float64 sums).
 * When `rstd` is given, the per-row reciprocal RMS is stored there (what backward needs).
 */
export interface RmsNormForwardArgs {
  out: DeviceBuffer;
  x: DeviceBuffer;
  weight: DeviceBuffer;
  rows: number;
  dim: number;
  eps: number;
  rstd?: DeviceBuffer;
}

/**
 * Rotary embedding, rotate-half (Hugging Face / Qwen2 layout): for each row r and head, with
 * `a_j = fround(positions[r] · fround(theta^(−2j/headDim)))`, `out = x·cos + rotate_half(x)·sin` where
 * `rotate_half([x1, x2]) = [−x2, x1]`. `x` is `[rows, heads · headDim]`; `out` may be `x` (in place).
 */
export interface RopeForwardArgs {
  out: DeviceBuffer;
  x: DeviceBuffer;
  positions: Int32Array;
  rows: number;
  heads: number;
  headDim: number;
  theta: number;
}

/**
 * Causal scaled-dot-product attention with grouped-query heads and a key-padding mask.
 * `q` is `[batch·seqLen, heads·headDim]`, `k`/`v` are `[batch·seqLen, kvHeads·headDim]`, `out` like `q`.
 * Query head h reads key/value head `floor(h / (heads / kvHeads))`. Query t of sequence b attends to keys
 * `s ≤ t` with `keyMask[b·seqLen + s] = 1` (all keys when no mask); scores are `q·k / sqrt(headDim)`, softmax in
 * float64. A query with no visible key gets a zero output. When `probs` (`[batch, heads, seqLen, seqLen]`) is
 * given, the attention weights are stored there (zero where masked) for backward.
 */
export interface AttentionForwardArgs {
  out: DeviceBuffer;
  q: DeviceBuffer;
  k: DeviceBuffer;
  v: DeviceBuffer;
  batch: number;
  seqLen: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  keyMask?: Uint8Array;
  probs?: DeviceBuffer;
}

/** `out = silu(gate) · up`, elementwise over `length` values (`silu(g) = g / (1 + e^−g)`). */
export interface SwigluForwardArgs {
  out: DeviceBuffer;
  gate: DeviceBuffer;
  up: DeviceBuffer;
  length: number;
}

/** `out = a + b` elementwise over `length` values; `out` may be `a` or `b`. */
export interface ResidualForwardArgs {
  out: DeviceBuffer;
  a: DeviceBuffer;
  b: DeviceBuffer;
  length: number;
}

/**
 * The fused language-model head: for each row r with `targets[r] ≥ 0`, with logits `z = (h[r] @ w^T) / temperature`
 * (computed chunk by chunk over the vocabulary; the `[rows, vocab]` matrix is never materialised):
 * `logp[r] = z[targets[r]] − logsumexp(z)` and `entropy[r] = logsumexp(z) − Σ softmax(z)·z`.
 * Rows with a negative target are skipped and get 0. `lse` (optional, `[rows]`) receives `logsumexp(z)` for backward.
 */
export interface LogitsStatsForwardArgs {
  logp: DeviceBuffer;
  entropy: DeviceBuffer;
  h: DeviceBuffer;
  w: DeviceBuffer;
  targets: Int32Array;
  rows: number;
  dim: number;
  vocab: number;
  temperature: number;
  lse?: DeviceBuffer;
}

/*
 * Backward kernels. Convention (llm.c): every gradient output ACCUMULATES (`+=`) into its buffer; the caller zeroes
 * buffers with `fill(buf, 0)` when it needs a fresh gradient. Inputs are the forward pass's inputs and whatever it
 * saved (`rstd`, `probs`, `lse`). A gradient buffer must not alias an input of the same call.
 */

/** `dTable[ids[r], :] += dOut[r, :]`. */
export interface EmbeddingBackwardArgs {
  dTable: DeviceBuffer;
  dOut: DeviceBuffer;
  ids: Int32Array;
  rows: number;
  dim: number;
  vocab: number;
}

/** For `out = x @ w^T + bias`: `dx += dOut @ w`, `dw += dOut^T @ x`, `dBias += Σ_rows dOut` (each optional). */
export interface MatmulBackwardArgs {
  dOut: DeviceBuffer;
  x: DeviceBuffer;
  w: DeviceBuffer;
  dx?: DeviceBuffer;
  dw?: DeviceBuffer;
  dBias?: DeviceBuffer;
  rows: number;
  inDim: number;
  outDim: number;
}

/** RMSNorm backward from the saved `rstd`: `dx += …`, `dWeight += Σ_rows dOut · x · rstd`. */
export interface RmsNormBackwardArgs {
  dOut: DeviceBuffer;
  x: DeviceBuffer;
  weight: DeviceBuffer;
  rstd: DeviceBuffer;
  dx: DeviceBuffer;
  dWeight?: DeviceBuffer;
  rows: number;
  dim: number;
}

/** RoPE backward (the inverse rotation): `dx += R(−a)·dOut`. */
export interface RopeBackwardArgs {
  dOut: DeviceBuffer;
  dx: DeviceBuffer;
  positions: Int32Array;
  rows: number;
  heads: number;
  headDim: number;
  theta: number;
}

/** Attention backward from the saved `probs`: accumulates into `dq`, `dk`, `dv` (GQA heads summed per kv head). */
export interface AttentionBackwardArgs {
  dOut: DeviceBuffer;
  q: DeviceBuffer;
  k: DeviceBuffer;
  v: DeviceBuffer;
  probs: DeviceBuffer;
  dq: DeviceBuffer;
  dk: DeviceBuffer;
  dv: DeviceBuffer;
  batch: number;
  seqLen: number;
  heads: number;
  kvHeads: number;
  headDim: number;
}

/** SwiGLU backward: `dGate += dOut · up · silu'(gate)`, `dUp += dOut · silu(gate)`. */
export interface SwigluBackwardArgs {
  dOut: DeviceBuffer;
  gate: DeviceBuffer;
  up: DeviceBuffer;
  dGate: DeviceBuffer;
  dUp: DeviceBuffer;
  length: number;
}

/** Residual backward: `da += dOut`, `db += dOut` (each optional). */
export interface ResidualBackwardArgs {
  dOut: DeviceBuffer;
  da?: DeviceBuffer;
  db?: DeviceBuffer;
  length: number;
}

/**
 * Fused head backward from upstream `dLogp[r]` and `dEntropy[r]` (rows with a negative target are skipped). With
 * `p = softmax(z)`, `z = h·w^T / T` recomputed chunk by chunk from the saved `lse` and `entropy`:
 * `dz = dLogp·(onehot(y) − p) − dEntropy·p ⊙ (log p + H)`, then `dh += (dz/T) @ w`, `dw += (dz/T)^T @ h`.
 */
export interface LogitsStatsBackwardArgs {
  h: DeviceBuffer;
  w: DeviceBuffer;
  targets: Int32Array;
  lse: DeviceBuffer;
  entropy: DeviceBuffer;
  dLogp: DeviceBuffer;
  dEntropy?: DeviceBuffer;
  dh?: DeviceBuffer;
  dw?: DeviceBuffer;
  rows: number;
  dim: number;
  vocab: number;
  temperature: number;
}

/** One parameter tensor for AdamW: its value, gradient and two moment buffers, all of the same length. */
export interface AdamWParam {
  param: DeviceBuffer;
  grad: DeviceBuffer;
  m: DeviceBuffer;
  v: DeviceBuffer;
  /** Overrides `AdamWArgs.weightDecay` for this tensor (commonly 0 for norms and biases). */
  weightDecay?: number;
}

/**
 * AdamW (decoupled weight decay, PyTorch semantics) with global-norm gradient clipping over all `params`:
 * `norm = sqrt(Σ g²)` (float64); when `maxGradNorm > 0` and finite, gradients are scaled by
 * `min(1, maxGradNorm / (norm + 1e-6))`. Then per element: `p ← p·(1 − lr·wd)`, `m ← β1·m + (1−β1)·g`,
 * `v ← β2·v + (1−β2)·g²`, `p ← p − lr/(1−β1^step) · m / (sqrt(v)/sqrt(1−β2^step) + eps)`. `step` starts at 1.
 * Gradients are left as they were (not clipped in place).
 *
 * **Non-finite gradients** (the one rule of the project, as verl; docs/algorithms.md §16): when the global norm is NaN or ±Infinity the whole
 * update is skipped (parameters and both moments untouched) and the result says `applied: false`; the caller does
 * not count the step (its next call passes the same `step`).
 */
export interface AdamWArgs {
  params: AdamWParam[];
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  step: number;
  maxGradNorm?: number;
}

/** What `adamwStep` reports. */
export interface AdamWResult {
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** The factor gradients were scaled by (1 when not clipped or not applied). */
  clipCoef: number;
  /** False when the global norm was not finite and nothing was updated. */
  applied: boolean;
}

/**
 * Draws one token per row from `logits` (`[rows, vocab]`) with a caller-supplied uniform `u[r] ∈ [0, 1)` (so a
 * seeded RNG makes it reproducible). `temperature = 0` is greedy (lowest id on ties). Otherwise `z = logits / T`;
 * `topK > 0` keeps the k largest (lower id first on ties); `topP < 1` keeps the smallest set of most probable tokens
 * whose probability reaches `topP` (at least one). The draw is the inverse CDF of the renormalised kept
 * probabilities, walked in descending probability (ties: lower id) when filtered, in id order when not.
 */
export interface SampleArgs {
  logits: DeviceBuffer;
  rows: number;
  vocab: number;
  uniforms: ArrayLike<number>;
  temperature: number;
  topK?: number;
  topP?: number;
}

/*
 * Decoding kernels (docs/contracts.md §9). The KV cache is plain buffers the caller allocates: per layer one key
 * and one value buffer of `slots · capacity · width` floats (`width = kvHeads · headDim`), laid out
 * `[slot, position, width]`. A sequence owns one slot while it decodes; slots are reused when sequences finish
 * (continuous batching), so rows of a call name their slot and position explicitly and the rows of one call may be
 * any subset of the slots, in any order.
 */

/**
 * Scatters rows into a KV cache: for each row r with `slots[r] ≥ 0`,
 * `cache[(slots[r]·capacity + positions[r])·width + i] = src[r·width + i]` for i < width. Rows with a negative slot
 * are skipped (padding). Every written position must be in `[0, capacity)` and every slot below
 * `cache.length / (capacity·width)` (`BACKEND_INDEX_OUT_OF_RANGE`). Rows must not write the same (slot, position).
 */
export interface KvCacheWriteArgs {
  cache: DeviceBuffer;
  src: DeviceBuffer;
  slots: Int32Array;
  positions: Int32Array;
  rows: number;
  capacity: number;
  width: number;
}

/**
 * Attention of `rows` query rows over a KV cache, with grouped-query heads: `q` and `out` are `[rows, heads·headDim]`;
 * row r attends to positions `[0, lengths[r])` of slot `slots[r]` in `kCache`/`vCache` (layout above, width
 * `kvHeads·headDim`); query head h reads kv head `floor(h / (heads / kvHeads))`; scores `q·k / sqrt(headDim)`,
 * softmax in float64 (float32 allowed on devices, within the suite's tolerance). A row with a negative slot or
 * `lengths[r] = 0` gets a zero output. With the row's own key/value written first (`kvCacheWrite` at position
 * `lengths[r] − 1`), this is causal attention for decode (one row per sequence) and for prefill (one row per prompt
 * position, `lengths = position + 1`).
 */
export interface CachedAttentionArgs {
  out: DeviceBuffer;
  q: DeviceBuffer;
  kCache: DeviceBuffer;
  vCache: DeviceBuffer;
  slots: Int32Array;
  lengths: Int32Array;
  rows: number;
  capacity: number;
  heads: number;
  kvHeads: number;
  headDim: number;
}

/** `dst[dstOffset + i] = src[srcOffset + i]` for i < length (device to device; `src` may be `dst` if the ranges do not overlap). */
export interface CopyArgs {
  dst: DeviceBuffer;
  src: DeviceBuffer;
  length: number;
  dstOffset?: number;
  srcOffset?: number;
}

/**
 * Samples one token per row of `logits` (`[rows, vocab]`) with per-row settings, and returns the token and its
 * log-probability; the only values that leave the device during decoding. Row r uses `uniforms[r] ∈ [0, 1)`,
 * `temperature[r]` (0 = greedy: argmax, lowest id on ties), `topK[r]` (0 = off; default all 0) and `topP[r]`
 * (1 = off; default all 1) with exactly the semantics of `SampleArgs`. `logprobs[r] = z[id] − logsumexp(z)` with
 * `z = logits[r] / T`, `T = temperature[r]` (1 when greedy): the probability under the distribution sampled from,
 * before top-k/top-p truncation.
 */
export interface SampleTokensArgs {
  logits: DeviceBuffer;
  rows: number;
  vocab: number;
  uniforms: ArrayLike<number>;
  temperature: ArrayLike<number>;
  topK?: ArrayLike<number>;
  topP?: ArrayLike<number>;
}

/** What `sampleTokens` returns (host arrays of `rows` values). */
export interface SampledTokens {
  ids: Int32Array;
  logprobs: Float32Array;
}

/**
 * A compute backend: buffer management plus the model's kernels. Implementations: the TypeScript reference
 * (`createReferenceBackend`), later native CPU and CUDA backends; all must pass `runBackendConformance`
 * from `@sentrl/compute/testing`.
 *
 * @example
 * ```ts
 * import { createReferenceBackend } from "@sentrl/compute";
 * const be = createReferenceBackend();
 * const x = be.alloc(6);
 * be.upload(x, new Float32Array([1, 2, 3, 4, 5, 6]));
 * const w = be.alloc(3);
 * be.upload(w, new Float32Array([1, 0, 1]));
 * const y = be.alloc(2);
 * be.matmulForward({ out: y, x, w, rows: 2, inDim: 3, outDim: 1 });
 * be.download(y); // Float32Array [4, 10]
 * ```
 */
export interface Backend {
  /** A short name (`"reference"`, `"cpu"`, `"cuda"`). */
  readonly name: string;
  /** Allocates `length` float32 values, zero-filled. */
  alloc(length: number): DeviceBuffer;
  /** Copies `src` into `dst` starting at element `dstOffset` (default 0). */
  upload(dst: DeviceBuffer, src: Float32Array, dstOffset?: number): void;
  /** Copies `length` elements (default: to the end) from `srcOffset` into `out` (allocated when absent). */
  download(src: DeviceBuffer, out?: Float32Array, srcOffset?: number, length?: number): Float32Array;
  /** Sets every element to `value` (default 0). */
  fill(buf: DeviceBuffer, value?: number): void;
  /** Releases a buffer; using it afterwards is an error (`BACKEND_BUFFER_FREED`). */
  free(buf: DeviceBuffer): void;

  embeddingForward(args: EmbeddingForwardArgs): void;
  matmulForward(args: MatmulForwardArgs): void;
  rmsnormForward(args: RmsNormForwardArgs): void;
  ropeForward(args: RopeForwardArgs): void;
  attentionForward(args: AttentionForwardArgs): void;
  swigluForward(args: SwigluForwardArgs): void;
  residualForward(args: ResidualForwardArgs): void;
  logitsStatsForward(args: LogitsStatsForwardArgs): void;
  embeddingBackward(args: EmbeddingBackwardArgs): void;
  matmulBackward(args: MatmulBackwardArgs): void;
  rmsnormBackward(args: RmsNormBackwardArgs): void;
  ropeBackward(args: RopeBackwardArgs): void;
  attentionBackward(args: AttentionBackwardArgs): void;
  swigluBackward(args: SwigluBackwardArgs): void;
  residualBackward(args: ResidualBackwardArgs): void;
  logitsStatsBackward(args: LogitsStatsBackwardArgs): void;
  adamwStep(args: AdamWArgs): AdamWResult;
  sample(args: SampleArgs): Int32Array;

  /** Device-to-device copy of a range (see `CopyArgs`). */
  copy(args: CopyArgs): void;
  kvCacheWrite(args: KvCacheWriteArgs): void;
  cachedAttention(args: CachedAttentionArgs): void;
  sampleTokens(args: SampleTokensArgs): SampledTokens;
}
