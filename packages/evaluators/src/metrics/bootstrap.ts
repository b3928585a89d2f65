import { Rng, SentrlError } from "@sentrl/core";

/** A bootstrap percentile interval of a mean. */
export interface ConfidenceInterval {
  mean: number;
  lo: number;
  hi: number;
  /** Coverage, e.g. 0.95. */
  level: number;
  resamples: number;
}

export interface BootstrapOptions {
  /** Number of resamples (default 1000). */
  resamples?: number;
  /** Coverage (default 0.95). */
  level?: number;
  /** Seed of the resampling stream (default 0): same seed, same interval. */
  seed?: number;
}

/** The q-quantile (linear interpolation, numpy's default) of a sorted array. */
function quantileSorted(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

/**
 * Seeded percentile-bootstrap confidence interval of the mean of per-problem scores (problems resampled with
 * replacement).
 *
 * @example
 * ```ts
 * const ci = bootstrapCI([1, 0, 1, 1, 0, 1], { seed: 7 });
 * ci.lo <= ci.mean && ci.mean <= ci.hi; // true
 * ```
 */
export function bootstrapCI(values: ArrayLike<number>, options: BootstrapOptions = {}): ConfidenceInterval {
  const resamples = options.resamples ?? 1000;
  const level = options.level ?? 0.95;
  const n = values.length;
  if (!(level > 0 && level < 1) || !Number.isInteger(resamples) || resamples < 1) {
    throw new SentrlError(
      "METRIC_BAD_BOOTSTRAP",
      `need 0 < level < 1 and an integer resamples >= 1, got level=${level}, resamples=${resamples}`,
    );
  }
  if (n === 0) return { mean: Number.NaN, lo: Number.NaN, hi: Number.NaN, level, resamples };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i] as number;
  const rng = new Rng(options.seed ?? 0);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[rng.int(n)] as number;
    means[r] = s / n;
  }
  means.sort();
  const tail = (1 - level) / 2;
  return { mean: sum / n, lo: quantileSorted(means, tail), hi: quantileSorted(means, 1 - tail), level, resamples };
}
