import { SentrlError } from "@sentrl/core";

function checkCounts(n: number, c: number, k: number): void {
  if (!Number.isInteger(n) || !Number.isInteger(c) || !Number.isInteger(k) || n < 0 || c < 0 || c > n || k < 1) {
    throw new SentrlError("METRIC_BAD_COUNTS", `need integers 0 <= c <= n and k >= 1, got n=${n}, c=${c}, k=${k}`);
  }
  if (k > n)
    throw new SentrlError(
      "METRIC_K_ABOVE_N",
      `pass@${k} needs at least ${k} samples per problem, got n=${n}; raise --n or lower k`,
    );
}

/**
 * Unbiased pass@k of one problem with `n` samples of which `c` are correct (Chen et al. 2021):
 * `1 − C(n−c, k)/C(n, k)`, computed as `1 − Π_{i=n−c+1..n} (1 − k/i)` (stable; openai/human-eval
 * `estimate_pass_at_k`). Equals OpenCompass's G-Pass@k at threshold 0.
 *
 * @example
 * ```ts
 * passAtK(16, 3, 8); // 0.9
 * passAtK(32, 2, 1); // 0.0625
 * ```
 */
export function passAtK(n: number, c: number, k: number): number {
  checkCounts(n, c, k);
  if (n - c < k) return 1;
  let prod = 1;
  for (let i = n - c + 1; i <= n; i++) prod *= 1 - k / i;
  return 1 - prod;
}

/**
 * Avg@k of one problem: the fraction correct among its first `k` samples (a problem's `correct` flags in
 * sample order). The benchmark's Avg@k is the mean over problems (× 100 for a percentage).
 *
 * @example
 * ```ts
 * avgAtK([true, false, true, true], 4); // 0.75
 * ```
 */
export function avgAtK(correct: ArrayLike<boolean | number>, k: number): number {
  checkCounts(correct.length, 0, k);
  let c = 0;
  for (let i = 0; i < k; i++) if (correct[i]) c++;
  return c / k;
}

/** One sample as majority voting sees it: its answer key (null = no answer) and whether it is correct. */
export interface VoteSample {
  key: string | null;
  correct: boolean;
}

/**
 * Maj@k of one problem: 1 when the most frequent answer among the first `k` samples is correct (samples without an
 * answer do not vote; ties go to the answer seen first), else 0.
 *
 * @example
 * ```ts
 * majAtK([{ key: "2", correct: true }, { key: "3", correct: false }, { key: "2", correct: true }], 3); // 1
 * ```
 */
export function majAtK(samples: readonly VoteSample[], k: number): number {
  checkCounts(samples.length, 0, k);
  const counts = new Map<string, { n: number; correct: boolean }>();
  let best: { n: number; correct: boolean } | null = null;
  for (let i = 0; i < k; i++) {
    const s = samples[i] as VoteSample;
    if (s.key === null) continue;
    let e = counts.get(s.key);
    if (!e) {
      e = { n: 0, correct: s.correct };
      counts.set(s.key, e);
    }
    e.n++;
    if (best === null || e.n > best.n) best = e;
  }
  return best?.correct ? 1 : 0;
}
