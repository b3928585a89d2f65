import { evaluatePolicyLoss, gradcheckPolicyLoss } from "@sentrl/core";
import { describe, expect, it } from "vitest";
import { section57Batch } from "../../core/test/loss-plugin-fixtures.js";
import { clipCovLoss, entropyAdvantageLoss, highEntropyMaskLoss, klCovLoss, shapeAdvantages } from "../src/index.js";

const close = (a: number, b: number, tol = 1e-12) => expect(Math.abs(a - b)).toBeLessThan(tol);
const ctx = { step: 0, microBatch: 0, seed: 0 };
const nonZero = (a: ArrayLike<number>) => [...Array.from(a).entries()].filter(([, v]) => v !== 0).map(([i]) => i);

describe("docs/algorithms.md test vectors on the §5.7 tensors", () => {
  it("§7.3 entropy-advantage shaping (α = 0.4, κ = 2)", () => {
    const b = section57Batch();
    const shaped = shapeAdvantages(b.advantages, b.entropy!, b.mask, 0.4, 2);
    const rows = [0, 1, 2].map((r) => Array.from(shaped.subarray(r * 6, r * 6 + 6)));
    const expected = [
      [1.3888, 1.5, 1.5, 1.2864],
      [-0.25, -0.25, -0.25, -0.25, -0.3184, -0.25],
      [0.3172, 0.375, 0.375],
    ];
    for (const [r, e] of expected.entries()) for (const [t, v] of e.entries()) close(rows[r][t], v);
  });

  it("§7.4 high-entropy-mask: selects (0,1),(0,2),(1,3), loss −0.5232909067463446", () => {
    const b = section57Batch();
    const loss = highEntropyMaskLoss.create({});
    const sel = loss.select!(b, ctx);
    expect(nonZero(sel.tokens.topMask)).toEqual([1, 2, 9]);
    close(evaluatePolicyLoss(loss, b).loss, -0.5232909067463446);
  });

  it("§7.6 kl-cov (ppoKlCoef 1): ratio 2e-4 → index 2; ratio 0.2 → [2, 9]", () => {
    const b = section57Batch();
    const l1 = klCovLoss.create({ ppoKlCoef: 1 });
    expect(nonZero(l1.select!(b, ctx).tokens.coef)).toEqual([2]);
    close(evaluatePolicyLoss(l1, b).loss, -0.14517446278774254);
    const l2 = klCovLoss.create({ ppoKlCoef: 1, klCovRatio: 0.2 });
    expect(nonZero(l2.select!(b, ctx).tokens.coef)).toEqual([2, 9]);
    close(evaluatePolicyLoss(l2, b).loss, -0.14163600125200287);
  });

  it("gradients pass a finite-difference check with the selection frozen", () => {
    const b = { ...section57Batch(), refLogp: Float64Array.from({ length: 18 }, (_, i) => -1 - 0.05 * i) };
    const losses = [
      klCovLoss.create({ klCovRatio: 0.3, ppoKlCoef: 1 }),
      clipCovLoss.create({ clipCovRatio: 0.5, clipCovLb: -1, clipCovUb: 1 }),
      highEntropyMaskLoss.create({}),
      entropyAdvantageLoss.create({}),
    ];
    for (const loss of losses) {
      // entropy-advantage reads stopgrad(H): its value depends on H but its gradient does not, by design, so the
      // entropy bonus (whose gradient core checks against finite differences in H) is left out for it
      const entropyCoeff = loss.name === "entropy-advantage" ? 0 : 0.01;
      const r = gradcheckPolicyLoss(loss, b, { useKlLoss: true, entropyCoeff });
      expect(r.ok, `${loss.name}: ${r.logp.maxAbsError}`).toBe(true);
    }
  });
});
