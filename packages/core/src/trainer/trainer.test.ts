import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TrainerConfig } from "./config.js";
import { exactMatchReward, toyDataset, toyPolicy } from "@sentrl/testing";
import { createTrainer } from "./trainer.js";

const optimizer = { lr: 0.05, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0, maxGradNorm: 1 };
const base: Partial<TrainerConfig> = {
  reward: "exact",
  promptsPerStep: 6,
  groupSize: 8,
  miniBatchPrompts: 3,
  microBatchSize: 4,
  maxResponseTokens: 3,
  optimizer,
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "sentrl-trainer-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("createTrainer on the toy task", () => {
  it("GRPO raises the reward from near chance to near 1", async () => {
    const trainer = createTrainer({
      policy: toyPolicy(),
      dataset: toyDataset(),
      plugins: [exactMatchReward()],
      config: { ...base, totalSteps: 120 },
    });
    const results = await trainer.run();
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const score = results.map((r) => r.metrics["critic/score/mean"]);
    expect(mean(score.slice(0, 5))).toBeLessThan(0.3);
    expect(mean(score.slice(-10))).toBeGreaterThan(0.9);
    const m = results[0].metrics;
    for (const name of [
      "actor/pg_loss",
      "actor/entropy",
      "actor/ppo_kl",
      "actor/pg_clipfrac",
      "actor/grad_norm",
      "critic/score/mean",
      "response_length/mean",
    ]) {
      expect(Number.isFinite(m[name]), name).toBe(true);
    }
    expect(trainer.step).toBe(120);
  });

  it("is deterministic per seed and differs across seeds", async () => {
    const run = async (seed: number) => {
      const t = createTrainer({
        policy: toyPolicy(),
        dataset: toyDataset(),
        plugins: [exactMatchReward()],
        config: { ...base, seed, totalSteps: 3 },
      });
      return (await t.run()).map((r) => r.metrics);
    };
    const a = await run(1);
    expect(await run(1)).toEqual(a);
    expect(await run(2)).not.toEqual(a);
  });
});

describe("checkpoints and exact resume", () => {
  it("a run resumed from step 3 ends exactly like an uninterrupted 6-step run, with the KL reference restored", async () => {
    const config = { ...base, totalSteps: 6, checkpointEvery: 3, lossOptions: { useKlLoss: true, klLossCoef: 0.1 } };
    const straightDir = join(dir, "straight");
    const straightPolicy = toyPolicy();
    await createTrainer({
      policy: straightPolicy,
      dataset: toyDataset(),
      plugins: [exactMatchReward()],
      config,
      outputDir: straightDir,
    }).run();

    const resumedDir = join(dir, "resumed");
    const first = createTrainer({
      policy: toyPolicy(),
      dataset: toyDataset(),
      plugins: [exactMatchReward()],
      config: { ...config, totalSteps: 4 },
      outputDir: resumedDir,
    });
    await first.run(); // writes step_3, then one more step whose metrics line must be dropped on resume
    const resumedPolicy = toyPolicy();
    const second = createTrainer({
      policy: resumedPolicy,
      dataset: toyDataset(),
      plugins: [exactMatchReward()],
      config,
      outputDir: resumedDir,
      resumeWithChanges: true, // totalSteps 4 → 6
    });
    expect(await second.resume()).toBe(3);
    await second.run();

    expect(Array.from(resumedPolicy.theta)).toEqual(Array.from(straightPolicy.theta));
    const straightMetrics = await readFile(join(straightDir, "metrics.jsonl"), "utf8");
    expect(await readFile(join(resumedDir, "metrics.jsonl"), "utf8")).toBe(straightMetrics);
    expect(straightMetrics.trimEnd().split("\n")).toHaveLength(6);
    expect(JSON.parse(straightMetrics.split("\n")[5])["actor/kl_loss"]).toBeGreaterThan(0);
    const ckpts = await readdir(join(resumedDir, "checkpoints"));
    expect(ckpts.sort()).toEqual(["latest.json", "metrics", "step_3", "step_6"]);
    expect(await readdir(join(resumedDir, "checkpoints", "step_6"))).toEqual(
      expect.arrayContaining(["policy.safetensors", "reference.safetensors", "trainer.json"]),
    );
  });

  it("tells onCheckpoint and onEvaluate observers, and logs evaluation metrics", async () => {
    const events: string[] = [];
    const trainer = createTrainer({
      policy: toyPolicy(),
      dataset: toyDataset(),
      plugins: [
        exactMatchReward(),
        {
          name: "watch",
          onCheckpoint: (_ctx, e) => void events.push(`checkpoint:${e.step}:${e.path.endsWith("step_2")}`),
          onEvaluate: (_ctx, e) => void events.push(`evaluate:${e.step}:${e.metrics["val/score"]}`),
        },
      ],
      config: { ...base, totalSteps: 2, checkpointEvery: 2 },
      outputDir: dir,
    });
    await trainer.run();
    await trainer.reportEvaluation({ "val/score": 0.5 });
    expect(events).toEqual(["checkpoint:2:true", "evaluate:2:0.5"]);
    const lines = (await readFile(join(dir, "metrics.jsonl"), "utf8")).trimEnd().split("\n");
    expect(JSON.parse(lines.at(-1)!)).toEqual({ step: 2, "val/score": 0.5 });
  });

  it("checkpoints store the metrics by offset (no copies): a lost or torn metrics log comes back on resume", async () => {
    const config = { ...base, totalSteps: 4, checkpointEvery: 2 };
    const make = () =>
      createTrainer({
        policy: toyPolicy(),
        dataset: toyDataset(),
        plugins: [exactMatchReward()],
        config,
        outputDir: dir,
      });
    await make().run();
    const full = await readFile(join(dir, "metrics.jsonl"), "utf8");
    expect(await readdir(join(dir, "checkpoints", "step_4"))).not.toContain("metrics.jsonl");
    // The log's bytes are stored once, in one segment per checkpoint: [0, step 2) and [step 2, step 4).
    const segments = (await readdir(join(dir, "checkpoints", "metrics"))).sort();
    expect(segments).toHaveLength(2);
    const joined = (
      await Promise.all(segments.map((s) => readFile(join(dir, "checkpoints", "metrics", s), "utf8")))
    ).join("");
    expect(joined).toBe(full);
    const atStep2 = await readFile(join(dir, "checkpoints", "metrics", segments[0]), "utf8");
    expect(atStep2.trimEnd().split("\n")).toHaveLength(2);
    // a torn last line and a lost log: both restored from the checkpoint
    await writeFile(join(dir, "metrics.jsonl"), `${atStep2.slice(0, 30)}`);
    const t = make();
    expect(await t.resume(join(dir, "checkpoints", "step_2"))).toBe(2);
    expect(await readFile(join(dir, "metrics.jsonl"), "utf8")).toBe(atStep2);
    await t.run();
    expect(await readFile(join(dir, "metrics.jsonl"), "utf8")).toBe(full);
    await rm(join(dir, "metrics.jsonl"));
    await make().resume();
    expect(await readFile(join(dir, "metrics.jsonl"), "utf8")).toBe(full);
  });

  it("resume without a checkpoint is CHECKPOINT_NOT_FOUND", async () => {
    const t = createTrainer({
      policy: toyPolicy(),
      dataset: toyDataset(),
      plugins: [exactMatchReward()],
      config: base,
      outputDir: dir,
    });
    await expect(t.resume()).rejects.toMatchObject({ code: "CHECKPOINT_NOT_FOUND" });
  });
});
