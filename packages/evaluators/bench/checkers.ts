/**
 * Pairs graded per second by each checker on the real benchmark golds (/work/shared/benchmarks), beside the Python
 * reference rules (tools/ref/math_checkers.py) timed on the same pairs in the same run. Prints JSON lines.
 *
 * Each gold yields four responses: a ~1.5 kB reasoning text ending in the gold written for the checker (correct),
 * and the same text ending in another problem's gold (usually wrong), once as `\boxed{}` and once as `Answer:`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BENCHMARK_NAMES, getChecker, loadBenchmark } from "../src/index.js";
import { BENCH_DIR as benchDir, HAVE_BENCH } from "../../core/test/shared-data.js";

const root = resolve(import.meta.dirname, "..", "..", "..");
if (!HAVE_BENCH) {
  console.log(
    JSON.stringify({ bench: "evaluators/checkers", skipped: `no benchmarks at ${benchDir} (set SENTRL_SHARED)` }),
  );
  process.exit(0);
}

const filler =
  "Let us set up the problem carefully. We expand the expression, collect like terms, and simplify step by step. " +
  "Checking the boundary cases $x = 0$ and $x = 1$ shows the formula holds; therefore the value follows.\n";
const reasoning = filler.repeat(6);
const golds: string[] = [];
for (const name of BENCHMARK_NAMES.filter((n) => !n.endsWith("train") && n !== "verl")) {
  for (const r of await loadBenchmark(name, benchDir))
    golds.push(Array.isArray(r.gold) ? (r.gold[0] as string) : r.gold);
}
const pairs: { response: string; gold: string }[] = [];
golds.forEach((g, i) => {
  const other = golds[(i * 7919 + 13) % golds.length] as string;
  for (const ans of [g, other]) {
    pairs.push({ response: `${reasoning}So the final result is \\boxed{${ans}}.`, gold: g });
    pairs.push({ response: `${reasoning}Answer: ${ans}`, gold: g });
  }
});

const tmp = mkdtempSync(join(tmpdir(), "sentrl-bench-"));
const pairsFile = join(tmp, "pairs.json");
writeFileSync(pairsFile, JSON.stringify(pairs));
const python = process.env.SENTRL_TORCH_PYTHON ?? "/usr/bin/python3";
const ref = spawnSync(python, [join(root, "tools", "ref", "bench_checkers.py"), pairsFile], {
  encoding: "utf8",
  maxBuffer: 1 << 26,
});
let baseline: Record<string, { pairsPerSec: number; correct: number }> | null = null;
let baselineReason: string | null = null;
if (ref.status === 0) baseline = JSON.parse(ref.stdout).checkers;
else baselineReason = `${python} failed: ${(ref.stderr || String(ref.error)).slice(0, 200)}`;

for (const name of ["dapo", "opencompass-v2", "symbolic"]) {
  let checker: ReturnType<typeof getChecker>;
  try {
    checker = getChecker(name);
  } catch (e) {
    console.log(JSON.stringify({ bench: "evaluators/checkers", checker: name, skipped: (e as Error).message }));
    continue;
  }
  let best = Number.POSITIVE_INFINITY;
  let correct = 0;
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    let c = 0;
    for (const p of pairs) if (checker.check(p.response, p.gold).correct) c++;
    best = Math.min(best, (performance.now() - t0) / 1000);
    correct = c;
  }
  const base = baseline?.[name] ?? null;
  console.log(
    JSON.stringify({
      bench: "evaluators/checkers",
      checker: name,
      pairs: pairs.length,
      golds: golds.length,
      pairsPerSec: Math.round(pairs.length / best),
      correct,
      baseline: base
        ? {
            impl: "python reference (tools/ref/math_checkers.py)",
            pairsPerSec: Math.round(base.pairsPerSec),
            correct: base.correct,
          }
        : null,
      baselineReason: base ? null : (baselineReason ?? "no Python reference for this checker"),
      speedup: base ? Number((pairs.length / best / base.pairsPerSec).toFixed(2)) : null,
    }),
  );
}
