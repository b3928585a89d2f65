// entropyTokenSet on inputs large enough for rankValues' histogram path: the set and its order must follow the
// docs/algorithms.md §5.6 tie rule (entropy asc | desc, then index asc) exactly like a full sort; quantiles like numpy's.
import { createLossWorkspace } from "@sentrl/core";
import { describe, expect, it } from "vitest";
import { entropyTokenSet } from "../src/index.js";

function entropies(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  const r = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  // many exact ties (quantised values) around the 80% rank, plus zeros
  return Float64Array.from({ length: n }, () => (r() < 0.1 ? 0 : Math.round(3 * r() * r() * 64) / 64));
}

describe("entropyTokenSet (large input, heavy ties)", () => {
  const E = entropies(60_000, 3);
  const n = E.length;
  it.each([
    ["low", 0.8],
    ["high", 0.2],
  ] as const)("tokenSet %s, frac %s: same set as a full sort with the index tie-break", (set, frac) => {
    const k = Math.max(1, Math.trunc(n * frac));
    const order = Array.from({ length: n }, (_, i) => i).sort((i, j) =>
      E[i] !== E[j] ? (set === "low" ? E[i] - E[j] : E[j] - E[i]) : i - j,
    );
    const expected = order.slice(0, k).sort((i, j) => i - j);
    const sorted = Float64Array.from(E).sort();
    const q = [0.1, 0.5, 0.9].map((p) => {
      const pos = p * (n - 1);
      const f = Math.floor(pos);
      return pos === f ? sorted[f] : sorted[f] + (sorted[f + 1] - sorted[f]) * (pos - f);
    });
    for (const ws of [undefined, createLossWorkspace()]) {
      const got = entropyTokenSet(E, set, frac, [0.1, 0.5, 0.9], ws);
      expect(Array.from(got.idx)).toEqual(expected);
      expect(got.quantiles).toEqual(q);
      expect(Array.from(got.rankKey)).toEqual(expected.map((i) => (set === "low" ? E[i] : -E[i])));
    }
  });
});
