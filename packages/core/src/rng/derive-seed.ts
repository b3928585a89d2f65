import { SentrlError } from "../errors.js";

const encoder = new TextEncoder();

/** murmur3's 32-bit finaliser: a bijective avalanche mix. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over the UTF-8 bytes of a string. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A stable 32-bit seed for one purpose at one step of a run: the same `(seed, step, purpose)` gives the same
 * value on every platform and version, different purposes give unrelated streams.
 *
 * Definition (so other implementations can reproduce it): with `lo`/`hi` the low/high 32 bits of the
 * non-negative integer `seed` (< 2^53) and `step` (< 2^53), `h = fnv1a32(purpose)`, then for each word `w` of
 * `[lo, hi, stepLo, stepHi]` in turn `h = fmix32(h ^ w) + 0x9e3779b9 (mod 2^32)`, and finally `fmix32(h)`.
 *
 * @example
 * ```ts
 * import { Rng, deriveSeed } from "@sentrl/core";
 * const rng = new Rng(deriveSeed(1, 12, "plugin:curriculum:beforeRollout"));
 * ```
 */
export function deriveSeed(seed: number, step: number, purpose: string): number {
  for (const [name, v] of [
    ["seed", seed],
    ["step", step],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new SentrlError("RNG_BAD_SEED", `deriveSeed: ${name} must be a non-negative safe integer, got ${v}`);
    }
  }
  let h = fnv1a32(purpose);
  for (const w of [seed >>> 0, Math.floor(seed / 4294967296) >>> 0, step >>> 0, Math.floor(step / 4294967296) >>> 0]) {
    h = (fmix32(h ^ w) + 0x9e3779b9) >>> 0;
  }
  return fmix32(h);
}
