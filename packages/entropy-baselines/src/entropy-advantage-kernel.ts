import { type GrpoClip, type GrpoTermBuffers, MASKED_MEAN_EPS, type TokenLossResult } from "@sentrl/core";

/** Tokens per kernel call: a kernel called often is optimised by V8 as a whole function (see core's grpo). */
const BLOCK = 4096;
/** Running sums: valid count, Σ(−Δ), clip count, lower-clip count, Σ bonus, capped count. */
const SUMS = new Float64Array(6);
/** The kernel's constants (α, κ, 1 − ε_lo, 1 + ε_hi, c) through a module array: fewer live arguments, measurably faster. */
const PARAMS = new Float64Array(5);

/**
 * Internal: the per-token terms of `entropy-advantage` in one pass — the shaping `A + min(α·H, |A|/κ)` of
 * `shapeAdvantages` fused into a copy of core's `grpoTokenTerms` kernel, so no shaped-advantage array is built.
 * Same operations in the same order as `grpoTokenTerms({ ...batch, advantages: shapeAdvantages(...) }, clip, mask,
 * out)`, hence bit-identical terms and metrics (`pg_clipfrac`, `ppo_kl`, `pg_clipfrac_lower`,
 * `entropy_adv/mean_bonus`, `entropy_adv/capped_frac`). Without `out` every position is written (padding with the
 * unshaped A); with `out.skipOffMask` padding is skipped.
 */
export function entropyAdvantageTerms(
  logp: ArrayLike<number>,
  oldLogp: ArrayLike<number>,
  advantages: ArrayLike<number>,
  entropy: ArrayLike<number>,
  mask: Uint8Array,
  alpha: number,
  kappa: number,
  clip: GrpoClip,
  out?: GrpoTermBuffers,
): TokenLossResult & { metrics: Record<string, number> } {
  const n = mask.length;
  const loss = out?.loss ?? new Float64Array(n);
  const dLogp = out?.dLogp ?? new Float64Array(n);
  const lo = 1 - clip.clipRatioLow;
  const hi = 1 + clip.clipRatioHigh;
  const skip = out?.skipOffMask === true;
  const sums = SUMS.fill(0);
  PARAMS[0] = alpha;
  PARAMS[1] = kappa;
  PARAMS[2] = lo;
  PARAMS[3] = hi;
  PARAMS[4] = clip.clipRatioC;
  for (let s = 0; s < n; s += BLOCK) {
    const e = Math.min(n, s + BLOCK);
    fusedKernel(logp, oldLogp, advantages, entropy, mask, loss, dLogp, s, e, skip, sums);
  }
  const den = sums[0] + MASKED_MEAN_EPS;
  return {
    loss,
    dLogp,
    metrics: {
      pg_clipfrac: sums[2] / den,
      ppo_kl: sums[1] / den,
      pg_clipfrac_lower: sums[3] / den,
      "entropy_adv/mean_bonus": sums[4] / den,
      "entropy_adv/capped_frac": sums[5] / den,
    },
  };
}

/** The fused loop over `[start, end)`; continues the running sums of {@link SUMS}. */
function fusedKernel(
  logp: ArrayLike<number>,
  oldLogp: ArrayLike<number>,
  adv: ArrayLike<number>,
  entropy: ArrayLike<number>,
  mask: Uint8Array,
  loss: Float64Array,
  dLogp: Float64Array,
  start: number,
  end: number,
  skip: boolean,
  sums: Float64Array,
): void {
  const alpha = PARAMS[0];
  const kappa = PARAMS[1];
  const lo = PARAMS[2];
  const hi = PARAMS[3];
  const clipRatioC = PARAMS[4];
  let count = sums[0];
  let klSum = sums[1];
  let clipCount = sums[2];
  let lowerCount = sums[3];
  let bonus = sums[4];
  let capped = sums[5];
  let lastA = 0;
  let lastCap = 0; // |0|/κ
  for (let i = start; i < end; i++) {
    if (skip && mask[i] === 0) continue;
    const a = adv[i];
    let A = a;
    if (mask[i] !== 0) {
      // shapeAdvantages: A + min(α·H, |A|/κ)
      const b = alpha * entropy[i];
      // |A|/κ: A is constant along a response in practice, so reuse the last quotient (same value, no division)
      if (a !== lastA) {
        lastA = a;
        lastCap = Math.abs(a) / kappa;
      }
      const cap = lastCap;
      // a + min(b, cap) with one comparison (equal values: min returns b, as here; cap ≥ +0 so ±0 ties agree)
      if (b > cap) {
        A = a + cap;
        capped++;
      } else A = a + b;
      bonus += A - a;
    }
    // grpo's kernel (core grpo.ts), unchanged
    const raw = logp[i] - oldLogp[i];
    const d = raw < -20 ? -20 : Math.min(raw, 20);
    const r = Math.exp(d);
    const g1 = d === raw ? -A * r : 0;
    const rc = r < lo ? lo : Math.min(r, hi);
    const pg1 = -A * r;
    const pg2 = -A * rc;
    let l: number;
    let g: number;
    if (rc === r || pg1 === pg2) {
      l = pg1;
      g = rc === r ? g1 : 0.5 * g1;
    } else if (pg1 > pg2) {
      l = pg1;
      g = g1;
    } else {
      l = pg2;
      g = 0;
    }
    let lower = 0;
    if (A < 0) {
      const pg3 = -A * clipRatioC;
      if (l > pg3) {
        l = pg3;
        g = 0;
        lower = 1;
      } else if (l === pg3) {
        g *= 0.5;
      }
    }
    loss[i] = l;
    dLogp[i] = g;
    const m = mask[i] !== 0 ? 1 : 0;
    count += m;
    klSum -= m * d;
    clipCount += pg2 > pg1 ? m : 0;
    lowerCount += lower * m;
  }
  sums[0] = count;
  sums[1] = klSum;
  sums[2] = clipCount;
  sums[3] = lowerCount;
  sums[4] = bonus;
  sums[5] = capped;
}
