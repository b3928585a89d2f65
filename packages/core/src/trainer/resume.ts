import { stat, truncate } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../io/write-file-atomic.js";
import { findResumableCheckpoint, loadCheckpoint, type TrainerCheckpoint } from "./checkpoint.js";
import { checkResumeConfig, type ConfigDifference } from "./config-diff.js";
import { restoreMetrics } from "./metrics-segments.js";

// Resuming a run: the newest intact checkpoint (damaged newer ones are reported and passed
// over), the configuration checked against the one the checkpoint was trained with, and the metrics log put back
// to exactly the checkpoint's length.

/** Trainer config fields that may change on resume with `resumeWithChanges`: they cannot alter the steps done. */
// The engines that sample (docs/serving.md §2) can move between runs: their weights are synced at the first rollout.
export const RESUME_SAFE_FIELDS = [
  "totalSteps",
  "checkpointEvery",
  "evaluateEvery",
  "zeroVarianceWarnSteps",
  "rollout.engines",
  "rollout.weightSync",
  "rollout.weightsDir",
] as const;

export interface OpenForResumeOptions {
  outputDir?: string;
  /** A checkpoint directory to resume from (default: the newest intact one under `outputDir`). */
  dir?: string;
  metricsPath?: string;
  /** The resolved config of the run being resumed. */
  config: unknown;
  /** Accept differences in {@link RESUME_SAFE_FIELDS}. */
  allowChanges?: boolean;
  /** Told about each damaged checkpoint that was passed over (`CHECKPOINT_FALLBACK`). */
  warn: (w: { code: string; message: string; step: number }) => void;
}

/** Finds, verifies and loads the checkpoint to resume from, and checks the configuration against it. */
export async function openForResume(
  o: OpenForResumeOptions,
): Promise<{ ckpt: TrainerCheckpoint; dir: string; changes: ConfigDifference[] }> {
  let dir = o.dir;
  if (!dir) {
    const found = await findResumableCheckpoint(o.outputDir ?? ".", o.metricsPath);
    dir = found.dir;
    for (const s of found.skipped) {
      o.warn({
        code: "CHECKPOINT_FALLBACK",
        step: Number(/step_(\d+)$/.exec(s.dir)?.[1] ?? 0),
        message: `checkpoint ${s.dir} is damaged (${s.reason}); resuming from the older intact ${dir}`,
      });
    }
  }
  const ckpt = await loadCheckpoint(dir);
  const changes = checkResumeConfig(ckpt.meta.config, o.config, {
    safeFields: RESUME_SAFE_FIELDS,
    allowChanges: o.allowChanges,
    source: dir,
  });
  return { ckpt, dir, changes };
}

/** Puts the metrics log back to the checkpoint's state (lines of later steps go; a lost or torn log comes back). */
export async function restoreMetricsLog(dir: string, metricsPath: string, ckpt: TrainerCheckpoint): Promise<void> {
  if (ckpt.meta.metricsSha256) {
    await restoreMetrics(join(dir, ".."), metricsPath, ckpt.meta.metricsBytes, ckpt.meta.metricsSha256);
  } else if (ckpt.metrics) {
    await writeFileAtomic(metricsPath, ckpt.metrics); // a checkpoint from before metrics were stored by offset
  } else {
    const size = await stat(metricsPath).then(
      (s) => s.size,
      () => -1,
    );
    if (size > ckpt.meta.metricsBytes) await truncate(metricsPath, ckpt.meta.metricsBytes);
  }
}
