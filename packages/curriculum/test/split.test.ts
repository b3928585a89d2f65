import { describe, expect, it } from "vitest";
import { assignStages, histogram, histogramEdges, seOrder, seStats } from "../src/index.js";

describe("seOrder", () => {
  it("sorts ascending and breaks ties by original index", () => {
    expect(Array.from(seOrder([0.5, 0, 0.5, 0.1, 0]))).toEqual([1, 4, 3, 0, 2]);
  });
  it("rejects NaN", () => {
    expect(() => seOrder([0, Number.NaN])).toThrow(expect.objectContaining({ code: "CURRICULUM_NAN_SE" }));
  });
});

describe("assignStages", () => {
  const se = [0.9, 0, 0.3, 0.1, 0.3, 0.3, 1.2];
  it("equalSize: contiguous chunks of ⌈n/N⌉ in SE order, last shorter (docs/algorithms.md §4.3)", () => {
    const a = assignStages(se, { kind: "equalSize", stages: 2 });
    expect(a.stages).toEqual([
      [1, 3, 2, 4],
      [5, 0, 6],
    ]);
    expect(Array.from(a.stageOf)).toEqual([1, 0, 0, 0, 0, 1, 1]);
    const b = assignStages(se, { kind: "equalSize", stages: 3 });
    expect(b.stages.map((s) => s.length)).toEqual([3, 3, 1]);
  });
  it("threshold: cuts[s−1] ≤ SE < cuts[s]", () => {
    const a = assignStages(se, { kind: "threshold", cuts: [0.3, 1] });
    expect(a.stages).toEqual([[1, 3], [2, 4, 5, 0], [6]]);
  });
  it("quantile: equal SE values stay in one stage", () => {
    const a = assignStages(se, { kind: "quantile", stages: 2 });
    // quantile cut at sorted position ⌈7/2⌉ = 4 → SE 0.3: the three 0.3 rows go together
    expect(a.cuts).toEqual([0.3]);
    expect(a.stages).toEqual([
      [1, 3],
      [2, 4, 5, 0, 6],
    ]);
  });
  it("rejects bad cuts and stage counts", () => {
    expect(() => assignStages(se, { kind: "threshold", cuts: [1, 0.5] })).toThrow(
      expect.objectContaining({ code: "CURRICULUM_BAD_CUTS" }),
    );
    expect(() => assignStages(se, { kind: "equalSize", stages: 0 })).toThrow(
      expect.objectContaining({ code: "CURRICULUM_BAD_STAGES" }),
    );
    // biome-ignore lint/suspicious/noExplicitAny: testing a bad kind
    expect(() => assignStages(se, { kind: "nope" } as any)).toThrow(
      expect.objectContaining({ code: "CURRICULUM_UNKNOWN_SPLIT" }),
    );
  });
  it("every row lands in exactly one stage, stages in SE order", () => {
    const r = Array.from({ length: 101 }, (_, i) => ((i * 7919) % 13) / 5);
    for (const split of [
      { kind: "equalSize", stages: 4 },
      { kind: "quantile", stages: 3 },
      { kind: "threshold", cuts: [0.5, 1.5] },
    ] as const) {
      const a = assignStages(r, split);
      const all = a.stages.flat().sort((x, y) => x - y);
      expect(all).toEqual(Array.from({ length: 101 }, (_, i) => i));
      const flat = a.stages.flat().map((i) => r[i]);
      for (let k = 1; k < flat.length; k++) expect(flat[k]).toBeGreaterThanOrEqual(flat[k - 1]);
    }
  });
});

describe("stats and histograms", () => {
  it("seStats", () => {
    const s = seStats([0, 0, 1, 2, 3]);
    expect(s).toMatchObject({ count: 5, mean: 1.2, min: 0, max: 3, median: 1, p25: 0, p75: 2, zeros: 2 });
    expect(s.std).toBeCloseTo(Math.sqrt((1.44 * 2 + 0.04 + 0.64 + 3.24) / 5), 12);
    expect(seStats([]).mean).toBeNull();
  });
  it("histogram counts every value once, last bin closed", () => {
    const edges = histogramEdges(0, 2, 4);
    expect(edges).toEqual([0, 0.5, 1, 1.5, 2]);
    const h = histogram([0, 0.49, 0.5, 1.99, 2, 1], edges);
    expect(h.counts).toEqual([2, 1, 1, 2]);
    expect(histogramEdges(0, 0, 2)).toEqual([0, 0.5, 1]);
  });
});
