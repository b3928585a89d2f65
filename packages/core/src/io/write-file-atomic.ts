import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** A fresh temporary name beside `path` (same directory, so the final rename stays on one file system). */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
}

/**
 * Writes a file atomically: the data goes to a temporary file in the same directory, is flushed to disk, and
 * is renamed over `path`, so readers see either the old file or the whole new one, never a torn write.
 * Parent directories are created. On failure the temporary file is removed and the error rethrown.
 * {@link writeFileAtomicSync} is the same for synchronous code.
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from "@sentrl/core";
 * await writeFileAtomic("/tmp/run/checkpoint/meta.json", JSON.stringify({ step: 10 }));
 * ```
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    const handle = await open(tmp, "wx");
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * The synchronous {@link writeFileAtomic}: temporary file beside `path`, fsync, rename over `path`; parent
 * directories are created; on failure the temporary file is removed and the error rethrown.
 *
 * @example
 * ```ts
 * import { writeFileAtomicSync } from "@sentrl/core";
 * writeFileAtomicSync("/tmp/out/manifest.json", `${JSON.stringify({ ok: true })}\n`);
 * ```
 */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    const fd = openSync(tmp, "wx");
    try {
      const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
