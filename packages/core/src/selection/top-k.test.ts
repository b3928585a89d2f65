import { describe, expect, it } from "vitest";
import { selectRanks } from "./nth-element.js";
import { argKByThreshold, argLargestK, argSmallestK } from "./top-k.js";

/** Reference: full sort by (value, tie keys, index) — what the selection must equal. */
function refRank(values: ArrayLike<number>, k: number, largest: boolean, tieKeys: ArrayLike<number>[] = []): number[] {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  idx.sort((i, j) => {
    const a = values[i];
    const b = values[j];
    if (a !== b) return largest ? b - a : a - b;
    for (const key of tieKeys) if (key[i] !== key[j]) return key[i] - key[j];
    return i - j;
  });
  return idx.slice(0, Math.min(k, values.length));
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

describe("argSmallestK / argLargestK", () => {
  it("ranks by value then position (docs/algorithms.md §5.6)", () => {
    expect([...argSmallestK([3, 1, 2, 1], 3)]).toEqual([1, 3, 2]);
    expect([...argLargestK([3, 5, 5, 1], 2)]).toEqual([1, 2]);
    expect([...argLargestK([0, 0, 0, 0], 2)]).toEqual([0, 1]);
    expect([...argSmallestK([0, 0, 0, 0], 3)]).toEqual([0, 1, 2]);
  });

  it("handles k = 0, k = n and k > n", () => {
    expect(argSmallestK([1, 2], 0).length).toBe(0);
    expect([...argSmallestK([2, 1], 2)]).toEqual([1, 0]);
    expect([...argLargestK([2, 1, 3], 9)]).toEqual([2, 0, 1]);
    expect(argLargestK([], 1).length).toBe(0);
  });

  it("rejects a bad k", () => {
    expect(() => argSmallestK([1], -1)).toThrow(/non-negative integer/);
    expect(() => argSmallestK([1], 1.5)).toThrow(/non-negative integer/);
  });

  it("matches a full sort on random data with many ties, heap and quickselect paths, both directions", () => {
    const rnd = lcg(7);
    for (const n of [1, 5, 17, 100, 1000, 5000]) {
      // few distinct values → lots of ties
      const values = Float64Array.from({ length: n }, () => Math.floor(rnd() * 7) - 3);
      for (const k of [1, 2, Math.floor(n / 80), Math.floor(n / 2), Math.floor(n * 0.8), n]) {
        if (k < 1) continue;
        expect([...argSmallestK(values, k)]).toEqual(refRank(values, k, false));
        expect([...argLargestK(values, k)]).toEqual(refRank(values, k, true));
        const unsorted = [...argSmallestK(values, k, { sorted: false })].sort((a, b) => a - b);
        expect(unsorted).toEqual(refRank(values, k, false).sort((a, b) => a - b));
      }
    }
  });

  it("breaks value ties by the tie keys before the position", () => {
    const values = [1, 1, 1, 0, 1];
    const key = [5, 3, 3, 9, 1];
    expect([...argLargestK(values, 4, { tieKeys: [key] })]).toEqual([4, 1, 2, 0]);
    expect([...argSmallestK(values, 3, { tieKeys: [key] })]).toEqual([3, 4, 1]);
    const rnd = lcg(3);
    const v = Float64Array.from({ length: 3000 }, () => Math.floor(rnd() * 3));
    const k1 = Float64Array.from({ length: 3000 }, () => Math.floor(rnd() * 5));
    for (const k of [1, 10, 2000]) {
      expect([...argLargestK(v, k, { tieKeys: [k1] })]).toEqual(refRank(v, k, true, [k1]));
    }
  });

  it("works on Float32Array input and sorted inputs (no quadratic blow-up)", () => {
    const n = 200_000;
    const asc = Float32Array.from({ length: n }, (_, i) => i);
    expect([...argSmallestK(asc, 3)]).toEqual([0, 1, 2]);
    const top = argLargestK(asc, n - 10, { sorted: false });
    expect(top.length).toBe(n - 10);
    expect(top.reduce((m, x) => Math.min(m, x), n)).toBe(10);
    const desc = Float64Array.from({ length: n }, (_, i) => n - i);
    expect(argSmallestK(desc, 150_000)[0]).toBe(n - 1);
  });
});

describe("argKByThreshold / selectRanks", () => {
  it("selectRanks places every requested rank like a sort would", () => {
    const rnd = lcg(11);
    for (const n of [1, 2, 10, 1000, 20000]) {
      const v = Float64Array.from({ length: n }, () => Math.floor(rnd() * 50));
      const sorted = [...v].sort((a, b) => a - b);
      const ranks = [0, Math.floor(n / 10), Math.floor(n / 2), n - 1, Math.floor(n * 0.9)];
      const a = v.slice();
      selectRanks(a, ranks);
      for (const r of ranks) expect(a[r]).toBe(sorted[r]);
    }
  });
  it("argKByThreshold equals the tie rule's top-k set", () => {
    const rnd = lcg(12);
    const v = Float64Array.from({ length: 5000 }, () => Math.floor(rnd() * 20));
    for (const largest of [false, true]) {
      for (const k of [1, 7, 2500, 4999]) {
        const sorted = [...v].sort((a, b) => (largest ? b - a : a - b));
        const got = [...argKByThreshold(v, k, sorted[k - 1], largest)];
        expect(got).toEqual(refRank(v, k, largest).sort((a, b) => a - b));
      }
    }
  });
});
