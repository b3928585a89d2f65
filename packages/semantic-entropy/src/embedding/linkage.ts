import { SentrlError } from "@sentrl/core";

/**
 * How clusters join at a similarity threshold t: `single` merges two clusters if any cross pair has similarity ≥ t
 * (connected components of the ≥ t graph); `complete` repeatedly merges the two clusters whose least similar cross
 * pair is most similar, while that similarity is ≥ t (every pair inside a cluster ends ≥ t). Ties: the pair of
 * clusters that comes first by first member.
 */
export type Linkage = "single" | "complete";

export const LINKAGES: readonly Linkage[] = ["single", "complete"];

/**
 * Clusters items from a symmetric similarity matrix (row-major `m × m`, or rows) at `threshold`; ids in
 * first-seen order.
 *
 * @example
 * const sim = [[1, 0.9, 0.1], [0.9, 1, 0.85], [0.1, 0.85, 1]];
 * clusterBySimilarity(sim, 0.8, "single"); // Int32Array [0, 0, 0]
 * clusterBySimilarity(sim, 0.8, "complete"); // Int32Array [0, 0, 1]
 */
export function clusterBySimilarity(
  sim: readonly ArrayLike<number>[],
  threshold: number,
  linkage: Linkage = "single",
): Int32Array {
  if (!LINKAGES.includes(linkage))
    throw new SentrlError("SE_UNKNOWN_LINKAGE", `unknown linkage \`${linkage}\`; use single or complete`);
  if (!Number.isFinite(threshold))
    throw new SentrlError("SE_BAD_THRESHOLD", `threshold must be a finite number, got ${threshold}`);
  const m = sim.length;
  let clusters: number[][] = Array.from({ length: m }, (_, i) => [i]);
  for (;;) {
    let best = Number.NEGATIVE_INFINITY;
    let bi = -1;
    let bj = -1;
    for (let a = 0; a < clusters.length; a++) {
      for (let b = a + 1; b < clusters.length; b++) {
        let v = linkage === "single" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
        for (const i of clusters[a])
          for (const j of clusters[b]) v = linkage === "single" ? Math.max(v, sim[i][j]) : Math.min(v, sim[i][j]);
        if (v >= threshold && v > best) {
          best = v;
          bi = a;
          bj = b;
        }
      }
    }
    if (bi < 0) break;
    clusters[bi] = [...clusters[bi], ...clusters[bj]].sort((x, y) => x - y);
    clusters.splice(bj, 1);
    clusters = clusters.sort((x, y) => x[0] - y[0]);
  }
  const ids = new Int32Array(m);
  clusters.forEach((c, k) => {
    for (const i of c) ids[i] = k;
  });
  return ids;
}
