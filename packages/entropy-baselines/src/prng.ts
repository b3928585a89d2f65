import { Rng } from "@sentrl/core";

/**
 * The small PRNG of Clip-Cov's random token choice (docs/algorithms.md §7.5: "seeded PRNG + Fisher–Yates; exact torch RNG
 * parity is not feasible"). Documented bit for bit so other implementations (our PyTorch reference,
 * `tools/torch-ref/sent_losses.py`) reproduce the same choices:
 *
 * - seeding: the 32-bit seed s is expanded by four successive splitmix32 outputs
 *   (`s += 0x9e3779b9; z = s; z = (z ^ z>>>16)·0x85ebca6b; z = (z ^ z>>>13)·0xc2b2ae35; z ^= z>>>16`, all mod 2^32)
 *   into the xoshiro128** state (an all-zero state, never produced in practice, becomes [1, 0, 0, 0]);
 * - `uint32()`: xoshiro128** (Blackman & Vigna 2018): `rotl(s1·5, 7)·9`, then the standard state update;
 * - `below(n)`: bitmask rejection: `x = uint32() & (2^ceil(log2 n) − 1)` until `x < n` (unbiased, exact in any
 *   language; `below(1)` consumes one draw and returns 0).
 *
 * @example
 * ```ts
 * import { ClipCovRng } from "@sentrl/entropy-baselines";
 * const rng = new ClipCovRng(42);
 * rng.below(10); // an integer in [0, 10)
 * ```
 */
export class ClipCovRng {
  /** The xoshiro128** stream itself is core's {@link Rng}; only the seeding and `below` are Clip-Cov's own. */
  private readonly rng: Rng;

  /** `seed` is reduced to 32 bits (ToUint32). */
  constructor(seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    const s: [number, number, number, number] = [next(), next(), next(), next()];
    if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
    this.rng = Rng.fromState({ algorithm: "xoshiro128**", s, spare: null });
  }

  /** Next unsigned 32-bit integer (xoshiro128**). */
  uint32(): number {
    return this.rng.uint32();
  }

  /** Uniform integer in [0, n) for 1 ≤ n ≤ 2^32, by bitmask rejection. */
  below(n: number): number {
    const bits = 32 - Math.clz32(n - 1);
    const mask = bits >= 32 ? 0xffffffff : (1 << bits) - 1;
    for (;;) {
      const x = (this.uint32() & mask) >>> 0;
      if (x < n) return x;
    }
  }
}

/**
 * Partial Fisher–Yates: afterwards `items[0..m)` are the first m entries of a uniformly random permutation of
 * `items` (for i = 0..m−1: swap items[i] with items[i + below(len − i)]). Returns `min(m, items.length)`.
 *
 * @example
 * ```ts
 * import { ClipCovRng, partialShuffle } from "@sentrl/entropy-baselines";
 * const items = Int32Array.from([10, 11, 12, 13]);
 * partialShuffle(items, 2, new ClipCovRng(5)); // items[0..2) is a uniform random ordered pair
 * ```
 */
export function partialShuffle(items: Int32Array, m: number, rng: ClipCovRng): number {
  const len = items.length;
  const k = Math.min(m, len);
  for (let i = 0; i < k; i++) {
    const j = i + rng.below(len - i);
    const t = items[i];
    items[i] = items[j];
    items[j] = t;
  }
  return k;
}
