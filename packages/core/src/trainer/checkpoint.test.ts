// Self-checking checkpoints, fallback to the newest intact one, metrics by offset, leftovers, keepCheckpoints and
// the resume config check.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findResumableCheckpoint, latestCheckpoint, loadCheckpoint, saveCheckpoint } from "./checkpoint.js";
import { checkResumeConfig, configHash, diffConfigs } from "./config-diff.js";
import type { TrainerConfig } from "./config.js";
import { exactMatchReward, toyDataset, toyPolicy } from "@sentrl/testing";
import { createTrainer, type CreateTrainerOptions } from "./trainer.js";

const optimizer = { lr: 0.05, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0, maxGradNorm: 1 };
const base: Partial<TrainerConfig> = {
  reward: "exact",
  promptsPerStep: 6,
  groupSize: 4,
  miniBatchPrompts: 3,
  microBatchSize: 4,
  maxResponseTokens: 3,
  optimizer,
  totalSteps: 6,
  checkpointEvery: 2,
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "sentrl-ckpt-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const make = (out: string, extra: Partial<CreateTrainerOptions> = {}, config: Partial<TrainerConfig> = {}) => {
  const warnings: { code: string; message: string }[] = [];
  const policy = toyPolicy();
  const trainer = createTrainer({
    policy,
    dataset: toyDataset(),
    plugins: [exactMatchReward()],
    config: { ...base, ...config },
    outputDir: out,
    onWarning: (w) => warnings.push(w),
    ...extra,
  });
  return { trainer, policy, warnings };
};

/** An uninterrupted 6-step run and a copy stopped after 4 steps (checkpoints at 2 and 4). */
async function straightAndStopped() {
  const straight = make(join(dir, "straight"));
  await straight.trainer.run();
  const out = join(dir, "run");
  const first = make(out, {}, { totalSteps: 5 });
  await first.trainer.run(); // step 5 is logged but not checkpointed
  return { straight, out, metrics: await readFile(join(dir, "straight", "metrics.jsonl"), "utf8") };
}

describe("checkpoints", () => {
  it("carry a manifest (size + sha256 of every file) and fsynced files; trainer.json has the config hash", async () => {
    const { out } = await straightAndStopped();
    const ck = join(out, "checkpoints", "step_4");
    const manifest = JSON.parse(await readFile(join(ck, "manifest.json"), "utf8"));
    expect(Object.keys(manifest.files).sort()).toEqual(["policy.safetensors", "trainer.json"]);
    expect(manifest.files["policy.safetensors"].size).toBe((await stat(join(ck, "policy.safetensors"))).size);
    expect(manifest.files["trainer.json"].sha256).toMatch(/^[0-9a-f]{64}$/);
    const meta = JSON.parse(await readFile(join(ck, "trainer.json"), "utf8"));
    expect(meta.configHash).toBe(configHash(meta.config));
    expect(meta.metricsSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("a damaged newest checkpoint is reported and passed over: resume from the older one ends identically", async () => {
    for (const damage of ["truncate-policy", "torn-trainer-json", "delete-manifest-file", "delete-manifest"] as const) {
      await rm(join(dir, "run"), { recursive: true, force: true });
      await rm(join(dir, "straight"), { recursive: true, force: true });
      const { straight, out, metrics } = await straightAndStopped();
      const ck = join(out, "checkpoints", "step_4");
      if (damage === "truncate-policy") await truncate(join(ck, "policy.safetensors"), 10);
      if (damage === "torn-trainer-json") await truncate(join(ck, "trainer.json"), 20);
      if (damage === "delete-manifest-file") await rm(join(ck, "policy.safetensors"));
      if (damage === "delete-manifest") await rm(join(ck, "manifest.json"));
      const again = make(out, { resumeWithChanges: true });
      expect(await again.trainer.resume(), damage).toBe(2);
      expect(again.warnings.map((w) => w.code)).toEqual(["CHECKPOINT_FALLBACK"]);
      expect(again.warnings[0].message).toContain("step_4 is damaged");
      await again.trainer.run();
      expect(await readFile(join(out, "metrics.jsonl"), "utf8"), damage).toBe(metrics);
      expect(Array.from(again.policy.theta)).toEqual(Array.from(straight.policy.theta));
    }
  });

  it("every checkpoint damaged → CHECKPOINT_CORRUPT naming each; torn JSON is never a SyntaxError", async () => {
    const { out } = await straightAndStopped();
    await truncate(join(out, "checkpoints", "step_4", "trainer.json"), 5);
    await writeFile(join(out, "checkpoints", "step_2", "manifest.json"), "{");
    await expect(make(out).trainer.resume()).rejects.toMatchObject({
      code: "CHECKPOINT_CORRUPT",
      message: expect.stringMatching(/step_4: trainer\.json has \d+ bytes.*step_2: manifest\.json is not valid JSON/),
    });
    await writeFile(join(out, "checkpoints", "latest.json"), '{"step":4,"pa');
    await expect(latestCheckpoint(out)).rejects.toMatchObject({ code: "CHECKPOINT_CORRUPT" });
    await expect(loadCheckpoint(join(out, "checkpoints", "step_4"))).rejects.toMatchObject({
      code: "CHECKPOINT_CORRUPT",
    });
  });

  it("a truncated latest.json does not matter: the newest intact checkpoint is found by its folder", async () => {
    const { out, metrics } = await straightAndStopped();
    await writeFile(join(out, "checkpoints", "latest.json"), "");
    const again = make(out, { resumeWithChanges: true });
    expect(await again.trainer.resume()).toBe(4);
    await again.trainer.run();
    expect(await readFile(join(out, "metrics.jsonl"), "utf8")).toBe(metrics);
  });

  it("metrics are stored once (segments, linear disk) and a torn or lost log is rebuilt from them", async () => {
    const { out, metrics } = await straightAndStopped();
    const segs = join(out, "checkpoints", "metrics");
    const sizes = await Promise.all((await readdir(segs)).map(async (s) => (await stat(join(segs, s))).size));
    const logged = (await stat(join(out, "metrics.jsonl"))).size;
    const meta = JSON.parse(await readFile(join(out, "checkpoints", "step_4", "trainer.json"), "utf8"));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(meta.metricsBytes); // exactly the log up to step 4, once
    expect(meta.metricsBytes).toBeLessThan(logged); // step 5's line is not in any checkpoint
    await writeFile(join(out, "metrics.jsonl"), metrics.slice(0, 40)); // torn inside step 1's line
    const again = make(out, { resumeWithChanges: true });
    expect(await again.trainer.resume()).toBe(4);
    expect(again.warnings).toEqual([]);
    await again.trainer.run();
    expect(await readFile(join(out, "metrics.jsonl"), "utf8")).toBe(metrics);
  });

  it("removes leftovers of killed writes and keeps only keepCheckpoints checkpoints", async () => {
    const out = join(dir, "run");
    await mkdir(join(out, "checkpoints", ".step_8.4194302.deadbeef.tmp"), { recursive: true });
    await writeFile(join(out, "checkpoints", ".step_8.4194302.deadbeef.tmp", "policy.safetensors"), "half");
    await writeFile(join(out, "checkpoints", ".latest.json.4194302.00ff00ff.tmp"), "{");
    const { trainer } = make(out, { keepCheckpoints: 2 }, { checkpointEvery: 1 });
    await trainer.run();
    expect((await readdir(join(out, "checkpoints"))).sort()).toEqual(["latest.json", "metrics", "step_5", "step_6"]);
    expect(await findResumableCheckpoint(out, join(out, "metrics.jsonl"))).toEqual({
      dir: join(out, "checkpoints", "step_6"),
      skipped: [],
    });
  });

  it("resume with a different config is RESUME_CONFIG_MISMATCH listing the fields; safe fields need the flag", async () => {
    const { out } = await straightAndStopped();
    const lr = make(out, {}, { optimizer: { ...optimizer, lr: 0.5 }, groupSize: 8 });
    await expect(lr.trainer.resume()).rejects.toMatchObject({
      code: "RESUME_CONFIG_MISMATCH",
      message: expect.stringContaining("groupSize: 4 → 8; optimizer.lr: 0.05 → 0.5"),
    });
    // totalSteps 5 → 6 is safe, but only when asked for
    await expect(make(out).trainer.resume()).rejects.toMatchObject({
      code: "RESUME_CONFIG_MISMATCH",
      message: expect.stringContaining("totalSteps: 5 → 6"),
    });
    expect(await make(out, { resumeWithChanges: true }).trainer.resume()).toBe(4);
    await expect(
      make(out, { resumeWithChanges: true }, { optimizer: { ...optimizer, lr: 0.5 } }).trainer.resume(),
    ).rejects.toMatchObject({ code: "RESUME_CONFIG_MISMATCH", message: expect.stringContaining("only allows") });
    expect(existsSync(join(out, "checkpoints", "step_4"))).toBe(true);
  });
});

describe("non-finite state", () => {
  it("a checkpoint whose weights hold NaN is CHECKPOINT_CORRUPT on load", async () => {
    const out = join(dir, "nan");
    const saved = await saveCheckpoint(out, {
      meta: {
        format: 1,
        step: 1,
        sampler: { epoch: 0, index: 0 } as never,
        metricsBytes: 0,
        policyMeta: {},
        config: {},
        plugins: {},
      },
      policy: { tensors: { theta: new Float64Array([0, Number.NaN]) }, meta: {} },
    });
    await expect(loadCheckpoint(saved)).rejects.toMatchObject({
      code: "CHECKPOINT_CORRUPT",
      message: expect.stringContaining("tensor `theta` holds NaN at index 1"),
    });
  });
});

describe("config diff", () => {
  it("lists leaf differences in path order; canonical hash ignores key order", () => {
    expect(configHash({ a: 1, b: { c: [1, 2] } })).toBe(configHash({ b: { c: [1, 2] }, a: 1 }));
    expect(diffConfigs({ a: 1, b: { c: 2, d: 3 } }, { a: 1, b: { c: 5 }, e: true })).toEqual([
      { path: "b.c", before: 2, after: 5 },
      { path: "b.d", before: 3, after: undefined },
      { path: "e", before: undefined, after: true },
    ]);
    expect(
      checkResumeConfig(
        { totalSteps: 1 },
        { totalSteps: 9 },
        { safeFields: ["totalSteps"], allowChanges: true, source: "x" },
      ),
    ).toEqual([{ path: "totalSteps", before: 1, after: 9 }]);
  });
});
