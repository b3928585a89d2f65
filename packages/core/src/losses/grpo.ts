import type { LossContext, PolicyLoss, PolicyLossDefinition, TokenLossResult } from "../contracts/policy-loss.js";
import type { TokenBatch } from "../contracts/token-batch.js";
import { MASKED_MEAN_EPS } from "./aggregation.js";
import { checkNumberOption } from "./option-checks.js";

/** Options of the `grpo` loss (docs/contracts.md §2). `clipRatioLow`/`clipRatioHigh` default to `clipRatio`. */
export type GrpoOptions = {
  clipRatio: number;
  clipRatioLow?: number;
  clipRatioHigh?: number;
  /** Dual-clip constant c (> 1): bounds the loss of negative-advantage tokens at −A·c. */
  clipRatioC: number;
};

/** Defaults of {@link GrpoOptions}; `undefined` marks a default derived from `clipRatio`. */
export const GRPO_DEFAULTS: GrpoOptions = {
  clipRatio: 0.2,
  clipRatioLow: undefined,
  clipRatioHigh: undefined,
  clipRatioC: 3.0,
};

/** The resolved clip constants of the clipped surrogate. */
export interface GrpoClip {
  clipRatioLow: number;
  clipRatioHigh: number;
  clipRatioC: number;
}

/**
 * Resolves and validates the `grpo` options (`LOSS_BAD_OPTION` on a bad value): clip ratios finite and ≥ 0,
 * `clipRatioC` > 1.
 *
 * @example
 * ```ts
 * import { resolveGrpoClip } from "@sentrl/core";
 * resolveGrpoClip({ clipRatioHigh: 0.28 }); // { clipRatioLow: 0.2, clipRatioHigh: 0.28, clipRatioC: 3 }
 * ```
 */
export function resolveGrpoClip(options: Partial<GrpoOptions> = {}): GrpoClip {
  const nonNeg = (x: number) => x >= 0;
  const clipRatio = checkNumberOption(
    "clipRatio",
    options.clipRatio ?? GRPO_DEFAULTS.clipRatio,
    nonNeg,
    "a number >= 0",
  );
  const clipRatioLow = checkNumberOption("clipRatioLow", options.clipRatioLow ?? clipRatio, nonNeg, "a number >= 0");
  const clipRatioHigh = checkNumberOption("clipRatioHigh", options.clipRatioHigh ?? clipRatio, nonNeg, "a number >= 0");
  const clipRatioC = checkNumberOption(
    "clipRatioC",
    options.clipRatioC ?? GRPO_DEFAULTS.clipRatioC,
    (x) => x > 1,
    "a number > 1 (the dual-clip lower bound)",
  );
  return { clipRatioLow, clipRatioHigh, clipRatioC };
}

/** Reusable output buffers for {@link grpoTokenTerms}. */
export interface GrpoTermBuffers {
  loss: Float64Array;
  dLogp: Float64Array;
  /**
   * When true, positions where `metricMask == 0` are skipped (not computed, not written: they keep whatever the
   * buffers held). For callers that read the terms only where `metricMask != 0`, like `evaluatePolicyLoss`.
   */
  skipOffMask?: boolean;
}

/**
 * Internal: {@link GrpoTermBuffers} from `ctx.workspace` (keys `<prefix>.loss`/`<prefix>.dLogp`, `skipOffMask` on),
 * or undefined without a workspace (fresh arrays, every position written).
 */
export function grpoWorkspaceBuffers(
  ctx: Partial<LossContext> | undefined,
  n: number,
  prefix = "grpo",
): GrpoTermBuffers | undefined {
  const ws = ctx?.workspace;
  if (!ws) return undefined;
  return { loss: ws.f64(`${prefix}.loss`, n), dLogp: ws.f64(`${prefix}.dLogp`, n), skipOffMask: true };
}

/**
 * Per-token terms of verl's vanilla clipped surrogate with asymmetric clip and dual-clip (docs/algorithms.md §6.3):
 *
 * ```
 * Δ = clamp(logp − oldLogp, ±20); r = eΔ
 * pg1 = −A·r; pg2 = −A·clamp(r, 1−ε_lo, 1+ε_hi); cl1 = max(pg1, pg2); cl2 = min(−A·c, cl1)
 * ℓ = A < 0 ? cl2 : cl1
 * ```
 *
 * Returns ℓ and ∂ℓ/∂logp for every position (padding included: the caller's aggregation weights are 0 there) and the
 * verl metrics `pg_clipfrac`, `ppo_kl`, `pg_clipfrac_lower` as masked means over `metricMask` (default the batch
 * mask). Gradients follow torch: clamp boundaries pass the gradient, ties of max/min split it in half. Other losses
 * reuse it with modified advantages (`{ ...batch, advantages: shaped }`) or masks (set `aggMask` on the result).
 *
 * @example
 * ```ts
 * import { grpoTokenTerms } from "@sentrl/core";
 * const batch = { rows: 1, cols: 2, mask: new Uint8Array([1, 1]), logp: new Float64Array([-1, -2]),
 *   oldLogp: new Float64Array([-1, -2]), advantages: new Float64Array([1, 1]) };
 * grpoTokenTerms(batch, { clipRatio: 0.2 }).loss; // [-1, -1]
 * ```
 */
export function grpoTokenTerms(
  batch: TokenBatch,
  options: Partial<GrpoOptions> | GrpoClip = {},
  metricMask: Uint8Array = batch.mask,
  out?: GrpoTermBuffers,
): TokenLossResult & { metrics: Record<string, number> } {
  const { clipRatioLow, clipRatioHigh, clipRatioC } = resolveGrpoClip(options as Partial<GrpoOptions>);
  const n = batch.rows * batch.cols;
  const { logp, oldLogp, advantages: adv } = batch;
  const loss = out?.loss ?? new Float64Array(n);
  const dLogp = out?.dLogp ?? new Float64Array(n);
  const lo = 1 - clipRatioLow;
  const hi = 1 + clipRatioHigh;
  const skip = out?.skipOffMask === true;
  const { count, klSum, clipCount, lowerCount } = grpoKernel(
    logp,
    oldLogp,
    adv,
    metricMask,
    loss,
    dLogp,
    n,
    lo,
    hi,
    clipRatioC,
    skip,
  );
  const den = count + MASKED_MEAN_EPS;
  return {
    loss,
    dLogp,
    metrics: { pg_clipfrac: clipCount / den, ppo_kl: klSum / den, pg_clipfrac_lower: lowerCount / den },
  };
}

/** The per-token loop of {@link grpoTokenTerms} over `[0, n)`: writes `loss`/`dLogp`, returns the metric sums. */
function grpoKernel(
  logp: ArrayLike<number>,
  oldLogp: ArrayLike<number>,
  adv: ArrayLike<number>,
  metricMask: Uint8Array,
  loss: Float64Array,
  dLogp: Float64Array,
  n: number,
  lo: number,
  hi: number,
  clipRatioC: number,
  skip: boolean,
): { count: number; klSum: number; clipCount: number; lowerCount: number } {
  let count = 0;
  let klSum = 0;
  let clipCount = 0;
  let lowerCount = 0;
  for (let i = 0; i < n; i++) {
    if (skip && metricMask[i] === 0) continue;
    const A = adv[i];
    const raw = logp[i] - oldLogp[i];
    const d = raw < -20 ? -20 : Math.min(raw, 20);
    const r = Math.exp(d);
    const g1 = d === raw ? -A * r : 0; // ∂pg1/∂logp (the ±20 clamp stops the gradient outside, as torch)
    const rc = r < lo ? lo : Math.min(r, hi);
    const pg1 = -A * r;
    const pg2 = -A * rc;
    // cl1 = max(pg1, pg2); inside the clip range pg1 === pg2 with equal gradients (torch splits ties in half)
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
      const pg3 = -A * clipRatioC; // dual clip: cl2 = min(pg3, cl1)
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
    const m = metricMask[i] !== 0 ? 1 : 0;
    count += m;
    klSum -= m * d;
    clipCount += pg2 > pg1 ? m : 0;
    lowerCount += lower * m;
  }
  return { count, klSum, clipCount, lowerCount };
}

/**
 * The `grpo` policy loss: verl's vanilla clipped surrogate (docs/algorithms.md §6.3, §7.1) with asymmetric clip
 * (`clipRatioLow`/`clipRatioHigh`), dual-clip (`clipRatioC`) and the ±20 clamp of the log-ratio.
 * Metrics `pg_clipfrac`, `ppo_kl`, `pg_clipfrac_lower` (core adds `pg_loss`).
 *
 * @example
 * ```ts
 * import { evaluatePolicyLoss, grpoLoss } from "@sentrl/core";
 * const loss = grpoLoss.create({ clipRatioHigh: 0.28 });
 * const out = evaluatePolicyLoss(loss, { rows: 1, cols: 2, mask: new Uint8Array([1, 0]),
 *   logp: new Float64Array([-1, 0]), oldLogp: new Float64Array([-1, 0]), advantages: new Float64Array([1, 0]) });
 * out.loss; // ≈ -1
 * ```
 */
export const grpoLoss: PolicyLossDefinition<GrpoOptions> = {
  name: "grpo",
  description: "verl's vanilla PPO/GRPO clipped surrogate: asymmetric clip, dual-clip, log-ratio clamped to ±20",
  defaults: GRPO_DEFAULTS,
  create(options: Partial<GrpoOptions>): PolicyLoss {
    const clip = resolveGrpoClip(options);
    return {
      name: "grpo",
      tokenLoss: (batch, _selection, ctx) =>
        grpoTokenTerms(batch, clip, batch.mask, grpoWorkspaceBuffers(ctx, batch.rows * batch.cols)),
    };
  },
};
