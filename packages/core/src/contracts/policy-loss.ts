import type { TokenBatch } from "./token-batch.js";

/**
 * A policy loss is two phases (DESIGN.md, "The one idea that keeps plugins simple"):
 *
 * 1. `select(scope)` (optional) ranks tokens on **detached** values and returns per-token arrays
 *    (coefficients or 0/1 masks). It is called once per selection scope (a micro-batch by default; with the
 *    `miniBatch` scope it sees the rollout-time statistics of the whole mini-batch and core slices the arrays
 *    by rows for each micro-batch). Frozen selections make finite-difference gradchecks possible.
 * 2. `tokenLoss(batch, selection)` returns per-token loss terms ℓ[b,t] and their derivatives w.r.t. that
 *    token's own `logp` (and `entropy` where it is differentiated). Every loss of the field is elementwise once
 *    the selection is fixed, so the gradient of the aggregated loss is `weight[b,t] · dLogp[b,t]`.
 *
 * Core owns everything else: aggregation (`lossAggMode`), the entropy bonus, the reference-KL term and the
 * combination across micro-batches.
 */
export interface TokenSelection {
  /** Per-token arrays of length rows*cols, row-major; core slices them by rows. */
  tokens: Record<string, Float64Array | Uint8Array>;
  /** Scalar diagnostics of the selection (e.g. `sent/low_entropy_tokens`). */
  metrics?: Record<string, number>;
}

export interface TokenLossResult {
  /** ℓ[b,t], length rows*cols (values at positions outside the aggregation mask are ignored). */
  loss: Float64Array;
  /** ∂ℓ[b,t]/∂logp[b,t]. */
  dLogp: Float64Array;
  /** ∂ℓ[b,t]/∂entropy[b,t] when the loss differentiates the entropy. */
  dEntropy?: Float64Array;
  /** Mask the policy term is aggregated over (default: `batch.mask`); the 80/20 loss uses mask ⊙ topMask. */
  aggMask?: Uint8Array;
  /** verl-named metrics of the policy term: `pg_clipfrac`, `ppo_kl`, `pg_clipfrac_lower`, plus the loss's own. */
  metrics?: Record<string, number>;
}

/** What a loss call knows about where it runs; `seed` is derived from (run seed, step, micro-batch). */
export interface LossContext {
  step: number;
  microBatch: number;
  seed: number;
  /**
   * Optional reusable buffers (`createLossWorkspace()`): losses may take their per-token arrays from it instead of
   * allocating. With a workspace, `tokenLoss` values outside the aggregation mask may be left unwritten (stale), and
   * arrays it hands out are overwritten by the next call that uses the same workspace.
   */
  workspace?: LossWorkspace;
}

/**
 * Reusable per-token buffers for the loss hot path (see {@link createLossWorkspace}).
 *
 * A buffer is identified by a `key` (by convention `<owner>.<name>`, e.g. `grpo.loss`); asking again for the same
 * key and length returns the same array. Contents are **not** cleared between calls: whoever asks must write every
 * position it later reads (or use {@link LossWorkspace.f64Zeroed}). Buffers are reallocated when the length changes.
 */
export interface LossWorkspace {
  /** A Float64Array of length `n` (stale contents). */
  f64(key: string, n: number): Float64Array;
  /** A Float64Array of length `n` filled with 0 (a `fill(0)` on warm memory: much cheaper than a fresh array). */
  f64Zeroed(key: string, n: number): Float64Array;
  /** A Uint8Array of length `n` (stale contents). */
  u8(key: string, n: number): Uint8Array;
  /** An Int32Array of length `n` (stale contents). */
  i32(key: string, n: number): Int32Array;
  /** True when `a` is one of the buffers this workspace handed out (so the caller may overwrite it in place). */
  owns(a: unknown): boolean;
  /** Drops every buffer (frees the memory). */
  clear(): void;
}

export interface PolicyLoss<S extends TokenSelection = TokenSelection> {
  /** Registry name (`grpo`, `sent`, `kl-cov`, ...). */
  readonly name: string;
  /** Optional inputs the loss reads. */
  readonly needs?: { entropy?: boolean; refLogp?: boolean };
  select?(scope: TokenBatch, ctx: LossContext): S;
  tokenLoss(batch: TokenBatch, selection: S | undefined, ctx: LossContext): TokenLossResult;
}

/**
 * A named, configurable loss as registered in a registry and used by `sentrl loss --name`.
 * `defaults` lists **every** option key the loss accepts (besides the common ones of `CommonLossOptions`);
 * a key whose default derives from another (e.g. `clipRatioLow` = `clipRatio`) has the value `undefined`.
 */
export interface PolicyLossDefinition<O extends Record<string, unknown> = Record<string, unknown>> {
  readonly name: string;
  readonly description: string;
  readonly defaults: O;
  /** Validates options (throws SentrlError with code `LOSS_BAD_OPTION`) and builds the loss. */
  create(options: Partial<O>): PolicyLoss;
}

/** Options every loss accepts (docs/contracts.md §2); core applies them around the policy term. */
export type LossAggMode = "token-mean" | "seq-mean-token-sum" | "seq-mean-token-mean" | "seq-mean-token-sum-norm";
export type KlLossType =
  | "k1"
  | "kl"
  | "abs"
  | "k2"
  | "mse"
  | "k3"
  | "low_var_kl"
  | `${"k1" | "kl" | "abs" | "k2" | "mse" | "k3" | "low_var_kl"}+`;

export interface CommonLossOptions {
  lossAggMode: LossAggMode;
  /** Divisor of `seq-mean-token-sum-norm`; defaults to the number of columns. */
  lossAggNorm?: number;
  useKlLoss: boolean;
  klLossCoef: number;
  klLossType: KlLossType;
  entropyCoeff: number;
}

export const COMMON_LOSS_DEFAULTS: CommonLossOptions = {
  lossAggMode: "token-mean",
  lossAggNorm: undefined,
  useKlLoss: false,
  klLossCoef: 0.001,
  klLossType: "low_var_kl",
  entropyCoeff: 0,
};
