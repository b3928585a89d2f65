import type { TokenBatch } from "@sentrl/core";

/** One golden case written by tools/torch-ref/sent_losses.py (flat row-major arrays). */
export interface FixtureCase {
  name: string;
  loss: string;
  options: Record<string, unknown>;
  common: Record<string, unknown>;
  ctxSeed: number;
  rows: number;
  cols: number;
  /** true when a selection boundary tied: the reference then applies the §5.6 tie rule (stable sort), not topk. */
  ties: boolean;
  mask: number[];
  logp: number[];
  oldLogp: number[];
  refLogp: number[];
  entropy: number[];
  advantages: number[];
  expected: { loss: number; gradLogp: number[]; gradEntropy?: number[]; selection: number[] | null };
}

export function batchOf(c: FixtureCase): TokenBatch {
  return {
    rows: c.rows,
    cols: c.cols,
    mask: Uint8Array.from(c.mask),
    logp: Float64Array.from(c.logp),
    oldLogp: Float64Array.from(c.oldLogp),
    refLogp: Float64Array.from(c.refLogp),
    entropy: Float64Array.from(c.entropy),
    advantages: Float64Array.from(c.advantages),
  };
}

/** Largest violation of |a − b| ≤ atol + rtol·|b| (≤ 0 means every element passes). */
export function worstExcess(a: ArrayLike<number>, b: ArrayLike<number>, rtol = 1e-6, atol = 1e-12): number {
  let worst = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) - (atol + rtol * Math.abs(b[i])));
  return worst;
}
