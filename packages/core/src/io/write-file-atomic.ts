import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Writes a file atomically: the data goes to a temporary file in the same directory, is flushed to disk, and
 * is renamed over `path`, so readers see either the old file or the whole new one, never a torn write.
 * Parent directories are created. On failure the temporary file is removed and the error rethrown.
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from "@sentrl/core";
 * await writeFileAtomic("/tmp/run/checkpoint/meta.json", JSON.stringify({ step: 10 }));
 * ```
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
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
