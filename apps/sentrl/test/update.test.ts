import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createReferenceBackend } from "@sentrl/compute";
import { loadModel } from "@sentrl/model";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./fake-io.js";

// PyTorch parity of `sentrl update` (docs/contracts.md §11) against tools/torch-ref/update_fixtures.py: tiny Qwen2
// checkpoints (GQA, tied and untied), 2+ micro-batches, grpo and sent losses, k3 KL. The fixtures use AdamW eps =
// 1e-2 so that the first Adam step (≈ ±lr for |g| ≫ eps) is a smooth function of the gradient: float32 rounding of a
// tiny gradient cannot flip an update (see the script's docstring).

const FIX = join(import.meta.dirname, "fixtures", "update");
interface Case {
  name: string;
  model: string;
  input: Record<string, unknown>;
  config: Record<string, unknown>;
  expected: { loss: number; gradNorm: number; weights: Record<string, number[]> };
}
const { cases } = JSON.parse(readFileSync(join(FIX, "cases.json"), "utf8")) as { cases: Case[] };
const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

describe("sentrl update (docs/contracts.md §11): PyTorch parity", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s: loss, gradNorm, updated weights (1e-5 relative) and update deltas", async (_name, c) => {
    const out = mkdtempSync(join(tmpdir(), "sentrl-update-"));
    temps.push(out);
    const r = await runCli(["update", "--model", join(FIX, c.model), "--out", out, "--config", JSON.stringify(c.config), "--backend", "reference"], JSON.stringify(c.input));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout) as { loss: number; gradNorm: number; metrics: Record<string, number> };
    expect(Math.abs(res.loss - c.expected.loss)).toBeLessThan(1e-5 * Math.max(1, Math.abs(c.expected.loss)));
    expect(Math.abs(res.gradNorm - c.expected.gradNorm)).toBeLessThan(1e-5 * c.expected.gradNorm);
    const be = createReferenceBackend();
    const before = await loadModel(join(FIX, c.model), { backend: be });
    const after = await loadModel(out, { backend: be });
    expect(after.parameterNames().sort()).toEqual(Object.keys(c.expected.weights).sort());
    let maxDelta = 0;
    for (const name of Object.keys(c.expected.weights)) {
      const w0 = before.getParameter(name);
      const exp = c.expected.weights[name];
      for (let i = 0; i < exp.length; i++) maxDelta = Math.max(maxDelta, Math.abs(exp[i] - w0[i]));
    }
    // Every weight moved (AdamW at lr 1e-2 with weight decay), by at most ~lr.
    expect(maxDelta).toBeGreaterThan(1e-3);
    // Errors in max norm: weights relative to the tensor's largest weight, update deltas (w_new − w_old) relative to
    // the largest update of the model.
    let worstWeight = 0;
    let worstDelta = 0;
    for (const name of Object.keys(c.expected.weights)) {
      const w0 = before.getParameter(name);
      const w1 = after.getParameter(name);
      const exp = c.expected.weights[name];
      const scale = exp.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      for (let i = 0; i < exp.length; i++) {
        worstWeight = Math.max(worstWeight, Math.abs(w1[i] - exp[i]) / scale);
        worstDelta = Math.max(worstDelta, Math.abs(w1[i] - w0[i] - (exp[i] - w0[i])) / maxDelta);
      }
    }
    if (process.env.SENTRL_UPDATE_REPORT) console.log(JSON.stringify({ case: c.name, worstWeight, worstDelta, maxDelta }));
    expect(worstWeight).toBeLessThan(1e-5);
    expect(worstDelta).toBeLessThan(1e-4);
    before.dispose();
    after.dispose();
  });
});

describe("sentrl update: input and config errors", () => {
  const model = join(FIX, "tied-gqa1");
  it("coded errors for shapes and config; usage errors for missing flags", async () => {
    const out = mkdtempSync(join(tmpdir(), "sentrl-update-"));
    temps.push(out);
    const ok = { tokens: [[1, 2, 3]], mask: [[0, 1]], advantages: [[0, 1]] };
    const bad = await runCli(["update", "--model", model, "--out", out], JSON.stringify({ ...ok, mask: [[1]] }));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/UPDATE_BAD_INPUT: `mask\[0\]` must have 2 values/);
    const cfg = await runCli(["update", "--model", model, "--out", out, "--config", '{"optimizer":{"lr":-1}}'], JSON.stringify(ok));
    expect(cfg.stderr).toMatch(/CONFIG_BAD_FIELD: --config\.optimizer\.lr: expected a number ≥ 0, got -1/);
    const loss = await runCli(["update", "--model", model, "--out", out, "--config", '{"loss":{"name":"nope"}}'], JSON.stringify(ok));
    expect(loss.stderr).toMatch(/CONFIG_BAD_FIELD: --config\.loss\.name: unknown policyLoss "nope"; registered: .*grpo \(core\)/);
    expect((await runCli(["update", "--model", model], JSON.stringify(ok))).code).toBe(2);
    const good = await runCli(["update", "--model", model, "--out", out, "--backend", "reference"], JSON.stringify(ok));
    expect(good.code).toBe(0);
    expect(Object.keys(JSON.parse(good.stdout))).toEqual(["loss", "gradNorm", "metrics"]);
  });
});
