import type { GenerateOptions, GenerationPrompt, Completion } from "./generator.js";
import type { Vec } from "./token-batch.js";

/** A value or a promise of it: CPU policies answer synchronously, GPU ones may not. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Sequences to score: row `i` is `promptTokens[i]` followed by `responseTokens[i]`. Only response positions are
 * scored: `logp[i][t] = log π(response[i][t] | prompt[i], response[i][0..t))` (docs/contracts.md §6 convention).
 */
export interface ScoreBatch {
  promptTokens: ReadonlyArray<ArrayLike<number>>;
  responseTokens: ReadonlyArray<ArrayLike<number>>;
}

/**
 * Per-response-token scores, row-major `[rows, cols]` with `cols` = the longest response of the batch (shorter
 * rows are padded with 0). `entropy` is the entropy of the next-token distribution at that position.
 */
export interface PolicyScores<H = unknown> {
  rows: number;
  cols: number;
  logp: Vec;
  entropy: Vec;
  /** Present when scored with `grad: true`: what {@link Policy.backward} needs (activations, softmax, ...). */
  handle?: H;
}

export interface ScoreOptions {
  /** Logits are divided by it before the softmax (docs/algorithms.md §6.7; the sampling temperature). */
  temperature: number;
  /** Keep what backward needs and return a handle (training forward); false for old/ref log-probs. */
  grad: boolean;
}

/** Upstream gradients of one scored batch, same layout as its {@link PolicyScores}; 0 on padding. */
export interface ScoreGradients {
  dLogp: Float64Array;
  /** Only when the loss differentiates the entropy (`entropyCoeff != 0`, some baselines). */
  dEntropy?: Float64Array;
}

/** AdamW with global-norm clipping, verl defaults (docs/algorithms.md §6.9). */
export interface OptimizerSettings {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  /** Clip the global gradient L2 norm to this before the update (≤ 0 or Infinity: no clipping). */
  maxGradNorm: number;
}

export const DEFAULT_OPTIMIZER_SETTINGS: Readonly<OptimizerSettings> = Object.freeze({
  lr: 1e-6,
  betas: [0.9, 0.999] as [number, number],
  eps: 1e-8,
  weightDecay: 0.01,
  maxGradNorm: 1.0,
});

export interface OptimizerStepResult {
  /** Global gradient L2 norm **before** clipping (verl's `actor/grad_norm`). */
  gradNorm: number;
  /** False when the norm was not finite: verl skips the update then and so must a policy. */
  applied: boolean;
}

/**
 * Checkpointable state: named tensors (parameters and optimiser moments) plus JSON metadata. The trainer writes
 * it atomically and gives it back to {@link Policy.load} on resume; a policy may use any names it likes.
 */
export interface PolicyState {
  tensors: Record<string, Float32Array | Float64Array>;
  meta: Record<string, unknown>;
}

/** One prompt's sampled responses with the token ids the trainer scores. */
export interface PolicyRollout {
  /** The prompt as the policy tokenised it (chat template applied). */
  promptTokens: ArrayLike<number>;
  /** `n` completions, each with its `tokenIds` (including the EOS token when it stopped). */
  completions: Array<Omit<Completion, "tokenIds"> & { tokenIds: ArrayLike<number> }>;
}

/** What a frozen reference (or any read-only scorer) offers: scoring without gradients. */
export interface ScoringPolicy {
  score(batch: ScoreBatch, options: { temperature: number }): MaybePromise<PolicyScores>;
}

/**
 * Everything the trainer needs from a model. A tabular softmax policy (tests, toy tasks) and the transformer of
 * `@sentrl/model` both implement it; core never sees tensors, devices or tokenisers.
 *
 * Contract:
 * - `score` is deterministic for given parameters and a row's values do not depend on the other rows;
 * - `backward(handle, grads)` **accumulates** parameter gradients (micro-batches add up) until `zeroGrad`;
 * - `step` clips the global gradient norm, applies one AdamW update, and returns the pre-clip norm; it does not
 *   zero the gradients (the trainer calls `zeroGrad`);
 * - `snapshot()` returns a frozen copy for the reference log-probs: later steps must not change it;
 * - `state()`/`load()` round-trip parameters **and** optimiser state so a resumed run is exact;
 * - `rollout` samples with the given options, drawing randomness only from `options.seed` (reproducible).
 *
 * @example
 * ```ts
 * import type { Policy } from "@sentrl/core";
 * async function oneUpdate(policy: Policy, batch: import("@sentrl/core").ScoreBatch) {
 *   const scores = await policy.score(batch, { temperature: 1, grad: true });
 *   const dLogp = new Float64Array(scores.logp.length).fill(-1 / scores.logp.length); // maximise mean logp
 *   await policy.backward(scores.handle, { dLogp });
 *   const { gradNorm } = await policy.step({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maxGradNorm: 1 });
 *   await policy.zeroGrad();
 *   return gradNorm;
 * }
 * ```
 */
export interface Policy<H = unknown> extends ScoringPolicy {
  score(batch: ScoreBatch, options: ScoreOptions): MaybePromise<PolicyScores<H>>;
  backward(handle: H | undefined, grads: ScoreGradients): MaybePromise<void>;
  zeroGrad(): MaybePromise<void>;
  step(settings: OptimizerSettings): MaybePromise<OptimizerStepResult>;
  snapshot(): MaybePromise<ScoringPolicy>;
  state(): MaybePromise<PolicyState>;
  load(state: PolicyState): MaybePromise<void>;
  rollout(prompts: GenerationPrompt[], options: GenerateOptions): Promise<PolicyRollout[]>;
  /** Forget the optimiser state (moments, update count), as a fresh run does at a curriculum stage start. */
  resetOptimizer?(): MaybePromise<void>;
}
