/**
 * The unit every policy loss works on: per-token vectors of one loss call, row-major `[rows, cols]`
 * (rows = responses, cols = padded response length). Values where `mask == 0` are kept as given.
 *
 * @example
 * ```ts
 * import type { TokenBatch } from "@sentrl/core";
 * const batch: TokenBatch = {
 *   rows: 1, cols: 2, mask: new Uint8Array([1, 0]),
 *   logp: new Float64Array([-1, 0]), oldLogp: new Float64Array([-1, 0]), advantages: new Float64Array([1, 0]),
 * };
 * ```
 */
export type Vec = Float32Array | Float64Array;

export interface TokenBatch {
  rows: number;
  cols: number;
  /** 1 for response tokens that count (up to and including the first EOS), 0 for padding. Length rows*cols. */
  mask: Uint8Array;
  /** log π_θ(token) under the current parameters (the differentiated input). */
  logp: Vec;
  /** log π_old(token), computed right after rollout. */
  oldLogp: Vec;
  /** log π_ref(token) of the frozen reference policy; required when `useKlLoss` is true. */
  refLogp?: Vec;
  /** Token entropy of the current forward; required by entropy-based selections and `entropyCoeff != 0`. */
  entropy?: Vec;
  /** Per-token advantages (constant along a GRPO response, 0 on padding). */
  advantages: Vec;
  /** GRPO group id per row (optional; used by plugins that look at groups). */
  groupIds?: ArrayLike<number>;
}

/** Number of valid tokens (Σ mask). */
export function countValid(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i] !== 0 ? 1 : 0;
  return n;
}
