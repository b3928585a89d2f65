/**
 * How much of a training step the policy loss is, and whether a loss implementation change shows at that scale.
 *
 *   npx tsx --conditions=source tools/bench/step-share.ts [baseline-git-rev]
 *
 * One micro-batch of 8 × 512 tokens through the ~11M-parameter Qwen2-shaped model of packages/model/bench/fast.ts
 * (hidden 384, 6 layers, vocabulary 4096) on the fast CPU backend: zeroGrad + forward + the loss (evaluatePolicyLoss
 * with a loss workspace, the reference KL on) + backward + clipped AdamW, for each loss of the project. The model is
 * far smaller than a real policy (0.5B–1.5B parameters, 151k vocabulary), so the loss share printed is an upper
 * bound. With a baseline revision, the same losses on the same inputs are also timed with that revision's sources
 * (extracted with `git archive` into a temporary folder, run as a child process), interleaved round by round with
 * the current ones, so both see the same machine load. Prints one JSON line per loss. `SENTRL_BENCH_ROWS`/`_SEQ` change
 * the micro-batch (8 × 512); `--losses-only` prints only the loss times (ms) as one JSON object.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Rng } from "@sentrl/core";

const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
const ROWS = Number(process.env.SENTRL_BENCH_ROWS ?? 8);
const SEQ = Number(process.env.SENTRL_BENCH_SEQ ?? 512);
const ROUNDS = Number(process.env.SENTRL_BENCH_ROUNDS ?? 2);
const REPS = Number(process.env.SENTRL_BENCH_REPS ?? 3);
const LOSSES = [
  "grpo",
  "sent",
  "sent-paper",
  "sent-v1",
  "kl-cov",
  "clip-cov",
  "high-entropy-mask",
  "entropy-advantage",
];
/** Losses also timed inside a whole step (the others' share is their loss time over the model-only step). */
const STEP_LOSSES = ["grpo", "sent"];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const sig = (x: number) => Number(x.toPrecision(3));

function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.uniform();
}

type LossDef = { name: string; create(o: Record<string, unknown>): unknown };

/** A factory for every loss the three loss packages export, by name (`sent-paper` is `sent` in paper mode). */
async function lossFactory(): Promise<(name: string) => unknown> {
  const core = await import("@sentrl/core");
  const tek = await import("@sentrl/token-entropy-kl");
  const eb = await import("@sentrl/entropy-baselines");
  const defs = new Map<string, LossDef>();
  for (const d of [core.grpoLoss, ...Object.values(tek), ...Object.values(eb)] as Partial<LossDef>[]) {
    if (d && typeof d === "object" && typeof d.name === "string" && typeof d.create === "function") {
      defs.set(d.name, d as LossDef);
    }
  }
  return (name) =>
    defs.get(name === "sent-paper" ? "sent" : name)?.create(name === "sent-paper" ? { mode: "paper" } : {});
}

/** The loss inputs: every row has a 64-token prompt and a response of random length after it. */
function lossBatch() {
  const r = rng(5);
  const cols = SEQ - 1;
  const n = ROWS * cols;
  const mask = new Uint8Array(n);
  const logp = new Float32Array(n);
  const oldLogp = new Float32Array(n);
  const refLogp = new Float32Array(n);
  const entropy = new Float32Array(n);
  const advantages = new Float32Array(n);
  for (let b = 0; b < ROWS; b++) {
    const end = 64 + Math.floor(r() * (cols - 64));
    const a = (r() - 0.5) * 2;
    for (let t = 0; t < cols; t++) {
      const i = b * cols + t;
      const on = t >= 63 && t < end ? 1 : 0;
      mask[i] = on;
      logp[i] = -3 * r() * r();
      oldLogp[i] = logp[i] + (r() - 0.5) * 0.2;
      refLogp[i] = logp[i] + (r() - 0.5) * 0.4;
      entropy[i] = 3 * r() * r();
      advantages[i] = on ? a : 0;
    }
  }
  return { rows: ROWS, cols, mask, logp, oldLogp, refLogp, entropy, advantages };
}

/** Times each loss (median of REPS, ms) with the sources this process resolves `@sentrl/*` to. */
async function timeLosses(): Promise<Record<string, number>> {
  const core = await import("@sentrl/core");
  const make = await lossFactory();
  const batch = lossBatch();
  const ws = core.createLossWorkspace();
  const out: Record<string, number> = {};
  for (const name of LOSSES) {
    const loss = make(name) as Parameters<typeof core.evaluatePolicyLoss>[0] | undefined;
    if (!loss) continue;
    const common = { useKlLoss: true };
    for (let w = 0; w < 3; w++)
      core.evaluatePolicyLoss(loss, batch, common, { workspace: ws, seed: 1, step: 0, microBatch: 0 });
    const times: number[] = [];
    for (let k = 0; k < REPS * 5; k++) {
      const t0 = performance.now();
      core.evaluatePolicyLoss(loss, batch, common, { workspace: ws, seed: 1, step: 0, microBatch: 0 });
      times.push(performance.now() - t0);
    }
    out[name] = median(times);
  }
  return out;
}

/** Times whole steps (model forward + loss + backward + AdamW) per loss, ms. */
async function timeSteps(): Promise<{
  stepMs: Record<string, number>;
  modelMs: number;
  params: number;
  backend: string;
}> {
  const { loadFastCpuBackend, createReferenceBackend } = await import("@sentrl/compute");
  const m = await import("@sentrl/model");
  const core = await import("@sentrl/core");
  const make = await lossFactory();
  let backend: Awaited<ReturnType<typeof loadFastCpuBackend>>;
  let backendName = "fast";
  try {
    backend = await loadFastCpuBackend();
  } catch {
    backend = createReferenceBackend();
    backendName = "reference";
  }
  const config = m.parseModelConfig({
    model_type: "qwen2",
    hidden_size: 384,
    intermediate_size: 1024,
    num_hidden_layers: 6,
    num_attention_heads: 6,
    num_key_value_heads: 2,
    vocab_size: 4096,
    rope_theta: 1e6,
    rms_norm_eps: 1e-6,
    tie_word_embeddings: true,
  });
  const r = rng(1);
  const tensors = new Map<string, Float32Array>();
  let params = 0;
  for (const s of m.parameterSpecs(config)) {
    const n = s.shape.reduce((a, d) => a * d, 1);
    params += n;
    const scale = s.shape.length === 1 ? 0 : 2 / Math.sqrt(s.shape[1]);
    tensors.set(
      s.name,
      Float32Array.from({ length: n }, () => (s.shape.length === 1 ? 1 : (r() - 0.5) * scale)),
    );
  }
  const model = m.DecoderModel.fromTensors(config, tensors, backend);
  const tokens = Array.from({ length: ROWS }, () => Array.from({ length: SEQ }, () => Math.floor(r() * 4096)));
  const batch = lossBatch();
  const cols = batch.cols;
  const ws = core.createLossWorkspace();
  const step = (loss: unknown | null) => {
    model.zeroGrad();
    const h = model.forward(tokens);
    let dLogp: Float32Array[] = h.logp.map((row) => new Float32Array(row.length));
    if (loss) {
      const out = core.evaluatePolicyLoss(
        loss as never,
        batch,
        { useKlLoss: true },
        { workspace: ws, seed: 1, step: 0, microBatch: 0 },
      );
      dLogp = Array.from({ length: ROWS }, (_, b) =>
        Float32Array.from(out.gradLogp.subarray(b * cols, (b + 1) * cols)),
      );
    }
    model.backward(h, { dLogp });
    model.step({ lr: 1e-5, maxGradNorm: 1 });
  };
  step(null);
  const timeIt = (loss: unknown | null) => {
    const times: number[] = [];
    for (let k = 0; k < REPS; k++) {
      const t0 = performance.now();
      step(loss);
      times.push(performance.now() - t0);
    }
    return median(times);
  };
  const modelMs = timeIt(null);
  const stepMs: Record<string, number> = {};
  for (const name of STEP_LOSSES) stepMs[name] = timeIt(make(name));
  model.dispose();
  return { stepMs, modelMs, params, backend: backendName };
}

/** Extracts `rev`'s packages into a temporary folder whose node_modules resolve `@sentrl/*` to them. */
function baselineTree(rev: string): string {
  const dir = mkdtempSync(join(tmpdir(), "sentrl-bench-baseline-"));
  const tar = spawnSync("sh", [
    "-c",
    `git -C "${ROOT}" archive ${rev} packages tsconfig.base.json | tar -x -C "${dir}"`,
  ]);
  if (tar.status !== 0) throw new Error(`git archive ${rev} failed: ${tar.stderr}`);
  const nm = join(dir, "node_modules");
  mkdirSync(join(nm, "@sentrl"), { recursive: true });
  for (const e of readdirSync(join(ROOT, "node_modules"))) {
    if (e !== "@sentrl") symlinkSync(join(ROOT, "node_modules", e), join(nm, e));
  }
  for (const p of readdirSync(join(dir, "packages"))) symlinkSync(join(dir, "packages", p), join(nm, "@sentrl", p));
  writeFileSync(join(dir, "package.json"), '{ "private": true, "type": "module" }\n');
  mkdirSync(join(dir, "tools", "bench"), { recursive: true });
  writeFileSync(
    join(dir, "tools", "bench", "step-share.ts"),
    spawnSync("cat", [fileURLToPath(import.meta.url)]).stdout,
  );
  return dir;
}

async function main(): Promise<void> {
  if (process.argv[2] === "--losses-only") {
    process.stdout.write(`${JSON.stringify(await timeLosses())}\n`);
    return;
  }
  const rev = process.argv[2];
  const base = rev ? baselineTree(rev) : undefined;
  const lossNow: Record<string, number[]> = {};
  const lossBase: Record<string, number[]> = {};
  const steps: Record<string, number[]> = {};
  const model: number[] = [];
  let info = { params: 0, backend: "" };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      if (base) {
        const tsx = join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
        const child = spawnSync(
          process.execPath,
          [tsx, "--conditions=source", join(base, "tools", "bench", "step-share.ts"), "--losses-only"],
          { cwd: base, encoding: "utf8" },
        );
        if (child.status !== 0) throw new Error(`baseline run failed: ${child.stderr}`);
        for (const [k, v] of Object.entries(
          JSON.parse(child.stdout.trim().split("\n").at(-1) as string) as Record<string, number>,
        ))
          (lossBase[k] ??= []).push(v);
      }
      for (const [k, v] of Object.entries(await timeLosses())) (lossNow[k] ??= []).push(v);
      const s = await timeSteps();
      info = { params: s.params, backend: s.backend };
      model.push(s.modelMs);
      for (const [k, v] of Object.entries(s.stepMs)) (steps[k] ??= []).push(v);
    }
  } finally {
    if (base) rmSync(base, { recursive: true, force: true });
  }
  const common = {
    tokens: ROWS * (SEQ - 1),
    modelParams: info.params,
    backend: info.backend,
    modelStepMs: r3(median(model)),
    cpu: cpus()[0]?.model,
    load1: r3(loadavg()[0]),
    rounds: ROUNDS,
  };
  for (const name of LOSSES) {
    if (!lossNow[name]) continue;
    const lossMs = median(lossNow[name]);
    const modelMs = median(model);
    const row: Record<string, unknown> = { bench: "loss-share-of-step", loss: name, ...common, lossMs: r3(lossMs) };
    if (steps[name]) row.stepMs = r3(median(steps[name])); // measured: forward + this loss + backward + AdamW
    row.lossShare = sig(lossMs / (modelMs + lossMs));
    if (lossBase[name]) {
      const b = median(lossBase[name]);
      // the whole step with the baseline's loss instead: model step + baseline loss time
      Object.assign(row, {
        baseline: rev,
        baselineLossMs: r3(b),
        stepChangeFromLoss: sig((lossMs - b) / (modelMs + b)),
      });
    }
    process.stdout.write(`${JSON.stringify(row)}\n`);
  }
}

await main();
