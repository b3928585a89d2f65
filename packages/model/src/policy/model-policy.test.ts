import type { OptimizerSettings, ScoreBatch } from "@sentrl/core";
import { describe, expect, it } from "vitest";
import { tinyModel, tinyTokenizerJson, TINY_CHAT_TEMPLATE } from "../generate/tiny.js";
import { createModelTokenizer } from "../tokenizer/load.js";
import { ModelPolicy } from "./model-policy.js";

const BATCH: ScoreBatch = {
  promptTokens: [[1, 2, 3], [4], [7, 8]],
  responseTokens: [[10, 11], [12, 13, 14, 15], []],
};
const ADAM: OptimizerSettings = { lr: 1e-2, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1 };

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** One GRPO-like update pushing up every response token (dLogp = −1/valid tokens). */
function pushStep(policy: ModelPolicy, batch: ScoreBatch, settings = ADAM) {
  const s = policy.score(batch, { temperature: 1, grad: true });
  const dLogp = new Float64Array(s.rows * s.cols);
  const valid = batch.responseTokens.reduce((a, r) => a + r.length, 0);
  batch.responseTokens.forEach((r, i) => {
    for (let t = 0; t < r.length; t++) dLogp[i * s.cols + t] = -1 / valid;
  });
  policy.zeroGrad();
  policy.backward(s.handle, { dLogp });
  return policy.step(settings);
}

function meanLogp(policy: { score: ModelPolicy["score"] }, batch: ScoreBatch): number {
  const s = policy.score(batch, { temperature: 1, grad: false }) as { logp: ArrayLike<number>; cols: number };
  let sum = 0;
  let n = 0;
  batch.responseTokens.forEach((r, i) => {
    for (let t = 0; t < r.length; t++, n++) sum += s.logp[i * s.cols + t];
  });
  return sum / n;
}

describe("ModelPolicy", () => {
  it("scores response positions only, padded to the longest response; grad and no-grad agree", () => {
    const model = tinyModel(5);
    const policy = new ModelPolicy(model);
    const s = policy.score(BATCH, { temperature: 0.8, grad: false });
    expect([s.rows, s.cols]).toEqual([3, 4]);
    const direct = model.score([[1, 2, 3, 10, 11]], { temperature: 0.8 });
    expect(maxDiff(s.logp.slice(0, 2), direct.logp[0].slice(2))).toBeLessThan(1e-6);
    expect(maxDiff(s.entropy.slice(0, 2), direct.entropy[0].slice(2))).toBeLessThan(1e-6);
    expect([...s.logp.slice(2, 4), ...s.logp.slice(8, 12)]).toEqual([0, 0, 0, 0, 0, 0]);
    const g = policy.score(BATCH, { temperature: 0.8, grad: true });
    expect(maxDiff(g.logp, s.logp)).toBeLessThan(1e-5);
    expect(maxDiff(g.entropy, s.entropy)).toBeLessThan(1e-5);
    for (const f of g.handle!.forwards) model.release(f.handle);
  });

  it("trainBatchSize groups rows by length over several forward passes: same scores and gradients", () => {
    const grads = (trainBatchSize?: number) => {
      const model = tinyModel(5);
      const policy = new ModelPolicy(model, { trainBatchSize });
      const s = policy.score(BATCH, { temperature: 1, grad: true });
      const dLogp = Float64Array.from({ length: s.rows * s.cols }, (_, i) => ((i * 7) % 5) - 2);
      const dEntropy = Float64Array.from({ length: s.rows * s.cols }, (_, i) => ((i * 3) % 4) * 0.1);
      policy.zeroGrad();
      policy.backward(s.handle, { dLogp, dEntropy });
      expect(s.handle!.forwards.length).toBe(trainBatchSize ? Math.ceil(3 / trainBatchSize) : 1);
      return { s, g: ["lm_head.weight", "model.layers.1.mlp.up_proj.weight"].map((n) => model.getGradient(n)) };
    };
    const one = grads();
    for (const size of [1, 2]) {
      const split = grads(size);
      expect(maxDiff(split.s.logp, one.s.logp)).toBeLessThan(1e-6);
      expect(maxDiff(split.s.entropy, one.s.entropy)).toBeLessThan(1e-6);
      for (const [i, g] of split.g.entries()) expect(maxDiff(g, one.g[i])).toBeLessThan(1e-6);
    }
    expect(() => new ModelPolicy(tinyModel(5), { trainBatchSize: 0 }).score(BATCH, { temperature: 1, grad: true })).toThrow(
      /trainBatchSize/,
    );
  });

  it("backward maps [rows, cols] gradients onto the response positions (same as the model's own backward)", () => {
    const a = tinyModel(5);
    const b = tinyModel(5);
    const policy = new ModelPolicy(a);
    const s = policy.score(BATCH, { temperature: 1, grad: true });
    const dLogp = Float64Array.from({ length: s.rows * s.cols }, (_, i) => ((i * 7) % 5) - 2);
    const dEntropy = Float64Array.from({ length: s.rows * s.cols }, (_, i) => ((i * 3) % 4) * 0.1);
    policy.zeroGrad();
    policy.backward(s.handle, { dLogp, dEntropy });
    const h = b.forward(
      [
        [1, 2, 3, 10, 11],
        [4, 12, 13, 14, 15],
        [7, 8],
      ],
      { temperature: 1 },
    );
    const row = (g: Float64Array, i: number, p: number, r: number) => [
      ...new Array(p - 1).fill(0),
      ...g.slice(i * 4, i * 4 + r),
    ];
    b.zeroGrad();
    b.backward(h, {
      dLogp: [row(dLogp, 0, 3, 2), row(dLogp, 1, 1, 4), row(dLogp, 2, 2, 0)],
      dEntropy: [row(dEntropy, 0, 3, 2), row(dEntropy, 1, 1, 4), row(dEntropy, 2, 2, 0)],
    });
    for (const name of ["model.embed_tokens.weight", "lm_head.weight", "model.layers.0.self_attn.q_proj.weight"]) {
      expect(maxDiff(a.getGradient(name), b.getGradient(name))).toBeLessThan(1e-6);
    }
    expect(() => policy.backward(undefined, { dLogp })).toThrow(/handle/);
  });

  it("a few GRPO-style steps with a fixed dLogp raise the pushed tokens' log-probs; the snapshot stays frozen", () => {
    const policy = new ModelPolicy(tinyModel(5));
    const before = meanLogp(policy, BATCH);
    const ref = policy.snapshot();
    let last = before;
    for (let k = 0; k < 4; k++) {
      const r = pushStep(policy, BATCH);
      expect(r.applied).toBe(true);
      expect(r.gradNorm).toBeGreaterThan(0);
      const now = meanLogp(policy, BATCH);
      expect(now).toBeGreaterThan(last);
      last = now;
    }
    expect(last - before).toBeGreaterThan(0.1);
    expect(meanLogp(ref as ModelPolicy, BATCH)).toBeCloseTo(before, 6);
  });

  it("skips the update when the gradient norm is not finite", () => {
    const model = tinyModel(5);
    const policy = new ModelPolicy(model);
    const w = model.getParameter("model.norm.weight");
    policy.zeroGrad();
    model.setGradient("model.norm.weight", new Float32Array(w.length).fill(Number.NaN));
    const r = policy.step(ADAM);
    expect(r.applied).toBe(false);
    expect(Number.isFinite(r.gradNorm)).toBe(false);
    expect(model.getParameter("model.norm.weight")).toEqual(w);
    expect(model.optimizerStep).toBe(0);
  });

  it("state()/load() round-trip parameters and optimiser state exactly; resetOptimizer forgets moments", () => {
    const policy = new ModelPolicy(tinyModel(5));
    pushStep(policy, BATCH);
    pushStep(policy, BATCH);
    const saved = policy.state();
    expect(saved.meta).toMatchObject({ optimizerStep: 2, moments: true });
    pushStep(policy, BATCH);
    const after3 = policy.model.getParameter("model.layers.1.mlp.up_proj.weight");
    const other = new ModelPolicy(tinyModel(99));
    other.load(saved);
    pushStep(other, BATCH);
    expect(other.model.getParameter("model.layers.1.mlp.up_proj.weight")).toEqual(after3);
    expect(other.model.optimizerStep).toBe(3);
    other.resetOptimizer();
    expect(other.model.optimizerStep).toBe(0);
    expect(() => other.load({ tensors: {}, meta: {} })).toThrow(/state/);
  });

  it("rolls out with the tokenizer: prompt tokens and completions the trainer can score", async () => {
    const tokenizer = createModelTokenizer({
      tokenizerJson: tinyTokenizerJson(),
      tokenizerConfig: { eos_token: "<|im_end|>", chat_template: TINY_CHAT_TEMPLATE },
    });
    const policy = new ModelPolicy(tinyModel(5), { tokenizer });
    const prompts = [
      { id: "a", messages: [{ role: "user" as const, content: "ab?" }] },
      { id: "b", text: "ab ab" },
    ];
    const out = await policy.rollout(prompts, { n: 2, temperature: 1, maxTokens: 6, seed: 3 });
    expect(out.map((r) => r.completions.length)).toEqual([2, 2]);
    const batch = {
      promptTokens: out.flatMap((r) => r.completions.map(() => r.promptTokens)),
      responseTokens: out.flatMap((r) => r.completions.map((c) => c.tokenIds)),
    };
    const s = policy.score(batch, { temperature: 1, grad: false });
    out
      .flatMap((r) => r.completions)
      .forEach((c, i) => {
        expect(maxDiff(c.tokenLogprobs!, s.logp.slice(i * s.cols, i * s.cols + c.tokenIds.length))).toBeLessThan(1e-4);
      });
    await expect(new ModelPolicy(tinyModel(5)).rollout(prompts, { n: 1 })).rejects.toThrow(/tokenizer/);
  });
});
