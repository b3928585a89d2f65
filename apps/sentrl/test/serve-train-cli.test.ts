import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyModelDir } from "../../../packages/model/src/generate/tiny.js";
import { runCli } from "./fake-io.js";
import { startTestServer, type TestServer } from "./serve-helpers.js";

// `sentrl train` with `rollout.engines` (docs/serving.md §2): the same run as with local rollouts, metrics line for line.

let dir = "";
let engine: TestServer;
let previousBackend: string | undefined;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sentrl-train-engines-"));
  (await writeTinyModelDir(join(dir, "model"), 21)).dispose();
  // The deterministic reference backend on both sides (the trainer gets `--backend reference`, the engine too); the
  // fast backend's threaded reductions may differ in the last bits between processes under load.
  previousBackend = process.env.SENTRL_BACKEND;
  process.env.SENTRL_BACKEND = "reference";
  engine = await startTestServer(join(dir, "model"), { backend: "reference" });
  writeFileSync(join(dir, "data.jsonl"), ["ab", "ba", "abab", "b"].map((q, i) => JSON.stringify({ id: `q${i}`, problem: q, answer: "x" })).join("\n"));
  writeFileSync(join(dir, "even.mjs"), "export default { name: 'even', score: (r) => ({ reward: r.length % 2 === 0 ? 1 : 0, correct: false, extracted: r }) };\n");
});
afterAll(async () => {
  if (previousBackend === undefined) delete process.env.SENTRL_BACKEND;
  else process.env.SENTRL_BACKEND = previousBackend;
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
});

function config(extra: string[]): string {
  const path = join(dir, `run-${extra.length}.yaml`);
  writeFileSync(
    path,
    [
      "preset: grpo",
      "policy: { kind: model, dir: ./model }",
      "data: { train: ./data.jsonl }",
      "reward: { name: even, module: ./even.mjs }",
      "promptTemplate: raw",
      "promptsPerStep: 2",
      "groupSize: 4",
      "miniBatchPrompts: 1",
      "microBatchSize: 2",
      "maxResponseTokens: 6",
      "totalSteps: 3",
      "zeroVarianceWarnSteps: 0",
      "optimizer: { lr: 0.02 }",
      ...extra,
      "",
    ].join("\n"),
  );
  return path;
}

describe("sentrl train with rollout.engines", () => {
  it("writes the same metrics as local rollouts, and rejects engines that are not openai: specs", async () => {
    const local = await runCli(["train", "--config", config([]), "--out", join(dir, "local"), "--backend", "reference"]);
    expect(local.code, local.stderr).toBe(0);
    const remote = await runCli(["train", "--config", config([`rollout: { engines: ["openai:${engine.url}/v1#tiny"] }`]), "--out", join(dir, "remote"), "--backend", "reference"]);
    expect(remote.code, remote.stderr).toBe(0);
    const read = (d: string) => readFileSync(join(dir, d, "metrics.jsonl"), "utf8").trimEnd().split("\n").map((l) => JSON.parse(l));
    const a = read("local");
    const b = read("remote");
    expect(b).toHaveLength(3);
    expect(Math.max(...a.map((m) => m["actor/grad_norm"]))).toBeGreaterThan(0);
    for (let s = 0; s < 3; s++) {
      for (const [k, v] of Object.entries(a[s])) if (typeof v === "number") expect(Math.abs((b[s][k] as number) - v), `step ${s + 1} ${k}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(v)));
      expect(Object.keys(b[s]).sort()).toEqual(Object.keys(a[s]).sort());
      expect(b[s]["training/rollout_probs_diff_max"]).toBeLessThan(1e-4);
    }
    expect(engine.host.version).toBe(3); // the initial sync and one after each of the first two updates
    const wrong = await runCli(["train", "--config", config(['rollout: { engines: ["replay:x.jsonl"] }']), "--out", join(dir, "wrong")]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/CONFIG_BAD_FIELD: config.rollout.engines\[0\]/);
  }, 60_000);
});
