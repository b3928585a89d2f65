import { describe, expect, it } from "vitest";
import { createSemanticEntropyScorer, semanticEntropy } from "../src/index.js";

describe("README example", () => {
  it("runs as written", () => {
    const score = createSemanticEntropyScorer({ checker: "dapo", estimator: "lengthNormalized", invalid: "singleton" });
    const r = score({
      responses: ["...\nAnswer: 4", "...\nAnswer: $4$", "... so \\boxed{5}", "I am not sure"],
      logLik: [-12.5, -30.1, -9.0, -40.2],
      lengths: [50, 120, 30, 160],
    });
    expect(r.clusterIds).toEqual([0, 0, 1, 2]);
    // mean log-liks −0.25, −0.2508, −0.3, −0.25125: clusters {0,1}, {2}, {3}
    const w = [-12.5 / 50, -30.1 / 120, -9.0 / 30, -40.2 / 160];
    const z = w.reduce((a, b) => a + Math.exp(b), 0);
    const p = [Math.exp(w[0]) + Math.exp(w[1]), Math.exp(w[2]), Math.exp(w[3])].map((x) => x / z);
    expect(r.semanticEntropy).toBeCloseTo(-p.reduce((a, b) => a + b * Math.log(b), 0), 12);
    expect(r.semanticEntropy).toBeCloseTo(1.0352, 3);
    expect(semanticEntropy([0, 0, 0, 0, 0, 1, 1, 2])).toBeCloseTo(0.9002560512685369, 14);
  });
});
