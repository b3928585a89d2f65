/**
 * The demo's task family: sums of one-digit terms, solved by a chain of thought that adds the first two numbers and
 * copies the rest, one line per step, then `\boxed{sum}`. The number of terms is the difficulty knob: every step is
 * local (two numbers added, the rest copied from the line above), so a tiny transformer learns it in minutes, and
 * errors compound with the number of steps, which spreads accuracy across difficulties.
 *
 * Example: question `3+5+2+8`, response `8+2+8\n10+8\n18\n\boxed{18}`, answer `18`.
 */
import { Rng, SentrlError } from "@sentrl/core";

export interface SumProblem {
  id: string;
  /** `3+5+2+8` */
  question: string;
  terms: number[];
  /** The worked solution (the SFT target). */
  solution: string;
  answer: string;
}

export interface TaskSpec {
  /** Fewest and most terms (inclusive); the number of terms is drawn uniformly. */
  minTerms: number;
  maxTerms: number;
}

export const DEFAULT_TASK: TaskSpec = { minTerms: 3, maxTerms: 8 };

/** The worked solution of a sum: each line adds the first two numbers of the line above; then the boxed total. */
export function solveSum(terms: readonly number[]): string {
  const lines: string[] = [];
  let rest = [...terms];
  while (rest.length > 1) {
    rest = [rest[0] + rest[1], ...rest.slice(2)];
    lines.push(rest.join("+"));
  }
  return `${lines.join("\n")}\n\\boxed{${rest[0]}}`;
}

export function sumProblem(terms: readonly number[], id: string): SumProblem {
  const question = terms.join("+");
  const total = terms.reduce((a, b) => a + b, 0);
  return { id, question, terms: [...terms], solution: solveSum(terms), answer: String(total) };
}

function drawTerms(rng: Rng, spec: TaskSpec): number[] {
  const n = spec.minTerms + rng.int(spec.maxTerms - spec.minTerms + 1);
  return Array.from({ length: n }, () => rng.int(10));
}

export function checkTaskSpec(spec: TaskSpec): void {
  const { minTerms, maxTerms } = spec;
  if (
    !(
      Number.isInteger(minTerms) &&
      Number.isInteger(maxTerms) &&
      minTerms >= 2 &&
      maxTerms >= minTerms &&
      maxTerms <= 16
    )
  )
    throw new SentrlError("DEMO_BAD_TASK", `need integers 2 ≤ minTerms ≤ maxTerms ≤ 16, got ${minTerms}..${maxTerms}`);
}

/** Sizes of the three disjoint splits drawn for a demo run. */
export interface SplitSizes {
  /** Prompts of the RL arms (the SE curriculum is built on them). */
  rl: number;
  heldOut: number;
}

export interface TaskSplits {
  rl: SumProblem[];
  heldOut: SumProblem[];
  /** Every question of `rl` and `heldOut`: the SFT stream never draws them. */
  reserved: Set<string>;
}

/**
 * Draws held-out and RL questions from one seeded stream, each question at most once across both (held-out first).
 * Deterministic in (spec, sizes, seed).
 */
export function drawSplits(spec: TaskSpec, sizes: SplitSizes, seed: number): TaskSplits {
  checkTaskSpec(spec);
  const rng = new Rng(seed);
  const reserved = new Set<string>();
  const take = (n: number, prefix: string): SumProblem[] => {
    const out: SumProblem[] = [];
    let tries = 0;
    while (out.length < n) {
      if (++tries > 100 * n + 1000)
        throw new SentrlError("DEMO_BAD_TASK", `cannot draw ${n} distinct ${prefix} questions; widen the term range`);
      const terms = drawTerms(rng, spec);
      const q = terms.join("+");
      if (reserved.has(q)) continue;
      reserved.add(q);
      out.push(sumProblem(terms, `${prefix}-${out.length}`));
    }
    return out;
  };
  const heldOut = take(sizes.heldOut, "heldout");
  const rl = take(sizes.rl, "rl");
  return { rl, heldOut, reserved };
}

/**
 * The SFT stream: problem `i` of seed `seed`, skipping reserved questions (so SFT never sees an RL or held-out
 * question). A pure function of (spec, seed, i, reserved).
 */
export function sftProblem(spec: TaskSpec, seed: number, i: number, reserved: ReadonlySet<string>): SumProblem {
  const rng = new Rng(seed * 1_000_003 + i);
  for (;;) {
    const terms = drawTerms(rng, spec);
    if (!reserved.has(terms.join("+"))) return sumProblem(terms, `sft-${i}`);
  }
}
