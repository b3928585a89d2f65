import { describe, expect, it } from "vitest";
import { quantileRanks, quantiles, quantilesOfRankValues } from "./quantile.js";
import { rankValues } from "./rank-values.js";

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Reference: a full sort. */
function sortedValues(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values as ArrayLike<number>).sort();
}

const N = 100_000; // large inputs, many duplicates
const rnd = lcg(7);
const cases: [string, Float64Array | Float32Array | number[]][] = [
  ["entropy-like (3·u·v)", Float64Array.from({ length: N }, () => 3 * rnd() * rnd())],
  [
    "signed, zeros, -0, ±Infinity, duplicates",
    Float64Array.from({ length: N }, (_, i) => {
      const u = rnd();
      if (i % 97 === 0) return -0;
      if (i % 89 === 0) return 0;
      if (i === 5) return Number.POSITIVE_INFINITY;
      if (i === 6) return Number.NEGATIVE_INFINITY;
      return u < 0.3 ? Math.round(u * 10) : (u - 0.6) * 1e6;
    }),
  ],
  ["all equal", new Float64Array(N).fill(1.25)],
  ["one narrow bucket", Float64Array.from({ length: N }, () => 1 + rnd() * 1e-3)],
  ["float32 input", Float32Array.from({ length: N }, () => rnd() * 2 - 1)],
  ["small plain array", Array.from({ length: 50 }, () => Math.floor(rnd() * 5))],
];

describe("rankValues", () => {
  it.each(cases)("equals a full sort at every asked rank: %s", (_name, values) => {
    const n = values.length;
    const sorted = sortedValues(values);
    const ranks = [0, 1, Math.floor(n * 0.1), Math.floor(n * 0.5), n - 1, Math.floor(n * 0.8) - 1, Math.floor(n * 0.9)];
    const before = Array.from(values);
    const got = rankValues(values, ranks);
    for (const [j, r] of ranks.entries()) expect(got[j] === sorted[r]).toBe(true); // -0 and +0: the same value
    expect(Array.from(values)).toEqual(before); // input untouched
  });

  it("handles duplicate and out-of-range ranks, and the empty input", () => {
    const v = Float64Array.from({ length: N }, (_, i) => (i * 7919) % N);
    expect(rankValues(v, [3, 3, -1, N, N - 1])).toEqual([3, 3, Number.NaN, Number.NaN, N - 1]);
    expect(rankValues([], [0])).toEqual([Number.NaN]);
  });

  it("feeds quantilesOfRankValues like quantiles()", () => {
    const v = cases[0][1];
    const qs = [0.1, 0.5, 0.9];
    const s = sortedValues(v);
    const expected = qs.map((q) => {
      const pos = q * (v.length - 1);
      const f = Math.floor(pos);
      return pos === f ? s[f] : s[f] + (s[f + 1] - s[f]) * (pos - f);
    });
    expect(quantilesOfRankValues(v.length, qs, rankValues(v, quantileRanks(v.length, qs)))).toEqual(expected);
    expect(quantiles(v, qs)).toEqual(expected);
  });
});
