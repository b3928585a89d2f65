// Benchmark harness shared by the loss plugins' `npm run bench` (token-entropy-kl, entropy-baselines): a 4M-token
// batch, our loss (evaluatePolicyLoss: validation, select, tokenLoss, aggregation, gradient) timed beside the PyTorch
// reference (tools/torch-ref/sent_bench.py) on the same inputs in the same run.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  type CommonLossOptions,
  createLossWorkspace,
  evaluatePolicyLoss,
  type LossWorkspace,
  type PolicyLossDefinition,
  type TokenBatch,
} from "../src/index.js";
import { zeroTokenBatch } from "../test/token-batch.js";

export interface BenchCase {
  loss: string;
  options: Record<string, unknown>;
  common?: Partial<CommonLossOptions>;
}

const REPO = resolve(new URL(".", import.meta.url).pathname, "../../..");

/** Deterministic 4M-token batch (float32 like a real forward): rows right-padded to lengths in [cols/2, cols]. */
export function makeBatch(rows: number, cols: number, seed = 1): TokenBatch {
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    s = (s ^ Math.imul(s ^ (s >>> 12), 0x297a2d39)) >>> 0;
    return (s >>> 0) / 4294967296;
  };
  const out = zeroTokenBatch(rows, cols, Float32Array);
  const { mask, advantages, logp, oldLogp, refLogp, entropy } = out;
  for (let b = 0; b < rows; b++) {
    const len = Math.floor(cols / 2 + rnd() * (cols / 2 + 1));
    const a = rnd() < 0.25 ? 0 : rnd() * 2 - 1; // some all-equal groups
    for (let t = 0; t < cols; t++) {
      const i = b * cols + t;
      const valid = t < len;
      mask[i] = valid ? 1 : 0;
      advantages[i] = valid ? a : 0;
      const o = -4 * rnd() * rnd();
      oldLogp[i] = o;
      logp[i] = o + 0.05 * (rnd() - 0.5);
      refLogp[i] = o + 0.1 * (rnd() - 0.5);
      entropy[i] = 3 * rnd() * rnd();
    }
  }
  return out;
}

function timeTs(def: PolicyLossDefinition, c: BenchCase, batch: TokenBatch, reps: number, workspace?: LossWorkspace) {
  const loss = def.create(c.options);
  const times: number[] = [];
  let value = 0;
  for (let r = 0; r <= reps; r++) {
    const t0 = performance.now();
    const out = evaluatePolicyLoss(loss, batch, c.common ?? {}, { step: 0, microBatch: 0, seed: 0, workspace });
    const t1 = performance.now();
    value = out.loss;
    if (r > 0) times.push(t1 - t0);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], loss: value };
}

/** Writes the batch once for the PyTorch reference; returns its folder. */
function writeBatch(batch: TokenBatch): string {
  const dir = mkdtempSync(join(tmpdir(), "sentrl-bench-"));
  writeFileSync(join(dir, "meta.json"), JSON.stringify({ rows: batch.rows, cols: batch.cols, ctxSeed: 0 }));
  writeFileSync(join(dir, "mask.u8"), batch.mask);
  for (const k of ["logp", "oldLogp", "refLogp", "entropy", "advantages"] as const) {
    writeFileSync(join(dir, `${k}.f32`), batch[k] as Float32Array);
  }
  return dir;
}

function runTorch(dir: string, c: BenchCase, reps: number): { ms: number; loss: number } | { error: string } {
  const python = process.env.SENTRL_TORCH_PYTHON ?? "/usr/bin/python3";
  const script = join(REPO, "tools/torch-ref/sent_bench.py");
  const r = spawnSync(python, [script, dir, JSON.stringify([c]), String(reps)], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    return { error: `${python} failed: ${r.error?.message ?? r.stderr.trim().split("\n").pop()}` };
  }
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as { ms: number; loss: number };
}

/** Runs every case in TS and in PyTorch, prints one JSON line per case. */
export function runBench(pkg: string, defs: PolicyLossDefinition[], cases: BenchCase[], rows = 1024, cols = 4096) {
  const reps = Number(process.env.SENTRL_BENCH_REPS ?? 3);
  const batch = makeBatch(rows, cols);
  let valid = 0;
  for (let i = 0; i < batch.mask.length; i++) valid += batch.mask[i];
  const dir = writeBatch(batch);
  try {
    // interleaved per case (PyTorch, then ours) so both see the same machine load
    // SENTRL_BENCH_ONLY=<loss>[,<loss>]: run only those cases
    const only = process.env.SENTRL_BENCH_ONLY?.split(",");
    for (const c of cases) {
      if (only && !only.includes(c.loss)) continue;
      const t = runTorch(dir, c, reps);
      const def = defs.find((d) => d.name === c.loss)!;
      const ts = timeTs(def, c, batch, reps);
      // what a trainer holding one workspace gets: buffers reused across calls (the first, warm-up call allocates)
      const tsWs = timeTs(def, c, batch, reps, createLossWorkspace());
      const ok = "ms" in t;
      console.log(
        JSON.stringify({
          bench: `${pkg}:${c.loss}`,
          options: c.options,
          common: c.common ?? {},
          rows,
          cols,
          tokens: rows * cols,
          validTokens: valid,
          reps,
          ts: { ms: +ts.ms.toFixed(1), loss: ts.loss, dtype: "float32 inputs, float64 math" },
          torch: ok
            ? { ms: +t.ms.toFixed(1), loss: t.loss, dtype: "float32", threads: 2 }
            : { ms: null, reason: t.error },
          tsWorkspace: { ms: +tsWs.ms.toFixed(1), loss: tsWs.loss, bitIdentical: Object.is(tsWs.loss, ts.loss) },
          loadavg: loadavg().map((x) => +x.toFixed(2)),
          speedup: ok ? +(t.ms / ts.ms).toFixed(2) : null,
          speedupWorkspace: ok ? +(t.ms / tsWs.ms).toFixed(2) : null,
          lossRelDiff: ok ? Math.abs(ts.loss - t.loss) / Math.max(1e-12, Math.abs(t.loss)) : null,
        }),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
