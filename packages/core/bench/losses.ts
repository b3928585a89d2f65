/**
 * `npm run bench` (packages/core): loss + gradient throughput of `grpo` with the reference-KL term, for every
 * `klLossType`, on one 4M-token batch (2048 × 2048, float32 inputs, random response lengths), beside the PyTorch
 * autograd reference (tools/torch-ref/core_losses_bench.py) timed in the same run on the same inputs with 2 threads.
 * Prints one JSON line per KL type on stdout.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { mulberry32 } from "@sentrl/compute/testing";
import {
  createLossWorkspace,
  evaluatePolicyLoss,
  grpoLoss,
  KL_LOSS_TYPES,
  type LossWorkspace,
  type TokenBatch,
} from "../src/index.js";
import { zeroTokenBatch } from "../test/token-batch.js";

const ROWS = Number(process.env.SENTRL_BENCH_ROWS ?? 2048);
const COLS = Number(process.env.SENTRL_BENCH_COLS ?? 2048);
const REPS = Number(process.env.SENTRL_BENCH_REPS ?? 3);
const THREADS = 2;
const repoRoot = resolve(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");

function makeBatch(rows: number, cols: number): TokenBatch {
  const r = mulberry32(42);
  const { mask, logp, oldLogp, refLogp, advantages } = zeroTokenBatch(rows, cols, Float32Array);
  for (let b = 0; b < rows; b++) {
    const len = 1 + Math.floor(r() * cols);
    const a = r() < 0.5 ? 1.2 * r() : -1.2 * r();
    for (let t = 0; t < cols; t++) {
      const i = b * cols + t;
      mask[i] = t < len ? 1 : 0;
      logp[i] = -4 * r() * r();
      oldLogp[i] = logp[i] + (r() - 0.5) * 0.3;
      refLogp[i] = logp[i] + (r() - 0.5) * 0.6;
      advantages[i] = t < len ? a : 0;
    }
  }
  return { rows, cols, mask, logp, oldLogp, refLogp, advantages };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function torchBaseline(
  batch: TokenBatch,
  types: readonly string[],
): { ok: true; data: Record<string, unknown> } | { ok: false; reason: string } {
  const python = process.env.SENTRL_TORCH_PYTHON ?? "/usr/bin/python3";
  const dir = mkdtempSync(join(tmpdir(), "sentrl-bench-"));
  try {
    writeFileSync(join(dir, "mask.u8"), batch.mask);
    for (const k of ["logp", "oldLogp", "refLogp", "advantages"] as const) {
      const v = batch[k] as Float32Array;
      writeFileSync(join(dir, `${k}.f32`), new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    }
    const script = join(repoRoot, "tools", "torch-ref", "core_losses_bench.py");
    const r = spawnSync(
      python,
      [script, dir, String(batch.rows), String(batch.cols), String(THREADS), String(REPS), ...types],
      {
        encoding: "utf8",
        maxBuffer: 1 << 24,
      },
    );
    if (r.error) return { ok: false, reason: `${python} could not run: ${r.error.message}` };
    if (r.status !== 0)
      return { ok: false, reason: `torch baseline failed (${python}): ${(r.stderr || "").trim().split("\n").pop()}` };
    return { ok: true, data: JSON.parse(r.stdout) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const batch = makeBatch(ROWS, COLS);
const tokens = ROWS * COLS;
let valid = 0;
for (let i = 0; i < tokens; i++) valid += batch.mask[i];
const loss = grpoLoss.create({});

function timeOurs(type: (typeof KL_LOSS_TYPES)[number], workspace?: LossWorkspace) {
  const times: number[] = [];
  let value = 0;
  for (let rep = 0; rep <= REPS; rep++) {
    const t0 = performance.now();
    const out = evaluatePolicyLoss(loss, batch, { useKlLoss: true, klLossType: type }, { workspace });
    times.push((performance.now() - t0) / 1000);
    value = out.loss;
  }
  return { seconds: median(times.slice(1)), loss: value };
}

const ts: Record<string, { seconds: number; loss: number }> = {};
const tsWs: Record<string, { seconds: number; loss: number }> = {};
// a trainer holds one workspace: per-token buffers are reused across calls (the warm-up call allocates them)
const workspace = createLossWorkspace();
for (const type of KL_LOSS_TYPES) {
  ts[type] = timeOurs(type);
  tsWs[type] = timeOurs(type, workspace);
}

const torch = torchBaseline(batch, KL_LOSS_TYPES);
for (const type of KL_LOSS_TYPES) {
  const t = ts[type];
  let baseline: unknown = null;
  let reason: string | undefined;
  if (torch.ok) {
    const data = torch.data as {
      torch: string;
      threads: number;
      types: Record<string, { f32: { seconds: number; loss: number }; f64: { seconds: number; loss: number } }>;
    };
    const e = data.types[type];
    baseline = {
      torch: data.torch,
      threads: data.threads,
      f32TokensPerSec: Math.round(tokens / e.f32.seconds),
      f64TokensPerSec: Math.round(tokens / e.f64.seconds),
      f32Ms: +(e.f32.seconds * 1000).toFixed(1),
      f64Ms: +(e.f64.seconds * 1000).toFixed(1),
      lossRelDiffVsF64: Math.abs(t.loss - e.f64.loss) / Math.max(1e-300, Math.abs(e.f64.loss)),
    };
  } else {
    reason = torch.reason;
  }
  const line: Record<string, unknown> = {
    bench: "core/losses",
    loss: "grpo",
    klLossType: type,
    rows: ROWS,
    cols: COLS,
    tokens,
    validTokens: valid,
    tokensPerSec: Math.round(tokens / t.seconds),
    ms: +(t.seconds * 1000).toFixed(1),
    workspaceMs: +(tsWs[type].seconds * 1000).toFixed(1),
    workspaceBitIdentical: Object.is(tsWs[type].loss, t.loss),
    loadavg: loadavg().map((x) => +x.toFixed(2)),
    reps: REPS,
    torch: baseline,
  };
  if (reason) line.torchReason = reason;
  if (torch.ok) {
    const b = baseline as { f32TokensPerSec: number };
    line.speedupVsTorchF32 = +(tokens / t.seconds / b.f32TokensPerSec).toFixed(2);
    line.workspaceSpeedupVsTorchF32 = +(tokens / tsWs[type].seconds / b.f32TokensPerSec).toFixed(2);
  }
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
