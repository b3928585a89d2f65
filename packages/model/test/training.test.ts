import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createReferenceBackend } from "@sentrl/compute";
import { describe, expect, it } from "vitest";
import { type DecoderModel, loadModel } from "../src/index.js";
import { codeOf } from "./helpers.js";

const DIR = join(import.meta.dirname, "fixtures-backward");
const names = readdirSync(DIR).sort();

interface Expected {
  temperature: number;
  tokens: number[][];
  dLogp: number[][];
  dEntropy: number[][];
  grads: Record<string, number[]>;
  adamw: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; maxGradNorm: number; gradNorm: number; step: number };
  paramsAfter: Record<string, number[]>;
}

const load = (name: string) => JSON.parse(readFileSync(join(DIR, name, "expected.json"), "utf8")) as Expected;

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Gradients after forward + backward of `rows` split into micro-batches of `micro` rows. */
function accumulate(model: DecoderModel, exp: Expected, micro: number): void {
  model.zeroGrad();
  for (let s = 0; s < exp.tokens.length; s += micro) {
    const h = model.forward(exp.tokens.slice(s, s + micro), { temperature: exp.temperature });
    model.backward(h, { dLogp: exp.dLogp.slice(s, s + micro), dEntropy: exp.dEntropy.slice(s, s + micro) });
  }
}

describe("backward against PyTorch autograd (tools/torch-ref/model_backward.py)", () => {
  it.each(names)("%s: every parameter's gradient within 1e-3 · max|ref|; micro-batches accumulate to the same", async (name) => {
    const exp = load(name);
    const model = await loadModel(join(DIR, name), { backend: createReferenceBackend() });
    accumulate(model, exp, exp.tokens.length);
    expect(Object.keys(exp.grads).sort()).toEqual(model.parameterNames().sort());
    const whole = new Map<string, Float32Array>();
    for (const [p, ref] of Object.entries(exp.grads)) {
      const got = model.getGradient(p);
      whole.set(p, got);
      expect(maxAbs(ref)).toBeGreaterThan(0);
      expect(maxDiff(got, ref), p).toBeLessThanOrEqual(1e-3 * maxAbs(ref));
    }
    accumulate(model, exp, 2);
    for (const [p, g] of whole) expect(maxDiff(model.getGradient(p), g), p).toBeLessThanOrEqual(1e-5 * Math.max(1, maxAbs(g)));
    model.dispose();
  });

  it.each(names)("%s: one AdamW step with global-norm clipping matches torch within 1e-5", async (name) => {
    const exp = load(name);
    const model = await loadModel(join(DIR, name), { backend: createReferenceBackend() });
    // The optimiser is checked on the reference gradients (Adam divides by √v, so it would amplify the float32
    // rounding of near-zero gradients); the gradients themselves are checked above.
    for (const [p, g] of Object.entries(exp.grads)) model.setGradient(p, Float32Array.from(g));
    const { lr, beta1, beta2, eps, weightDecay, maxGradNorm } = exp.adamw;
    const res = model.step({ lr, beta1, beta2, eps, weightDecay, maxGradNorm });
    expect(res.step).toBe(1);
    expect(Math.abs(res.gradNorm - exp.adamw.gradNorm)).toBeLessThan(1e-4 * exp.adamw.gradNorm);
    expect(res.clipCoef).toBeCloseTo(0.5, 5);
    for (const [p, ref] of Object.entries(exp.paramsAfter)) expect(maxDiff(model.getParameter(p), ref), p).toBeLessThanOrEqual(1e-5);
    model.dispose();
  });

  it("the log-probs of forward equal score's, and a step on our own gradients moves the loss the right way", async () => {
    const exp = load(names[0]);
    const model = await loadModel(join(DIR, names[0]), { backend: createReferenceBackend() });
    const nll = () =>
      model
        .score(exp.tokens)
        .logp.flatMap((r) => Array.from(r))
        .reduce((a, b) => a - b, 0);
    const before = nll();
    const h = model.forward(exp.tokens);
    const s = model.score(exp.tokens);
    h.logp.forEach((r, i) => {
      expect(Array.from(r)).toEqual(Array.from(s.logp[i]));
    });
    model.zeroGrad();
    model.backward(h, { dLogp: h.logp.map((r) => r.map(() => -1)) });
    model.step({ lr: 1e-2, maxGradNorm: 1 });
    expect(nll()).toBeLessThan(before);
    model.dispose();
  });

  it("handles are single-use; bad upstream gradients are coded errors", async () => {
    const model = await loadModel(join(DIR, names[0]), { backend: createReferenceBackend() });
    const h = model.forward([[1, 2, 3]]);
    expect(await codeOf(() => model.backward(h, { dLogp: [[1]] }))).toBe("MODEL_BAD_ARGUMENT");
    expect(await codeOf(() => model.backward(h, { dLogp: [[1, 2]] }))).toBe("MODEL_HANDLE_CONSUMED");
    const h2 = model.forward([[1, 2, 3]]);
    expect(await codeOf(() => model.backward(h2, { dLogp: [[1, Number.NaN]] }))).toBe("MODEL_BAD_ARGUMENT");
    const h3 = model.forward([[1, 2, 3]]);
    model.release(h3);
    expect(await codeOf(() => model.release(h3))).toBe("MODEL_HANDLE_CONSUMED");
    expect(await codeOf(() => model.step({ lr: -1 }))).toBe("MODEL_BAD_ARGUMENT");
    model.dispose();
  });
});
