/**
 * All-pairs scan of the distinct benchmark golds: which pairs of different golds the `symbolic` checker merges.
 * Merged pairs are found through the cluster keys (equivalent answers share a key, so no merge is missed); with
 * `SCAN_FULL=1` every pair is compared instead, and the two lists must agree. With `SYMBOLIC_BASELINE=<index.ts>` each
 * merge is also judged by an earlier copy of the checker, and the merges it did not make are listed for review (with
 * `SCAN_FULL=1`, also the merges only the earlier copy made).
 * Run: `npx tsx --conditions=source packages/evaluators/bench/symbolic-scan.ts` (needs ../shared/benchmarks).
 */
import { BENCH_DIR, HAVE_BENCH } from "../../core/test/shared-data.js";
import { createSymbolicChecker } from "../src/symbolic/index.js";
import { loadBaselineChecker } from "./baseline-checker.js";
import { loadGolds } from "../test/symbolic-golds.js";

if (!HAVE_BENCH) {
  console.log(JSON.stringify({ bench: "symbolic-scan", skipped: `shared benchmarks absent at ${BENCH_DIR}` }));
  process.exit(0);
}
const checker = createSymbolicChecker({});
const baseline = await loadBaselineChecker();
const { math_train: _train, ...test } = loadGolds();
const golds = [
  ...new Set(
    Object.values(test)
      .flat()
      .map((g) => g.trim()),
  ),
];
const full = process.env.SCAN_FULL === "1";

const merges = new Set<string>();
const baselineMerges = new Set<string>();
let compared = 0;
const t0 = performance.now();
if (full) {
  for (let i = 0; i < golds.length; i++) {
    if (i % 200 === 0) process.stderr.write(`scan: ${i}/${golds.length}\n`);
    for (let j = i + 1; j < golds.length; j++) {
      compared++;
      if (checker.equivalent(golds[i] as string, golds[j] as string)) merges.add(`${i} ${j}`);
      if (baseline?.equivalent?.(golds[i] as string, golds[j] as string)) baselineMerges.add(`${i} ${j}`);
    }
  }
} else {
  const byKey = new Map<string, number[]>();
  const unkeyed: number[] = [];
  const keys = golds.map((g) => checker.clusterKeys(g));
  keys.forEach((ks, i) => {
    if (ks === null) unkeyed.push(i);
    else for (const k of ks) byKey.set(k, [...(byKey.get(k) ?? []), i]);
  });
  for (let i = 0; i < golds.length; i++) {
    const ks = keys[i];
    const cands = new Set<number>(ks === null ? golds.keys() : unkeyed);
    for (const k of ks ?? []) for (const j of byKey.get(k) ?? []) cands.add(j);
    for (const j of cands) {
      if (j <= i) continue;
      compared++;
      if (checker.equivalent(golds[i] as string, golds[j] as string)) merges.add(`${i} ${j}`);
    }
  }
}
const ms = performance.now() - t0;
const list = [...merges].map((p) => p.split(" ").map(Number) as [number, number]);
const notByBaseline = baseline
  ? list.filter(([i, j]) => !baseline.equivalent?.(golds[i] as string, golds[j] as string))
  : [];
const byBaselineOnly = [...baselineMerges]
  .filter((p) => !merges.has(p))
  .map((p) => p.split(" ").map(Number) as [number, number]);
console.log(
  JSON.stringify({
    bench: "symbolic-scan",
    mode: full ? "all pairs" : "pairs sharing a cluster key",
    distinct_golds: golds.length,
    all_pairs: (golds.length * (golds.length - 1)) / 2,
    compared,
    ms: Math.round(ms),
    merged_pairs: list.length,
    merged: list.map(([i, j]) => [golds[i], golds[j]]),
    merged_not_by_baseline: notByBaseline.map(([i, j]) => [golds[i], golds[j]]),
    baseline: process.env.SYMBOLIC_BASELINE ?? null,
    by_baseline_only: full && baseline ? byBaselineOnly.map(([i, j]) => [golds[i], golds[j]]) : "needs SCAN_FULL=1",
  }),
);
