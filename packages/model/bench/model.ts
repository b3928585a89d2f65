// Benchmark: scoring and one training step (forward, backward from dLogp/dEntropy, clipped AdamW) of a random
// Qwen2-shaped model on the TypeScript reference backend, beside a PyTorch baseline (2 threads) timed in the same run.
// Prints one JSON line per measurement. Run: npm run bench -w @sentrl/model
// Then the fast CPU backend on the ~11M-parameter model and the `sentrl score` command (bench/fast.ts).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { createReferenceBackend } from "@sentrl/compute";
import { DecoderModel, lcgStream, randomQwen2 } from "../src/index.js";
import { runFastBench } from "./fast.js";

const shape = { H: 128, I: 352, L: 2, nh: 4, nkv: 2, V: 2048, B: 4, T: 64, reps: 3 };
const rand = lcgStream(1);
const { config, tensors } = randomQwen2(
  { hidden: shape.H, layers: shape.L, heads: shape.nh, kvHeads: shape.nkv, intermediate: shape.I, vocab: shape.V },
  rand,
);
const model = DecoderModel.fromTensors(config, tensors, createReferenceBackend());
const rows = Array.from({ length: shape.B }, () =>
  Array.from({ length: shape.T }, () => Math.floor((rand() + 0.5) * shape.V)),
);
const dLogp = rows.map((r) => r.slice(1).map(() => rand()));
const dEntropy = rows.map((r) => r.slice(1).map(() => rand()));

function timed(fn: () => void): number {
  fn();
  const ts: number[] = [];
  for (let i = 0; i < shape.reps; i++) {
    const t0 = performance.now();
    fn();
    ts.push((performance.now() - t0) / 1000);
  }
  return ts.sort((a, b) => a - b)[Math.floor(ts.length / 2)];
}

const tokens = shape.B * shape.T;
const score = tokens / timed(() => model.score(rows, { batchSize: shape.B }));
const train =
  tokens /
  timed(() => {
    model.zeroGrad();
    const h = model.forward(rows);
    model.backward(h, { dLogp, dEntropy });
    model.step({ lr: 1e-4, maxGradNorm: 1 });
  });

const python = process.env.SENTRL_TORCH_PYTHON ?? "/usr/bin/python3";
const script = join(import.meta.dirname, "..", "..", "..", "tools", "torch-ref", "model_bench.py");
const r = spawnSync(python, [script, JSON.stringify(shape)], { encoding: "utf8", timeout: 300_000 });
let torch: { scoreTokensPerSecond: number; trainTokensPerSecond: number } | null = null;
let reason: string | undefined;
if (r.status === 0) torch = JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "null");
else reason = `torch baseline failed: ${(r.error?.message ?? r.stderr ?? "").trim().split("\n").at(-1)}`;

const common = { backend: "reference", shape, params: [...tensors.values()].reduce((a, t) => a + t.length, 0) };
console.log(
  JSON.stringify({
    bench: "model.score",
    ...common,
    tokensPerSecond: score,
    torchTokensPerSecond: torch?.scoreTokensPerSecond ?? null,
    ...(reason ? { reason } : {}),
  }),
);
console.log(
  JSON.stringify({
    bench: "model.trainStep",
    ...common,
    tokensPerSecond: train,
    torchTokensPerSecond: torch?.trainTokensPerSecond ?? null,
    ...(reason ? { reason } : {}),
  }),
);

await runFastBench();
