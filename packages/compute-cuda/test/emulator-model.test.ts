// The model's PyTorch fixtures (tools/torch-ref: forward logp/entropy, backward gradients, AdamW) on the CUDA kernels
// compiled for the CPU emulator, plus determinism: two runs give bit-identical gradients.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type DecoderModel, loadModel } from "@sentrl/model";
import { describe, expect, it } from "vitest";
import { createCudaEmulatorBackend, emulatorStatus } from "../src/index.js";

const status = emulatorStatus();
const reason = "reason" in status ? status.reason : "";
const MODEL_TEST = join(import.meta.dirname, "..", "..", "model", "test");
const FWD = join(MODEL_TEST, "fixtures");
const BWD = join(MODEL_TEST, "fixtures-backward");

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
  adamw: {
    lr: number;
    beta1: number;
    beta2: number;
    eps: number;
    weightDecay: number;
    maxGradNorm: number;
    gradNorm: number;
  };
  paramsAfter: Record<string, number[]>;
}

function trainGrads(model: DecoderModel, exp: Backward, micro: number): void {
  model.zeroGrad();
  for (let s = 0; s < exp.tokens.length; s += micro) {
    const h = model.forward(exp.tokens.slice(s, s + micro), { temperature: exp.temperature });
    model.backward(h, { dLogp: exp.dLogp.slice(s, s + micro), dEntropy: exp.dEntropy.slice(s, s + micro) });
  }
}

describe.skipIf(!!reason)(`model fixtures on the CUDA emulator${reason ? ` (skipped: ${reason})` : ""}`, () => {
  it.each(readdirSync(FWD).sort())(
    "forward fixture %s: within 1e-4 of PyTorch; a row alone equals the row in a batch",
    async (name) => {
      const exp = JSON.parse(readFileSync(join(FWD, name, "expected.json"), "utf8")) as Forward;
      const model = await loadModel(join(FWD, name), { backend: createCudaEmulatorBackend() });
      const batch = model.score(exp.tokens, { temperature: exp.temperature, batchSize: 16 });
      exp.tokens.forEach((row, i) => {
        expect(maxDiff(batch.logp[i], exp.logp[i])).toBeLessThan(1e-4);
        expect(maxDiff(batch.entropy[i], exp.entropy[i])).toBeLessThan(1e-4);
        const alone = model.score([row], { temperature: exp.temperature });
        expect(Array.from(alone.logp[0])).toEqual(Array.from(batch.logp[i]));
        expect(Array.from(alone.entropy[0])).toEqual(Array.from(batch.entropy[i]));
      });
      model.dispose();
    },
  );

  it.each(readdirSync(BWD).sort())(
    "backward fixture %s: gradients within 1e-3·max|ref| of autograd, bit-identical when repeated, AdamW within 1e-5",
    async (name) => {
      const exp = JSON.parse(readFileSync(join(BWD, name, "expected.json"), "utf8")) as Backward;
      const model = await loadModel(join(BWD, name), { backend: createCudaEmulatorBackend() });
      trainGrads(model, exp, exp.tokens.length);
      const first = new Map<string, Float32Array>();
      for (const [p, ref] of Object.entries(exp.grads)) {
        const got = model.getGradient(p);
        first.set(p, got);
        expect(maxDiff(got, ref), p).toBeLessThanOrEqual(1e-3 * maxAbs(ref));
      }
      trainGrads(model, exp, exp.tokens.length);
      for (const [p, g] of first) expect(Array.from(model.getGradient(p)), p).toEqual(Array.from(g));
      trainGrads(model, exp, 2);
      for (const [p, g] of first)
        expect(maxDiff(model.getGradient(p), g), p).toBeLessThanOrEqual(1e-5 * Math.max(1, maxAbs(g)));
      for (const [p, g] of Object.entries(exp.grads)) model.setGradient(p, Float32Array.from(g));
      const { lr, beta1, beta2, eps, weightDecay, maxGradNorm } = exp.adamw;
      const res = model.step({ lr, beta1, beta2, eps, weightDecay, maxGradNorm });
      expect(Math.abs(res.gradNorm - exp.adamw.gradNorm)).toBeLessThan(1e-4 * exp.adamw.gradNorm);
      for (const [p, ref] of Object.entries(exp.paramsAfter))
        expect(maxDiff(model.getParameter(p), ref), p).toBeLessThanOrEqual(1e-5);
      model.dispose();
    },
  );
});
