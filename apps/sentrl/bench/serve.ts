// Load benchmark of `sentrl serve` (docs/contracts.md §10): requests/s, completion tokens/s and p50/p99 latency at 1, 8
// and 64 concurrent clients, each sending one /v1/completions request (token-id prompt, n=1) at a time from a shared
// list, beside `sentrl generate` on the same prompts and settings in the same run (before and after the server runs).
// The model is a random Qwen2-shaped one (no EOS, so every completion has exactly NEW tokens). Prints one JSON line per
// measurement. Run: npx tsx --conditions=source apps/sentrl/bench/serve.ts
// (SENTRL_BENCH_PROMPTS, SENTRL_BENCH_NEW, SENTRL_BENCH_CLIENTS=1,8,64, SENTRL_BENCH_MAX_BATCH to change the load).
// A last run at the largest client count reloads the weights from disk a quarter of the way in (`reloadMs`, `failed`).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Readable } from "node:stream";
import { createReferenceBackend } from "@sentrl/compute";
import { Rng } from "@sentrl/core";
import { DecoderModel, randomQwen2, saveModel } from "@sentrl/model";
import { main } from "../src/cli.js";

const ROOT = resolve(import.meta.dirname, "..", "..", "..");
const PROMPTS = Number(process.env.SENTRL_BENCH_PROMPTS ?? 64);
const NEW = Number(process.env.SENTRL_BENCH_NEW ?? 32);
const CLIENTS = (process.env.SENTRL_BENCH_CLIENTS ?? "1,8,64").split(",").map(Number);
const MAX_BATCH = Number(process.env.SENTRL_BENCH_MAX_BATCH ?? 32);
const PROMPT_LEN = 32;
const shape = { hidden: 256, layers: 4, heads: 4, kvHeads: 2, intermediate: 768, vocab: 4096 };
const round = (x: number) => Math.round(x * 100) / 100;
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

async function writeModel(dir: string): Promise<void> {
  const { config, tensors } = randomQwen2(shape);
  const model = DecoderModel.fromTensors(config, tensors, createReferenceBackend());
  await saveModel(model, dir);
  model.dispose();
  writeFileSync(join(dir, "generation_config.json"), JSON.stringify({ eos_token_id: [] }));
}

/** `sentrl generate` in-process: wall seconds and its stdout. */
async function runGenerate(dir: string, prompts: number[][], newTokens: number): Promise<{ seconds: number; stdout: string }> {
  const stdin = prompts.map((tokens, i) => JSON.stringify({ id: i, tokens })).join("\n");
  let stdout = "";
  const t0 = performance.now();
  const code = await main(["generate", "--model", dir, "--max-tokens", String(newTokens), "--batch-size", String(MAX_BATCH), "--seed", "1"], {
    stdin: Readable.from([Buffer.from(stdin)]),
    stdout: { write: (c: string) => (stdout += c) },
    stderr: { write: () => true },
    env: process.env,
  });
  if (code !== 0) throw new Error(`sentrl generate exited ${code}`);
  return { seconds: (performance.now() - t0) / 1000, stdout };
}

/**
 * The baseline: `sentrl generate` on all prompts at --batch-size MAX_BATCH. Its wall time includes loading the model,
 * which the server pays once at start, so the same command on one prompt and one token is timed too and subtracted.
 */
async function generateBaseline(dir: string, prompts: number[][]): Promise<Record<string, unknown>> {
  const startup = (await runGenerate(dir, prompts.slice(0, 1), 1)).seconds;
  const { seconds, stdout } = await runGenerate(dir, prompts, NEW);
  const tokens = stdout.trim().split("\n").reduce((a, l) => a + JSON.parse(l).completions[0].tokenIds.length, 0);
  const s = Math.max(1e-3, seconds - startup);
  return {
    what: "sentrl generate (baseline)",
    batchSize: MAX_BATCH,
    prompts: prompts.length,
    seconds: round(seconds),
    startupSeconds: round(startup),
    requestsPerSecond: round(prompts.length / s),
    tokensPerSecond: round(tokens / s),
  };
}

function startServe(dir: string): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, ["--conditions=source", "--import", "tsx", join(ROOT, "apps/sentrl/test/cli-from-source.mjs"), "serve", "--model", dir, "--port", "0", "--max-batch", String(MAX_BATCH), "--served-model-name", "bench"], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  return new Promise((res, rej) => {
    proc.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /at (http:\/\/\S+)\/v1/.exec(err);
      if (m) res({ proc, url: m[1] });
    });
    proc.on("exit", (c) => rej(new Error(`sentrl serve exited ${c}: ${err}`)));
  });
}

/** `clients` workers send the prompts (one request each); with `updateFrom`, a weight reload after a quarter of them. */
async function loadRun(url: string, prompts: number[][], clients: number, updateFrom?: string): Promise<Record<string, unknown>> {
  let next = 0;
  let failed = 0;
  let tokens = 0;
  let updateMs: number | undefined;
  let update: Promise<void> | undefined;
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < prompts.length) {
        const i = next++;
        if (updateFrom && i === Math.floor(prompts.length / 4)) {
          const u0 = performance.now();
          update = fetch(`${url}/update_weights_from_disk`, { method: "POST", body: JSON.stringify({ model_path: updateFrom }) }).then(async (r) => {
            if (!((await r.json()) as { success?: boolean }).success) failed++;
            updateMs = performance.now() - u0;
          });
        }
        const s = performance.now();
        const r = await fetch(`${url}/v1/completions`, { method: "POST", body: JSON.stringify({ prompt: prompts[i], max_tokens: NEW, seed: 1, logprobs: 0, return_token_ids: true }) });
        const body = (await r.json()) as { choices?: { token_ids: number[] }[] };
        latencies.push(performance.now() - s);
        if (r.status !== 200 || !body.choices) failed++;
        else tokens += body.choices[0].token_ids.length;
      }
    }),
  );
  await update;
  const s = (performance.now() - t0) / 1000;
  return {
    what: updateFrom ? "sentrl serve, weight reload during the run" : "sentrl serve",
    ...(updateMs !== undefined ? { reloadMs: round(updateMs) } : {}),
    clients,
    maxBatch: MAX_BATCH,
    requests: prompts.length,
    failed,
    seconds: round(s),
    requestsPerSecond: round(prompts.length / s),
    tokensPerSecond: round(tokens / s),
    p50LatencyMs: round(quantile(latencies, 0.5)),
    p99LatencyMs: round(quantile(latencies, 0.99)),
  };
}

const dir = mkdtempSync(join(tmpdir(), "sentrl-serve-bench-"));
try {
  await writeModel(dir);
  const rng = new Rng(3);
  const prompts = Array.from({ length: PROMPTS }, () => Array.from({ length: PROMPT_LEN }, () => Math.floor(rng.uniform() * shape.vocab)));
  console.log(JSON.stringify({ what: "setup", model: shape, promptLen: PROMPT_LEN, newTokens: NEW, prompts: PROMPTS, cpu: cpus()[0]?.model, cores: cpus().length, loadavg: loadavg().map(round) }));
  console.log(JSON.stringify(await generateBaseline(dir, prompts)));
  const { proc, url } = await startServe(dir);
  try {
    await loadRun(url, prompts.slice(0, 4), 4); // warm-up
    for (const c of CLIENTS) console.log(JSON.stringify(await loadRun(url, prompts, c)));
    // Faults under load: the same weights reloaded from disk while 64 clients are served (no request may fail).
    console.log(JSON.stringify(await loadRun(url, prompts, Math.max(...CLIENTS), dir)));
  } finally {
    proc.kill("SIGTERM");
    await new Promise((r) => proc.on("exit", r));
  }
  console.log(JSON.stringify(await generateBaseline(dir, prompts)));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
