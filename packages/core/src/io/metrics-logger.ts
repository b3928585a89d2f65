import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { SentrlError } from "../errors.js";

/** One line of the metrics JSONL: the step and verl-named scalars (`actor/pg_loss`, `critic/score/mean`, ...). */
export interface MetricsRecord {
  step: number;
  [name: string]: number;
}

export interface MetricsLogger {
  readonly path: string;
  /** Appends one JSON line `{"step": n, ...metrics}`; non-finite values are written as `null`. */
  log(step: number, metrics: Record<string, number>): Promise<void>;
  /** Waits for pending writes. */
  close(): Promise<void>;
}

/**
 * A JSONL metrics log with verl's metric names. Each record is one `appendFile` call of one complete line
 * (`O_APPEND`), so a crash never leaves half a record followed by another; writes are serialised in call order.
 *
 * @example
 * ```ts
 * import { createMetricsLogger } from "@sentrl/core";
 * const log = createMetricsLogger("/tmp/run/metrics.jsonl");
 * await log.log(1, { "actor/pg_loss": 0.12, "critic/score/mean": 0.4 });
 * await log.close();
 * ```
 */
export function createMetricsLogger(path: string): MetricsLogger {
  let chain: Promise<void> = mkdir(dirname(path), { recursive: true }).then(() => undefined);
  return {
    path,
    log(step, metrics) {
      if (!Number.isSafeInteger(step) || step < 0) {
        return Promise.reject(new SentrlError("METRICS_BAD_STEP", `step must be a non-negative integer, got ${step}`));
      }
      const record: Record<string, number> = { step, ...metrics };
      record.step = step;
      const line = `${JSON.stringify(record, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v))}\n`;
      const write = chain.then(() =>
        appendFile(path, line, "utf8").catch((e: NodeJS.ErrnoException) => {
          e.path ??= path; // a failed write (ENOSPC) names no file by itself
          throw e;
        }),
      );
      chain = write.catch(() => undefined);
      return write;
    },
    close() {
      return chain;
    },
  };
}
