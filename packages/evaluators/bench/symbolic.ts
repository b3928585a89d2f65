/**
 * Throughput of the `symbolic` checker on the real benchmark golds: JSON lines on stdout.
 * Run: `npm run bench:symbolic -w @sentrl/evaluators` (needs ../shared/benchmarks; prints a skip line otherwise).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createSymbolicChecker } from "../src/symbolic/index.js";
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
const golds = loadGolds();
const all = Object.values(golds).flat();

function time(set: string, pairs: [string, string][]): void {
  // warm-up, then the best of 3 runs
  for (const [a, b] of pairs.slice(0, 200)) checker.equivalent(a, b);
  let best = Number.POSITIVE_INFINITY;
  let equal = 0;
  for (let r = 0; r < 3; r++) {
    equal = 0;
    const t0 = performance.now();
    for (const [a, b] of pairs) if (checker.equivalent(a, b)) equal++;
    best = Math.min(best, performance.now() - t0);
  }
  emit({
    bench: "symbolic-equivalent",
    set,
    pairs: pairs.length,
    equivalent: equal,
    ms: Number(best.toFixed(1)),
    pairs_per_s: Math.round((pairs.length / best) * 1000),
    baseline_pairs_per_s: null,
    baseline_reason: BASELINE_REASON,
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
  const t0 = performance.now();
  let correct = 0;
  for (let k = 0; k < all.length; k++) if (checker.check(responses[k] as string, all[k] as string).correct) correct++;
  const ms = performance.now() - t0;
  emit({
    bench: "symbolic-check",
    set: "boxed re-rendered gold vs gold (extract + compare)",
    items: all.length,
    correct,
    ms: Number(ms.toFixed(1)),
    items_per_s: Math.round((all.length / ms) * 1000),
    baseline_items_per_s: null,
    baseline_reason: BASELINE_REASON,
  });
}
