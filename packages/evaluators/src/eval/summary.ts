import type { AnswerChecker } from "@sentrl/core";
import { bootstrapCI } from "../metrics/bootstrap.js";
import { avgAtK, majAtK, passAtK, type VoteSample } from "../metrics/pass-at-k.js";
import type { SampleRecord } from "./details.js";

/** A metric over problems, in percent, with its bootstrap interval. */
export interface MetricValue {
  value: number;
  lo: number;
  hi: number;
}

export interface EvalSummary {
  benchmark: string;
  generator: string;
  checker: string;
  n: number;
  ks: number[];
  problems: number;
  samples: number;
  /** Mean per-sample accuracy over all n samples, percent. */
  accuracy: number;
  /** Fraction of samples with an extracted answer, percent. */
  extractedRate: number;
  /** Fraction of samples cut by the token limit, percent. */
  truncatedRate: number;
  /** `pass@k`, `avg@k`, `maj@k` for each k, percent, with 95% bootstrap intervals over problems. */
  metrics: Record<string, MetricValue>;
  bootstrap: { resamples: number; level: number; seed: number };
  sampling: Record<string, unknown>;
}

/** Majority-vote keys: the checker's canonical key, else the first earlier answer it judges equivalent. */
function voteSamples(records: readonly SampleRecord[], checker: AnswerChecker): VoteSample[] {
  const reps: string[] = [];
  return records.map((r) => {
    if (r.extracted === null) return { key: null, correct: r.correct };
    if (checker.canonicalKey) return { key: checker.canonicalKey(r.extracted), correct: r.correct };
    const x = r.extracted;
    let key = reps.find((rep) => rep === x || checker.equivalent(rep, x));
    if (key === undefined) {
      reps.push(x);
      key = x;
    }
    return { key, correct: r.correct };
  });
}

/** Computes the summary from every problem's n records (in sample order). */
export function summarize(
  perProblem: readonly (readonly SampleRecord[])[],
  info: {
    benchmark: string;
    generator: string;
    checker: AnswerChecker;
    n: number;
    ks: number[];
    sampling: Record<string, unknown>;
    bootstrapSeed: number;
    resamples: number;
  },
): EvalSummary {
  const { n, ks, checker } = info;
  let correct = 0;
  let extracted = 0;
  let truncated = 0;
  let samples = 0;
  for (const recs of perProblem) {
    for (const r of recs) {
      samples++;
      if (r.correct) correct++;
      if (r.extracted !== null) extracted++;
      if (r.finishReason === "length") truncated++;
    }
  }
  const votes = perProblem.map((recs) => voteSamples(recs, checker));
  const metrics: Record<string, MetricValue> = {};
  const level = 0.95;
  const pct = (x: number) => x * 100;
  for (const k of ks) {
    const pass = new Float64Array(perProblem.length);
    const avg = new Float64Array(perProblem.length);
    const maj = new Float64Array(perProblem.length);
    perProblem.forEach((recs, i) => {
      const flags = recs.map((r) => r.correct);
      pass[i] = passAtK(n, flags.filter(Boolean).length, k);
      avg[i] = avgAtK(flags, k);
      maj[i] = majAtK(votes[i] as VoteSample[], k);
    });
    for (const [name, vals] of [
      ["pass", pass],
      ["avg", avg],
      ["maj", maj],
    ] as const) {
      const ci = bootstrapCI(vals, { seed: info.bootstrapSeed, resamples: info.resamples, level });
      metrics[`${name}@${k}`] = { value: pct(ci.mean), lo: pct(ci.lo), hi: pct(ci.hi) };
    }
  }
  return {
    benchmark: info.benchmark,
    generator: info.generator,
    checker: checker.name,
    n,
    ks: [...ks],
    problems: perProblem.length,
    samples,
    accuracy: samples ? pct(correct / samples) : Number.NaN,
    extractedRate: samples ? pct(extracted / samples) : Number.NaN,
    truncatedRate: samples ? pct(truncated / samples) : Number.NaN,
    metrics,
    bootstrap: { resamples: info.resamples, level, seed: info.bootstrapSeed },
    sampling: info.sampling,
  };
}

/** The summary as a markdown table: one row per metric family, one column per k. */
export function summaryMarkdown(s: EvalSummary): string {
  const f = (v: MetricValue | undefined) => (v ? `${v.value.toFixed(1)} [${v.lo.toFixed(1)}, ${v.hi.toFixed(1)}]` : "");
  const lines = [
    `## ${s.benchmark}: ${s.generator} (${s.checker}, n=${s.n}, ${s.problems} problems)`,
    "",
    `| metric | ${s.ks.map((k) => `k=${k}`).join(" | ")} |`,
    `|---|${s.ks.map(() => "---").join("|")}|`,
  ];
  for (const m of ["pass", "avg", "maj"])
    lines.push(`| ${m}@k | ${s.ks.map((k) => f(s.metrics[`${m}@${k}`])).join(" | ")} |`);
  lines.push(
    "",
    `Accuracy ${s.accuracy.toFixed(2)}%, extracted ${s.extractedRate.toFixed(1)}%, truncated ${s.truncatedRate.toFixed(1)}%. Brackets: 95% bootstrap interval over problems.`,
    "",
  );
  return lines.join("\n");
}
