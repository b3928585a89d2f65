/**
 * Held-out evaluation of a model: k samples per question at the evaluation temperature, graded by the `symbolic`
 * checker on the `\boxed{}` answer; pass@j (unbiased estimator from k samples, j ≤ k) and avg@k per question, means
 * with 95% percentile-bootstrap intervals over questions, per-difficulty pass@1, and the mean token entropy estimate
 * (−mean log-prob of the sampled tokens).
 */

import { bootstrapCI, getChecker, passAtK } from "@sentrl/evaluators";
import type { DecoderModel, ModelTokenizer } from "@sentrl/model";
import { rolloutPrompts } from "@sentrl/model";
import type { SumProblem } from "./task.js";

export interface Interval {
  mean: number;
  lo: number;
  hi: number;
}

export interface EvalSettings {
  k: number;
  temperature: number;
  topP: number;
  maxTokens: number;
  seed: number;
  /** Prompts decoded per call (also the progress granularity). */
  chunk?: number;
  /** Sequences decoded together. */
  batchSize?: number;
}

export interface EvalResult {
  passAt: Record<string, Interval>;
  avgAt: Record<string, Interval>;
  /** pass@1 per number of terms. */
  byTerms: Record<string, Interval & { n: number }>;
  /** −mean log-prob of sampled tokens (nats/token) at the evaluation temperature. */
  sampledNll: number;
  /** Share of samples with no `\boxed{}` answer. */
  noAnswer: number;
  /** Correct samples per question (in question order). */
  correct: number[];
  seconds: number;
}

/** The ks reported: powers of two up to k, and k. */
export function reportedKs(k: number): number[] {
  const ks: number[] = [];
  for (let j = 1; j < k; j *= 2) ks.push(j);
  ks.push(k);
  return ks;
}

const ci = (values: number[], seed: number): Interval => {
  const c = bootstrapCI(values, { seed, resamples: 1000 });
  return { mean: c.mean, lo: c.lo, hi: c.hi };
};

export async function evaluateModel(
  model: DecoderModel,
  tok: ModelTokenizer,
  problems: readonly SumProblem[],
  s: EvalSettings,
  onProgress?: (done: number, total: number) => void,
): Promise<EvalResult> {
  const t0 = performance.now();
  const checker = getChecker("symbolic");
  const chunk = s.chunk ?? 50;
  const correct: number[] = [];
  let nll = 0;
  let tokens = 0;
  let noAnswer = 0;
  for (let i = 0; i < problems.length; i += chunk) {
    const part = problems.slice(i, i + chunk);
    const rollouts = rolloutPrompts(
      model,
      tok,
      part.map((p) => ({ id: p.id, messages: [{ role: "user", content: p.question }] })),
      { n: s.k, temperature: s.temperature, topP: s.topP, maxTokens: s.maxTokens, seed: s.seed },
      { batchSize: s.batchSize ?? 64 },
    );
    rollouts.forEach((r, j) => {
      let c = 0;
      for (const comp of r.completions) {
        const g = checker.check(comp.text, part[j].answer);
        if (g.correct) c++;
        if (g.extracted === null) noAnswer++;
        for (const lp of comp.tokenLogprobs ?? []) nll -= lp;
        tokens += comp.tokenLogprobs?.length ?? 0;
      }
      correct.push(c);
    });
    // Yield to the event loop so a progress bar redraws and signals land.
    await new Promise((r) => setImmediate(r));
    onProgress?.(Math.min(problems.length, i + chunk), problems.length);
  }
  const passAt: Record<string, Interval> = {};
  for (const j of reportedKs(s.k))
    passAt[String(j)] = ci(
      correct.map((c) => passAtK(s.k, c, j)),
      j,
    );
  const avgAt = {
    [String(s.k)]: ci(
      correct.map((c) => c / s.k),
      0,
    ),
  };
  const groups = new Map<number, number[]>();
  problems.forEach((p, i) => {
    const g = groups.get(p.terms.length) ?? [];
    g.push(correct[i] / s.k);
    groups.set(p.terms.length, g);
  });
  const byTerms: EvalResult["byTerms"] = {};
  for (const [t, v] of [...groups].sort((a, b) => a[0] - b[0])) byTerms[String(t)] = { ...ci(v, t), n: v.length };
  return {
    passAt,
    avgAt,
    byTerms,
    sampledNll: tokens ? nll / tokens : 0,
    noAnswer: noAnswer / (problems.length * s.k),
    correct,
    seconds: (performance.now() - t0) / 1000,
  };
}
