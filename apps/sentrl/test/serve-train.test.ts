import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createReferenceBackend } from "@sentrl/compute";
import { createTrainer, type TrainerConfig, withEngineRollouts } from "@sentrl/core";
import { createOpenAIGenerator, createWeightSync } from "@sentrl/generators";
import { encodePrompt, loadModel, loadTokenizer, ModelPolicy, saveModel } from "@sentrl/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyModelDir } from "../../../packages/model/src/generate/tiny.js";
import { postJson, startTestServer, type TestServer } from "./serve-helpers.js";

// Training whose rollouts run on `sentrl serve` (two engines) equals the same run with local rollouts (docs/serving.md).

const DATASET = [
  { id: "0", prompt: [{ role: "user" as const, content: "say a" }], gold: "a" },
  { id: "1", prompt: "ab ab", gold: "a" },
  { id: "2", prompt: "b", gold: "a" },
  { id: "3", prompt: [{ role: "user" as const, content: "abba" }], gold: "a" },
];

const CONFIG: Partial<TrainerConfig> = {
  reward: "even-length",
  promptsPerStep: 4,
  miniBatchPrompts: 2,
  groupSize: 4,
  maxResponseTokens: 6,
  totalSteps: 3,
  temperature: 1,
  optimizer: { lr: 2e-2, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1 },
  lossOptions: { useKlLoss: true, klLossCoef: 0.01 },
};

const EVEN_LENGTH = {
  name: "even-length",
  verifiers: [
    {
      name: "even-length",
      create: () => ({
        name: "even-length",
        score: (r: string) => ({ reward: r.length % 2 === 0 ? 1 : 0, correct: r.length % 2 === 0, extracted: r }),
      }),
    },
  ],
};

let dir = "";
let engines: TestServer[] = [];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sentrl-serve-train-"));
  (await writeTinyModelDir(join(dir, "model"), 11)).dispose();
  engines = await Promise.all([startTestServer(join(dir, "model")), startTestServer(join(dir, "model"))]);
});
afterAll(async () => {
  await Promise.all(engines.map((e) => e.stop()));
  rmSync(dir, { recursive: true, force: true });
});

/** A fetch that fails (connection refused) while `down.value` is true, else the real one. */
function flakyFetch(down: { value: boolean; failures: number }): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    if (down.value) {
      down.failures++;
      throw new TypeError("fetch failed (injected: connect ECONNREFUSED)");
    }
    return fetch(input, init);
  }) as typeof fetch;
}

async function train(kind: "local" | "engines", config: Partial<TrainerConfig> = CONFIG, down?: { value: boolean; failures: number }, outputDir?: string) {
  const modelDir = join(dir, "model");
  const tokenizer = loadTokenizer(modelDir);
  const model = await loadModel(modelDir, { backend: createReferenceBackend() });
  const base = new ModelPolicy(model, { tokenizer });
  const urls = engines.map((e) => e.url);
  const policy =
    kind === "local"
      ? base
      : withEngineRollouts(base, {
          generator: createOpenAIGenerator({ baseURL: urls, model: "tiny", logprobs: true, tokenIds: true, maxRetries: 1, retryDelayMs: 1, fetch: down && flakyFetch(down) }),
          encode: (p) => encodePrompt(tokenizer, p),
          writeWeights: (d) => saveModel(model, d),
          loadWeights: (d) => createWeightSync({ baseURLs: urls, maxRetries: 1, retryDelayMs: 1, fetch: down && flakyFetch(down) }).load(d),
          weightsDir: join(dir, `weights-${Math.random().toString(36).slice(2)}`),
        });
  const trainer = createTrainer({ policy, dataset: DATASET, plugins: [EVEN_LENGTH], config, outputDir, onWarning: () => {} });
  if (down) return { metrics: [], model, policy, trainer };
  const metrics = (await trainer.run()).map((r) => r.metrics);
  return { metrics, model, policy, trainer };
}

function expectSameMetrics(a: Record<string, number>[], b: Record<string, number>[]) {
  expect(b.length).toBe(a.length);
  for (let s = 0; s < a.length; s++) {
    expect(Object.keys(b[s]).sort()).toEqual(Object.keys(a[s]).sort());
    for (const k of Object.keys(a[s])) {
      const tol = 1e-6 * Math.max(1, Math.abs(a[s][k]));
      if (Math.abs(a[s][k] - b[s][k]) > tol) throw new Error(`step ${s + 1} ${k}: local ${a[s][k]} vs engines ${b[s][k]}`);
    }
  }
}

describe("trainer rollouts through openai: on sentrl serve", () => {
  it("gives the same metrics as local rollouts (1e-6), and the engines end with the trainer's weights", async () => {
    const local = await train("local");
    const remote = await train("engines");
    expect(local.metrics).toHaveLength(3);
    // A real learning signal: some group had reward variance, so the weights moved between steps.
    expect(Math.max(...local.metrics.map((m) => m["actor/grad_norm"]))).toBeGreaterThan(0);
    expect(local.metrics[0]["training/rollout_probs_diff_max"]).toBeLessThan(1e-4);
    expectSameMetrics(local.metrics, remote.metrics);
    const policy = remote.policy as ReturnType<typeof withEngineRollouts>;
    expect(policy.weightSyncs).toBe(3); // start + after steps 1 and 2
    await policy.syncWeights();
    for (const e of engines) {
      for (const name of ["model.layers.0.mlp.down_proj.weight", "lm_head.weight"]) {
        const served = await postJson(`${e.url}/get_weights_by_name`, { name, truncate_size: 1 << 20 });
        expect(served.status).toBe(200);
        expect(Float32Array.from(served.json)).toEqual(remote.model.getParameter(name));
      }
    }
    local.model.dispose();
    remote.model.dispose();
  });

  it("truncated importance sampling (rollout.tisCap) logs its weights and changes nothing when the samplers agree", async () => {
    const local = await train("local", { ...CONFIG, totalSteps: 1 });
    const tis = await train("engines", { ...CONFIG, totalSteps: 1, rollout: { tisCap: 2 } });
    const m = tis.metrics[0];
    expect(m["rollout_corr/tis_weight_mean"]).toBeCloseTo(1, 4);
    expect(m["rollout_corr/tis_clip_frac"]).toBe(0);
    expect(Math.abs(m["actor/pg_loss"] - local.metrics[0]["actor/pg_loss"])).toBeLessThan(1e-5);
    local.model.dispose();
    tis.model.dispose();
  });

  it("an engine that is down: retries, then a coded error with the step not done; a resumed run redoes it exactly", async () => {
    const config = { ...CONFIG, totalSteps: 2, checkpointEvery: 1 };
    const local = await train("local", config);
    const out = join(dir, "flaky-run");
    const down = { value: true, failures: 0 };
    // Engines down from the start: the first step fails after one try and one retry per engine, nothing is written.
    const a = await train("engines", config, down, out);
    await expect(a.trainer.trainStep()).rejects.toMatchObject({ code: "ENGINE_WEIGHT_SYNC_FAILED" });
    expect(down.failures).toBe(2 * engines.length);
    expect(a.trainer.step).toBe(0);
    a.model.dispose();
    // Back up: step 1 runs and is checkpointed; down again during step 2's sync: step 2 is not done.
    down.value = false;
    const b = await train("engines", config, down, out);
    const first = await b.trainer.trainStep();
    down.value = true;
    await expect(b.trainer.trainStep()).rejects.toMatchObject({ code: "ENGINE_WEIGHT_SYNC_FAILED" });
    expect(b.trainer.step).toBe(1);
    b.model.dispose();
    // A resumed run (the engines back) redoes step 2 from the checkpoint: the same as the uninterrupted local run.
    down.value = false;
    const c = await train("engines", config, down, out);
    expect(await c.trainer.resume()).toBe(1);
    const second = await c.trainer.trainStep();
    expectSameMetrics(local.metrics, [first.metrics, second.metrics]);
    local.model.dispose();
    c.model.dispose();
  });
});
