import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// The shared specification/data folder for tests and benches of every package (never copied into the repo).

/** `$SENTRL_SHARED` or `<repo root>/../shared`, and its benchmarks folder; tests that need them skip when absent. */
export const SHARED =
  process.env.SENTRL_SHARED ?? resolve(fileURLToPath(new URL(".", import.meta.url)), "../../../../shared");
export const BENCH_DIR = join(SHARED, "benchmarks");
export const HAVE_BENCH = existsSync(join(BENCH_DIR, "manifest.json"));
export const SKIP_REASON = `shared benchmarks not found at ${BENCH_DIR} (set SENTRL_SHARED); skipping real-data tests`;
