import { describe, expect, it } from "vitest";
import {
  evaluatePolicyLoss,
  grpoAdvantages,
  grpoLoss,
  grpoTokenTerms,
  klPenalty,
  type TokenBatch,
} from "../src/index.js";

// docs/algorithms.md §5.7 tensors (B=3, L=6).
const mask = [1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0];
const A = [1, 1, 1, 1, 0, 0, -0.5, -0.5, -0.5, -0.5, -0.5, -0.5, 0.25, 0.25, 0.25, 0, 0, 0];
const oldLogp = [
  -0.937, -1.066, -0.68, -0.948, 0, 0, -0.348, -0.526, -1.352, -1.633, -1.312, -0.979, -2.163, -1.109, -1.623, 0, 0, 0,
];
const logp = [
  -0.916, -1.014, -0.686, -0.88, 0, 0, -0.303, -0.521, -1.389, -1.679, -1.335, -0.968, -2.213, -1.119, -1.631, 0, 0, 0,
];
const H = [0.972, 1.779, 1.868, 0.716, 0, 0, 1.189, 0.676, 0.783, 1.781, 0.454, 1.246, 0.168, 1.665, 1.574, 0, 0, 0];
const batch: TokenBatch = {
  rows: 3,
  cols: 6,
  mask: Uint8Array.from(mask),
  logp: Float64Array.from(logp),
  oldLogp: Float64Array.from(oldLogp),
  entropy: Float64Array.from(H),
  advantages: Float64Array.from(A),
};

describe("docs/algorithms.md test vectors", () => {
  it("§7.1: the vanilla loss on the §5.7 tensors is −0.14563600124892598", () => {
    const out = evaluatePolicyLoss(grpoLoss.create({}), batch);
    expect(out.loss).toBeCloseTo(-0.14563600124892598, 15);
    expect(out.metrics.pg_loss).toBe(out.loss);
    expect(out.metrics.pg_clipfrac).toBe(0);
    expect(out.metrics.pg_clipfrac_lower).toBe(0);
    // no token is clipped, so dℓ/dlogp = −A·r / N on valid tokens
    for (let i = 0; i < 18; i++) {
      const g = mask[i] ? (-A[i] * Math.exp(logp[i] - oldLogp[i])) / (13 + 1e-8) : 0;
      expect(out.gradLogp[i]).toBeCloseTo(g, 15);
    }
  });

  it("§6.6: k3(−1, −1.5) = 0.10653065971263342 and k3(−2, −1) = 0.7182818284590451", () => {
    const v = klPenalty(Float64Array.of(-1, -2), Float64Array.of(-1.5, -1), "k3").value;
    expect(v[0]).toBeCloseTo(0.10653065971263342, 15);
    expect(v[1]).toBeCloseTo(0.7182818284590451, 15);
    const w = klPenalty(Float64Array.of(-1, -2), Float64Array.of(-1.5, -1), "low_var_kl").value;
    expect(Array.from(w)).toEqual(Array.from(v));
  });

  it("§6.2: s = [1,1,−1×6] → [1.620183 ×2, −0.540061 ×6]; s = [1,0,0,0] → [1.499997, −0.499999 ×3]", () => {
    const a = grpoAdvantages([1, 1, -1, -1, -1, -1, -1, -1], [0, 0, 0, 0, 0, 0, 0, 0]);
    for (let i = 0; i < 8; i++) expect(a[i]).toBeCloseTo(i < 2 ? 1.620183 : -0.540061, 6);
    const b = grpoAdvantages([1, 0, 0, 0], ["g", "g", "g", "g"]);
    expect(b[0]).toBeCloseTo(1.499997, 6);
    for (let i = 1; i < 4; i++) expect(b[i]).toBeCloseTo(-0.499999, 6);
  });

  it("§6.2 edge cases: all-equal group → exactly 0; single-member group → s/(1+ε), Dr.GRPO → s", () => {
    const a = grpoAdvantages([0.1, 0.1, 0.1, 3], [1, 1, 1, 2]);
    expect(Array.from(a.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(a[3]).toBe(3 / (1 + 1e-6));
    expect(grpoAdvantages([3], [9], { normAdvByStd: false })[0]).toBe(3);
  });

  it("§6.3 dual-clip: a negative-advantage token with a huge ratio is bounded at −A·c with zero gradient", () => {
    const b: TokenBatch = {
      rows: 1,
      cols: 2,
      mask: Uint8Array.of(1, 1),
      logp: Float64Array.of(0, 0),
      oldLogp: Float64Array.of(-5, -5),
      advantages: Float64Array.of(-1, 1),
    };
    const t = grpoTokenTerms(b, { clipRatioC: 3 });
    expect(t.loss[0]).toBe(3);
    expect(t.dLogp[0]).toBe(0);
    expect(t.loss[1]).toBeCloseTo(-1.2, 15); // positive advantage: clipped at 1+ε
    expect(t.dLogp[1]).toBe(0);
    expect(t.metrics.pg_clipfrac).toBeCloseTo(0.5, 8);
    expect(t.metrics.pg_clipfrac_lower).toBeCloseTo(0.5, 8);
    expect(t.metrics.ppo_kl).toBeCloseTo(-5, 6); // masked_mean has +1e-8 in the denominator
  });
});
