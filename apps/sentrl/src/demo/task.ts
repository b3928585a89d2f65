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

/**
 * The worked solution of a sum: each line adds the first two numbers of the line above; then the boxed total.
 * `slip(line)` returns an error to add to that line's sum (0 for none): the demonstrator's mistakes, carried
 * into every later line and the boxed answer.
 */
export function solveSum(terms: readonly number[], slip: (line: number) => number = () => 0): string {
  const lines: string[] = [];
  let rest = [...terms];
  while (rest.length > 1) {
    const sum = rest[0] + rest[1];
    const wrong = sum + slip(lines.length);
    rest = [wrong >= 0 ? wrong : sum + 1, ...rest.slice(2)];
    lines.push(rest.join("+"));
  }
  return `${lines.join("\n")}\n\\boxed{${rest[0]}}`;
}

/** How often the SFT demonstrator slips: each line's sum is off by ±1 with probability `rate` (0: never). */
export interface SlipSpec {
  rate: number;
}

/**
 * A demonstrator that slips: per line, with probability `rate`, the sum is off by one (up or down, equally likely).
 * The model imitates it, so it knows the right sum as the most likely one but samples a wrong one often; this is the
 * room that RL has (pass@k far above pass@1), as for a language model trained on imperfect human solutions.
 */
export function slipper(rng: Rng, spec: SlipSpec): (line: number) => number {
  return () => (rng.uniform() < spec.rate ? (rng.uniform() < 0.5 ? -1 : 1) : 0);
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

/** Sizes of the disjoint splits drawn for a demo run (the SFT stream is the fourth, drawn apart). */
export interface SplitSizes {
  /** Prompts of the RL arms (the SE curriculum is built on them). */
  rl: number;
  /** Questions the report evaluates on. */
  heldOut: number;
  /** Questions for choosing the demo's settings (learning rate, steps): never reported, never trained on. */
  validation?: number;
}

export interface TaskSplits {
  rl: SumProblem[];
  heldOut: SumProblem[];
  validation: SumProblem[];
  /** Every question of `rl`, `heldOut` and `validation`: the SFT stream never draws them. */
  reserved: Set<string>;
}

/**
 * Draws held-out, validation and RL questions from one seeded stream, in that order, each question at most once
 * across all three. Deterministic in (spec, sizes, seed).
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
  const validation = take(sizes.validation ?? 0, "validation");
  const rl = take(sizes.rl, "rl");
  return { rl, heldOut, validation, reserved };
}

/**
 * The SFT stream: problem `i` of seed `seed`, skipping reserved questions (so SFT never sees an RL or held-out
 * question), its solution written by a demonstrator that slips at `slips.rate` per line (`answer` stays the true
 * total). A pure function of (spec, seed, i, reserved, slips).
 */
export function sftProblem(
  spec: TaskSpec,
  seed: number,
  i: number,
  reserved: ReadonlySet<string>,
  slips: SlipSpec = { rate: 0 },
): SumProblem {
  const rng = new Rng(seed * 1_000_003 + i);
  for (;;) {
    const terms = drawTerms(rng, spec);
    if (reserved.has(terms.join("+"))) continue;
    const p = sumProblem(terms, `sft-${i}`);
    return slips.rate > 0 ? { ...p, solution: solveSum(terms, slipper(rng, slips)) } : p;
  }
}
