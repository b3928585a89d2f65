import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type FixtureCase, registerFixtureCases } from "../../core/test/loss-plugin-fixtures.js";
import { policyLossDefinitions } from "../src/index.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/sent-losses.json", import.meta.url), "utf8")) as {
  cases: FixtureCase[];
};
const selectionKey: Record<string, string> = { sent: "coef", "sent-v1": "lowMask" };

describe("sent / sent-v1 against the PyTorch reference (tools/torch-ref/sent_losses.py)", () => {
  it("covers every mode, aggregation mode, tokenSet high, zero advantages and a single valid token", () => {
    const names = fixture.cases.map((c) => c.name);
    for (const m of ["code-intended", "code-exact", "paper"]) {
      for (const agg of ["token-mean", "seq-mean-token-sum", "seq-mean-token-mean", "seq-mean-token-sum-norm"]) {
        expect(names).toContain(`${m}/${agg}`);
      }
      for (const k of ["tokenSet-high", "all-advantages-zero", "single-valid-token"])
        expect(names).toContain(`${m}/${k}`);
    }
    expect(fixture.cases.filter((c) => !c.ties).length).toBeGreaterThan(15);
  });

  registerFixtureCases(fixture.cases, policyLossDefinitions, selectionKey);
});
