import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { annotatedOutputs, readmeTsBlocks, runTsBlock } from "../../core/test/readme-examples.js";
import { createSemanticEntropyScorer } from "../src/index.js";

describe("README example", () => {
  it("runs as written and prints what its `// →` comments say", async () => {
    const [code] = readmeTsBlocks(join(__dirname, "..", "README.md"));
    const expected = annotatedOutputs(code);
    expect(expected).toHaveLength(3);
    const { logs } = await runTsBlock(code);
    expect(JSON.parse(JSON.stringify(logs.map((args) => args[0])))).toEqual(expected);
  });

  it("the printed SE is the length-normalised estimator over clusters {0,1}, {2}, {3}", () => {
    const score = createSemanticEntropyScorer({ checker: "dapo", estimator: "lengthNormalized", invalid: "singleton" });
    const r = score({
      responses: ["...\nAnswer: 4", "...\nAnswer: $4$", "... so \\boxed{5}", "I am not sure"],
      logLik: [-12.5, -30.1, -9.0, -40.2],
      lengths: [50, 120, 30, 160],
    });
    const w = [-12.5 / 50, -30.1 / 120, -9.0 / 30, -40.2 / 160];
    const z = w.reduce((a, b) => a + Math.exp(b), 0);
    const p = [Math.exp(w[0]) + Math.exp(w[1]), Math.exp(w[2]), Math.exp(w[3])].map((x) => x / z);
    expect(r.semanticEntropy).toBeCloseTo(-p.reduce((a, b) => a + b * Math.log(b), 0), 12);
  });
});
