import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

/** `/work/shared` (or $SENTRL_SHARED) and its benchmarks folder; tests that need them skip when absent. */
export const SHARED = process.env.SENTRL_SHARED ?? resolve(__dirname, "..", "..", "..", "..", "shared");
export const BENCH_DIR = join(SHARED, "benchmarks");
export const HAVE_BENCH = existsSync(join(BENCH_DIR, "manifest.json"));
export const SKIP_REASON = `shared benchmarks not found at ${BENCH_DIR} (set SENTRL_SHARED); skipping real-data tests`;
