import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";
import { parseJsonLines } from "@sentrl/core";

/** One graded sample, one line of `details.jsonl`. */
export interface SampleRecord {
  id: string;
  /** Sample index within its problem, 0..n-1. */
  sample: number;
  correct: boolean;
  extracted: string | null;
  finishReason: string;
  numTokens?: number;
  text: string;
}

/**
 * Reads a details file written by an interrupted run. A torn last line (no final newline: the process died
 * mid-write) is cut off the file; every complete line is kept.
 */
export function recoverDetails(path: string): SampleRecord[] {
  if (!existsSync(path)) return [];
  const buf = readFileSync(path);
  let end = buf.length;
  if (end > 0 && buf[end - 1] !== 0x0a) {
    end = buf.lastIndexOf(0x0a) + 1;
    withSyncedFile(path, "r+", (fd) => ftruncateSync(fd, end));
  }
  return parseJsonLines(buf.subarray(0, end).toString("utf8"), {
    source: path,
    code: "EVAL_DETAILS_CORRUPT",
    hint: "remove the line or start a new --out folder",
  }).map((l) => l.value as SampleRecord);
}

/** Appends records as JSON lines in one write, then fsyncs, so a crash loses at most a torn last line. */
export function appendDetails(path: string, records: readonly SampleRecord[]): void {
  if (records.length === 0) return;
  let chunk = "";
  for (const r of records) chunk += `${JSON.stringify(r)}\n`;
  withSyncedFile(path, "a", (fd) => writeSync(fd, chunk));
}

/** Opens `path` with `flags`, runs `change` on the descriptor, fsyncs, and closes it (also on error). */
function withSyncedFile(path: string, flags: string, change: (fd: number) => void): void {
  const fd = openSync(path, flags);
  try {
    change(fd);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
