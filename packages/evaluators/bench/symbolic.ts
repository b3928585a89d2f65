/**
 * Throughput of the `symbolic` checker on the real benchmark golds: JSON lines on stdout.
 * Run: `npm run bench:symbolic -w @sentrl/evaluators` (needs ../shared/benchmarks; prints a skip line otherwise).
 * `SYMBOLIC_BASELINE=<dir>/src/symbolic/index.ts` times an earlier copy of the checker (e.g. from `git archive`) on
 * the same pairs in the same run, interleaved, and reports its rate beside ours.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AnswerChecker } from "@sentrl/core";
import { clearPreparedAnswers } from "../src/symbolic/equivalence.js";
import { createSymbolicChecker } from "../src/symbolic/index.js";
import { loadBaselineChecker } from "./baseline-checker.js";
import { BENCH_DIR, HAVE_BENCH } from "../../core/test/shared-data.js";
import { loadGolds, rerender } from "../test/symbolic-golds.js";

const BASELINE_REASON =
  "no PyTorch counterpart for answer equivalence; the Python reference graders (docs/algorithms.md §10.3) need sympy with antlr4 LaTeX parsing, which is not installed, so no baseline is timed";

function emit(o: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(o)}\n`);
}

if (!HAVE_BENCH) {
  emit({ bench: "symbolic", skipped: `shared benchmarks absent at ${BENCH_DIR}` });
  process.exit(0);
}

const checker = createSymbolicChecker({});
const baseline = await loadBaselineChecker();
const golds = loadGolds();
const all = Object.values(golds).flat();

/**
 * Best of 3 runs (after a warm-up on other pairs) of one checker on the pairs: [ms, equal pairs]. Our checker's
 * memo of prepared answers is emptied before each run, so every answer is parsed again as on first sight.
 */
function run(c: AnswerChecker, pairs: [string, string][]): [number, number] {
  for (const [a, b] of pairs.slice(0, 200)) c.equivalent?.(b, a);
  let best = Number.POSITIVE_INFINITY;
  let equal = 0;
  for (let r = 0; r < 3; r++) {
    equal = 0;
    clearPreparedAnswers();
    const t0 = performance.now();
    for (const [a, b] of pairs) if (c.equivalent?.(a, b)) equal++;
    best = Math.min(best, performance.now() - t0);
  }
  return [best, equal];
}

function time(set: string, pairs: [string, string][]): void {
  const [ms, equal] = run(checker, pairs);
  const base = baseline ? run(baseline, pairs) : null;
  emit({
    bench: "symbolic-equivalent",
    set,
    pairs: pairs.length,
    equivalent: equal,
    ms: Number(ms.toFixed(1)),
    pairs_per_s: Math.round((pairs.length / ms) * 1000),
    baseline: base ? `earlier symbolic checker at ${process.env.SYMBOLIC_BASELINE}` : null,
    baseline_equivalent: base ? base[1] : null,
    baseline_pairs_per_s: base ? Math.round((pairs.length / base[0]) * 1000) : null,
    baseline_reason: base ? undefined : BASELINE_REASON,
  });
}

const here = path.dirname(fileURLToPath(import.meta.url));
const minerva = JSON.parse(readFileSync(path.join(here, "../test/fixtures/minerva-pairs.json"), "utf8")) as {
  pairs: { gold: string; alternatives: string[] }[];
};
time(
  "minerva gold vs rLLM alternatives",
  minerva.pairs.flatMap((p) => p.alternatives.map((a) => [p.gold, a] as [string, string])),
);
time(
  "all golds vs re-rendered form",
  all.map((g) => [g, rerender(g)]),
);
time(
  "all golds vs another gold (mostly different)",
  all.map((g, k) => [g, all[(k * 7919 + 13) % all.length] as string]),
);
const responses = all.map((g) => `Reasoning ... so the final result is \\boxed{${rerender(g)}}.`);
{
  clearPreparedAnswers();
  const t0 = performance.now();
  let correct = 0;
  for (let k = 0; k < all.length; k++) if (checker.check(responses[k] as string, all[k] as string).correct) correct++;
  const ms = performance.now() - t0;
  let baseCorrect = 0;
  const t1 = performance.now();
  if (baseline)
    for (let k = 0; k < all.length; k++)
      if (baseline.check(responses[k] as string, all[k] as string).correct) baseCorrect++;
  const baseMs = performance.now() - t1;
  emit({
    bench: "symbolic-check",
    set: "boxed re-rendered gold vs gold (extract + compare)",
    items: all.length,
    correct,
    ms: Number(ms.toFixed(1)),
    items_per_s: Math.round((all.length / ms) * 1000),
    baseline_correct: baseline ? baseCorrect : null,
    baseline_items_per_s: baseline ? Math.round((all.length / baseMs) * 1000) : null,
    baseline_reason: baseline ? undefined : BASELINE_REASON,
  });
}

// Answer clustering (`sentrl se --checker symbolic`): distinct answers of one question, by cluster keys against
// the pairwise scan (each answer against every earlier cluster), the latter on a prefix (it is quadratic).
{
  const { clusterExtracted } = await import("../../semantic-entropy/src/cluster.js");
  const distinct = [...new Set(all)].slice(0, 3000);
  clearPreparedAnswers();
  const t0 = performance.now();
  const ids = clusterExtracted(distinct, checker);
  const keyedMs = performance.now() - t0;
  const prefix = distinct.slice(0, 400);
  clearPreparedAnswers();
  const t1 = performance.now();
  const pairwise = clusterExtracted(prefix, { equivalent: checker.equivalent });
  const pairwiseMs = performance.now() - t1;
  const same = prefix.every((_a, k) => pairwise[k] === ids[k]);
  emit({
    bench: "symbolic-cluster",
    answers: distinct.length,
    clusters: new Set(ids).size,
    keyed_ms: Number(keyedMs.toFixed(1)),
    pairwise_prefix: prefix.length,
    pairwise_prefix_ms: Number(pairwiseMs.toFixed(1)),
    pairwise_estimate_ms_all: Math.round(pairwiseMs * (distinct.length / prefix.length) ** 2),
    same_clusters_on_prefix: same,
  });
}
