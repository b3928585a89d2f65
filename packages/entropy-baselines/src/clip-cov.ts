import {
  type LossContext,
  type LossWorkspace,
  MASKED_MEAN_EPS,
  type PolicyLoss,
  type PolicyLossDefinition,
  type TokenBatch,
  type TokenSelection,
  checkNumberOption,
  withLossDefaults,
} from "@sentrl/core";
import { nonNeg, ratio01 } from "./options.js";
import { ClipCovRng, partialShuffle } from "./prng.js";

/** Options of `clip-cov` (docs/contracts.md §2). */
export type ClipCovOptions = {
  clipCovRatio: number;
  clipCovLb: number;
  clipCovUb: number;
  clipRatioLow: number;
  clipRatioHigh: number;
  /** XORed into the trainer's per-call seed (`ctx.seed`) to seed the random choice. */
  seed: number;
};
/** Defaults: verl YAML / PRIME scripts (docs/algorithms.md §7.5). */
export const CLIP_COV_DEFAULTS: ClipCovOptions = {
  clipCovRatio: 0.0002,
  clipCovLb: 1.0,
  clipCovUb: 5.0,
  clipRatioLow: 0.2,
  clipRatioHigh: 0.2,
  seed: 0,
};

/** `clip-cov` selection: `corr` is 0 on the randomly chosen tokens (detached from the gradient), 1 elsewhere. */
export interface ClipCovSelection extends TokenSelection {
  tokens: { corr: Uint8Array };
  metrics: Record<string, number>;
}

/**
 * Clip-Cov's selection (docs/algorithms.md §7.5) on detached values:
 * `cov = (A − masked_mean(A))(logp − masked_mean(logp))` (masked means with +1e-8), excluded on padding and on
 * tokens already clipped by the surrogate (`pg2 > pg1`); the candidates are the valid tokens with
 * `clipCovLb < cov < clipCovUb` in row-major order, and the first `min(max(trunc(clipCovRatio·n), 1), |cand|)` of a
 * uniformly random permutation of them (partial Fisher–Yates with {@link ClipCovRng} seeded by
 * `(ctx.seed ^ seed) >>> 0`) get `corr = 0`.
 *
 * @example
 * ```ts
 * import { CLIP_COV_DEFAULTS, clipCovSelect } from "@sentrl/entropy-baselines";
 * const sel = clipCovSelect({ rows: 1, cols: 2, mask: new Uint8Array([1, 1]), logp: new Float64Array([-1, -3]),
 *   oldLogp: new Float64Array([-1, -3]), advantages: new Float64Array([2, -2]) }, CLIP_COV_DEFAULTS, 1);
 * sel.tokens.corr; // one of the two tokens (cov = 2 each) is 0
 * ```
 */
export function clipCovSelect(
  scope: TokenBatch,
  o: ClipCovOptions,
  ctxSeed: number,
  workspace?: LossWorkspace,
): ClipCovSelection {
  const { mask, advantages: A, logp, oldLogp } = scope;
  const size = scope.rows * scope.cols;
  const corr = (workspace ? workspace.u8("clip-cov.corr", size) : new Uint8Array(size)).fill(1);
  let n = 0;
  let sa = 0;
  let sl = 0;
  for (let i = 0; i < size; i++) {
    if (mask[i] !== 0) {
      n++;
      sa += A[i];
      sl += logp[i];
    }
  }
  const ma = sa / (n + MASKED_MEAN_EPS);
  const ml = sl / (n + MASKED_MEAN_EPS);
  const lo = 1 - o.clipRatioLow;
  const hi = 1 + o.clipRatioHigh;
  // candidate positions (a workspace buffer of the scope's size keeps the shape constant across calls)
  const cand = workspace ? workspace.i32("clip-cov.cand", size) : new Int32Array(n);
  let nc = 0;
  for (let i = 0; i < size; i++) {
    if (mask[i] === 0) continue;
    // the cheap covariance test first: the ratio (an exp) is needed only for the few tokens inside (lb, ub)
    const cov = (A[i] - ma) * (logp[i] - ml);
    if (!(cov > o.clipCovLb && cov < o.clipCovUb)) continue;
    const r = Math.exp(logp[i] - oldLogp[i]);
    const pg1 = -A[i] * r;
    const pg2 = -A[i] * Math.min(Math.max(r, lo), hi);
    if (pg2 > pg1) continue; // clipped by the surrogate: cov = −∞
    cand[nc++] = i;
  }
  const clipNum = Math.max(Math.trunc(o.clipCovRatio * n), 1);
  const candidates = cand.subarray(0, nc);
  const m = nc > 0 ? partialShuffle(candidates, clipNum, new ClipCovRng((ctxSeed ^ o.seed) >>> 0)) : 0;
  for (let t = 0; t < m; t++) corr[candidates[t]] = 0;
  return { tokens: { corr }, metrics: { "clip_cov/candidates": nc, "clip_cov/detached_tokens": m } };
}

/**
 * The `clip-cov` policy loss (Cui et al. 2025; docs/algorithms.md §7.5): the clipped surrogate `max(pg1, pg2)` without
 * dual-clip and without the ±20 clamp, multiplied by `corr`: a few random tokens with a high log-prob·advantage
 * covariance contribute 0 and no gradient (they still count in the denominator).
 * Metrics: `pg_clipfrac = masked_mean(corr == 0)`, `ppo_kl = masked_mean(−Δ)`, `pg_clipfrac_lower = 0`.
 *
 * @example
 * ```ts
 * import { evaluatePolicyLoss } from "@sentrl/core";
 * import { clipCovLoss } from "@sentrl/entropy-baselines";
 * const batch = { rows: 1, cols: 2, mask: new Uint8Array([1, 1]), logp: new Float64Array([-1, -3]),
 *   oldLogp: new Float64Array([-1, -3]), advantages: new Float64Array([2, -2]) };
 * evaluatePolicyLoss(clipCovLoss.create({ seed: 7 }), batch, {}, { seed: 1 }).metrics.pg_clipfrac; // ≈ 0.5
 * ```
 */
export const clipCovLoss: PolicyLossDefinition<ClipCovOptions> = {
  name: "clip-cov",
  description: "Clip-Cov: detach a few random high log-prob·advantage covariance tokens from the clipped surrogate",
  defaults: CLIP_COV_DEFAULTS,
  create(options: Partial<ClipCovOptions> = {}): PolicyLoss<ClipCovSelection> {
    const o = withLossDefaults("clip-cov", CLIP_COV_DEFAULTS, options);
    checkNumberOption("clipCovRatio", o.clipCovRatio, ratio01, "a ratio in [0, 1]");
    checkNumberOption("clipCovLb", o.clipCovLb, () => true, "a finite number");
    checkNumberOption("clipCovUb", o.clipCovUb, (x) => x > o.clipCovLb, "a number > clipCovLb");
    checkNumberOption("clipRatioLow", o.clipRatioLow, nonNeg, "a number >= 0");
    checkNumberOption("clipRatioHigh", o.clipRatioHigh, nonNeg, "a number >= 0");
    checkNumberOption("seed", o.seed, Number.isInteger, "an integer");
    const select = (scope: TokenBatch, ctx?: LossContext) => clipCovSelect(scope, o, ctx?.seed ?? 0, ctx?.workspace);
    const lo = 1 - o.clipRatioLow;
    const hi = 1 + o.clipRatioHigh;
    return {
      name: "clip-cov",
      select,
      tokenLoss(batch: TokenBatch, selection: ClipCovSelection | undefined, ctx: LossContext) {
        const corr = (selection ?? select(batch, ctx)).tokens.corr;
        const { mask, logp, oldLogp, advantages: A } = batch;
        const n = batch.rows * batch.cols;
        const ws = ctx?.workspace;
        // written wherever mask != 0 (the detached tokens get explicit zeros, so workspace buffers need no clearing)
        const loss = ws ? ws.f64("clip-cov.loss", n) : new Float64Array(n);
        const dLogp = ws ? ws.f64("clip-cov.dLogp", n) : new Float64Array(n);
        let count = 0;
        let kl = 0;
        let zeroed = 0;
        for (let i = 0; i < n; i++) {
          if (mask[i] === 0) continue;
          const d = logp[i] - oldLogp[i];
          count++;
          kl -= d;
          if (corr[i] === 0) {
            zeroed++;
            loss[i] = 0;
            dLogp[i] = 0;
            continue;
          }
          const r = Math.exp(d);
          const pg1 = -A[i] * r;
          const pg2 = -A[i] * Math.min(Math.max(r, lo), hi);
          const g2 = r >= lo && r <= hi ? pg1 : 0;
          if (pg1 > pg2) {
            loss[i] = pg1;
            dLogp[i] = pg1;
          } else if (pg2 > pg1) {
            loss[i] = pg2;
            dLogp[i] = g2;
          } else {
            loss[i] = pg1;
            dLogp[i] = 0.5 * (pg1 + g2);
          }
        }
        const den = count + MASKED_MEAN_EPS;
        return { loss, dLogp, metrics: { pg_clipfrac: zeroed / den, ppo_kl: kl / den, pg_clipfrac_lower: 0 } };
      },
    };
  },
};
