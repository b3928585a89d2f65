/**
 * Internal: the number of non-zero bytes of a 0/1 mask over the flat range `[start, end)`, four bytes at a time
 * through a Uint32 view of the mask's buffer where it is aligned (`(w · 0x01010101) >>> 24` sums the four bytes of a
 * word whose bytes are 0 or 1). Only valid for masks already checked to hold 0/1 (see `validateTokenBatch`).
 */
export function countMaskOnes(mask: Uint8Array, words: Uint32Array | undefined, start: number, end: number): number {
  let c = 0;
  let i = start;
  if (words !== undefined) {
    const head = Math.min(end, (i + 3) & ~3);
    for (; i < head; i++) c += mask[i];
    const wEnd = end >> 2;
    for (let w = i >> 2; w < wEnd; w++) c += Math.imul(words[w], 0x01010101) >>> 24;
    i = Math.max(i, wEnd << 2);
  }
  for (; i < end; i++) c += mask[i];
  return c;
}

/** Internal: a Uint32 view over the whole words of `mask` (undefined when its byteOffset is not 4-aligned). */
export function maskWords(mask: Uint8Array): Uint32Array | undefined {
  if ((mask.byteOffset & 3) !== 0) return undefined;
  return new Uint32Array(mask.buffer, mask.byteOffset, mask.length >> 2);
}

/**
 * Internal: per-row counts of valid tokens of a 0/1 mask into `out` (length `rows`); returns the total.
 */
export function rowMaskCounts(mask: Uint8Array, rows: number, cols: number, out: Float64Array): number {
  const words = maskWords(mask);
  let total = 0;
  for (let b = 0; b < rows; b++) {
    const c = countMaskOnes(mask, words, b * cols, (b + 1) * cols);
    out[b] = c;
    total += c;
  }
  return total;
}
