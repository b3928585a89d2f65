import { describe, expect, it } from "vitest";
import type { PolicyLoss, TokenBatch } from "../index.js";
import { createLossWorkspace, evaluatePolicyLoss, grpoLoss, validateTokenBatch } from "../index.js";
import { allFinite } from "./validate.js";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    s = (s ^ Math.imul(s ^ (s >>> 12), 0x297a2d39)) >>> 0;
    return s / 4294967296;
  };
}

/** Random batch: some empty rows, some scattered masks, some log-ratios beyond the ±20 clamp; mask at `offset`. */
function batch(rows: number, cols: number, seed: number, f32: boolean, offset = 0): TokenBatch {
  const r = rng(seed);
  const n = rows * cols;
  const mask = new Uint8Array(n + 8).subarray(offset, offset + n);
  const T = f32 ? Float32Array : Float64Array;
  const b = {
    rows,
    cols,
    mask,
    logp: new T(n),
    oldLogp: new T(n),
    refLogp: new T(n),
    entropy: new T(n),
    advantages: new T(n),
  };
  for (let row = 0; row < rows; row++) {
    const kind = r();
    const a = r() < 0.2 ? 0 : 4 * r() - 2;
    for (let t = 0; t < cols; t++) {
      const i = row * cols + t;
      mask[i] = kind < 0.15 ? 0 : kind < 0.35 ? (r() < 0.5 ? 1 : 0) : t < cols * kind ? 1 : 0;
      const o = -5 * r() * r();
      b.oldLogp[i] = o;
      b.logp[i] = o + (r() < 0.1 ? 50 * (r() - 0.5) : 0.6 * (r() - 0.5));
      b.refLogp[i] = o + (r() < 0.05 ? 50 * (r() - 0.5) : 0.5 * (r() - 0.5));
      b.entropy[i] = 3 * r();
      b.advantages[i] = r() < 0.1 ? -a : a;
    }
  }
  return b;
}

function expectIdentical(a: ReturnType<typeof evaluatePolicyLoss>, b: ReturnType<typeof evaluatePolicyLoss>) {
  expect(Object.is(a.loss, b.loss)).toBe(true);
  expect(a.metrics).toEqual(b.metrics);
  expect(Array.from(a.gradLogp)).toEqual(Array.from(b.gradLogp));
  expect(a.gradEntropy === undefined).toBe(b.gradEntropy === undefined);
  if (a.gradEntropy) expect(Array.from(a.gradEntropy)).toEqual(Array.from(b.gradEntropy!));
}

const COMMONS = [
  {},
  { lossAggMode: "seq-mean-token-mean" as const, useKlLoss: true, klLossType: "k3" as const, entropyCoeff: 0.01 },
  { lossAggMode: "seq-mean-token-sum" as const, useKlLoss: true, klLossType: "abs+" as const },
  { lossAggMode: "seq-mean-token-sum-norm" as const, useKlLoss: true, klLossType: "k2" as const, entropyCoeff: -0.1 },
];

describe("createLossWorkspace", () => {
  it("gives bit-identical results to fresh arrays, also on reused (stale) buffers", () => {
    const ws = createLossWorkspace();
    const loss = grpoLoss.create({ clipRatioHigh: 0.28, clipRatioC: 1.5 });
    // two different batches of the same shape alternate through the same workspace
    const batches = [batch(9, 13, 1, false), batch(9, 13, 2, true, 1), batch(9, 13, 3, false, 2)];
    for (const common of COMMONS) {
      for (const b of [...batches, ...batches]) {
        const fresh = evaluatePolicyLoss(loss, b, common);
        const reused = evaluatePolicyLoss(loss, b, common, { workspace: ws });
        expectIdentical(fresh, reused);
      }
    }
  });

  it("hands out the same buffer per key and length, a new one for a new length", () => {
    const ws = createLossWorkspace();
    const a = ws.f64("x", 8);
    a.fill(3);
    expect(ws.f64("x", 8)).toBe(a);
    expect(ws.f64Zeroed("x", 8)).toBe(a);
    expect(Array.from(a)).toEqual(new Array(8).fill(0));
    expect(ws.f64("x", 9)).not.toBe(a);
    expect(ws.u8("m", 4)).toBe(ws.u8("m", 4));
    expect(ws.i32("i", 4)).toBe(ws.i32("i", 4));
    ws.clear();
    expect(ws.u8("m", 4).length).toBe(4);
  });

  it("returns gradients that live in the workspace (overwritten by the next call)", () => {
    const ws = createLossWorkspace();
    const loss = grpoLoss.create({});
    const first = evaluatePolicyLoss(loss, batch(4, 6, 5, false), {}, { workspace: ws });
    const second = evaluatePolicyLoss(loss, batch(4, 6, 6, false), {}, { workspace: ws });
    expect(second.gradLogp).toBe(first.gradLogp);
  });

  it("passes through LossContext to a plugin's tokenLoss", () => {
    const ws = createLossWorkspace();
    let seen: unknown;
    const spy: PolicyLoss = {
      name: "spy",
      tokenLoss(b, _s, ctx) {
        seen = ctx.workspace;
        return grpoLoss.create({}).tokenLoss(b, undefined, ctx);
      },
    };
    evaluatePolicyLoss(spy, batch(3, 5, 7, false), {}, { workspace: ws });
    expect(seen).toBe(ws);
  });
});

describe("finiteness check", () => {
  it("allFinite finds NaN and ±Inf anywhere in float32, float64 and plain arrays", () => {
    for (const make of [(n: number) => new Float32Array(n), (n: number) => new Float64Array(n)]) {
      for (const n of [1, 5, 8, 13]) {
        for (let at = 0; at < n; at++) {
          for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
            const v = make(n).fill(-3.5e8);
            expect(allFinite(v)).toBe(true);
            v[at] = bad;
            expect(allFinite(v)).toBe(false);
            expect(allFinite(Array.from(v))).toBe(false);
          }
        }
      }
    }
    expect(allFinite(new Float32Array([3.4e38, -3.4e38, 1e-45, -0]))).toBe(true);
    expect(allFinite(new Float64Array([1.7e308, -1.7e308, 5e-324, -0]))).toBe(true);
    // unaligned views take the generic path
    const f64 = new Float64Array(new ArrayBuffer(8 * 5 + 4), 4 * 0, 5);
    f64[3] = Number.NaN;
    expect(allFinite(f64)).toBe(false);
  });

  it("validateTokenBatch still rejects masks with values other than 0/1 at any alignment", () => {
    for (const off of [0, 1, 3]) {
      const b = batch(2, 7, 3, true, off);
      b.mask[13] = 2;
      expect(() => validateTokenBatch(b)).toThrow(/LOSS_BAD_MASK|holds only 0 or 1/);
    }
  });
});
