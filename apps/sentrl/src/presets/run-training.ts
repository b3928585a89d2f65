/**
 * Runs one training configuration to completion (or resumes it): trainer from `prepareRun`, metrics JSONL and
 * checkpoints in the output directory, a progress callback per step. Used by `sentrl train` and `sentrl demo`.
 */
import { mkdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { createTrainer, SentrlError, type StepResult, type Trainer, writeFileAtomic } from "@sentrl/core";
import { withConfiguredEngines } from "../serve/train-engines.js";
import { prepareRun } from "./build.js";
import type { RunConfig } from "./run-config.js";

export interface TrainingRunOptions {
  rc: RunConfig;
  /** Relative paths in the config resolve against it. */
  baseDir: string;
  outDir: string;
  resume?: boolean;
  /** Called after every step with the step's metrics. */
  onStep?: (result: StepResult, totalSteps: number) => void;
  /** Test hook: sleep this long inside every step (after the rollout), so a signal can land mid-step. */
  stepDelayMs?: number;
  onWarning?: (w: { code: string; message: string; step: number }) => void;
  /** Resume even though safe fields (totalSteps, checkpointEvery, ...) changed. */
  resumeWithChanges?: boolean;
  /** Keep only the newest this many checkpoints. */
  keepCheckpoints?: number;
  /** Called after every check passed and before anything is written (`sentrl train` takes its output lock here). */
  beforeWrite?: () => void | Promise<void>;
  /** Backend of a model policy (`auto` | `fast` | `reference` | `cuda`); not part of the run's configuration. */
  backend?: string;
}

export interface TrainingRunSummary {
  outDir: string;
  metricsFile: string;
  preset: string | null;
  loss: string;
  totalSteps: number;
  /** Step the run started from (0, or the checkpoint it resumed). */
  resumedFrom: number;
  steps: number;
  /** Mean `critic/score/mean` over the first and the last 10% of the steps run now (at least one step each). */
  scoreFirst: number | null;
  scoreLast: number | null;
  entropyFirst: number | null;
  entropyLast: number | null;
  checkpoint: string;
  /** The curriculum's stages: ids, golds and (toy) semantic entropy of their prompts. */
  curriculum?: { stage: number; prompts: { id: string; gold: unknown; semanticEntropy?: number }[] }[];
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/**
 * `--resume`: the newest intact checkpoint; a run killed before its first checkpoint starts again from step 0 (its
 * metrics log emptied), with a warning.
 */
async function resumeOrRestart(
  trainer: Trainer,
  metricsFile: string,
  onWarning: TrainingRunOptions["onWarning"],
): Promise<number> {
  try {
    return await trainer.resume();
  } catch (e) {
    // Only a folder that holds a started run (its metrics log) restarts; a mistyped --out stays an error.
    const started = await stat(metricsFile).then(
      () => true,
      () => false,
    );
    if ((e as { code?: unknown }).code !== "CHECKPOINT_NOT_FOUND" || !started) throw e;
    onWarning?.({ code: "RESUME_FROM_START", step: 0, message: "no checkpoint yet: the run starts again from step 0" });
    await writeFileAtomic(metricsFile, "");
    return 0;
  }
}

/** Prepares (all checks before any work), then trains, checkpointing at the end. */
export async function runTraining(o: TrainingRunOptions): Promise<TrainingRunSummary> {
  const prepared = await prepareRun(o.rc, o.baseDir, { backend: o.backend });
  await o.beforeWrite?.();
  const metricsFile = join(o.outDir, "metrics.jsonl");
  const hasMetrics = await stat(metricsFile).then(
    () => true,
    () => false,
  );
  if (hasMetrics && !o.resume)
    throw new SentrlError(
      "TRAIN_OUT_EXISTS",
      `${o.outDir} already holds a run (metrics.jsonl); pass --resume to continue it or choose another --out`,
    );
  const plugins = [...prepared.plugins];
  if (o.stepDelayMs && o.stepDelayMs > 0) {
    const ms = o.stepDelayMs;
    plugins.push({
      name: "test-step-delay",
      afterRollout: async (_ctx, groups) => {
        await new Promise((r) => setTimeout(r, ms));
        return groups;
      },
    });
  }
  await mkdir(o.outDir, { recursive: true });
  // Rollouts on inference engines when `rollout.engines` is set (docs/serving.md §2).
  const modelDir = o.rc.policy.kind === "model" ? resolve(o.baseDir, o.rc.policy.dir) : undefined;
  const policy = await withConfiguredEngines(prepared.policy, prepared.config, modelDir, o.outDir, o.baseDir);
  const trainer: Trainer = createTrainer({
    policy,
    dataset: prepared.rows,
    plugins,
    config: prepared.config,
    outputDir: o.outDir,
    onWarning: o.onWarning,
    evaluate: prepared.evaluate,
    resumeWithChanges: o.resumeWithChanges,
    keepCheckpoints: o.keepCheckpoints,
  });
  let resumedFrom = 0;
  if (o.resume) resumedFrom = await resumeOrRestart(trainer, metricsFile, o.onWarning);
  // The run's configuration, written atomically (after a resume with allowed changes: the new values).
  if (!o.resume || o.resumeWithChanges)
    await writeFileAtomic(join(o.outDir, "run-config.json"), `${JSON.stringify(o.rc, null, 2)}\n`);
  const total = trainer.config.totalSteps;
  const results: StepResult[] = [];
  while (trainer.step < total) {
    const r = await trainer.trainStep();
    if (r.done) {
      // The data (a curriculum's last stage) ran out before totalSteps: say so rather than stop silently.
      o.onWarning?.({
        code: "TRAIN_STEPS_BEYOND_DATA",
        step: r.step,
        message: `totalSteps is ${total} but the data ends after step ${r.step} (the curriculum's last stage is done); the run stopped there`,
      });
      break;
    }
    results.push(r);
    o.onStep?.(r, total);
  }
  const checkpoint = await trainer.checkpoint();
  const tenth = Math.max(1, Math.floor(results.length / 10));
  const pick = (name: string, from: number, to: number) =>
    mean(
      results
        .slice(from, to)
        .map((r) => r.metrics[name])
        .filter((v) => Number.isFinite(v)),
    );
  return {
    outDir: o.outDir,
    metricsFile,
    preset: o.rc.preset ?? null,
    loss: o.rc.loss.name,
    totalSteps: total,
    resumedFrom,
    steps: results.length,
    scoreFirst: pick("critic/score/mean", 0, tenth),
    scoreLast: pick("critic/score/mean", results.length - tenth, results.length),
    entropyFirst: pick("actor/entropy", 0, tenth),
    entropyLast: pick("actor/entropy", results.length - tenth, results.length),
    checkpoint,
    ...(prepared.stages
      ? {
          curriculum: prepared.stages.map((rows, s) => ({
            stage: s + 1,
            prompts: rows.map((r) => ({
              id: r.id,
              gold: r.gold,
              ...(typeof r.semantic_entropy === "number" ? { semanticEntropy: r.semantic_entropy } : {}),
            })),
          })),
        }
      : {}),
  };
}
