// Benchmark of the fast CPU backend on the ~11M-parameter Qwen2-shaped model (hidden 384, 6 layers, 6 heads,
// 2 KV heads, intermediate 1024, vocabulary 4096), beside PyTorch CPU on the same weights, inputs and thread count,
// timed in the same run and interleaved round by round so both see the same machine load:
//   model.fast.trainStep  tokens/s of zeroGrad + forward + backward(dLogp, dEntropy) + clipped AdamW, 8 × 256 tokens
//   model.fast.score      tokens/s of score() (forward to logp and entropy), 8 × 256 tokens
//   sentrl.score.cli      the whole `sentrl score` command (spawned: start-up, loading, 16 × 256 tokens, JSON out)
//                         beside PyTorch's forward pass alone on the same 16 × 256 tokens
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createReferenceBackend, loadFastCpuBackend } from "@sentrl/compute";
import { DecoderModel, loadModel, parameterSpecs, parseModelConfig, saveModel } from "../src/index.js";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const threads = Number(process.env.SENTRL_BENCH_THREADS ?? 2);
const rounds = Number(process.env.SENTRL_BENCH_ROUNDS ?? 2);
const reps = Number(process.env.SENTRL_BENCH_REPS ?? 3);
const shape = { hidden: 384, layers: 6, heads: 6, kvHeads: 2, intermediate: 1024, vocab: 4096, batch: 8, seqLen: 256, cliRows: 16 };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round3 = (x: number) => Math.round(x * 1000) / 1000;

async function makeModelDir(): Promise<{ dir: string; inputs: string; cliInput: string; params: number; rows: number[][]; dLogp: number[][]; dEntropy: number[][] }> {
  const config = parseModelConfig({
    model_type: "qwen2",
    hidden_size: shape.hidden,
    intermediate_size: shape.intermediate,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    num_key_value_heads: shape.kvHeads,
    vocab_size: shape.vocab,
    rope_theta: 1e6,
    rms_norm_eps: 1e-6,
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
  const dir = mkdtempSync(join(tmpdir(), "sentrl-bench-model-"));
  const model = DecoderModel.fromTensors(config, tensors, createReferenceBackend());
  await saveModel(model, dir);
  model.dispose();
  const row = () => Array.from({ length: shape.seqLen }, () => Math.floor((rand() + 0.5) * shape.vocab));
  const rows = Array.from({ length: shape.batch }, row);
  const dLogp = rows.map((r) => r.slice(1).map(() => rand()));
  const dEntropy = rows.map((r) => r.slice(1).map(() => rand()));
  const inputs = join(dir, "bench-inputs.json");
  writeFileSync(inputs, JSON.stringify({ tokens: rows, dLogp, dEntropy }));
  const cliRows = Array.from({ length: shape.cliRows }, row);
  const cliInput = join(dir, "cli-input.json");
  writeFileSync(cliInput, JSON.stringify({ tokens: cliRows }));
  const cliTorchInputs = join(dir, "cli-torch-inputs.json");
  writeFileSync(cliTorchInputs, JSON.stringify({ tokens: cliRows, dLogp: [], dEntropy: [] }));
  return { dir, inputs, cliInput, params: [...tensors.values()].reduce((a, t) => a + t.length, 0), rows, dLogp, dEntropy };
}

interface TorchResult {
  train?: { seconds: number[]; tokensPerSecond: number };
  score?: { seconds: number[]; tokensPerSecond: number };
  threads: number;
  torch: string;
  blas: string | null;
}

/** PyTorch on the same model and inputs; `linear`: "aten" (stock F.linear) or "onednn" (linear layers through oneDNN). */
function torch(dir: string, inputs: string, modes: string[], linear: "aten" | "onednn", torchReps: number): { result: TorchResult | null; reason?: string } {
  const python = process.env.SENTRL_TORCH_PYTHON ?? "/usr/bin/python3";
  const script = join(ROOT, "tools", "torch-ref", "bench_model.py");
  const r = spawnSync(python, [script, JSON.stringify({ dir, inputs, modes, reps: torchReps, threads, linear })], { encoding: "utf8", timeout: 600_000, env: { ...process.env, OMP_NUM_THREADS: String(threads) } });
  if (r.status === 0) return { result: JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "null") as TorchResult };
  return { result: null, reason: `torch baseline failed: ${(r.error?.message ?? r.stderr ?? "").trim().split("\n").at(-1)}` };
}

function timeReps(fn: () => void): number[] {
  fn();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ts.push((performance.now() - t0) / 1000);
  }
  return ts;
}

/** How `sentrl score` is launched: the built CLI when it exists, else the sources through tsx. */
function cliCommand(): { argv: string[]; how: string } {
  const built = join(ROOT, "apps", "sentrl", "dist", "cli.js");
  if (existsSync(built) && process.env.SENTRL_BENCH_CLI !== "source") return { argv: [process.execPath, join(ROOT, "apps", "sentrl", "bin", "sentrl.mjs")], how: "node apps/sentrl/bin/sentrl.mjs (built dist)" };
  const tsx = join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
  return { argv: [process.execPath, tsx, "--conditions=source", join(import.meta.dirname, "run-cli.ts")], how: "tsx --conditions=source packages/model/bench/run-cli.ts (sources)" };
}

interface Samples {
  ours: number[];
  onednn: number[];
  stock: number[];
}

function summary(tokens: number[] | number, s: Samples) {
  const n = typeof tokens === "number" ? tokens : 0;
  const tps = (xs: number[]) => (xs.length ? Math.round(n / median(xs)) : null);
  const ours = tps(s.ours);
  const onednn = tps(s.onednn);
  const stock = tps(s.stock);
  return {
    tokensPerSecond: ours,
    torchTokensPerSecond: onednn,
    ratioToTorch: ours && onednn ? round3(ours / onednn) : null,
    torchStockTokensPerSecond: stock,
    ratioToTorchStock: ours && stock ? round3(ours / stock) : null,
  };
}

/**
 * Runs the three measurements and prints one JSON line each. `torchTokensPerSecond` is PyTorch with its linear
 * layers through oneDNN (the strongest PyTorch CPU path on this machine, measured every round);
 * `torchStockTokensPerSecond` is stock PyTorch (`F.linear` on the BLAS it links; measured in round 1 only, with one
 * repetition, because Debian's generic BLAS makes it ~20× slower).
 */
export async function runFastBench(): Promise<void> {
  process.env.SENTRL_NATIVE_THREADS = String(threads);
  const be = await loadFastCpuBackend().catch((e: Error) => e);
  const data = await makeModelDir();
  const common = { backend: "cpu", shape, params: data.params, threads, rounds, reps };
  try {
    if (be instanceof Error) {
      for (const bench of ["model.fast.trainStep", "model.fast.score", "sentrl.score.cli"]) console.log(JSON.stringify({ bench, ...common, tokensPerSecond: null, reason: be.message }));
      return;
    }
    const model = await loadModel(data.dir, { backend: be });
    const tokens = shape.batch * shape.seqLen;
    const train: Samples = { ours: [], onednn: [], stock: [] };
    const score: Samples = { ours: [], onednn: [], stock: [] };
    const cli: Samples = { ours: [], onednn: [], stock: [] };
    const reasons = new Set<string>();
    const perRound: unknown[] = [];
    let torchInfo: { torch: string; blas: string | null } | null = null;
    const launcher = cliCommand();
    const cliInput = readFileSync(data.cliInput);
    const cliTorchInputs = join(data.dir, "cli-torch-inputs.json");
    const cliTokens = shape.cliRows * shape.seqLen;
    const take = (r: { result: TorchResult | null; reason?: string }, mode: "train" | "score", into: number[]) => {
      if (r.result?.[mode]) {
        into.push(...(r.result[mode]?.seconds ?? []));
        torchInfo = { torch: r.result.torch, blas: r.result.blas };
      } else if (r.reason) reasons.add(r.reason);
    };
    for (let round = 0; round < rounds; round++) {
      const load1 = round3(loadavg()[0]);
      const oursTrain = timeReps(() => {
        model.zeroGrad();
        const h = model.forward(data.rows);
        model.backward(h, { dLogp: data.dLogp, dEntropy: data.dEntropy });
        model.step({ lr: 1e-4, maxGradNorm: 1 });
      });
      const oursScore = timeReps(() => model.score(data.rows, { batchSize: shape.batch }));
      train.ours.push(...oursTrain);
      score.ours.push(...oursScore);
      const t = torch(data.dir, data.inputs, ["train", "score"], "onednn", reps);
      take(t, "train", train.onednn);
      take(t, "score", score.onednn);
      // The whole `sentrl score` command on 16 × 256 tokens, then PyTorch's forward pass alone on the same rows.
      for (let i = 0; i < reps; i++) {
        const t0 = performance.now();
        const p = spawnSync(launcher.argv[0], [...launcher.argv.slice(1), "score", "--model", data.dir], { input: cliInput, encoding: "utf8", maxBuffer: 1 << 28 });
        const dt = (performance.now() - t0) / 1000;
        if (p.status !== 0 || !p.stdout.startsWith('{"logp"')) {
          reasons.add(`sentrl score failed (${p.status}): ${p.stderr.trim().split("\n").at(-1)}`);
          break;
        }
        cli.ours.push(dt);
      }
      take(torch(data.dir, cliTorchInputs, ["score"], "onednn", reps), "score", cli.onednn);
      if (round === 0 && process.env.SENTRL_BENCH_STOCK_TORCH !== "0") {
        const stock = torch(data.dir, data.inputs, ["train", "score"], "aten", 1);
        take(stock, "train", train.stock);
        take(stock, "score", score.stock);
        take(torch(data.dir, cliTorchInputs, ["score"], "aten", 1), "score", cli.stock);
      }
      perRound.push({
        round: round + 1,
        load1,
        train: Math.round(tokens / median(oursTrain)),
        torchTrain: t.result?.train ? Math.round(t.result.train.tokensPerSecond) : null,
        score: Math.round(tokens / median(oursScore)),
        torchScore: t.result?.score ? Math.round(t.result.score.tokensPerSecond) : null,
      });
    }
    model.dispose();
    const extra = { torch: torchInfo, ...(reasons.size ? { reason: [...reasons].join("; ") } : {}) };
    console.log(JSON.stringify({ bench: "model.fast.trainStep", ...common, tokens, ...summary(tokens, train), ...extra, perRound }));
    console.log(JSON.stringify({ bench: "model.fast.score", ...common, tokens, ...summary(tokens, score), ...extra, perRound }));
    console.log(
      JSON.stringify({
        bench: "sentrl.score.cli",
        ...common,
        launcher: launcher.how,
        tokens: cliTokens,
        commandSeconds: cli.ours.length ? round3(median(cli.ours)) : null,
        torchForwardSeconds: cli.onednn.length ? round3(median(cli.onednn)) : null,
        torchStockForwardSeconds: cli.stock.length ? round3(median(cli.stock)) : null,
        ...summary(cliTokens, cli),
        ...extra,
      }),
    );
  } finally {
    rmSync(data.dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runFastBench();
