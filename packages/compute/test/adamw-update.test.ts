import { describe, expect, it } from "vitest";
import { adamwUpdate, createReferenceBackend } from "../src/index.js";

const settings = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-12, step: 1, maxGradNorm: 1 };

describe("adamwUpdate (the one AdamW: reference backend arithmetic on plain arrays)", () => {
  it("first update moves each parameter by lr·sign(g) after decoupled decay; clips by the global norm; leaves grads", () => {
    const t = {
      param: new Float64Array([1, -2, 3]),
      grad: new Float64Array([0.3, -4, 0]),
      m: new Float64Array(3),
      v: new Float64Array(3),
      weightDecay: 0.1,
    };
    const r = adamwUpdate([t], settings);
    expect(r.gradNorm).toBeCloseTo(Math.hypot(0.3, 4), 12);
    expect(r.clipCoef).toBeCloseTo(1 / (Math.hypot(0.3, 4) + 1e-6), 12);
    expect(r.applied).toBe(true);
    expect(t.param[0]).toBeCloseTo(1 * (1 - 0.001) - 0.01, 12);
    expect(t.param[1]).toBeCloseTo(-2 * (1 - 0.001) + 0.01, 12);
    expect(t.param[2]).toBe(3 * (1 - 0.001)); // no gradient: decay only
    expect(Array.from(t.grad)).toEqual([0.3, -4, 0]); // gradients are not clipped in place
  });

  it("skips the whole update on a non-finite norm, on arrays and in the reference backend (the conformance suite checks every backend)", () => {
    for (const bad of [Number.NaN, Number.NEGATIVE_INFINITY]) {
      const t = { param: new Float64Array([1, 2]), grad: new Float64Array([bad, 1]), m: new Float64Array(2), v: new Float64Array(2), weightDecay: 0.5 };
      expect(adamwUpdate([t], settings)).toMatchObject({ applied: false });
      expect(Array.from(t.param)).toEqual([1, 2]);
      expect(Array.from(t.m)).toEqual([0, 0]);
      for (const be of [createReferenceBackend()]) {
        const buf = (xs: number[]) => {
          const b = be.alloc(xs.length);
          be.upload(b, Float32Array.from(xs));
          return b;
        };
        const p = { param: buf([1, 2]), grad: buf([bad, 1]), m: buf([0, 0]), v: buf([0, 0]) };
        const res = be.adamwStep({ params: [p], ...settings, weightDecay: 0.5 });
        expect(res.applied).toBe(false);
        expect(Array.from(be.download(p.param))).toEqual([1, 2]);
      }
    }
  });
});
