import { readFileSync } from "node:fs";
import { evaluatePolicyLoss } from "@sentrl/core";
import { describe, expect, it } from "vitest";
import { batchOf, type FixtureCase, worstExcess } from "../../core/test/loss-plugin-fixtures.js";
import { policyLossDefinitions } from "../src/index.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/sent-losses.json", import.meta.url), "utf8")) as {
  cases: FixtureCase[];
};
const byName = new Map(policyLossDefinitions.map((d) => [d.name, d]));
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

  for (const c of fixture.cases) {
    const kind = c.ties ? "tie rule (§5.6)" : "torch parity";
    it(`${c.name} [${kind}]: loss and gradLogp at rel 1e-6, same selection`, () => {
      const loss = byName.get(c.loss)!.create(c.options);
      const batch = batchOf(c);
      const ctx = { step: 0, microBatch: 0, seed: c.ctxSeed };
      const sel = loss.select?.(batch, ctx);
      const out = evaluatePolicyLoss(loss, batch, c.common, ctx);
      expect(Math.abs(out.loss - c.expected.loss)).toBeLessThanOrEqual(1e-6 * Math.abs(c.expected.loss) + 1e-12);
      expect(worstExcess(out.gradLogp, c.expected.gradLogp)).toBeLessThanOrEqual(0);
      if (c.expected.gradEntropy) expect(worstExcess(out.gradEntropy!, c.expected.gradEntropy)).toBeLessThanOrEqual(0);
      if (c.expected.selection && sel) {
        const mine = sel.tokens[selectionKey[c.loss]];
        expect(worstExcess(mine, c.expected.selection, 0, 1e-15)).toBeLessThanOrEqual(0);
      }
    });
  }
});
