// Benchmark of the fast CPU backend on the ~11M-parameter Qwen2-shaped model (hidden 384, 6 layers, 6 heads,
// 2 KV heads, intermediate 1024, vocabulary 4096), beside PyTorch CPU on the same weights, inputs and thread count,
// timed in the same run and interleaved repetition by repetition (a persistent PyTorch process runs one repetition
// when asked), so both see the same load on a shared machine:
//   model.fast.trainStep  tokens/s of zeroGrad + forward + backward(dLogp, dEntropy) + clipped AdamW, 8 × 256 tokens
//   model.fast.score      tokens/s of score() (forward to logp and entropy), 8 × 256 tokens
//   sentrl.score.cli      the whole `sentrl score` command (spawned: start-up, loading, 16 × 256 tokens, JSON out)
//                         beside PyTorch's forward pass alone on the same 16 × 256 tokens
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createReferenceBackend, loadFastCpuBackend } from "@sentrl/compute";
import { BENCH_MODEL_SHAPE, DecoderModel, lcgStream, loadModel, randomQwen2, saveModel } from "../src/index.js";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const threads = Number(process.env.SENTRL_BENCH_THREADS ?? 2);
const rounds = Number(process.env.SENTRL_BENCH_ROUNDS ?? 2);
const reps = Number(process.env.SENTRL_BENCH_REPS ?? 3);
const shape = {
  ...BENCH_MODEL_SHAPE,
  batch: 8,
  seqLen: 256,
  cliRows: 16,
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round3 = (x: number) => Math.round(x * 1000) / 1000;

async function makeModelDir(): Promise<{
  dir: string;
  inputs: string;
  cliInput: string;
  params: number;
  rows: number[][];
  dLogp: number[][];
  dEntropy: number[][];
}> {
  const rand = lcgStream(1);
  const { config, tensors } = randomQwen2(shape, rand);
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
  return {
    dir,
    inputs,
    cliInput,
    params: [...tensors.values()].reduce((a, t) => a + t.length, 0),
    rows,
    dLogp,
    dEntropy,
  };
}

/**
 * How `sentrl score` is launched: the `sentrl` command as a user runs it (the committed launcher, which loads the built
 * CLI). This package never imports the app's code; an unbuilt CLI reports "sentrl is not built" as the CLI row's reason.
 */
function cliCommand(): { argv: string[]; how: string } {
  return {
    argv: [process.execPath, join(ROOT, "apps", "sentrl", "bin", "sentrl.mjs")],
    how: "the sentrl command (built CLI)",
  };
}

/** A persistent PyTorch process (tools/torch-ref/bench_model.py in serve mode) that runs one repetition on request. */
class TorchServer {
  private constructor(
    private readonly proc: ChildProcessWithoutNullStreams,
    private readonly lines: AsyncIterator<string>,
    readonly info: { torch: string; blas: string | null; linear: string },
  ) {}

  static async start(dir: string, inputs: string, linear: "aten" | "onednn"): Promise<TorchServer | string> {
    const python = process.env.SENTRL_TORCH_PYTHON ?? "/usr/bin/python3";
    const script = join(ROOT, "tools", "torch-ref", "bench_model.py");
    const proc = spawn(python, [script, JSON.stringify({ dir, inputs, threads, linear, serve: true })], {
      env: { ...process.env, OMP_NUM_THREADS: String(threads) },
    });
    let stderr = "";
    proc.stderr.on("data", (d) => {
      stderr += String(d);
    });
    const failed = new Promise<string>((resolve) => {
      proc.on("error", (e) => resolve(e.message));
      proc.on("exit", (code) => resolve(`exit ${code}: ${stderr.trim().split("\n").at(-1)}`));
    });
    const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
    const first = await Promise.race([lines.next().then((r) => (r.done ? null : r.value)), failed]);
    if (first === null || !first.startsWith("{")) {
      proc.kill();
      return `torch baseline failed: ${first ?? (await failed)}`;
    }
    const { ready: _ready, ...info } = JSON.parse(first) as {
      ready: boolean;
      torch: string;
      blas: string | null;
      linear: string;
    };
    return new TorchServer(proc, lines, info);
  }

  /** Runs `mode` once; its wall time in seconds. */
  async run(mode: "train" | "score"): Promise<number> {
    this.proc.stdin.write(`${mode}\n`);
    const r = await this.lines.next();
    if (r.done) throw new Error("torch baseline exited");
    return (JSON.parse(r.value) as { seconds: number }).seconds;
  }

  close(): void {
    this.proc.stdin.end("quit\n");
  }
}

interface Samples {
  ours: number[];
  torch: number[];
  stock: number[];
}

const newSamples = (): Samples => ({ ours: [], torch: [], stock: [] });

function summary(tokens: number, s: Samples) {
  const tps = (xs: number[], pick: (xs: number[]) => number) => (xs.length ? Math.round(tokens / pick(xs)) : null);
  const ratio = (a: number | null, b: number | null) => (a && b ? round3(a / b) : null);
  const ours = tps(s.ours, median);
  const torch = tps(s.torch, median);
  const stock = tps(s.stock, median);
  return {
    tokensPerSecond: ours,
    torchTokensPerSecond: torch,
    ratioToTorch: ratio(ours, torch),
    bestTokensPerSecond: tps(s.ours, (xs) => Math.min(...xs)),
    torchBestTokensPerSecond: tps(s.torch, (xs) => Math.min(...xs)),
    torchStockTokensPerSecond: stock,
    ratioToTorchStock: ratio(ours, stock),
  };
}

/**
 * Runs the three measurements and prints one JSON line each (medians over `rounds × reps` interleaved repetitions,
 * after one warm-up each). `torchTokensPerSecond` is PyTorch with its linear layers through oneDNN (the strongest
 * PyTorch CPU path on a machine whose torch links no MKL/OpenBLAS); `torchStockTokensPerSecond` is stock PyTorch
 * (`F.linear` on the BLAS it links), timed once (after a warm-up) because Debian's generic BLAS makes it ~20× slower.
 * `SENTRL_BENCH_STOCK_TORCH=0` skips the stock baseline.
 */
export async function runFastBench(): Promise<void> {
  process.env.SENTRL_NATIVE_THREADS = String(threads);
  const be = await loadFastCpuBackend().catch((e: Error) => e);
  const data = await makeModelDir();
  const common = { backend: "cpu", shape, params: data.params, threads, repetitions: rounds * reps };
  const servers: TorchServer[] = [];
  try {
    if (be instanceof Error) {
      for (const bench of ["model.fast.trainStep", "model.fast.score", "sentrl.score.cli"])
        console.log(JSON.stringify({ bench, ...common, tokensPerSecond: null, reason: be.message }));
      return;
    }
    const model = await loadModel(data.dir, { backend: be });
    const tokens = shape.batch * shape.seqLen;
    const cliTokens = shape.cliRows * shape.seqLen;
    const train = newSamples();
    const score = newSamples();
    const cli = newSamples();
    const reasons = new Set<string>();
    const launcher = cliCommand();
    const cliInput = readFileSync(data.cliInput);
    const cliTorchInputs = join(data.dir, "cli-torch-inputs.json");
    const load1: number[] = [];

    const oursTrain = () => {
      model.zeroGrad();
      const h = model.forward(data.rows);
      model.backward(h, { dLogp: data.dLogp, dEntropy: data.dEntropy });
      model.step({ lr: 1e-4, maxGradNorm: 1 });
    };
    const oursScore = () => model.score(data.rows, { batchSize: shape.batch });
    const oursCli = (): number | null => {
      const t0 = performance.now();
      const p = spawnSync(launcher.argv[0], [...launcher.argv.slice(1), "score", "--model", data.dir], {
        input: cliInput,
        encoding: "utf8",
        maxBuffer: 1 << 28,
      });
      const dt = (performance.now() - t0) / 1000;
      if (p.status !== 0 || !p.stdout.startsWith('{"logp"')) {
        reasons.add(`sentrl score failed (${p.status}): ${p.stderr.trim().split("\n").at(-1)}`);
        return null;
      }
      return dt;
    };
    const timeOnce = (fn: () => unknown) => {
      const t0 = performance.now();
      fn();
      return (performance.now() - t0) / 1000;
    };

    const main = await TorchServer.start(data.dir, data.inputs, "onednn");
    const forCli = await TorchServer.start(data.dir, cliTorchInputs, "onednn");
    for (const s of [main, forCli]) if (typeof s === "string") reasons.add(s);
    const torchMain = typeof main === "string" ? null : main;
    const torchCli = typeof forCli === "string" ? null : forCli;
    for (const s of [torchMain, torchCli]) if (s) servers.push(s);

    // Warm-up, then interleaved repetitions.
    oursTrain();
    oursScore();
    oursCli();
    if (torchMain) {
      await torchMain.run("train");
      await torchMain.run("score");
    }
    if (torchCli) await torchCli.run("score");
    for (let i = 0; i < rounds * reps; i++) {
      load1.push(round3(loadavg()[0]));
      train.ours.push(timeOnce(oursTrain));
      if (torchMain) train.torch.push(await torchMain.run("train"));
      score.ours.push(timeOnce(oursScore));
      if (torchMain) score.torch.push(await torchMain.run("score"));
      const c = oursCli();
      if (c !== null) cli.ours.push(c);
      if (torchCli) cli.torch.push(await torchCli.run("score"));
    }
    model.dispose();
    for (const s of servers.splice(0)) s.close();

    if (process.env.SENTRL_BENCH_STOCK_TORCH !== "0") {
      const stock = await TorchServer.start(data.dir, data.inputs, "aten");
      if (typeof stock === "string") reasons.add(stock);
      else {
        servers.push(stock);
        await stock.run("train");
        train.stock.push(await stock.run("train"));
        score.stock.push(await stock.run("score"));
      }
      const stockCli = await TorchServer.start(data.dir, cliTorchInputs, "aten");
      if (typeof stockCli === "string") reasons.add(stockCli);
      else {
        servers.push(stockCli);
        await stockCli.run("score");
        cli.stock.push(await stockCli.run("score"));
      }
    }
    const extra = {
      torch: torchMain?.info ?? null,
      load1,
      ...(reasons.size ? { reason: [...reasons].join("; ") } : {}),
    };
    console.log(
      JSON.stringify({ bench: "model.fast.trainStep", ...common, tokens, ...summary(tokens, train), ...extra }),
    );
    console.log(JSON.stringify({ bench: "model.fast.score", ...common, tokens, ...summary(tokens, score), ...extra }));
    console.log(
      JSON.stringify({
        bench: "sentrl.score.cli",
        ...common,
        launcher: launcher.how,
        tokens: cliTokens,
        commandSeconds: cli.ours.length ? round3(median(cli.ours)) : null,
        torchForwardSeconds: cli.torch.length ? round3(median(cli.torch)) : null,
        torchStockForwardSeconds: cli.stock.length ? round3(median(cli.stock)) : null,
        ...summary(cliTokens, cli),
        ...extra,
      }),
    );
  } finally {
    for (const s of servers) s.close();
    rmSync(data.dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runFastBench();
