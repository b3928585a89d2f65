// Test helpers shared by the loss-plugin packages (token-entropy-kl, entropy-baselines): the golden-case shape written
// by tools/torch-ref/sent_losses.py, a tolerance check, the docs/algorithms.md §5.7 test tensors, and errorCode.
import { expect, it } from "vitest";
import { evaluatePolicyLoss, isSentrlError, type PolicyLossDefinition, type TokenBatch } from "../src/index.js";

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

/** The docs/algorithms.md §5.7 test tensors (B = 3, L = 6), as a TokenBatch. */
export function section57Batch(): TokenBatch {
  const flat = (m: number[][]) => Float64Array.from(m.flat());
  return {
    rows: 3,
    cols: 6,
    mask: Uint8Array.from(
      [
        [1, 1, 1, 1, 0, 0],
        [1, 1, 1, 1, 1, 1],
        [1, 1, 1, 0, 0, 0],
      ].flat(),
    ),
    advantages: flat([
      [1, 1, 1, 1, 0, 0],
      [-0.5, -0.5, -0.5, -0.5, -0.5, -0.5],
      [0.25, 0.25, 0.25, 0, 0, 0],
    ]),
    oldLogp: flat([
      [-0.937, -1.066, -0.68, -0.948, 0, 0],
      [-0.348, -0.526, -1.352, -1.633, -1.312, -0.979],
      [-2.163, -1.109, -1.623, 0, 0, 0],
    ]),
    logp: flat([
      [-0.916, -1.014, -0.686, -0.88, 0, 0],
      [-0.303, -0.521, -1.389, -1.679, -1.335, -0.968],
      [-2.213, -1.119, -1.631, 0, 0, 0],
    ]),
    entropy: flat([
      [0.972, 1.779, 1.868, 0.716, 0, 0],
      [1.189, 0.676, 0.783, 1.781, 0.454, 1.246],
      [0.168, 1.665, 1.574, 0, 0, 0],
    ]),
  };
}

/**
 * Registers one vitest case per golden case: the loss and gradLogp (and gradEntropy) at rel 1e-6 of PyTorch, and
 * the same selection (`selectionKey[loss]` names the selection array to compare).
 */
export function registerFixtureCases(
  cases: FixtureCase[],
  definitions: readonly Pick<PolicyLossDefinition, "name" | "create">[],
  selectionKey: Record<string, string>,
): void {
  const byName = new Map(definitions.map((d) => [d.name, d]));
  for (const c of cases) {
    const kind = c.ties ? "tie rule (§5.6)" : "torch parity";
    it(`${c.name} [${kind}]: loss and gradLogp at rel 1e-6, same selection`, () => {
      const loss = byName.get(c.loss)!.create(c.options);
      const batch = batchOf(c);
      const ctx = { step: 0, microBatch: 0, seed: c.ctxSeed };
      const sel = loss.select?.(batch, ctx);
      const out = evaluatePolicyLoss(loss, batch, c.common, ctx);
      expect(Math.abs(out.loss - c.expected.loss)).toBeLessThanOrEqual(1e-6 * Math.abs(c.expected.loss) + 1e-12);
      expect(worstExcess(out.gradLogp, c.expected.gradLogp)).toBeLessThanOrEqual(0);
      if (c.expected.gradEntropy) expect(worstExcess(out.gradEntropy!, c.expected.gradEntropy)).toBeLessThanOrEqual(0);
      if (c.expected.selection && sel) {
        const mine = sel.tokens[selectionKey[c.loss]];
        expect(worstExcess(mine, c.expected.selection, 0, 1e-15)).toBeLessThanOrEqual(0);
      }
    });
  }
}

/** The `SentrlError` code `f` throws, `"no error"` when it returns, or a `not a SentrlError: …` string. */
export function errorCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return isSentrlError(e) ? e.code : `not a SentrlError: ${e}`;
  }
  return "no error";
}
