/** A small seeded PRNG (mulberry32): deterministic uniforms in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` seeded values uniform in `[-scale, scale)`. */
export function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const rng = mulberry32(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (rng() * 2 - 1) * scale;
  return a;
}

/**
 * Throws unless `|actual[i] − expected[i]| ≤ atol + rtol·|expected[i]|` for every i (and lengths match);
 * the message names the worst element.
 */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, atol = 1e-5, rtol = 1e-5): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length}, expected ${expected.length}`);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (Number.isNaN(a) !== Number.isNaN(e) || excess > worstExcess || (Number.isNaN(excess) && !Number.isNaN(e))) {
      worst = i;
      worstExcess = Number.isNaN(excess) ? Number.POSITIVE_INFINITY : excess;
    }
  }
  if (worst >= 0) throw new Error(`${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (atol ${atol}, rtol ${rtol})`);
}

/** Throws unless `fn` throws an error whose `code` is `code`. */
export function assertThrowsCode(fn: () => unknown, code: string, what: string): void {
  try {
    fn();
  } catch (e) {
    const got = (e as { code?: unknown }).code;
    if (got === code) return;
    throw new Error(`${what}: expected error code ${code}, got ${String(got)} (${(e as Error).message})`);
  }
  throw new Error(`${what}: expected error code ${code}, nothing was thrown`);
}
