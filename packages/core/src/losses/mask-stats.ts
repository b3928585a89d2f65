/**
 * Internal: per-row counts of valid tokens of a 0/1 mask into `out` (length `rows`); returns the total. Only valid
 * for masks already checked to hold 0/1 (see `validateTokenBatch`).
 */
export function rowMaskCounts(mask: Uint8Array, rows: number, cols: number, out: Float64Array): number {
  let total = 0;
  for (let b = 0; b < rows; b++) {
    let c = 0;
    for (let i = b * cols, e = i + cols; i < e; i++) c += mask[i];
    out[b] = c;
    total += c;
  }
  return total;
}
