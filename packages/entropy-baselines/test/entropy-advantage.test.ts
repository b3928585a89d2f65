import { createLossWorkspace, grpoTokenTerms, Rng, resolveGrpoClip } from "@sentrl/core";
import { describe, expect, it } from "vitest";
import { entropyAdvantageLoss, shapeAdvantages } from "../src/entropy-advantage.js";

/** A batch that hits every branch: padding, A = 0, A < 0 with dual clip, |Δ| > 20, clip boundaries, capped bonus. */
function batch(n: number) {
  const r = new Rng(12345);
  const rnd = () => r.uniform();
  const mask = new Uint8Array(n);
  const logp = new Float64Array(n);
  const oldLogp = new Float64Array(n);
  const advantages = new Float64Array(n);
  const entropy = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    mask[i] = rnd() < 0.8 ? 1 : 0;
    oldLogp[i] = -3 * rnd();
    const u = rnd();
    logp[i] =
      u < 0.05
        ? oldLogp[i] + 25
        : u < 0.1
          ? oldLogp[i] - 25
          : u < 0.15
            ? oldLogp[i] + Math.log(1.2)
            : oldLogp[i] + (rnd() - 0.5) * 2;
    const v = rnd();
    advantages[i] = v < 0.2 ? 0 : v < 0.6 ? -2 * rnd() : 2 * rnd();
    entropy[i] = 3 * rnd();
  }
  return { rows: 1, cols: n, mask, logp, oldLogp, advantages, entropy };
}

describe("entropy-advantage = grpoTokenTerms on shapeAdvantages, plus its two metrics", () => {
  const b = batch(10_000);
  const clip = resolveGrpoClip({ clipRatioLow: 0.2, clipRatioHigh: 0.28, clipRatioC: 3 });
  const shaped = shapeAdvantages(b.advantages, b.entropy, b.mask, 0.4, 2);

  it.each([false, true])("gives grpoTokenTerms' terms on the shaped advantages (workspace %s)", (withWs) => {
    const ref = grpoTokenTerms({ ...b, advantages: shaped }, clip, b.mask);
    const loss = entropyAdvantageLoss.create({
      alpha: 0.4,
      kappa: 2,
      clipRatioLow: 0.2,
      clipRatioHigh: 0.28,
      clipRatioC: 3,
    });
    const ctx = { seed: 0, step: 0, microBatch: 0, ...(withWs ? { workspace: createLossWorkspace() } : {}) };
    const got = loss.tokenLoss(b, undefined, ctx as never) as typeof ref;
    for (let i = 0; i < b.mask.length; i++) {
      if (b.mask[i] === 0) continue; // workspace buffers leave padding unwritten
      expect(got.loss[i]).toBe(ref.loss[i]);
      expect(got.dLogp[i]).toBe(ref.dLogp[i]);
    }
    for (const k of ["pg_clipfrac", "ppo_kl", "pg_clipfrac_lower"])
      expect(Object.is(got.metrics[k], ref.metrics[k])).toBe(true);
    let count = 0;
    let bonus = 0;
    let capped = 0;
    for (let i = 0; i < b.mask.length; i++) {
      if (b.mask[i] === 0) continue;
      count++;
      bonus += shaped[i] - b.advantages[i];
      if (0.4 * b.entropy[i] > Math.abs(b.advantages[i]) / 2) capped++;
    }
    expect(got.metrics["entropy_adv/mean_bonus"]).toBe(bonus / (count + 1e-8));
    expect(got.metrics["entropy_adv/capped_frac"]).toBe(capped / (count + 1e-8));
    expect(got.metrics.pg_clipfrac_lower).toBeGreaterThan(0);
    expect(got.metrics.pg_clipfrac).toBeGreaterThan(0);
  });
});
