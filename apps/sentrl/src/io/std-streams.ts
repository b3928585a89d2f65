import { fromSystemError, isSystemError } from "./fs-errors.js";

// The process's own streams (docs/contracts.md §1): stdout closed by its reader (`sentrl grade … | head -1`) ends
// the command quietly with status 0, as Unix tools do; stdout on a full disk is NO_SPACE; stderr (progress, logs,
// warnings) failing never stops a job.

let installed = false;

/**
 * Installs the `error` handlers on `process.stdout` / `process.stderr` (once per process).
 *
 * @example
 * ```ts
 * installStreamGuards(); // then `sentrl grade < big.jsonl | head -1` exits 0 without a stack trace
 * ```
 */
export function installStreamGuards(): void {
  if (installed) return;
  installed = true;
  process.stdout.on("error", (e: Error) => {
    if ((e as NodeJS.ErrnoException).code === "EPIPE") process.exit(0);
    const err = isSystemError(e) ? fromSystemError(e, "stdout") : null;
    try {
      process.stderr.write(`sentrl: ${err ? `${err.code}: ${err.message}` : `IO_ERROR: stdout: ${e.message}`}\n`);
    } catch {
      // stderr is gone too: the exit status still says it
    }
    process.exit(1);
  });
  // Progress lines and warnings are best-effort: a closed or full stderr must not end the run.
  process.stderr.on("error", () => {});
}

/** A stderr writer that swallows write failures (for progress output from library callbacks). */
export function safeWrite(stream: { write(chunk: string): unknown }, text: string): void {
  try {
    stream.write(text);
  } catch {
    // progress output never kills a job
  }
}
