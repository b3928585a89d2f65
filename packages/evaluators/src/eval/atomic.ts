import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";

/** Writes a file atomically: a temp file in the same folder, fsync, rename over the target. */
export function writeFileAtomic(path: string, data: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
