import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { PolicyState } from "../contracts/policy.js";
import { SentrlError } from "../errors.js";
import { MANIFEST_FILE, manifestFor, verifyCheckpointFiles } from "./checkpoint-manifest.js";
import { fsyncPath, writeFileDurable } from "./durable-write.js";
import { metricsPrefixIntact, recordMetrics, segmentsCover } from "./metrics-segments.js";
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
  /** sha256 of the metrics JSONL's first `metricsBytes` bytes (checkpoints written since the manifest). */
  metricsSha256?: string;
  policyMeta: Record<string, unknown>;
  referenceMeta?: Record<string, unknown>;
  config: Record<string, unknown>;
  /** sha256 of the canonical JSON of `config`. */
  configHash?: string;
  /** The trainer's own counters (the zero-reward-variance streak). */
  trainer?: { zeroVarianceStreak: number };
  /** `plugin.state()` of every plugin that has one, by plugin name. */
  plugins: Record<string, unknown>;
}

export interface TrainerCheckpoint {
  meta: TrainerCheckpointMeta;
  policy: PolicyState;
  reference?: PolicyState;
  /** A full copy of the metrics JSONL: only in checkpoints written before metrics were stored by offset. */
  metrics?: Uint8Array;
}

export interface SaveCheckpointOptions {
  /** The metrics JSONL: its length and sha256 go into the meta, its new bytes into `checkpoints/metrics/`. */
  metricsPath?: string;
  /** Keep only the newest this many `step_N` checkpoints (default: all). */
  keep?: number;
}

const STEP_DIR = /^step_(\d+)$/;
/** Leftovers of interrupted writes: `.step_N.<pid>.<hex>.tmp`, `.latest.json.<pid>.<hex>.tmp`, `.trash...`. */
const LEFTOVER = /^\.(?:step_\d+|latest\.json|trash)\.(\d+)\.[0-9a-f]+(?:\.tmp)?$/;

/** `<outputDir>/checkpoints/step_<step>` */
export function checkpointDir(outputDir: string, step: number): string {
  return join(outputDir, "checkpoints", `step_${step}`);
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

const tmpName = (what: string) => `.${what}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;

/** Removes what killed writers left in `checkpoints/` (temporary folders and files of processes that are gone). */
export async function cleanupCheckpointLeftovers(outputDir: string): Promise<string[]> {
  const root = join(outputDir, "checkpoints");
  const removed: string[] = [];
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const m = LEFTOVER.exec(name);
    if (m && !alive(Number(m[1]))) {
      await rm(join(root, name), { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}

/** The `step_N` checkpoint directories under `outputDir`, newest first. */
export async function listCheckpoints(outputDir: string): Promise<{ step: number; dir: string }[]> {
  const root = join(outputDir, "checkpoints");
  const names = await readdir(root).catch(() => [] as string[]);
  return names
    .map((n) => [n, STEP_DIR.exec(n)] as const)
    .filter((x): x is readonly [string, RegExpExecArray] => x[1] !== null)
    .map(([n, m]) => ({ step: Number(m[1]), dir: join(root, n) }))
    .sort((a, b) => b.step - a.step);
}

/**
 * Writes a checkpoint that checks itself: every file goes into a temporary directory and is
 * fsynced, `manifest.json` (size and sha256 of each file) last; the directory is fsynced, renamed to
 * `checkpoints/step_<n>` and its parent fsynced; then `checkpoints/latest.json` is replaced the same way. A crash at
 * any point leaves every earlier checkpoint intact; its leftovers are removed by the next save or resume. The metrics
 * log is recorded by length and hash, its new bytes stored once (not a copy per checkpoint).
 */
export async function saveCheckpoint(
  outputDir: string,
  ckpt: TrainerCheckpoint,
  options: SaveCheckpointOptions = {},
): Promise<string> {
  const root = join(outputDir, "checkpoints");
  await mkdir(root, { recursive: true });
  await cleanupCheckpointLeftovers(outputDir);
  const meta: TrainerCheckpointMeta = {
    ...ckpt.meta,
    policyMeta: ckpt.policy.meta,
    referenceMeta: ckpt.reference?.meta,
  };
  if (options.metricsPath) {
    const m = await recordMetrics(root, options.metricsPath);
    meta.metricsBytes = m.bytes;
    meta.metricsSha256 = m.sha256;
  }
  const files: Record<string, Uint8Array> = { "policy.safetensors": encodeTensors(ckpt.policy.tensors) };
  if (ckpt.reference) files["reference.safetensors"] = encodeTensors(ckpt.reference.tensors);
  if (ckpt.metrics) files["metrics.jsonl"] = ckpt.metrics;
  files["trainer.json"] = Buffer.from(`${JSON.stringify(meta, null, 2)}\n`);
  const manifest = manifestFor(files);
  const final = checkpointDir(outputDir, meta.step);

  // The same step saved again with the same content (a run's last checkpoint): keep the one on disk.
  const same =
    (await readFile(join(final, MANIFEST_FILE), "utf8").catch(() => null)) === manifest &&
    (await verifyCheckpointFiles(final)) === null;
  if (!same) {
    const tmp = join(root, tmpName(`step_${meta.step}`));
    await mkdir(tmp);
    try {
      for (const [name, data] of Object.entries(files)) await writeFileDurable(join(tmp, name), data);
      await writeFileDurable(join(tmp, MANIFEST_FILE), manifest);
      await fsyncPath(tmp);
      // An older checkpoint of this step is moved aside first (renames are atomic; the leftover is cleaned up).
      const trash = join(root, tmpName("trash"));
      const replaced = await stat(final).then(
        () => true,
        () => false,
      );
      if (replaced) await rename(final, trash);
      await rename(tmp, final);
      await fsyncPath(root);
      if (replaced) await rm(trash, { recursive: true, force: true });
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      throw e;
    }
  }
  const latestTmp = join(root, tmpName("latest.json"));
  await writeFileDurable(latestTmp, `${JSON.stringify({ step: meta.step, path: `step_${meta.step}` })}\n`);
  await rename(latestTmp, join(root, "latest.json"));
  await fsyncPath(root);
  if (options.keep !== undefined && options.keep > 0) {
    for (const old of (await listCheckpoints(outputDir)).slice(options.keep)) {
      if (old.dir === final) continue;
      // Renamed away first: a kill mid-delete leaves a leftover to clean up, never half a checkpoint.
      const trash = join(root, tmpName("trash"));
      await rename(old.dir, trash);
      await rm(trash, { recursive: true, force: true });
    }
  }
  await cleanupCheckpointLeftovers(outputDir);
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
  let latest: { path?: unknown };
  try {
    latest = JSON.parse(text) as { path?: unknown };
  } catch {
    throw new SentrlError("CHECKPOINT_CORRUPT", `${join(root, "latest.json")} is not valid JSON (a torn write?)`);
  }
  if (typeof latest?.path !== "string" || !STEP_DIR.test(latest.path))
    throw new SentrlError("CHECKPOINT_CORRUPT", `${join(root, "latest.json")} does not name a step_N checkpoint`);
  return join(root, latest.path);
}

async function readMeta(dir: string): Promise<TrainerCheckpointMeta> {
  let metaText: string;
  try {
    metaText = await readFile(join(dir, "trainer.json"), "utf8");
  } catch (e) {
    throw new SentrlError("CHECKPOINT_NOT_FOUND", `no checkpoint at ${dir} (trainer.json is missing)`, { cause: e });
  }
  let meta: TrainerCheckpointMeta;
  try {
    meta = JSON.parse(metaText) as TrainerCheckpointMeta;
  } catch {
    throw new SentrlError("CHECKPOINT_CORRUPT", `${join(dir, "trainer.json")} is not valid JSON (a torn write?)`);
  }
  if (meta === null || typeof meta !== "object" || meta.format !== 1)
    throw new SentrlError("CHECKPOINT_CORRUPT", `${dir}: unsupported checkpoint format ${String(meta?.format)}`);
  if (!Number.isSafeInteger(meta.step) || meta.step < 0 || !Number.isSafeInteger(meta.metricsBytes))
    throw new SentrlError("CHECKPOINT_CORRUPT", `${join(dir, "trainer.json")}: step or metricsBytes is not an integer`);
  return meta;
}

/**
 * Why a checkpoint directory cannot be resumed from (damaged files, a metrics log that neither the log nor the
 * stored segments can give back), or null when it is intact. Checkpoints from before manifests are accepted when
 * their trainer.json reads.
 */
export async function checkpointProblem(dir: string, metricsPath?: string): Promise<string | null> {
  const hasManifest = await stat(join(dir, MANIFEST_FILE)).then(
    () => true,
    () => false,
  );
  if (hasManifest) {
    const bad = await verifyCheckpointFiles(dir);
    if (bad) return bad;
  }
  let meta: TrainerCheckpointMeta;
  try {
    meta = await readMeta(dir);
  } catch (e) {
    return (e as Error).message;
  }
  // Checkpoints since manifests always have one (they carry configHash); only older ones may lack it.
  if (!hasManifest && meta.configHash !== undefined) return `${MANIFEST_FILE} is missing`;
  if (
    !hasManifest &&
    !(await stat(join(dir, "policy.safetensors")).then(
      (s) => s.isFile(),
      () => false,
    ))
  )
    return "policy.safetensors is missing";
  if (metricsPath && meta.metricsSha256) {
    const root = join(dir, "..");
    const ok =
      (await metricsPrefixIntact(metricsPath, meta.metricsBytes, meta.metricsSha256)) ||
      (await segmentsCover(root, meta.metricsBytes, meta.metricsSha256));
    if (!ok) return `the metrics log up to byte ${meta.metricsBytes} is damaged and cannot be rebuilt`;
  }
  return null;
}

/** A checkpoint to resume from, and the newer ones that were passed over because they are damaged. */
export interface ResumableCheckpoint {
  dir: string;
  skipped: { dir: string; reason: string }[];
}

/**
 * The newest intact checkpoint under `outputDir` (verified against its manifest, and the metrics log recoverable),
 * after removing leftovers of killed writes. Throws `CHECKPOINT_NOT_FOUND` when there is none at all and
 * `CHECKPOINT_CORRUPT` (listing each problem) when every one is damaged.
 */
export async function findResumableCheckpoint(outputDir: string, metricsPath?: string): Promise<ResumableCheckpoint> {
  await cleanupCheckpointLeftovers(outputDir);
  const all = await listCheckpoints(outputDir);
  if (all.length === 0)
    throw new SentrlError("CHECKPOINT_NOT_FOUND", `no checkpoint to resume from under ${outputDir}`);
  const skipped: { dir: string; reason: string }[] = [];
  for (const c of all) {
    const reason = await checkpointProblem(c.dir, metricsPath);
    if (reason === null) return { dir: c.dir, skipped };
    skipped.push({ dir: c.dir, reason });
  }
  throw new SentrlError(
    "CHECKPOINT_CORRUPT",
    `every checkpoint under ${join(outputDir, "checkpoints")} is damaged (${skipped
      .slice(0, 5)
      .map((s) => `${s.dir.replace(/^.*[\\/]/, "")}: ${s.reason}`)
      .join("; ")}); start a new run in another output folder`,
  );
}

/** Reads a checkpoint directory written by {@link saveCheckpoint}; damaged content is `CHECKPOINT_CORRUPT`. */
export async function loadCheckpoint(dir: string): Promise<TrainerCheckpoint> {
  const meta = await readMeta(dir);
  const hasManifest = await stat(join(dir, MANIFEST_FILE)).then(
    () => true,
    () => false,
  );
  if (hasManifest) {
    const bad = await verifyCheckpointFiles(dir);
    if (bad) throw new SentrlError("CHECKPOINT_CORRUPT", `${dir}: ${bad}`);
  }
  const tensors = async (name: string) => {
    const bytes = await readFile(join(dir, name)).catch((e) => {
      throw new SentrlError("CHECKPOINT_CORRUPT", `${join(dir, name)} cannot be read`, { cause: e });
    });
    const { tensors: decoded } = decodeTensors(bytes);
    // A diverged or tampered state is not resumed from: every weight must be finite.
    for (const [tensor, data] of Object.entries(decoded)) {
      const values = data as ArrayLike<number>;
      for (let i = 0; i < values.length; i++)
        if (!Number.isFinite(values[i]))
          throw new SentrlError(
            "CHECKPOINT_CORRUPT",
            `${join(dir, name)}: tensor \`${tensor}\` holds ${values[i]} at index ${i}`,
          );
    }
    return decoded;
  };
  const policy: PolicyState = { tensors: await tensors("policy.safetensors"), meta: meta.policyMeta ?? {} };
  const hasRef = await stat(join(dir, "reference.safetensors")).then(
    () => true,
    () => false,
  );
  const reference = hasRef
    ? { tensors: await tensors("reference.safetensors"), meta: meta.referenceMeta ?? {} }
    : undefined;
  const metrics = await readFile(join(dir, "metrics.jsonl")).catch(() => undefined);
  return { meta, policy, reference, ...(metrics ? { metrics: new Uint8Array(metrics) } : {}) };
}
