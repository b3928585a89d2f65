import { open, rm } from "node:fs/promises";

// Durable writes for checkpoints: a file's bytes and then its directory entry are flushed to
// disk before anything points at them, so after a power loss `latest.json` never names empty or missing files.

/** Writes a new file (it must not exist) and fsyncs it; on failure (ENOSPC, ...) the partial file is removed. */
export async function writeFileDurable(path: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(path, "wx");
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (e) {
    await handle.close().catch(() => {});
    await rm(path, { force: true });
    (e as NodeJS.ErrnoException).path ??= path; // a failed write names no file by itself
    throw e;
  }
  await handle.close();
}

/** fsyncs a file or directory that already exists (a directory: its entries, after create/rename/unlink). */
export async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } catch (e) {
    // Some file systems cannot fsync a directory (EINVAL); there is nothing more to do there.
    if ((e as NodeJS.ErrnoException).code !== "EINVAL") throw e;
  } finally {
    await handle.close();
  }
}
