import { describe, expect, it } from "vitest";
import { mulberry32 as rng } from "@sentrl/compute/testing";
import {
  evaluatePolicyLoss,
  gradcheck,
  gradcheckPolicyLoss,
  grpoLoss,
  isStraightThroughKl,
  KL_LOSS_TYPES,
  type KlLossType,
  LOSS_AGG_MODES,
  type PolicyLoss,
  type TokenBatch,
} from "../src/index.js";
import { zeroTokenBatch } from "./token-batch.js";

function batch(seed: number, rows = 3, cols = 5, lengths = [5, 3, 4]): TokenBatch {
  const r = rng(seed);
  const out = zeroTokenBatch(rows, cols, Float64Array);
  const { mask, logp, oldLogp, refLogp, entropy, advantages } = out;
  for (let b = 0; b < rows; b++) {
    const a = r() * 2 - 1;
    for (let t = 0; t < cols; t++) {
      const i = b * cols + t;
      mask[i] = t < lengths[b] ? 1 : 0;
      logp[i] = -3 * r() - 0.05;
      oldLogp[i] = logp[i] + (r() - 0.5) * 0.8; // some ratios outside [0.8, 1.2]: clipped tokens included
      refLogp[i] = logp[i] + (r() - 0.5) * 2;
      entropy[i] = 2 * r();
      advantages[i] = mask[i] ? a : 7 * (r() - 0.5); // garbage on padding
    }
  }
  return out;
}

describe("gradcheck", () => {
  it("passes a correct gradient and fails a wrong one", () => {
    const f = (x: Float64Array) => ({
      value: Math.sin(x[0]) * x[1],
      grad: Float64Array.of(Math.cos(x[0]) * x[1], Math.sin(x[0])),
    });
    expect(gradcheck(f, Float64Array.of(0.3, 2)).ok).toBe(true);
    const wrong = (x: Float64Array) => ({
      value: Math.sin(x[0]) * x[1],
      grad: Float64Array.of(Math.cos(x[0]), Math.sin(x[0])),
    });
    const r = gradcheck(wrong, Float64Array.of(0.3, 2));
    expect(r.ok).toBe(false);
    expect(r.worst).toBe(0);
    expect(r.maxAbsError).toBeGreaterThan(0.5);
    expect(r.relError[1]).toBeLessThan(1e-8);
  });
});

describe("grpo loss gradients against finite differences (selection frozen)", () => {
  for (const mode of LOSS_AGG_MODES) {
    it(`grpo, ${mode}, entropy bonus`, () => {
      const r = gradcheckPolicyLoss(
        grpoLoss.create({ clipRatioLow: 0.1, clipRatioHigh: 0.28, clipRatioC: 2 }),
        batch(11),
        {
          lossAggMode: mode,
          entropyCoeff: 0.01,
        },
      );
      expect(r.ok, `max abs error ${r.logp.maxAbsError}`).toBe(true);
      expect(r.entropy?.ok).toBe(true);
      // something was clipped, so the check saw zero and non-zero gradients
      expect(r.logp.analytic.some((g, i) => g === 0 && batch(11).mask[i] === 1)).toBe(true);
    });
  }

  for (const type of KL_LOSS_TYPES.filter((t) => !isStraightThroughKl(t))) {
    it(`reference KL ${type}`, () => {
      const r = gradcheckPolicyLoss(grpoLoss.create({}), batch(23), {
        useKlLoss: true,
        klLossType: type,
        klLossCoef: 0.3,
      });
      expect(r.ok, `max abs error ${r.logp.maxAbsError} at ${r.logp.worst}`).toBe(true);
      expect(r.entropy).toBeUndefined();
    });
  }

  it("straight-through KL types are excluded by design (their gradient is k2's)", () => {
    for (const type of KL_LOSS_TYPES.filter(isStraightThroughKl)) {
      expect(() =>
        gradcheckPolicyLoss(grpoLoss.create({}), batch(3), { useKlLoss: true, klLossType: type as KlLossType }),
      ).toThrow(expect.objectContaining({ code: "GRADCHECK_STRAIGHT_THROUGH" }));
    }
  });

  it("catches a loss whose dLogp is wrong", () => {
    const broken: PolicyLoss = {
      name: "broken",
      tokenLoss: (b) => {
        const loss = new Float64Array(b.rows * b.cols);
        const dLogp = new Float64Array(b.rows * b.cols);
        for (let i = 0; i < loss.length; i++) {
          loss[i] = b.logp[i] * b.logp[i];
          dLogp[i] = b.logp[i]; // should be 2·logp
        }
        return { loss, dLogp };
      },
    };
    expect(gradcheckPolicyLoss(broken, batch(5)).ok).toBe(false);
  });

  it("freezes the selection: select runs once, on the unperturbed batch", () => {
    let calls = 0;
    const selecting: PolicyLoss<{ tokens: { keep: Uint8Array } }> = {
      name: "top-logp",
      select: (b) => {
        calls++;
        // keep tokens whose logp is above the median: flips under perturbation if it were re-run
        const sorted = Array.from(b.logp).sort((x, y) => x - y);
        const med = sorted[Math.floor(sorted.length / 2)];
        return { tokens: { keep: Uint8Array.from(b.logp, (v) => (v > med ? 1 : 0)) } };
      },
      tokenLoss: (b, sel) => {
        const loss = new Float64Array(b.rows * b.cols);
        const dLogp = new Float64Array(b.rows * b.cols);
        for (let i = 0; i < loss.length; i++) {
          const k = sel!.tokens.keep[i];
          loss[i] = k * Math.exp(b.logp[i]);
          dLogp[i] = k * Math.exp(b.logp[i]);
        }
        return { loss, dLogp };
      },
    };
    const r = gradcheckPolicyLoss(selecting, batch(8));
    expect(r.ok).toBe(true);
    expect(calls).toBe(1);
  });

  it("a loss's own dEntropy enters gradEntropy through the policy aggregation", () => {
    const entropyLoss: PolicyLoss = {
      name: "entropy-term",
      needs: { entropy: true },
      tokenLoss: (b) => {
        const n = b.rows * b.cols;
        const loss = new Float64Array(n);
        const dLogp = new Float64Array(n);
        const dEntropy = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          loss[i] = -b.advantages[i] * b.logp[i] * b.entropy![i] ** 2;
          dLogp[i] = -b.advantages[i] * b.entropy![i] ** 2;
          dEntropy[i] = -2 * b.advantages[i] * b.logp[i] * b.entropy![i];
        }
        return { loss, dLogp, dEntropy, aggMask: Uint8Array.from(b.mask, (m, i) => (m && i % 2 === 0 ? 1 : 0)) };
      },
    };
    const b = batch(19);
    const r = gradcheckPolicyLoss(entropyLoss, b, { entropyCoeff: 0.02, lossAggMode: "seq-mean-token-mean" });
    expect(r.ok).toBe(true);
    expect(r.entropy?.ok).toBe(true);
    const out = evaluatePolicyLoss(entropyLoss, b, {});
    expect(out.gradEntropy).toBeDefined(); // present without entropyCoeff because the loss differentiates H
  });
});
