import { existsSync, mkdirSync, rmdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { SentrlError } from "@sentrl/core";

// Operating-system errors (errno codes such as ENOSPC) become documented sentrl codes that name the path and say
// what to do, so no `ENOENT`/`EISDIR` leaks out as if it were one of ours (docs/contracts.md §1).

/** A Node system error: `code` is the errno name, `syscall` the failing call, `path` the file when known. */
export interface SystemError extends Error {
  code: string;
  errno?: number;
  syscall?: string;
  path?: string;
  dest?: string;
}

/** True for errors raised by the operating system (they carry `syscall` or a numeric `errno`). */
export function isSystemError(e: unknown): e is SystemError {
  if (!(e instanceof Error)) return false;
  const x = e as Partial<SystemError>;
  return (
    typeof x.code === "string" &&
    /^E[A-Z0-9]+$/.test(x.code) &&
    (typeof x.syscall === "string" || typeof x.errno === "number")
  );
}

/** errno name → [sentrl code, what it means, what to do]. */
const MAP: Record<string, [string, string, string]> = {
  ENOSPC: ["NO_SPACE", "no space left on the device", "free space or choose another output folder"],
  EDQUOT: ["NO_SPACE", "disk quota exceeded", "free space or choose another output folder"],
  EFBIG: ["NO_SPACE", "file too large for the file system", "choose another output folder"],
  EACCES: ["PERMISSION_DENIED", "permission denied", "check the permissions or choose another path"],
  EPERM: ["PERMISSION_DENIED", "operation not permitted", "check the permissions or choose another path"],
  EROFS: ["READ_ONLY_FS", "the file system is read-only", "choose an output folder on a writable file system"],
  EISDIR: ["PATH_IS_DIRECTORY", "is a directory where a file was expected", "pass a file path"],
  ENOTDIR: ["PATH_NOT_DIRECTORY", "a part of the path is not a directory", "pass a folder path"],
  EEXIST: ["PATH_NOT_DIRECTORY", "exists and is not a usable folder", "pass a folder path (or a new name)"],
  ENOENT: ["PATH_NOT_FOUND", "no such file or folder", "check the path"],
  ENAMETOOLONG: ["PATH_TOO_LONG", "the path is too long", "use a shorter path"],
  EMFILE: ["TOO_MANY_OPEN_FILES", "too many open files", "raise the open-file limit (ulimit -n)"],
  ENFILE: ["TOO_MANY_OPEN_FILES", "too many open files in the system", "raise the open-file limit"],
  EIO: ["IO_ERROR", "input/output error", "check the disk"],
  ELOOP: ["PATH_NOT_FOUND", "too many symbolic links", "check the path"],
};

/**
 * The sentrl error for an operating-system error: `NO_SPACE`, `PERMISSION_DENIED`, `READ_ONLY_FS`,
 * `PATH_IS_DIRECTORY`, `PATH_NOT_DIRECTORY`, `PATH_NOT_FOUND`, `PATH_TOO_LONG`, `TOO_MANY_OPEN_FILES`, or
 * `IO_ERROR` for the rest; the message names the path (or `what`, e.g. `stdout`).
 *
 * @example
 * ```ts
 * const e = Object.assign(new Error("x"), { code: "ENOSPC", syscall: "write", path: "/runs/a/metrics.jsonl" });
 * fromSystemError(e).message; // "/runs/a/metrics.jsonl: no space left on the device (write); free space or ..."
 * ```
 */
export function fromSystemError(error: SystemError, what?: string): SentrlError {
  const e = error.code === "ENOENT" && error.syscall === "mkdir" ? realMkdirError(error) : error;
  const [code, meaning, todo] = MAP[e.code] ?? ["IO_ERROR", `${e.code}`, "check the path and the disk"];
  const where = what ?? e.path ?? "a file";
  const call = e.syscall ? ` (${e.syscall}${e.dest ? ` to ${e.dest}` : ""})` : "";
  return new SentrlError(code, `${where}: ${meaning}${call}; ${todo}`, { cause: error });
}

/**
 * `mkdir -p` reports ENOENT on a read-only file system (Node walks up and returns the first error it saw); making
 * the first missing folder under the nearest existing one gives the real errno (EROFS, EACCES).
 */
function realMkdirError(e: SystemError): SystemError {
  if (!e.path) return e;
  let missing = resolve(e.path);
  for (let parent = dirname(missing); parent !== missing && !existsSync(parent); parent = dirname(parent))
    missing = parent;
  try {
    mkdirSync(missing);
    rmdirSync(missing);
  } catch (probe) {
    if (isSystemError(probe) && probe.code !== "ENOENT") return Object.assign(probe, { path: e.path });
  }
  return e;
}
