import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { SentrlError } from "@sentrl/core";

// One writer per output folder (docs/contracts.md §1): a long command (`train`, `eval`, `curriculum build`, `demo`,
// `sft`, ...) holds `<out>/.sentrl.lock` while it writes. A second writer gets OUTPUT_LOCKED naming the holder; a
// lock whose process is gone (same host, pid dead or reused) is taken over under a short takeover mutex, so two
// runs that find the same stale lock cannot both win.

/** Name of the lock file inside an output folder. */
export const LOCK_FILE = ".sentrl.lock";

/** What the lock file says about its holder. */
export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  /** ISO time the lock was taken. */
  startedAt: string;
  /** Kernel start time of the holder (Linux `/proc/<pid>/stat` field 22), to tell a reused pid apart. */
  procStart?: string;
}

export interface OutputLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** Removes the lock (only if it is still ours). Also done automatically when the process exits. */
  release(): void;
}

function procStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** True when the holder's process is certainly gone (same host only; another host's lock is never judged). */
function isStale(h: LockHolder & { tornAgeMs?: number }): boolean {
  // A lock file without its JSON: a writer killed between create and write, or one that is writing right now.
  if (h.pid <= 0) return (h.tornAgeMs ?? 0) > 2000;
  if (h.host !== hostname()) return false;
  if (h.pid === process.pid) return false;
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
  const now = procStart(h.pid);
  return h.procStart !== undefined && now !== undefined && now !== h.procStart;
}

function readHolder(path: string): (LockHolder & { tornAgeMs?: number }) | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    (e as NodeJS.ErrnoException).path ??= path; // EISDIR from a read names no file by itself
    throw e;
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    if (typeof h.pid === "number" && typeof h.host === "string") return h;
  } catch {
    // a lock torn by a kill between create and write: treated as a dead holder below
  }
  const mtime = statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
  return { pid: -1, host: hostname(), command: "?", startedAt: "?", tornAgeMs: Date.now() - mtime };
}

function tryCreate(path: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Runs `fn` holding `<lock>.takeover` (a directory: mkdir is atomic); a takeover mutex older than 10 s is dead. */
function withTakeoverMutex<T>(lockPath: string, fn: () => T): T | null {
  const mutex = `${lockPath}.takeover`;
  try {
    mkdirSync(mutex);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    const age = Date.now() - (statSync(mutex, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > 10_000) rmSync(mutex, { recursive: true, force: true });
    return null;
  }
  try {
    return fn();
  } finally {
    rmdirSync(mutex);
  }
}

function lockedError(dir: string, h: LockHolder, path: string): SentrlError {
  const who =
    h.pid > 0 ? `sentrl ${h.command} (pid ${h.pid} on ${h.host}, since ${h.startedAt})` : "another sentrl process";
  return new SentrlError(
    "OUTPUT_LOCKED",
    `${dir} is being written by ${who}; wait for it to finish or choose another --out` +
      (h.host === hostname() ? "" : ` (if that process is gone, delete ${path})`),
  );
}

/**
 * Takes the exclusive lock of an output folder (creating the folder) for `command`, or throws `OUTPUT_LOCKED`
 * naming the holder. A stale lock (its process has died) is taken over. The lock is released by `release()` or
 * when the process exits; after kill -9 the next run takes it over.
 *
 * @example
 * ```ts
 * import { acquireOutputLock } from "./io/output-lock.js";
 * const lock = acquireOutputLock(outDir, "sft");
 * try { await writeEverything(outDir); } finally { lock.release(); }
 * ```
 */
export function acquireOutputLock(dir: string, command: string): OutputLock {
  const abs = resolve(dir);
  mkdirSync(abs, { recursive: true });
  const path = join(abs, LOCK_FILE);
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    command,
    startedAt: new Date().toISOString(),
    ...(procStart(process.pid) ? { procStart: procStart(process.pid) } : {}),
  };
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(path, holder)) break;
    const current = readHolder(path);
    if (current === null) continue; // released between our two calls: try again
    if (!isStale(current) || attempt >= 50) throw lockedError(abs, current, path);
    const took = withTakeoverMutex(path, () => {
      const again = readHolder(path);
      if (again !== null && (again.pid !== current.pid || again.startedAt !== current.startedAt)) return false; // someone else's now
      if (again !== null) unlinkSync(path);
      return tryCreate(path, holder);
    });
    if (took) break;
    // Another process is taking over (or just took) the lock: look again after a moment.
    const until = Date.now() + 20;
    while (Date.now() < until) {
      /* brief spin: the takeover holds its mutex for microseconds */
    }
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.removeListener("exit", release);
    const h = readHolder(path);
    if (h && h.pid === holder.pid && h.startedAt === holder.startedAt) {
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    }
  };
  process.on("exit", release);
  return { path, holder, release };
}
