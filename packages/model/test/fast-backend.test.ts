// The PyTorch fixtures (forward and backward) on the fast CPU backend, plus agreement with the reference backend.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createFastCpuBackend, createReferenceBackend, loadFastKernels } from "@sentrl/compute";
import { describe, expect, it } from "vitest";
import { type DecoderModel, loadModel } from "../src/index.js";

const { kernels, reason } = await loadFastKernels();
const FWD = join(import.meta.dirname, "fixtures");
const BWD = join(import.meta.dirname, "fixtures-backward");

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
const maxAbs = (a: ArrayLike<number>) => maxDiff(a, new Float32Array(a.length));

interface Forward {
  temperature: number;
  tokens: number[][];
  logp: number[][];
  entropy: number[][];
}
interface Backward {
  temperature: number;
  tokens: number[][];
  dLogp: number[][];
  dEntropy: number[][];
  grads: Record<string, number[]>;
  adamw: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; maxGradNorm: number; gradNorm: number };
  paramsAfter: Record<string, number[]>;
}

function trainGrads(model: DecoderModel, exp: Backward, micro: number): void {
  model.zeroGrad();
  for (let s = 0; s < exp.tokens.length; s += micro) {
    const h = model.forward(exp.tokens.slice(s, s + micro), { temperature: exp.temperature });
    model.backward(h, { dLogp: exp.dLogp.slice(s, s + micro), dEntropy: exp.dEntropy.slice(s, s + micro) });
  }
}

describe.skipIf(!kernels)(`model on the fast CPU backend${kernels ? "" : ` (skipped: ${reason})`}`, () => {
  const fast = () => createFastCpuBackend(kernels as NonNullable<typeof kernels>);

  it("loadModel picks the fast backend by default", async () => {
    const model = await loadModel(join(FWD, "qwen2-tied-gqa1"));
    expect(model.backend.name).toBe("cpu");
    model.dispose();
  });

  it.each(readdirSync(FWD).sort())("forward fixture %s: within 1e-4 of PyTorch; a row alone equals the row in a batch", async (name) => {
    const exp = JSON.parse(readFileSync(join(FWD, name, "expected.json"), "utf8")) as Forward;
    const model = await loadModel(join(FWD, name), { backend: fast() });
    const batch = model.score(exp.tokens, { temperature: exp.temperature, batchSize: 16 });
    exp.tokens.forEach((row, i) => {
      expect(maxDiff(batch.logp[i], exp.logp[i])).toBeLessThan(1e-4);
      expect(maxDiff(batch.entropy[i], exp.entropy[i])).toBeLessThan(1e-4);
      const alone = model.score([row], { temperature: exp.temperature });
      expect(Array.from(alone.logp[0])).toEqual(Array.from(batch.logp[i]));
      expect(Array.from(alone.entropy[0])).toEqual(Array.from(batch.entropy[i]));
    });
    model.dispose();
  });

  it.each(readdirSync(BWD).sort())("backward fixture %s: gradients within 1e-3·max|ref| of autograd, micro-batches accumulate, AdamW within 1e-5", async (name) => {
    const exp = JSON.parse(readFileSync(join(BWD, name, "expected.json"), "utf8")) as Backward;
    const model = await loadModel(join(BWD, name), { backend: fast() });
    trainGrads(model, exp, exp.tokens.length);
    const whole = new Map<string, Float32Array>();
    for (const [p, ref] of Object.entries(exp.grads)) {
      const got = model.getGradient(p);
      whole.set(p, got);
      expect(maxDiff(got, ref), p).toBeLessThanOrEqual(1e-3 * maxAbs(ref));
    }
    trainGrads(model, exp, 2);
    for (const [p, g] of whole) expect(maxDiff(model.getGradient(p), g), p).toBeLessThanOrEqual(1e-5 * Math.max(1, maxAbs(g)));
    for (const [p, g] of Object.entries(exp.grads)) model.setGradient(p, Float32Array.from(g));
    const { lr, beta1, beta2, eps, weightDecay, maxGradNorm } = exp.adamw;
    const res = model.step({ lr, beta1, beta2, eps, weightDecay, maxGradNorm });
    expect(Math.abs(res.gradNorm - exp.adamw.gradNorm)).toBeLessThan(1e-4 * exp.adamw.gradNorm);
    for (const [p, ref] of Object.entries(exp.paramsAfter)) expect(maxDiff(model.getParameter(p), ref), p).toBeLessThanOrEqual(1e-5);
    model.dispose();
  });

  it("training steps agree with the reference backend and reuse their buffers", async () => {
    const name = readdirSync(BWD).sort()[0];
    const exp = JSON.parse(readFileSync(join(BWD, name, "expected.json"), "utf8")) as Backward;
    const a = await loadModel(join(BWD, name), { backend: fast() });
    const b = await loadModel(join(BWD, name), { backend: createReferenceBackend() });
    for (let step = 0; step < 3; step++) {
      for (const m of [a, b]) {
        trainGrads(m, exp, exp.tokens.length);
        m.step({ lr: 1e-2, maxGradNorm: 1 });
      }
    }
    for (const p of a.parameterNames()) expect(maxDiff(a.getParameter(p), b.getParameter(p)), p).toBeLessThan(1e-4);
    const sa = a.score(exp.tokens);
    const sb = b.score(exp.tokens);
    sa.logp.forEach((r, i) => {
      expect(maxDiff(r, sb.logp[i])).toBeLessThan(1e-4);
    });
    a.dispose();
    b.dispose();
  });
});
