import { describe, expect, it } from "vitest";
import { avgAtK, bootstrapCI, majAtK, passAtK } from "../src/index.js";

function binom(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

describe("pass@k (docs/algorithms.md §9.1)", () => {
  it("matches the spec's test vectors", () => {
    expect(passAtK(16, 3, 8)).toBeCloseTo(0.9, 12);
    expect(passAtK(8, 0, 8)).toBe(0);
    expect(passAtK(8, 1, 8)).toBe(1);
    expect(passAtK(32, 2, 1)).toBeCloseTo(0.0625, 12);
  });
  it("equals 1 − C(n−c,k)/C(n,k) everywhere on a grid", () => {
    for (let n = 1; n <= 20; n++)
      for (let c = 0; c <= n; c++)
        for (let k = 1; k <= n; k++) {
          expect(passAtK(n, c, k)).toBeCloseTo(1 - binom(n - c, k) / binom(n, k), 10);
        }
  });
  it("rejects k > n and bad counts with a code", () => {
    expect(() => passAtK(4, 1, 8)).toThrow(expect.objectContaining({ code: "METRIC_K_ABOVE_N" }));
    expect(() => passAtK(4, 5, 1)).toThrow(expect.objectContaining({ code: "METRIC_BAD_COUNTS" }));
  });
});

describe("avg@k and maj@k", () => {
  it("avg@k uses the first k samples", () => {
    expect(avgAtK([true, false, true, true], 4)).toBe(0.75);
    expect(avgAtK([true, false, false, false], 2)).toBe(0.5);
  });
  it("maj@k: most frequent answer, unanswered samples do not vote, ties go to the first seen", () => {
    const s = (key: string | null, correct: boolean) => ({ key, correct });
    expect(majAtK([s("2", true), s("3", false), s("2", true)], 3)).toBe(1);
    expect(majAtK([s("3", false), s("2", true), s(null, false), s(null, false)], 4)).toBe(0);
    expect(majAtK([s(null, false), s("2", true)], 2)).toBe(1);
    expect(majAtK([s(null, false)], 1)).toBe(0);
  });
});

describe("bootstrapCI", () => {
  const values = Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 1 : 0));
  it("is reproducible for a seed and brackets the mean", () => {
    const a = bootstrapCI(values, { seed: 3 });
    expect(bootstrapCI(values, { seed: 3 })).toEqual(a);
    expect(bootstrapCI(values, { seed: 4 })).not.toEqual(a);
    expect(a.lo).toBeLessThan(a.mean);
    expect(a.hi).toBeGreaterThan(a.mean);
    // the normal approximation of a Bernoulli mean: half-width ≈ 1.96·sqrt(p(1−p)/n) ≈ 0.065
    expect(a.hi - a.lo).toBeGreaterThan(0.09);
    expect(a.hi - a.lo).toBeLessThan(0.17);
  });
  it("collapses on constant data", () => {
    expect(bootstrapCI([1, 1, 1])).toMatchObject({ mean: 1, lo: 1, hi: 1 });
  });
});
