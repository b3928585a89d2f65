import { readFileSync } from "node:fs";
import { createPolicyLossRegistry, evaluatePolicyLoss, type TokenBatch } from "@sentrl/core";
import { describe, expect, it } from "vitest";
import { errorCode as code, section57Batch } from "../../core/test/loss-plugin-fixtures.js";
import {
  ClipCovRng,
  clipCovLoss,
  entropyAdvantageLoss,
  entropyBaselinesPlugin,
  highEntropyMaskLoss,
  klCovLoss,
  partialShuffle,
  policyLossDefinitions,
  shapeAdvantages,
} from "../src/index.js";

const ctx = { step: 0, microBatch: 0, seed: 0 };
const prng = (
  JSON.parse(readFileSync(new URL("./fixtures/baseline-losses.json", import.meta.url), "utf8")) as {
    prng: { seed: number; uint32: number[]; below: number[]; bounds: number[] }[];
  }
).prng;

function randomBatch(rows: number, cols: number, seed: number, advScale = 3): TokenBatch {
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const n = rows * cols;
  const mask = new Uint8Array(n).fill(1);
  const advantages = new Float64Array(n);
  for (let b = 0; b < rows; b++) advantages.fill((rnd() * 2 - 1) * advScale, b * cols, (b + 1) * cols);
  const oldLogp = Float64Array.from({ length: n }, () => -3 * rnd());
  return {
    rows,
    cols,
    mask,
    advantages,
    oldLogp,
    logp: oldLogp.map((x) => x + 0.4 * (rnd() - 0.5)),
    entropy: Float64Array.from({ length: n }, () => 2 * rnd()),
  };
}

describe("ClipCovRng", () => {
  it("reproduces the PyTorch reference's port bit for bit", () => {
    for (const v of prng) {
      const rng = new ClipCovRng(v.seed);
      expect(v.uint32.map(() => rng.uint32())).toEqual(v.uint32);
      expect(v.bounds.map((n) => rng.below(n))).toEqual(v.below);
    }
  });
  it("partialShuffle gives a uniform prefix (every item equally likely first)", () => {
    const counts = new Array(5).fill(0);
    const rng = new ClipCovRng(9);
    for (let t = 0; t < 5000; t++) {
      const items = Int32Array.from([0, 1, 2, 3, 4]);
      partialShuffle(items, 1, rng);
      counts[items[0]]++;
    }
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });
});

describe("clip-cov", () => {
  const b = randomBatch(4, 64, 3);
  const opts = { clipCovRatio: 0.02, clipCovLb: 0.2, clipCovUb: 5 };
  it("is deterministic in (ctx.seed XOR seed) and changes with it", () => {
    const corr = (seed: number, ctxSeed: number) =>
      Array.from(clipCovLoss.create({ ...opts, seed }).select!(b, { ...ctx, seed: ctxSeed }).tokens.corr);
    expect(corr(3, 5)).toEqual(corr(3, 5));
    expect(corr(3, 5)).toEqual(corr(6, 0)); // 3 ^ 5 = 6
    const distinct = new Set([0, 1, 2, 3, 4, 5].map((s) => corr(s, 77).join("")));
    expect(distinct.size).toBeGreaterThan(1);
  });
  it("detaches only unclipped candidates inside (lb, ub), at most max(1, trunc(ratio·n)) of them", () => {
    const loss = clipCovLoss.create(opts);
    const sel = loss.select!(b, ctx);
    const chosen = [...sel.tokens.corr.entries()].filter(([, c]) => c === 0).map(([i]) => i);
    expect(chosen.length).toBe(Math.min(Math.max(1, Math.trunc(0.02 * 256)), sel.metrics!["clip_cov/candidates"]));
    const t = loss.tokenLoss(b, sel, ctx);
    for (const i of chosen) {
      expect(t.loss[i]).toBe(0);
      expect(t.dLogp[i]).toBe(0);
    }
    const out = evaluatePolicyLoss(loss, b, {}, ctx, sel);
    expect(out.metrics.pg_clipfrac).toBeCloseTo(chosen.length / 256, 9);
  });
  it("validates its options", () => {
    expect(code(() => clipCovLoss.create({ clipCovUb: 0.5, clipCovLb: 1 }))).toBe("LOSS_BAD_OPTION");
    expect(code(() => clipCovLoss.create({ seed: 1.5 }))).toBe("LOSS_BAD_OPTION");
    expect(code(() => clipCovLoss.create({ clipRatio: 0.2 } as never))).toBe("LOSS_UNKNOWN_OPTION");
  });
});

describe("kl-cov, high-entropy-mask, entropy-advantage", () => {
  it("kl-cov: all-zero advantages tie → the first valid token is penalised", () => {
    const b = { ...section57Batch(), advantages: new Float64Array(18) };
    const coef = klCovLoss.create({ ppoKlCoef: 1 }).select!(b, ctx).tokens.coef;
    expect([...coef.entries()].filter(([, c]) => c !== 0)).toEqual([[0, 1]]);
  });

  it("high-entropy-mask: k = max(1, trunc(n·ratio + 0.9999)), aggregation over mask ⊙ topMask only", () => {
    const b = randomBatch(2, 50, 4);
    for (const [ratio, k] of [
      [0.2, 20],
      [0.013, 2],
      [0.001, 1],
      [1, 100],
    ] as const) {
      const sel = highEntropyMaskLoss.create({ topEntropyRatio: ratio }).select!(b, ctx);
      expect(Array.from(sel.tokens.topMask).reduce((x, y) => x + y, 0)).toBe(k);
    }
    const loss = highEntropyMaskLoss.create({});
    const out = evaluatePolicyLoss(loss, b);
    const top = loss.select!(b, ctx).tokens.topMask;
    for (let i = 0; i < 100; i++) if (!top[i]) expect(out.gradLogp[i]).toBe(0);
    expect(out.metrics["high_entropy_mask/selected_tokens"]).toBe(20);
    // the KL term keeps the full mask
    const kl = evaluatePolicyLoss(loss, { ...b, refLogp: b.oldLogp }, { useKlLoss: true, klLossType: "k1" });
    for (let i = 0; i < 100; i++) if (!top[i]) expect(kl.gradLogp[i]).toBeCloseTo(0.001 / 100, 12);
  });

  it("entropy-advantage: ψ ≥ 0, never flips the sign for κ > 1, zero for A = 0, untouched on padding", () => {
    const A = new Float64Array([2, -2, 0, 0.1, -0.1, 5]);
    const H = new Float64Array([3, 3, 3, 0, 10, 1]);
    const mask = new Uint8Array([1, 1, 1, 1, 1, 0]);
    const s = shapeAdvantages(A, H, mask, 0.4, 2);
    expect([...s]).toEqual([3, -1, 0, 0.1, -0.05, 5]);
    const out = evaluatePolicyLoss(entropyAdvantageLoss.create({}), {
      rows: 1,
      cols: 6,
      mask,
      advantages: A,
      entropy: H,
      logp: new Float64Array(6).fill(-1),
      oldLogp: new Float64Array(6).fill(-1),
    });
    expect(out.loss).toBeCloseTo(-(3 - 1 + 0 + 0.1 - 0.05) / 5, 8);
    expect(out.gradEntropy).toBeUndefined(); // the entropy is detached
    expect(code(() => entropyAdvantageLoss.create({ kappa: 0 }))).toBe("LOSS_BAD_OPTION");
    expect(code(() => highEntropyMaskLoss.create({ topEntropyRatio: 0 }))).toBe("LOSS_BAD_OPTION");
    expect(code(() => highEntropyMaskLoss.create({ clipRatioC: 1 }))).toBe("LOSS_BAD_OPTION");
  });

  it("an empty scope gives loss 0 for every loss", () => {
    const b = { ...section57Batch(), mask: new Uint8Array(18) };
    for (const def of policyLossDefinitions) expect(evaluatePolicyLoss(def.create({}), b).loss).toBe(0);
    for (const loss of [klCovLoss, clipCovLoss, highEntropyMaskLoss].map((d) => d.create({}))) {
      const sel = loss.select!(b, ctx);
      for (const v of Object.values(sel.tokens)) expect(Array.from(v).every((x) => x === 0 || x === 1)).toBe(true);
    }
  });

  it("registers through the plugin factory", () => {
    const plugin = entropyBaselinesPlugin();
    expect(plugin.name).toBe("@sentrl/entropy-baselines");
    expect(createPolicyLossRegistry(plugin.policyLosses).names()).toEqual([
      "clip-cov",
      "entropy-advantage",
      "high-entropy-mask",
      "kl-cov",
    ]);
    expect(Object.keys(clipCovLoss.defaults).sort()).toEqual(
      ["clipCovLb", "clipCovRatio", "clipCovUb", "clipRatioHigh", "clipRatioLow", "seed"].sort(),
    );
    expect(Object.keys(highEntropyMaskLoss.defaults)).toContain("clipRatioC");
    expect(entropyAdvantageLoss.defaults).toMatchObject({ alpha: 0.4, kappa: 2, clipRatio: 0.2 });
  });
});
