// The device half of `npm run gpu-check` (bundled with its dependencies by bundle.mjs; run by run.sh on a GPU machine).
// Each step prints one JSON line on stdout and appends it to $OUT/gpu-check.jsonl; the last line is a summary.
//   conformance   the @sentrl/compute conformance suite on the GPU, with cuBLAS (when found) and with our SGEMM
//   fixtures      the model's PyTorch fixtures (forward logp/entropy; backward gradients, bit-identical repeats)
//   bench-parity  the ~11M bench model (8 × 256 tokens): score and one training step on CUDA and on the CPU backend,
//                 same weights and tokens, max |Δ| reported
//   generate      the bench model samples the CPU backend's tokens (greedy and top-p), and decode tokens/s at
//                 batch 64 (32-token prompts, 64 new tokens) on CUDA
//   timing        tokens/s of a training step and of scoring: bench model (CUDA and CPU, same run), and a
//                 Qwen2.5-0.5B-shaped random model (CUDA; batch and sequence in the record)
import { appendFileSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Backend, createReferenceBackend, loadFastCpuBackend } from "@sentrl/compute";
import { runBackendConformance } from "@sentrl/compute/testing";
import { createCudaBackend, describeCudaBackend, probeCuda } from "@sentrl/compute-cuda";
import { BENCH_MODEL_SHAPE, DecoderModel, loadModel, type RandomModelShape, randomQwen2, sampleSequences } from "@sentrl/model";

const ROOT = process.env.SENTRL_ROOT ?? process.cwd();
/** SENTRL_GPU_CHECK_SMALL=1: tiny shapes, no 0.5B model (a dry run of this script on the CPU emulator). */
const SMALL = process.env.SENTRL_GPU_CHECK_SMALL === "1";
const OUT = process.env.OUT ?? "/tmp";
const started = performance.now();
const elapsed = () => Math.round(performance.now() - started) / 1000;
const results: Record<string, unknown>[] = [];
function record(r: Record<string, unknown>): void {
  const line = JSON.stringify({ ...r, t: elapsed() });
  results.push(r);
  process.stdout.write(`${line}\n`);
  appendFileSync(join(OUT, "gpu-check.jsonl"), `${line}\n`);
}
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = a.length === b.length ? 0 : Number.POSITIVE_INFINITY;
  for (let i = 0; i < Math.min(a.length, b.length); i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const maxAbs = (a: ArrayLike<number>) => maxDiff(a, new Float32Array(a.length));
const errText = (e: unknown) =>
  e instanceof Error ? `${(e as { code?: string }).code ?? e.name}: ${e.message}` : String(e);

function conformance(label: string, make: () => Backend): void {
  const tests: { name: string; fn: () => void | Promise<void> }[] = [];
  runBackendConformance(make, { describe: (_n, fn) => fn(), it: (name, fn) => tests.push({ name, fn }) });
  let failed = 0;
  for (const t of tests) {
    const t0 = performance.now();
    try {
      t.fn();
      record({ step: "conformance", gemm: label, test: t.name, ok: true, ms: Math.round(performance.now() - t0) });
    } catch (e) {
      failed++;
      record({ step: "conformance", gemm: label, test: t.name, ok: false, error: errText(e) });
    }
  }
  record({ step: "conformance-summary", gemm: label, tests: tests.length, failed, ok: failed === 0 });
}

async function fixtures(make: () => Backend): Promise<void> {
  const fwd = join(ROOT, "packages", "model", "test", "fixtures");
  for (const name of readdirSync(fwd).sort()) {
    try {
      const exp = JSON.parse(readFileSync(join(fwd, name, "expected.json"), "utf8"));
      const model = await loadModel(join(fwd, name), { backend: make() });
      const s = model.score(exp.tokens, { temperature: exp.temperature, batchSize: 16 });
      let dl = 0;
      let de = 0;
      let aloneEqual = true;
      exp.tokens.forEach((row: number[], i: number) => {
        dl = Math.max(dl, maxDiff(s.logp[i], exp.logp[i]));
        de = Math.max(de, maxDiff(s.entropy[i], exp.entropy[i]));
        const alone = model.score([row], { temperature: exp.temperature });
        aloneEqual &&= maxDiff(alone.logp[0], s.logp[i]) === 0;
      });
      model.dispose();
      record({
        step: "fixture-forward",
        name,
        maxAbsLogp: dl,
        maxAbsEntropy: de,
        rowAloneBitEqual: aloneEqual,
        ok: dl < 1e-4 && de < 1e-4,
      });
    } catch (e) {
      record({ step: "fixture-forward", name, ok: false, error: errText(e) });
    }
  }
  const bwd = join(ROOT, "packages", "model", "test", "fixtures-backward");
  for (const name of readdirSync(bwd).sort()) {
    try {
      const exp = JSON.parse(readFileSync(join(bwd, name, "expected.json"), "utf8"));
      const model = await loadModel(join(bwd, name), { backend: make() });
      const grads = () => {
        model.zeroGrad();
        const h = model.forward(exp.tokens, { temperature: exp.temperature });
        model.backward(h, { dLogp: exp.dLogp, dEntropy: exp.dEntropy });
        return new Map(Object.keys(exp.grads).map((p) => [p, model.getGradient(p)]));
      };
      const a = grads();
      const b = grads();
      let rel = 0;
      let repeatEqual = true;
      for (const [p, ref] of Object.entries(exp.grads) as [string, number[]][]) {
        rel = Math.max(rel, maxDiff(a.get(p) as Float32Array, ref) / Math.max(1e-30, maxAbs(ref)));
        repeatEqual &&= maxDiff(a.get(p) as Float32Array, b.get(p) as Float32Array) === 0;
      }
      model.dispose();
      record({
        step: "fixture-backward",
        name,
        maxRelGrad: rel,
        repeatBitEqual: repeatEqual,
        ok: rel <= 1e-3 && repeatEqual,
      });
    } catch (e) {
      record({ step: "fixture-backward", name, ok: false, error: errText(e) });
    }
  }
}

/** A random Qwen2-shaped model: `randomQwen2` of @sentrl/model, the generator of the model benches. */
function randomModel(shape: RandomModelShape, backend: Backend): DecoderModel {
  const { config, tensors } = randomQwen2(shape);
  return DecoderModel.fromTensors(config, tensors, backend);
}

function inputs(vocab: number, batch: number, seqLen: number) {
  let seed = 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const rows = Array.from({ length: batch }, () => Array.from({ length: seqLen }, () => Math.floor(rand() * vocab)));
  return {
    rows,
    dLogp: rows.map((r) => r.slice(1).map(() => rand() - 0.5)),
    dEntropy: rows.map((r) => r.slice(1).map(() => (rand() - 0.5) * 0.1)),
  };
}

function trainStep(model: DecoderModel, x: ReturnType<typeof inputs>): void {
  model.zeroGrad();
  const h = model.forward(x.rows, { temperature: 1 });
  model.backward(h, { dLogp: x.dLogp, dEntropy: x.dEntropy });
  model.step({ lr: 1e-4, maxGradNorm: 1 });
}

function timeIt(fn: () => void, sync: () => void, reps: number): number {
  fn();
  sync();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    sync();
    ts.push((performance.now() - t0) / 1000);
  }
  return ts.sort((a, b) => a - b)[Math.floor(reps / 2)];
}

async function main(): Promise<void> {
  const probe = probeCuda();
  record({ step: "probe", ...probe, ok: probe.available });
  if (!probe.available) return;
  const cuda = () => createCudaBackend();
  record({ step: "backend", ...describeCudaBackend(cuda()) });
  conformance("default", cuda);
  conformance("sgemm", () => createCudaBackend({ cublas: false }));
  await fixtures(cuda);

  // The bench model: CUDA against the CPU backend, same weights and tokens.
  const bench = BENCH_MODEL_SHAPE;
  const [batch, seqLen] = SMALL ? [2, 16] : [8, 256];
  let cpu: Backend;
  try {
    cpu = await loadFastCpuBackend();
  } catch (e) {
    record({ step: "cpu-backend", note: `fast CPU backend unavailable (${errText(e)}); using the reference` });
    cpu = createReferenceBackend();
  }
  const x = inputs(bench.vocab, batch, seqLen);
  const g = randomModel(bench, cuda());
  const c = randomModel(bench, cpu);
  const sg = g.score(x.rows);
  const sc = c.score(x.rows);
  let dl = 0;
  let de = 0;
  sg.logp.forEach((r, i) => {
    dl = Math.max(dl, maxDiff(r, sc.logp[i]));
    de = Math.max(de, maxDiff(sg.entropy[i], sc.entropy[i]));
  });
  // Gradients relative to each tensor's largest; then one AdamW step (lr 1e-4: an element whose gradient is near 0
  // can move by ±lr on one side and not the other, so the parameter difference is bounded by ~2·lr, not by 1e-7).
  let rg = 0;
  for (const m of [g, c]) {
    m.zeroGrad();
    m.backward(m.forward(x.rows, { temperature: 1 }), { dLogp: x.dLogp, dEntropy: x.dEntropy });
  }
  for (const p of g.parameterNames()) {
    const ref = c.getGradient(p);
    rg = Math.max(rg, maxDiff(g.getGradient(p), ref) / Math.max(1e-30, maxAbs(ref)));
  }
  for (const m of [g, c]) m.step({ lr: 1e-4, maxGradNorm: 1 });
  let dp = 0;
  for (const p of g.parameterNames()) dp = Math.max(dp, maxDiff(g.getParameter(p), c.getParameter(p)));
  record({
    step: "bench-parity",
    model: "11M",
    batch,
    seqLen,
    cpu: cpu.name,
    maxAbsLogp: dl,
    maxAbsEntropy: de,
    maxRelGrad: rg,
    maxAbsParamAfterStep: dp,
    ok: dl < 1e-3 && de < 1e-3 && rg < 1e-3 && dp <= 2.5e-4,
  });

  // Generation: same tokens as the CPU backend on a few prompts, then decode speed at batch 64.
  try {
    const prompts = inputs(bench.vocab, SMALL ? 4 : 64, SMALL ? 8 : 32).rows;
    const reqs = prompts.map((prompt, i) => ({ prompt, sampleIndex: i }));
    const few = reqs.slice(0, 4);
    for (const o of [{ temperature: 0 }, { temperature: 0.8, topP: 0.95 }]) {
      const opts = { maxTokens: SMALL ? 4 : 16, seed: 5, batchSize: 4, ...o };
      const a = sampleSequences(g, few, opts);
      const b = sampleSequences(c, few, opts);
      const same = a.every((s, i) => JSON.stringify(s.tokenIds) === JSON.stringify(b[i].tokenIds));
      let dlp = 0;
      a.forEach((s, i) => {
        if (same) dlp = Math.max(dlp, maxDiff(s.tokenLogprobs, b[i].tokenLogprobs));
      });
      record({
        step: "generate-parity",
        options: o,
        sameTokens: same,
        maxAbsLogprob: dlp,
        ok: same || o.temperature > 0,
      });
    }
    const newTokens = SMALL ? 4 : 64;
    const t0 = performance.now();
    const out = sampleSequences(g, reqs, { maxTokens: newTokens, temperature: 1, seed: 1, batchSize: reqs.length });
    const s = (performance.now() - t0) / 1000;
    const n = out.reduce((a, q) => a + q.tokenIds.length, 0);
    record({
      step: "timing",
      what: "generate",
      model: "11M",
      backend: "cuda",
      batch: reqs.length,
      promptLen: prompts[0].length,
      newTokens: n,
      seconds: s,
      newTokPerS: Math.round(n / s),
    });
  } catch (e) {
    record({ step: "generate-parity", ok: false, error: errText(e) });
  }

  const tokens = batch * seqLen;
  const none = () => {};
  const gpuSync = () => g.getParameter(g.parameterNames()[0]);
  for (const [label, model, sync, reps] of [
    ["cuda", g, gpuSync, SMALL ? 1 : 5],
    [cpu.name, c, none, SMALL ? 1 : 2],
  ] as const) {
    const train = timeIt(() => trainStep(model, x), sync, reps);
    const score = timeIt(() => model.score(x.rows), sync, reps);
    record({
      step: "timing",
      model: "11M",
      backend: label,
      batch,
      seqLen,
      trainStepS: train,
      trainTokPerS: Math.round(tokens / train),
      scoreS: score,
      scoreTokPerS: Math.round(tokens / score),
    });
  }
  g.dispose();
  c.dispose();

  if (SMALL || elapsed() > 150) {
    record({
      step: "timing",
      model: "qwen2.5-0.5b-shape",
      skipped: SMALL ? "SENTRL_GPU_CHECK_SMALL" : `time budget (${elapsed()} s used)`,
    });
    return;
  }
  const qwen = { hidden: 896, layers: 24, heads: 14, kvHeads: 2, intermediate: 4864, vocab: 151936 };
  const [qb, qt] = [4, 512];
  const q = randomModel(qwen, cuda());
  const qx = inputs(qwen.vocab, qb, qt);
  const qs = () => q.getParameter("model.norm.weight");
  const train = timeIt(() => trainStep(q, qx), qs, 3);
  const score = timeIt(() => q.score(qx.rows, { batchSize: qb }), qs, 3);
  record({
    step: "timing",
    model: "qwen2.5-0.5b-shape",
    backend: "cuda",
    batch: qb,
    seqLen: qt,
    trainStepS: train,
    trainTokPerS: Math.round((qb * qt) / train),
    scoreS: score,
    scoreTokPerS: Math.round((qb * qt) / score),
  });
  q.dispose();
}

try {
  await main();
} catch (e) {
  record({ step: "crash", ok: false, error: errText(e), stack: (e as Error).stack });
}
const bad = results.filter((r) => r.ok === false);
record({ step: "summary", ok: bad.length === 0, failed: bad.length, seconds: elapsed() });
process.exit(bad.length === 0 ? 0 : 1);
