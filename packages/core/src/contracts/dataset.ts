import type { ChatMessage, Completion } from "./generator.js";

/**
 * One training or evaluation problem. `id`, `prompt` and `gold` are what sentrl reads; every other column of the
 * source (verl's `data_source`, `extra_info`, ...) is kept unchanged so stage files written back stay usable by
 * other tools (docs/contracts.md §8).
 */
export interface DatasetRow {
  id: string;
  /** A rendered prompt or chat messages (the policy applies its chat template). */
  prompt: string | ChatMessage[];
  /** The reference answer; a list means any of them is correct. */
  gold: string | string[];
  [column: string]: unknown;
}

/**
 * A loaded dataset: rows in source order.
 *
 * @example
 * ```ts
 * import type { Dataset } from "@sentrl/core";
 * const ds: Dataset = { name: "toy", rows: [{ id: "0", prompt: "1+1?", gold: "2", data_source: "toy" }] };
 * ```
 */
export interface Dataset {
  name: string;
  rows: readonly DatasetRow[];
}

/** One sampled response as it moves through a training step. */
export interface RolloutResponse extends Omit<Completion, "tokenIds"> {
  /** Token ids the policy emitted (EOS included when it stopped). */
  tokenIds: ArrayLike<number>;
  /** Scalar reward from the reward strategy (docs/algorithms.md §6.1); set before `afterRollout`. */
  reward: number;
  /** Whether the verifier judged it correct. */
  correct: boolean;
  /** The answer the verifier read, if any. */
  extracted: string | null;
  /** Scalar advantage (constant along the response); set before `afterAdvantages`. */
  advantage?: number;
}

/**
 * A GRPO group: one prompt and its `n` responses. Plugins may annotate `info` (e.g. `semanticEntropy`) and
 * `afterRollout` may drop whole groups.
 */
export interface RolloutGroup {
  row: DatasetRow;
  promptTokens: ArrayLike<number>;
  responses: RolloutResponse[];
  info: Record<string, unknown>;
}

/**
 * One response ready for the policy update: tokens, its group, advantage and (once computed) the per-token
 * old-policy and reference log-probs, each of the response's length.
 */
export interface TrainingSample {
  groupIndex: number;
  promptTokens: ArrayLike<number>;
  responseTokens: ArrayLike<number>;
  reward: number;
  advantage: number;
  oldLogp?: Float64Array;
  oldEntropy?: Float64Array;
  refLogp?: Float64Array;
  /** Per-token weights of the policy-gradient term (truncated importance sampling, `rollout.tisCap`); absent: 1. */
  tokenWeights?: Float64Array;
}
