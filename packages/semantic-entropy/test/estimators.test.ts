import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { mulberry32 as rng } from "@sentrl/compute/testing";
import {
  clusterLogProbs,
  estimateSemanticEntropy,
  kuhnSemanticEntropy,
  logSumExp,
  type SEEstimator,
  semanticEntropy,
} from "../src/index.js";

interface Case {
  clusterIds: number[];
  logLik: number[];
  lengths: number[];
  expected: Record<SEEstimator, number>;
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/estimators.json", import.meta.url), "utf8")) as {
  cases: Case[];
};

describe("docs/algorithms.md §4.3 test vectors", () => {
  const ids = [0, 0, 0, 0, 0, 1, 1, 2];
  it("discrete", () => {
    expect(semanticEntropy(ids)).toBeCloseTo(0.9002560512685369, 14);
    expect(estimateSemanticEntropy(ids, "discrete")).toBeCloseTo(0.9002560512685369, 14);
  });
  it("lengthNormalized", () => {
    const means = [-0.2, -0.25, -0.3, -0.22, -0.28, -0.6, -0.55, -0.9];
    expect(semanticEntropy(ids, means)).toBeCloseTo(0.7583633828422663, 14);
    // The same through summed log-liks and lengths.
    const lengths = [10, 200, 3, 1, 77, 1000, 5, 42];
    const logLik = means.map((m, i) => m * lengths[i]);
    expect(estimateSemanticEntropy(ids, "lengthNormalized", logLik, lengths)).toBeCloseTo(0.7583633828422663, 12);
  });
});

describe("golden values from tools/torch-ref/semantic_entropy.py", () => {
  it.each(["discrete", "lengthNormalized", "raw", "kuhn"] as SEEstimator[])("%s matches the torch reference", (est) => {
    expect(fixture.cases.length).toBeGreaterThan(10);
    for (const c of fixture.cases) {
      const got = estimateSemanticEntropy(c.clusterIds, est, c.logLik, c.lengths);
      expect(Math.abs(got - c.expected[est])).toBeLessThan(1e-10);
    }
  });
});

describe("edge cases and numerics", () => {
  it("one response or one cluster gives exactly 0", () => {
    expect(semanticEntropy([0])).toBe(0);
    expect(semanticEntropy([0, 0, 0], [-1, -2, -900])).toBe(0);
    expect(estimateSemanticEntropy([0], "raw", [-3000], [1])).toBe(0);
  });
  it("empty input gives 0", () => {
    expect(semanticEntropy([])).toBe(0);
  });
  it("log-sum-exp is stable for raw log-liks of thousands of nats", () => {
    expect(logSumExp([-5000, -5000])).toBeCloseTo(-5000 + Math.LN2, 10);
    const h = semanticEntropy([0, 1], [-4000, -4000]);
    expect(h).toBeCloseTo(Math.LN2, 12);
    // raw likelihoods hundreds of nats apart collapse onto one cluster (why raw is not the default)
    expect(semanticEntropy([0, 1], [-4000, -3000])).toBeLessThan(1e-100);
  });
  it("cluster probabilities sum to 1", () => {
    const lp = clusterLogProbs([0, 1, 1, 2, 0], [-1, -2, -3, -0.5, -7]);
    expect(Array.from(lp).reduce((a, b) => a + Math.exp(b), 0)).toBeCloseTo(1, 14);
  });
  it("kuhn is −mean over clusters of (logsumexp − 5)", () => {
    const w = [-1, -2, -3];
    const expected = -((logSumExp([-1, -2]) - 5 + (-3 - 5)) / 2);
    expect(kuhnSemanticEntropy([0, 0, 1], w)).toBeCloseTo(expected, 14);
  });
  it("likelihood estimators need logLik / lengths (coded errors)", () => {
    expect(() => estimateSemanticEntropy([0, 1], "lengthNormalized")).toThrow(
      expect.objectContaining({ code: "SE_LOGLIK_REQUIRED" }),
    );
    expect(() => estimateSemanticEntropy([0, 1], "lengthNormalized", [-1, -2])).toThrow(
      expect.objectContaining({ code: "SE_LENGTHS_REQUIRED" }),
    );
    expect(() => estimateSemanticEntropy([0, 1], "raw")).toThrow(
      expect.objectContaining({ code: "SE_LOGLIK_REQUIRED" }),
    );
    expect(() => estimateSemanticEntropy([0, 1], "kuhn", [-1])).toThrow(
      expect.objectContaining({ code: "SE_LENGTH_MISMATCH" }),
    );
    expect(() => estimateSemanticEntropy([0, 1], "bogus" as SEEstimator)).toThrow(
      expect.objectContaining({ code: "SE_UNKNOWN_ESTIMATOR" }),
    );
    expect(() => semanticEntropy([0, -1])).toThrow(expect.objectContaining({ code: "SE_BAD_CLUSTER_ID" }));
  });
});

describe("properties", () => {
  const r = rng(7);
  const cases = Array.from({ length: 300 }, () => {
    const m = 1 + Math.floor(r() * 16);
    const kmax = 1 + Math.floor(r() * m);
    const raw = Array.from({ length: m }, () => Math.floor(r() * kmax));
    const map = new Map<number, number>();
    const ids = raw.map((x) => {
      if (!map.has(x)) map.set(x, map.size);
      return map.get(x) as number;
    });
    const w = Array.from({ length: m }, () => -3 * r());
    return { ids, w, k: map.size };
  });
  it("0 ≤ SE ≤ ln K for discrete and likelihood-weighted estimators", () => {
    for (const { ids, w, k } of cases) {
      for (const h of [semanticEntropy(ids), semanticEntropy(ids, w)]) {
        expect(h).toBeGreaterThanOrEqual(0);
        expect(h).toBeLessThanOrEqual(Math.log(k) + 1e-12);
      }
    }
  });
  it("discrete reaches ln K when clusters are equally frequent", () => {
    expect(semanticEntropy([0, 1, 2, 3, 0, 1, 2, 3])).toBeCloseTo(Math.log(4), 14);
  });
  it("is invariant to the order of responses (relabelled in first-seen order)", () => {
    for (const { ids, w } of cases.slice(0, 100)) {
      const perm = ids.map((_, i) => i).sort(() => r() - 0.5);
      const map = new Map<number, number>();
      const pids = perm.map((i) => {
        if (!map.has(ids[i])) map.set(ids[i], map.size);
        return map.get(ids[i]) as number;
      });
      const pw = perm.map((i) => w[i]);
      expect(semanticEntropy(pids, pw)).toBeCloseTo(semanticEntropy(ids, w), 12);
      expect(semanticEntropy(pids)).toBeCloseTo(semanticEntropy(ids), 12);
    }
  });
});
