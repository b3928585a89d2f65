import { SentrlError } from "../errors.js";

/**
 * Checkpointable state of an {@link Rng}: plain JSON (four unsigned 32-bit words of xoshiro128** and the cached
 * second Box–Muller normal, if any), so a resumed run continues the exact same stream.
 */
export interface RngState {
  algorithm: "xoshiro128**";
  s: [number, number, number, number];
  /** The second normal deviate of the last Box–Muller pair, not yet returned. */
  spare: number | null;
}

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/** splitmix32 step: the standard way to expand a small seed into xoshiro state words. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A small, fast, seedable PRNG: xoshiro128** (Blackman & Vigna, 2018), 128-bit state, period 2^128 − 1, all
 * 32-bit integer arithmetic. Every stochastic choice in sentrl draws from one of these, seeded by
 * {@link deriveSeed}, so runs are reproducible and resumable from {@link Rng.state}.
 *
 * Draws: `uint32()`, `uniform()` (53-bit double in [0, 1)), `int(n)` (unbiased in [0, n)), `normal()`
 * (Box–Muller), `categorical(weights)`, `shuffle(array)` (Fisher–Yates, in place).
 *
 * @example
 * ```ts
 * import { Rng, deriveSeed } from "@sentrl/core";
 * const rng = new Rng(deriveSeed(1, 0, "data-shuffle"));
 * const order = rng.shuffle([0, 1, 2, 3]);
 * const saved = rng.state();
 * const again = Rng.fromState(saved); // continues exactly where `rng` is
 * ```
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  /** Seeds from any finite number (integers up to 2^53 are distinct seeds; other numbers are truncated). */
  constructor(seed = 0) {
    if (!Number.isFinite(seed)) throw new SentrlError("RNG_BAD_SEED", `seed must be a finite number, got ${seed}`);
    const t = Math.trunc(Math.abs(seed));
    const lo = (t % TWO_POW_32) >>> 0;
    const hi = Math.floor(t / TWO_POW_32) >>> 0;
    let x = lo ^ Math.imul(hi, 0x27d4eb2d) ^ (seed < 0 ? 0x5bd1e995 : 0);
    this.s0 = x = splitmix32(x);
    this.s1 = x = splitmix32(x ^ hi);
    this.s2 = x = splitmix32(x);
    this.s3 = splitmix32(x);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Restores a generator saved by {@link Rng.state}. */
  static fromState(state: RngState): Rng {
    if (
      state?.algorithm !== "xoshiro128**" ||
      !Array.isArray(state.s) ||
      state.s.length !== 4 ||
      state.s.some((w) => !Number.isInteger(w) || w < 0 || w >= TWO_POW_32) ||
      state.s.every((w) => w === 0)
    ) {
      throw new SentrlError(
        "RNG_BAD_STATE",
        "not an xoshiro128** state (expected {algorithm, s: [4 uint32, not all 0], spare})",
      );
    }
    const rng = new Rng(0);
    [rng.s0, rng.s1, rng.s2, rng.s3] = state.s;
    rng.spare = typeof state.spare === "number" ? state.spare : null;
    return rng;
  }

  /** A JSON-serialisable copy of the state. */
  state(): RngState {
    return {
      algorithm: "xoshiro128**",
      s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0],
      spare: this.spare,
    };
  }

  /** An independent copy at the same position. */
  clone(): Rng {
    return Rng.fromState(this.state());
  }

  /** Next 32-bit unsigned integer. */
  uint32(): number {
    const s1 = this.s1;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.uint32() >>> 5;
    const b = this.uint32() >>> 6;
    return (a * 67108864 + b) / TWO_POW_53;
  }

  /** Unbiased integer in [0, n) (rejection sampling; `n` a positive integer ≤ 2^32, else `floor(uniform()·n)`). */
  int(n: number): number {
    if (!(n > 0) || !Number.isInteger(n))
      throw new SentrlError("RNG_BAD_ARGUMENT", `int(n) needs a positive integer, got ${n}`);
    if (n > TWO_POW_32) return Math.floor(this.uniform() * n);
    const threshold = (TWO_POW_32 - n) % n;
    for (;;) {
      const x = this.uint32();
      if (x >= threshold) return x % n;
    }
  }

  /** Standard normal deviate (Box–Muller; the second value of each pair is cached and part of the state). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + std * z;
    }
    const u1 = 1 - this.uniform(); // (0, 1]
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spare = r * Math.sin(theta);
    return mean + std * r * Math.cos(theta);
  }

  /**
   * Index drawn with probability proportional to `weights[i]` (non-negative, not necessarily normalised; pass
   * `total` when already known). One uniform draw, linear scan.
   */
  categorical(weights: ArrayLike<number>, total?: number): number {
    const n = weights.length;
    if (n === 0) throw new SentrlError("RNG_BAD_ARGUMENT", "categorical() needs at least one weight");
    let sum = total;
    if (sum === undefined) {
      sum = 0;
      for (let i = 0; i < n; i++) sum += weights[i];
    }
    if (!(sum > 0) || !Number.isFinite(sum)) {
      throw new SentrlError("RNG_BAD_ARGUMENT", `categorical() needs a positive finite total weight, got ${sum}`);
    }
    let u = this.uniform() * sum;
    let last = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i];
      if (w > 0) {
        last = i;
        if (u < w) return i;
        u -= w;
      }
    }
    return last; // rounding left u ≥ the last weight: the last positive-weight index
  }

  /** Fisher–Yates shuffle, in place; returns the same array. */
  shuffle<T, A extends { length: number; [i: number]: T }>(array: A): A {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }
}
