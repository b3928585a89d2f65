import { describe, expect, it } from "vitest";
import {
  clusterExtracted,
  clusterResponses,
  computeSemanticEntropy,
  createSemanticEntropyScorer,
  extractClusterAnswer,
  resolveChecker,
} from "../src/index.js";

const exact = { equivalent: (a: string, b: string) => a === b };

describe("extraction for clustering", () => {
  it("reads the last Answer: line in the last 300 characters, else the last boxed", () => {
    expect(extractClusterAnswer("work\nAnswer: 3\nmore\nAnswer: 4")).toBe("4");
    expect(extractClusterAnswer("so \\boxed{\\frac{1}{2}} and then \\boxed{x^{2}}")).toBe("x^{2}");
    expect(extractClusterAnswer(`Answer: 5\n${"x".repeat(400)}\\boxed{6}`)).toBe("6");
    expect(extractClusterAnswer(`Answer: 5\n${"x".repeat(400)}`)).toBeNull();
    expect(extractClusterAnswer("Answer: 7 \\boxed{8}")).toBe("7 \\boxed{8}");
    expect(extractClusterAnswer("nothing here")).toBeNull();
  });
});

describe("clusterExtracted", () => {
  it("numbers clusters in first-seen order; invalid singleton vs shared", () => {
    const a = ["4", null, "5", "4", null, "6"];
    expect(Array.from(clusterExtracted(a, exact))).toEqual([0, 1, 2, 0, 3, 4]);
    expect(Array.from(clusterExtracted(a, exact, "shared"))).toEqual([0, 1, 2, 0, 1, 3]);
    const keyed = { canonicalKey: (s: string) => s, equivalent: exact.equivalent };
    expect(Array.from(clusterExtracted(a, keyed))).toEqual([0, 1, 2, 0, 3, 4]);
    expect(Array.from(clusterExtracted(a, keyed, "shared"))).toEqual([0, 1, 2, 0, 1, 3]);
    expect(() => clusterExtracted(a, exact, "nope" as never)).toThrow(
      expect.objectContaining({ code: "SE_UNKNOWN_INVALID_POLICY" }),
    );
  });
  it("equivalence-only clustering compares with each cluster's first member", () => {
    const calls: [string, string][] = [];
    const eq = {
      equivalent: (x: string, y: string) => {
        calls.push([x, y]);
        return Number(x) === Number(y);
      },
    };
    expect(Array.from(clusterExtracted(["1", "1.0", "2", "01", "2.00"], eq))).toEqual([0, 0, 1, 0, 1]);
    for (const [x] of calls) expect(["1", "2"]).toContain(x);
  });
});

describe("with the @sentrl/evaluators checkers", () => {
  it("dapo clusters by the normalised answer", () => {
    const dapo = resolveChecker("dapo");
    const c = clusterResponses(["Answer: $1,000$", "Answer: 1000", "\\boxed{1000}", "Answer: 10", "no answer"], dapo);
    expect(Array.from(c.clusterIds)).toEqual([0, 0, 0, 1, 2]);
    expect(c.numClusters).toBe(3);
  });
  it("symbolic clusters equivalent expressions without a canonical key", () => {
    const sym = resolveChecker("symbolic");
    expect(sym.canonicalKey).toBeUndefined();
    const c = clusterResponses(["\\boxed{\\frac{1}{2}}", "\\boxed{0.5}", "\\boxed{2/4}", "\\boxed{3}"], sym);
    expect(c.clusterIds[0]).toBe(0);
    expect(c.clusterIds[2]).toBe(0);
    expect(c.clusterIds[3]).not.toBe(0);
  });
  it("unknown checkers are coded errors", () => {
    expect(() => resolveChecker("nope")).toThrow(expect.objectContaining({ code: "SE_UNKNOWN_CHECKER" }));
  });
});

describe("scorer", () => {
  it("defaults: dapo, lengthNormalized, singleton", () => {
    const r = computeSemanticEntropy({
      responses: ["Answer: 1", "Answer: 1", "Answer: 2", "nope"],
      logLik: [-2, -4, -3, -1],
      lengths: [2, 4, 3, 1],
    });
    // every mean log-lik is −1 → equal weights → discrete over clusters {2, 1, 1}
    expect(r.semanticEntropy).toBeCloseTo(-(0.5 * Math.log(0.5) + 0.5 * Math.log(0.25)), 12);
    expect(r.clusterIds).toEqual([0, 0, 1, 2]);
    expect(() => computeSemanticEntropy({ responses: ["Answer: 1"] })).toThrow(
      expect.objectContaining({ code: "SE_LOGLIK_REQUIRED" }),
    );
  });
  it("is invariant to response order with a transitive checker (dapo)", () => {
    const score = createSemanticEntropyScorer({ estimator: "lengthNormalized" });
    const responses = ["Answer: 1", "Answer: 2", "Answer: $1$", "x", "\\boxed{3}", "Answer: 2", "Answer: 1", "y"];
    const logLik = [-5, -9, -3, -20, -7, -1, -8, -2];
    const lengths = [5, 3, 6, 10, 7, 2, 4, 2];
    const base = score({ responses, logLik, lengths }).semanticEntropy;
    let seed = 3;
    for (let t = 0; t < 50; t++) {
      const perm = responses.map((_, i) => i);
      for (let i = perm.length - 1; i > 0; i--) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        const j = seed % (i + 1);
        [perm[i], perm[j]] = [perm[j], perm[i]];
      }
      const h = score({
        responses: perm.map((i) => responses[i]),
        logLik: perm.map((i) => logLik[i]),
        lengths: perm.map((i) => lengths[i]),
      }).semanticEntropy;
      expect(h).toBeCloseTo(base, 12);
    }
  });
});

describe("answer clustering with cluster keys", () => {
  it("compares only clusters sharing a key (or without keys) and gives the pairwise result", () => {
    let calls = 0;
    // equal ignoring case; a `?` answer has no key (compared with every cluster)
    const equivalent = (a: string, b: string) => {
      calls++;
      return a.replace("?", "").toLowerCase() === b.replace("?", "").toLowerCase();
    };
    const clusterKeys = (a: string) => (a.startsWith("?") ? null : [a.toLowerCase()]);
    const answers = ["a", "B", "A", null, "?b", "c", "?d", "D", "b", "e", null, "E"];
    const pairwise = clusterExtracted(answers, { equivalent });
    const pairwiseCalls = calls;
    calls = 0;
    const keyed = clusterExtracted(answers, { equivalent, clusterKeys });
    expect(Array.from(keyed)).toEqual(Array.from(pairwise));
    expect(Array.from(keyed)).toEqual([0, 1, 0, 2, 1, 3, 4, 4, 1, 5, 6, 5]);
    expect(calls).toBeLessThan(pairwiseCalls);
  });

  it("clusters distinct symbolic answers by key (timing: packages/evaluators/bench/symbolic.ts)", () => {
    const symbolic = resolveChecker("symbolic");
    const answers = Array.from({ length: 600 }, (_, k) =>
      k % 3 === 0 ? `\\frac{${k}}{7}` : k % 3 === 1 ? `${k}\\sqrt{2}` : `(${k}, x^2+${k})`,
    );
    const ids = clusterExtracted([...answers, "\\frac{6}{14}", "(2, x^2 + 2)"], symbolic);
    expect(new Set(ids).size).toBe(600);
    expect(ids[600]).toBe(ids[3]); // 6/14 = 3/7
    expect(ids[601]).toBe(ids[2]);
  });
});
