import { evaluatePolicyLoss, gradcheckPolicyLoss } from "@sentrl/core";
import { describe, expect, it } from "vitest";
import { section57Batch } from "../../core/test/loss-plugin-fixtures.js";
import { sentLoss, sentV1Loss } from "../src/index.js";

const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThan(1e-12);

describe("sent on the docs/algorithms.md §5.7 vectors", () => {
  it("code-intended: β=0.2 at (0,3), β=0.05 at (1,0), loss −0.1444167704806331", () => {
    const batch = section57Batch();
    const loss = sentLoss.create({});
    const sel = loss.select!(batch, { step: 0, microBatch: 0, seed: 0 });
    const nz = [...sel.tokens.coef.entries()].filter(([, c]) => c !== 0);
    expect(nz.map(([i]) => i)).toEqual([3, 6]);
    close(sel.tokens.coef[3], 0.2);
    close(sel.tokens.coef[6], 0.05);
    expect(sel.metrics!["sent/low_entropy_tokens"]).toBe(10);
    expect(sel.metrics!["sent/high_cov_tokens"]).toBe(1);
    expect(sel.metrics!["sent/low_cov_tokens"]).toBe(1);
    const out = evaluatePolicyLoss(loss, batch);
    close(out.loss, -0.1444167704806331);
    expect(out.metrics.pg_clipfrac).toBe(0);
    expect(out.metrics.pg_clipfrac_lower).toBe(0);
  });

  it("code-exact: only (2,0) gets 0.05 under the §5.6 tie rule, loss −0.14544369355676623", () => {
    const batch = section57Batch();
    const loss = sentLoss.create({ mode: "code-exact" });
    const sel = loss.select!(batch, { step: 0, microBatch: 0, seed: 0 });
    const nz = [...sel.tokens.coef.entries()].filter(([, c]) => c !== 0);
    expect(nz).toEqual([[12, 0.05]]);
    close(evaluatePolicyLoss(loss, batch).loss, -0.14544369355676623);
  });

  it("gradients pass a finite-difference check with the selection frozen, every mode", () => {
    const batch = { ...section57Batch(), refLogp: Float64Array.from({ length: 18 }, (_, i) => -1 - 0.05 * i) };
    for (const mode of ["code-intended", "code-exact", "paper"] as const) {
      for (const tokenSet of ["low", "high"] as const) {
        const r = gradcheckPolicyLoss(sentLoss.create({ mode, tokenSet, klCovRatio: 0.3 }), batch, {
          useKlLoss: true,
        });
        expect(r.ok, `${mode}/${tokenSet}: max abs err ${r.logp.maxAbsError}`).toBe(true);
      }
    }
    expect(gradcheckPolicyLoss(sentV1Loss.create({}), batch).ok).toBe(true);
    for (const lossAggMode of ["seq-mean-token-sum", "seq-mean-token-mean", "seq-mean-token-sum-norm"] as const) {
      for (const loss of [
        sentLoss.create({ mode: "paper", klCovRatio: 0.3 }),
        sentLoss.create({}),
        sentV1Loss.create({}),
      ]) {
        const r = gradcheckPolicyLoss(loss, batch, { lossAggMode, useKlLoss: true, entropyCoeff: 0.01 });
        expect(r.ok, `${loss.name}/${lossAggMode}`).toBe(true);
      }
    }
  });
});
