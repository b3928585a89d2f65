import { createHash } from "node:crypto";
import { mkdir, open, readdir, rm, stat, truncate } from "node:fs/promises";
import { join } from "node:path";
import { SentrlError } from "../errors.js";
import { writeFileAtomic } from "../io/write-file-atomic.js";
import { sha256, sha256File } from "./checkpoint-manifest.js";
import { fsyncPath, writeFileDurable } from "./durable-write.js";

// The metrics log in checkpoints, stored incrementally: a checkpoint records the log's length
// and the sha256 of that prefix; the bytes added since the previous checkpoint go once into
// `checkpoints/metrics/<from>-<to>.jsonl`. Disk grows linearly with the log (not one full copy per checkpoint), and
// a lost or torn log is rebuilt from the segments on resume.

const SEGMENT = /^(\d{15})-(\d{15})\.jsonl$/;
const pad = (n: number) => String(n).padStart(15, "0");

/** `checkpoints/metrics` under an output directory. */
export function segmentsDir(checkpointsRoot: string): string {
  return join(checkpointsRoot, "metrics");
}

/** The contiguous segments from byte 0, in order, as [from, to, file]. */
async function chain(root: string): Promise<[number, number, string][]> {
  const names = await readdir(segmentsDir(root)).catch(() => [] as string[]);
  const byFrom = new Map<number, [number, string]>();
  for (const n of names) {
    const m = SEGMENT.exec(n);
    if (m) byFrom.set(Number(m[1]), [Number(m[2]), n]);
  }
  const out: [number, number, string][] = [];
  let at = 0;
  for (let next = byFrom.get(at); next && next[0] > at; next = byFrom.get(at)) {
    out.push([at, next[0], join(segmentsDir(root), next[1])]);
    at = next[0];
  }
  return out;
}

/** Reads `bytes` bytes of `path` from `from`. */
async function readRange(path: string, from: number, to: number): Promise<Uint8Array> {
  const h = await open(path, "r");
  try {
    const buf = Buffer.alloc(to - from);
    let done = 0;
    while (done < buf.length) {
      const { bytesRead } = await h.read(buf, done, buf.length - done, from + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return buf.subarray(0, done);
  } finally {
    await h.close();
  }
}

/**
 * Flushes the metrics log, stores its bytes since the last segment as a new segment, and returns the log's length
 * and the sha256 of it (what a checkpoint records).
 */
export async function recordMetrics(root: string, metricsPath: string): Promise<{ bytes: number; sha256: string }> {
  const size = await stat(metricsPath).then(
    (s) => s.size,
    () => -1,
  );
  if (size < 0) return { bytes: 0, sha256: sha256("") };
  await fsyncPath(metricsPath);
  const segs = await chain(root);
  const end = segs.at(-1)?.[1] ?? 0;
  if (size > end) {
    const dir = segmentsDir(root);
    await mkdir(dir, { recursive: true });
    const file = join(dir, `${pad(end)}-${pad(size)}.jsonl`);
    await rm(file, { force: true });
    await writeFileDurable(file, await readRange(metricsPath, end, size));
    await fsyncPath(dir);
  }
  return { bytes: size, sha256: await sha256File(metricsPath, size) };
}

/** True when the metrics log's first `bytes` bytes have the recorded sha256. */
export async function metricsPrefixIntact(metricsPath: string, bytes: number, sha256: string): Promise<boolean> {
  const size = await stat(metricsPath).then(
    (s) => s.size,
    () => -1,
  );
  return size >= bytes && (await sha256File(metricsPath, bytes)) === sha256;
}

/** True when the segments can rebuild the first `bytes` bytes with the recorded sha256. */
export async function segmentsCover(root: string, bytes: number, sha256: string): Promise<boolean> {
  const hash = createHash("sha256");
  let at = 0;
  for (const [from, to, file] of await chain(root)) {
    if (at >= bytes) break;
    const take = Math.min(to, bytes) - from;
    hash.update(await readRange(file, 0, take));
    at = from + take;
  }
  return at === bytes && hash.digest("hex") === sha256;
}

/**
 * Makes the metrics log exactly the checkpoint's first `bytes` bytes: truncated when it is intact (lines of later
 * steps go), rebuilt from the segments when it was lost or damaged; segments past `bytes` are dropped.
 */
export async function restoreMetrics(
  root: string,
  metricsPath: string,
  bytes: number,
  sha256Hex: string,
): Promise<void> {
  if (await metricsPrefixIntact(metricsPath, bytes, sha256Hex)) await truncate(metricsPath, bytes);
  else {
    const parts: Uint8Array[] = [];
    let at = 0;
    for (const [from, to, file] of await chain(root)) {
      if (at >= bytes) break;
      parts.push(await readRange(file, 0, Math.min(to, bytes) - from));
      at = Math.min(to, bytes);
    }
    const rebuilt = Buffer.concat(parts);
    if (rebuilt.length !== bytes || sha256(rebuilt) !== sha256Hex)
      throw new SentrlError(
        "CHECKPOINT_CORRUPT",
        `${metricsPath} is damaged before the checkpoint's byte ${bytes} and the stored segments cannot rebuild it`,
      );
    await writeFileAtomic(metricsPath, rebuilt);
  }
  for (const [from, to, file] of await chain(root)) if (to > bytes || from >= bytes) await rm(file, { force: true });
}
