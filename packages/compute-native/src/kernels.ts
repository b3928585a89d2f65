import type { NativeBinding } from "./binding.js";

/** `out[rows, outDim] = x[rows, inDim] · w[outDim, inDim]ᵀ (+ bias[outDim])` — the forward linear layer (HF layout). */
export interface NativeMatmulForwardArgs {
  out: Float32Array;
  x: Float32Array;
  w: Float32Array;
  bias?: Float32Array;
  rows: number;
  inDim: number;
  outDim: number;
}

/** `dx[rows, inDim] = dout[rows, outDim] · w[outDim, inDim]` (`+=` when `accumulate`). */
export interface NativeMatmulBackwardInputArgs {
  dx: Float32Array;
  dout: Float32Array;
  w: Float32Array;
  rows: number;
  inDim: number;
  outDim: number;
  accumulate?: boolean;
}

/** `dw[outDim, inDim] += doutᵀ · x`; `dbias[outDim] += Σ_rows dout`; each when given. Always accumulates. */
export interface NativeMatmulBackwardWeightArgs {
  dw?: Float32Array;
  dbias?: Float32Array;
  dout: Float32Array;
  x: Float32Array;
  rows: number;
  inDim: number;
  outDim: number;
}

/**
 * Fused LM head forward. With `z = (h[r] · wᵀ) / temperature` computed 512 vocabulary entries at a time:
 * `logp[r] = z[targets[r]] − logsumexp(z)`, `entropy[r] = logsumexp(z) − Σ softmax(z)·z`, `lse[r] = logsumexp(z)`.
 * Rows with a negative target get 0. A target ≥ vocab throws.
 */
export interface NativeLogitsStatsForwardArgs {
  logp: Float32Array;
  entropy: Float32Array;
  lse?: Float32Array;
  h: Float32Array;
  w: Float32Array;
  targets: Int32Array;
  rows: number;
  dim: number;
  vocab: number;
  temperature: number;
}

/**
 * Fused LM head backward from `dlogp`/`dentropy` (either may be omitted = zero) using the forward's `lse` and
 * `entropy`: per row `g = (1/T)·[dlogp·(onehot(y) − p) − dentropy·p ⊙ (log p + H)]`, then
 * `dh = g · w` (`+=` when `accumulate`) and `dw += gᵀ · h` (each skipped when omitted). Rows with a negative target
 * contribute nothing.
 */
export interface NativeLogitsStatsBackwardArgs {
  dh?: Float32Array;
  dw?: Float32Array;
  h: Float32Array;
  w: Float32Array;
  targets: Int32Array;
  lse: Float32Array;
  entropy: Float32Array;
  dlogp?: Float32Array;
  dentropy?: Float32Array;
  rows: number;
  dim: number;
  vocab: number;
  temperature: number;
  accumulate?: boolean;
}

/** `out = x · rsqrt(mean(x²) + eps) · weight` per row; `rstd[r]` receives the reciprocal RMS. */
export interface NativeRmsnormForwardArgs {
  out: Float32Array;
  rstd?: Float32Array;
  x: Float32Array;
  weight: Float32Array;
  rows: number;
  dim: number;
  eps: number;
}

/** RMSNorm backward: `dx = rstd·(dout⊙w − x̂·mean(dout⊙w⊙x̂))` (`+=` when `accumulate`), `dweight += Σ dout⊙x̂`. */
export interface NativeRmsnormBackwardArgs {
  dx: Float32Array;
  dweight?: Float32Array;
  dout: Float32Array;
  x: Float32Array;
  weight: Float32Array;
  rstd: Float32Array;
  rows: number;
  dim: number;
  accumulate?: boolean;
}

/** `out = silu(gate) · up` elementwise. */
export interface NativeSwigluForwardArgs {
  out: Float32Array;
  gate: Float32Array;
  up: Float32Array;
  length: number;
}

/** `dgate = dout·up·σ(g)·(1 + g·(1 − σ(g)))`, `dup = dout·silu(gate)` (overwritten, or `+=` when `accumulate`). */
export interface NativeSwigluBackwardArgs {
  dgate: Float32Array;
  dup: Float32Array;
  dout: Float32Array;
  gate: Float32Array;
  up: Float32Array;
  length: number;
  accumulate?: boolean;
}

/**
 * One AdamW update of one tensor (PyTorch semantics, decoupled decay): `g = grad·gradScale`,
 * `p ← p·(1 − lr·wd)`, `m ← β1·m + (1−β1)·g`, `v ← β2·v + (1−β2)·g²`,
 * `p ← p − lr/(1−β1^step) · m / (sqrt(v)/sqrt(1−β2^step) + eps)`. Global-norm clipping = pass
 * `gradScale = min(1, maxNorm / (sqrt(Σ sumSquares(grad)) + 1e-6))`.
 */
export interface NativeAdamwArgs {
  param: Float32Array;
  grad: Float32Array;
  m: Float32Array;
  v: Float32Array;
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  step: number;
  gradScale?: number;
}

/** Arguments of `cachedAttention` (see there). */
export interface NativeCachedAttentionArgs {
  out: Float32Array;
  q: Float32Array;
  kCache: Float32Array;
  vCache: Float32Array;
  slots: Int32Array;
  lengths: Int32Array;
  rows: number;
  capacity: number;
  heads: number;
  kvHeads: number;
  headDim: number;
}

/**
 * Causal GQA attention. `q`/`out` are `[batch·seqLen, heads·headDim]`, `k`/`v` `[batch·seqLen, kvHeads·headDim]`;
 * query head h reads kv head `floor(h / (heads / kvHeads))`; query t sees keys `s ≤ t` with `keyMask[b·seqLen+s] ≠ 0`
 * (all when omitted); a query with no visible key outputs zeros. `probs` (`[batch, heads, seqLen, seqLen]`, optional:
 * backward needs it) receives the softmax weights (0 where masked).
 */
export interface NativeAttentionForwardArgs {
  out: Float32Array;
  probs?: Float32Array;
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  keyMask?: Uint8Array;
  batch: number;
  seqLen: number;
  heads: number;
  kvHeads: number;
  headDim: number;
}

/**
 * Attention backward from the forward's `probs`; `dq`, `dk`, `dv` are overwritten, or `+=` when `accumulate`
 * (GQA: a kv head's gradient sums over its query heads).
 */
export interface NativeAttentionBackwardArgs {
  dq: Float32Array;
  dk: Float32Array;
  dv: Float32Array;
  dout: Float32Array;
  probs: Float32Array;
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  batch: number;
  seqLen: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  accumulate?: boolean;
}

/**
 * AVX2/FMA CPU kernels over Float32Array memory (zero-copy, any `subarray` view works), multi-threaded on a
 * persistent pool. Layouts are row-major; linear weights are `[out, in]` (Hugging Face). Sizes are checked against
 * the arrays' lengths (a `RangeError` with code `NATIVE_BAD_ARGUMENT` otherwise), so a wrong size never writes out
 * of bounds. Calls are synchronous.
 *
 * @example
 * ```ts
 * import { loadNativeKernels } from "@sentrl/compute-native";
 * const k = loadNativeKernels();
 * if (k) {
 *   const out = new Float32Array(2);
 *   k.matmulForward({ out, x: new Float32Array([1, 2, 3, 4, 5, 6]), w: new Float32Array([1, 0, 1]), rows: 2, inDim: 3, outDim: 1 });
 *   // out = [4, 10]
 * }
 * ```
 */
export interface NativeKernels {
  /** Absolute path of the loaded addon. */
  readonly addonPath: string;
  /** Threads used by every kernel (the calling thread included). */
  threads(): number;
  /** Sets the thread count (≥ 1; default: `os.availableParallelism()`, or `SENTRL_NATIVE_THREADS`). */
  setThreads(n: number): void;
  /**
   * The GEMM micro-kernel in use: "avx512" (12×32, when the CPU has AVX-512F) or "avx2" (6×16). Every kernel that
   * multiplies matrices (matmul, logits, attention) uses it. `SENTRL_NATIVE_ISA=avx2` forces AVX2.
   */
  isa(): "avx2" | "avx512";
  /** Switches the GEMM micro-kernel; false (unchanged) when this CPU cannot run it. */
  setIsa(isa: "avx2" | "avx512"): boolean;
  matmulForward(args: NativeMatmulForwardArgs): void;
  matmulBackwardInput(args: NativeMatmulBackwardInputArgs): void;
  matmulBackwardWeight(args: NativeMatmulBackwardWeightArgs): void;
  logitsStatsForward(args: NativeLogitsStatsForwardArgs): void;
  logitsStatsBackward(args: NativeLogitsStatsBackwardArgs): void;
  rmsnormForward(args: NativeRmsnormForwardArgs): void;
  rmsnormBackward(args: NativeRmsnormBackwardArgs): void;
  swigluForward(args: NativeSwigluForwardArgs): void;
  swigluBackward(args: NativeSwigluBackwardArgs): void;
  /** `Σ x²` accumulated in float64 (for global gradient-norm clipping). */
  sumSquares(x: Float32Array): number;
  adamwUpdate(args: NativeAdamwArgs): void;
  attentionForward(args: NativeAttentionForwardArgs): void;
  attentionBackward(args: NativeAttentionBackwardArgs): void;
  /**
   * Attention of `rows` query rows (`[rows, heads·headDim]`) over a KV cache `[slot, position, kvHeads·headDim]`:
   * row r attends to positions `[0, lengths[r])` of slot `slots[r]` (zeros when the slot is negative or the length 0).
   * Absent when the addon was built from older sources.
   */
  cachedAttention?(args: NativeCachedAttentionArgs): void;
  /**
   * Prepacked weights for repeated small-batch products (decoding): `packWeights(w, inDim, outDim)` returns the
   * packing for the current ISA; `matmulForwardPacked` equals `matmulForward` bit for bit, or returns false (nothing
   * written) when the packing was made for another ISA. Absent when the addon was built from older sources.
   */
  packWeights?(w: Float32Array, inDim: number, outDim: number): Float32Array;
  matmulForwardPacked?(a: { out: Float32Array; x: Float32Array; packed: Float32Array; bias?: Float32Array; rows: number; inDim: number; outDim: number }): boolean;
  /**
   * The rows r with `which[r] ≠ 0` of the Backend's `sampleTokens` with top-k and top-p off: greedy when
   * `temperature[r] = 0`, else the inverse CDF of `uniforms[r]` in id order; writes `ids[r]` and `logprobs[r]`.
   * Absent when the addon was built from older sources.
   */
  sampleUnfiltered?(a: { logits: Float32Array; rows: number; vocab: number; uniforms: Float64Array; temperature: Float64Array; which: Uint8Array; ids: Int32Array; logprobs: Float32Array }): void;
}

/** Wraps the positional addon functions in the named-argument `NativeKernels` interface. */
export function wrapBinding(b: NativeBinding, addonPath: string): NativeKernels {
  const cached = b.cachedAttention?.bind(b);
  const packedSize = b.packedWeightsSize?.bind(b);
  const sampleUnf = b.sampleUnfiltered?.bind(b);
  const pack = b.packWeights?.bind(b);
  const mmPacked = b.matmulForwardPacked?.bind(b);
  return {
    addonPath,
    cachedAttention: cached
      ? (a) => cached(a.out, a.q, a.kCache, a.vCache, a.slots, a.lengths, a.rows, a.capacity, a.heads, a.kvHeads, a.headDim)
      : undefined,
    packWeights:
      packedSize && pack
        ? (w, inDim, outDim) => {
            const dst = new Float32Array(packedSize(inDim, outDim));
            pack(dst, w, inDim, outDim);
            return dst;
          }
        : undefined,
    sampleUnfiltered: sampleUnf
      ? (a) => sampleUnf(a.logits, a.rows, a.vocab, a.uniforms, a.temperature, a.which, a.ids, a.logprobs)
      : undefined,
    matmulForwardPacked: mmPacked
      ? (a) => mmPacked(a.out, a.x, a.packed, a.bias ?? null, a.rows, a.inDim, a.outDim)
      : undefined,
    threads: () => b.getThreads(),
    setThreads: (n) => b.setThreads(n),
    isa: () => b.gemmIsa(),
    setIsa: (isa) => b.setGemmIsa(isa),
    matmulForward: (a) => b.matmulForward(a.out, a.x, a.w, a.bias ?? null, a.rows, a.inDim, a.outDim),
    matmulBackwardInput: (a) =>
      b.matmulBackwardInput(a.dx, a.dout, a.w, a.rows, a.inDim, a.outDim, a.accumulate === true),
    matmulBackwardWeight: (a) =>
      b.matmulBackwardWeight(a.dw ?? null, a.dbias ?? null, a.dout, a.x, a.rows, a.inDim, a.outDim),
    logitsStatsForward: (a) =>
      b.logitsStatsForward(
        a.h,
        a.w,
        a.targets,
        a.rows,
        a.dim,
        a.vocab,
        a.temperature,
        a.logp,
        a.entropy,
        a.lse ?? null,
      ),
    logitsStatsBackward: (a) =>
      b.logitsStatsBackward(
        a.h,
        a.w,
        a.targets,
        a.lse,
        a.entropy,
        a.dlogp ?? null,
        a.dentropy ?? null,
        a.rows,
        a.dim,
        a.vocab,
        a.temperature,
        a.dh ?? null,
        a.dw ?? null,
        a.accumulate === true,
      ),
    rmsnormForward: (a) => b.rmsnormForward(a.out, a.rstd ?? null, a.x, a.weight, a.rows, a.dim, a.eps),
    rmsnormBackward: (a) =>
      b.rmsnormBackward(a.dx, a.dweight ?? null, a.dout, a.x, a.weight, a.rstd, a.rows, a.dim, a.accumulate === true),
    swigluForward: (a) => b.swigluForward(a.out, a.gate, a.up, a.length),
    swigluBackward: (a) => b.swigluBackward(a.dgate, a.dup, a.dout, a.gate, a.up, a.length, a.accumulate === true),
    sumSquares: (x) => b.sumSquares(x),
    adamwUpdate: (a) =>
      b.adamwUpdate(a.param, a.grad, a.m, a.v, a.lr, a.beta1, a.beta2, a.eps, a.weightDecay, a.step, a.gradScale ?? 1),
    attentionForward: (a) =>
      b.attentionForward(
        a.out,
        a.probs ?? null,
        a.q,
        a.k,
        a.v,
        a.keyMask ?? null,
        a.batch,
        a.seqLen,
        a.heads,
        a.kvHeads,
        a.headDim,
      ),
    attentionBackward: (a) =>
      b.attentionBackward(
        a.dq,
        a.dk,
        a.dv,
        a.dout,
        a.probs,
        a.q,
        a.k,
        a.v,
        a.batch,
        a.seqLen,
        a.heads,
        a.kvHeads,
        a.headDim,
        a.accumulate === true,
      ),
  };
}
