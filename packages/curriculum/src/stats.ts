/** Summary statistics and histograms of semantic-entropy scores for the curriculum manifest. */

export interface SEStats {
  count: number;
  mean: number | null;
  std: number | null;
  min: number | null;
  p25: number | null;
  median: number | null;
  p75: number | null;
  max: number | null;
  /** Rows with SE exactly 0 (every sample in one cluster). */
  zeros: number;
}

export interface Histogram {
  /** Bin edges (bins + 1 of them); bin b is [edges[b], edges[b+1]), the last bin closed. */
  edges: number[];
  counts: number[];
}

function quantileSorted(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Count, mean, population std, min, quartiles (linear interpolation) and max.
 *
 * @example
 * seStats([0, 0.5, 1]).median; // 0.5
 */
export function seStats(values: ArrayLike<number>): SEStats {
  const n = values.length;
  if (n === 0)
    return { count: 0, mean: null, std: null, min: null, p25: null, median: null, p75: null, max: null, zeros: 0 };
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < n; i++) {
    sum += sorted[i];
    if (sorted[i] === 0) zeros++;
  }
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (sorted[i] - mean) ** 2;
  return {
    count: n,
    mean,
    std: Math.sqrt(ss / n),
    min: sorted[0],
    p25: quantileSorted(sorted, 0.25),
    median: quantileSorted(sorted, 0.5),
    p75: quantileSorted(sorted, 0.75),
    max: sorted[n - 1],
    zeros,
  };
}

/** Equal-width bin edges over [lo, hi] (a zero-width range becomes [lo, lo + 1]). */
export function histogramEdges(lo: number, hi: number, bins: number): number[] {
  if (!(hi > lo)) hi = lo + 1;
  return Array.from({ length: bins + 1 }, (_, b) => (b === bins ? hi : lo + ((hi - lo) * b) / bins));
}

/**
 * Counts values into fixed bins (values outside the edges are clamped into the first / last bin).
 *
 * @example
 * histogram([0, 0.1, 0.9], [0, 0.5, 1]).counts; // [2, 1]
 */
export function histogram(values: ArrayLike<number>, edges: number[]): Histogram {
  const bins = edges.length - 1;
  const counts = new Array<number>(bins).fill(0);
  const lo = edges[0];
  const width = (edges[bins] - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    let b = Math.floor((values[i] - lo) / width);
    if (b < 0) b = 0;
    if (b >= bins) b = bins - 1;
    // guard float error at edges
    while (b > 0 && values[i] < edges[b]) b--;
    while (b < bins - 1 && values[i] >= edges[b + 1]) b++;
    counts[b]++;
  }
  return { edges, counts };
}
