import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type FixtureCase, registerFixtureCases } from "../../core/test/loss-plugin-fixtures.js";
import { policyLossDefinitions } from "../src/index.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/baseline-losses.json", import.meta.url), "utf8")) as {
  cases: FixtureCase[];
};
const selectionKey: Record<string, string> = { "kl-cov": "coef", "clip-cov": "corr", "high-entropy-mask": "topMask" };

describe("entropy baselines against the PyTorch reference (tools/torch-ref/sent_losses.py)", () => {
  it("covers every loss and aggregation mode, zero advantages and a single valid token", () => {
    const names = fixture.cases.map((c) => c.name);
    for (const loss of ["kl-cov", "clip-cov", "high-entropy-mask", "entropy-advantage"]) {
      for (const agg of ["token-mean", "seq-mean-token-sum", "seq-mean-token-mean", "seq-mean-token-sum-norm"]) {
        expect(names).toContain(`${loss}/${agg}`);
      }
      for (const k of ["all-advantages-zero", "single-valid-token"]) expect(names).toContain(`${loss}/${k}`);
    }
    expect(fixture.cases.filter((c) => !c.ties).length).toBeGreaterThan(15);
  });

  registerFixtureCases(fixture.cases, policyLossDefinitions, selectionKey);
});
