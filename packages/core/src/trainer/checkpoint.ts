import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PolicyState } from "../contracts/policy.js";
import { SentrlError } from "../errors.js";
import { writeFileAtomic } from "../io/write-file-atomic.js";
import type { SamplerPosition } from "./sampler.js";
import { decodeTensors, encodeTensors } from "./tensor-file.js";

/** Everything a resumed run needs besides the tensors. */
export interface TrainerCheckpointMeta {
  format: 1;
  /** Completed steps. */
  step: number;
  sampler: SamplerPosition;
  /** Length in bytes of the metrics JSONL at this step (a resumed run truncates the file to it). */
  metricsBytes: number;
  policyMeta: Record<string, unknown>;
  referenceMeta?: Record<string, unknown>;
  config: Record<string, unknown>;
  /** The trainer's own counters (the zero-reward-variance streak). */
  trainer?: { zeroVarianceStreak: number };
  /** `plugin.state()` of every plugin that has one, by plugin name. */
  plugins: Record<string, unknown>;
}

export interface TrainerCheckpoint {
  meta: TrainerCheckpointMeta;
  policy: PolicyState;
  reference?: PolicyState;
  /** The metrics JSONL so far (`metrics.jsonl` in the checkpoint directory): a resumed run restores it. */
  metrics?: Uint8Array;
}

/** `<outputDir>/checkpoints/step_<step>` */
export function checkpointDir(outputDir: string, step: number): string {
  return join(outputDir, "checkpoints", `step_${step}`);
}

/**
 * Writes a checkpoint atomically: everything goes into a temporary directory which is renamed to
 * `checkpoints/step_<n>` (replacing an older one of the same step), then `checkpoints/latest.json` is replaced
 * atomically. A crash at any point leaves the previous checkpoint and `latest.json` intact.
 */
export async function saveCheckpoint(outputDir: string, ckpt: TrainerCheckpoint): Promise<string> {
  const root = join(outputDir, "checkpoints");
  await mkdir(root, { recursive: true });
  const final = checkpointDir(outputDir, ckpt.meta.step);
  const tmp = join(root, `.step_${ckpt.meta.step}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  await mkdir(tmp);
  try {
    await writeFile(join(tmp, "policy.safetensors"), encodeTensors(ckpt.policy.tensors));
    if (ckpt.reference) await writeFile(join(tmp, "reference.safetensors"), encodeTensors(ckpt.reference.tensors));
    if (ckpt.metrics) await writeFile(join(tmp, "metrics.jsonl"), ckpt.metrics);
    const meta = { ...ckpt.meta, policyMeta: ckpt.policy.meta, referenceMeta: ckpt.reference?.meta };
    await writeFile(join(tmp, "trainer.json"), `${JSON.stringify(meta, null, 2)}\n`);
    await rm(final, { recursive: true, force: true });
    await rename(tmp, final);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  await writeFileAtomic(
    join(root, "latest.json"),
    `${JSON.stringify({ step: ckpt.meta.step, path: `step_${ckpt.meta.step}` })}\n`,
  );
  return final;
}

/** The directory `latest.json` points to, or null when there is no checkpoint yet. */
export async function latestCheckpoint(outputDir: string): Promise<string | null> {
  const root = join(outputDir, "checkpoints");
  let text: string;
  try {
    text = await readFile(join(root, "latest.json"), "utf8");
  } catch {
    return null;
  }
  const latest = JSON.parse(text) as { path: string };
  return join(root, latest.path);
}

/** Reads a checkpoint directory written by {@link saveCheckpoint}. */
export async function loadCheckpoint(dir: string): Promise<TrainerCheckpoint> {
  let metaText: string;
  try {
    metaText = await readFile(join(dir, "trainer.json"), "utf8");
  } catch (e) {
    throw new SentrlError("CHECKPOINT_NOT_FOUND", `no checkpoint at ${dir} (trainer.json is missing)`, { cause: e });
  }
  const meta = JSON.parse(metaText) as TrainerCheckpointMeta;
  if (meta.format !== 1)
    throw new SentrlError("CHECKPOINT_CORRUPT", `${dir}: unsupported checkpoint format ${meta.format}`);
  const policy: PolicyState = {
    tensors: decodeTensors(await readFile(join(dir, "policy.safetensors"))).tensors,
    meta: meta.policyMeta ?? {},
  };
  const hasRef = await stat(join(dir, "reference.safetensors")).then(
    () => true,
    () => false,
  );
  const reference = hasRef
    ? {
        tensors: decodeTensors(await readFile(join(dir, "reference.safetensors"))).tensors,
        meta: meta.referenceMeta ?? {},
      }
    : undefined;
  const metrics = await readFile(join(dir, "metrics.jsonl")).catch(() => undefined);
  return { meta, policy, reference, ...(metrics ? { metrics: new Uint8Array(metrics) } : {}) };
}
