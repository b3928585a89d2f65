import {
  GRPO_DEFAULTS,
  type GrpoOptions,
  grpoTokenTerms,
  grpoWorkspaceBuffers,
  type LossContext,
  type PolicyLoss,
  type PolicyLossDefinition,
  resolveGrpoClip,
  SentrlError,
  type TokenBatch,
  checkNumberOption,
  MASKED_MEAN_EPS,
  withLossDefaults,
} from "@sentrl/core";
import { nonNeg } from "./options.js";

/** Options of `entropy-advantage`: `alpha`, `kappa` plus the `grpo` options (docs/contracts.md §2). */
export type EntropyAdvantageOptions = GrpoOptions & { alpha: number; kappa: number };
/** Defaults: α = 0.4 (GRPO), κ = 2 (docs/algorithms.md §7.3). */
export const ENTROPY_ADVANTAGE_DEFAULTS: EntropyAdvantageOptions = { alpha: 0.4, kappa: 2, ...GRPO_DEFAULTS };

/**
 * The shaped advantages of Cheng et al. 2025 (docs/algorithms.md §7.3): `A + min(α·H, |A|/κ)` on valid tokens, `A` on
 * padding. `H` is treated as a constant (detached).
 *
 * @example
 * ```ts
 * import { shapeAdvantages } from "@sentrl/entropy-baselines";
 * shapeAdvantages(new Float64Array([1, -0.5]), new Float64Array([0.972, 1]), new Uint8Array([1, 1]), 0.4, 2);
 * // [1.3888, -0.25]
 * ```
 */
export function shapeAdvantages(
  advantages: ArrayLike<number>,
  entropy: ArrayLike<number>,
  mask: Uint8Array,
  alpha: number,
  kappa: number,
  out: Float64Array = new Float64Array(mask.length),
): Float64Array {
  for (let i = 0; i < mask.length; i++) {
    const a = advantages[i];
    if (mask[i] === 0) {
      out[i] = a;
      continue;
    }
    const b = alpha * entropy[i];
    const cap = Math.abs(a) / kappa;
    out[i] = a + Math.min(b, cap);
  }
  return out;
}

/**
 * The `entropy-advantage` policy loss ("Reasoning with Exploration: An Entropy Perspective", Cheng et al. 2025;
 * docs/algorithms.md §7.3): the `grpo` clipped surrogate with advantages `A + min(α·stopgrad(H), |A|/κ)`, H the entropy of
 * the current forward. κ > 1 keeps the sign of A; A = 0 gets no bonus. Metrics add `entropy_adv/mean_bonus`
 * (mean ψ over valid tokens) and `entropy_adv/capped_frac` (fraction where |A|/κ bounds ψ).
 *
 * @example
 * ```ts
 * import { evaluatePolicyLoss } from "@sentrl/core";
 * import { entropyAdvantageLoss } from "@sentrl/entropy-baselines";
 * const out = evaluatePolicyLoss(entropyAdvantageLoss.create({}), {
 *   rows: 1, cols: 1, mask: new Uint8Array([1]), logp: new Float64Array([-1]), oldLogp: new Float64Array([-1]),
 *   entropy: new Float64Array([0.5]), advantages: new Float64Array([1]),
 * });
 * out.loss; // ≈ -1.2 (A shaped to 1 + min(0.2, 0.5))
 * ```
 */
export const entropyAdvantageLoss: PolicyLossDefinition<EntropyAdvantageOptions> = {
  name: "entropy-advantage",
  description: "Entropy-based advantage shaping: A + min(α·H, |A|/κ) in the GRPO clipped surrogate",
  defaults: ENTROPY_ADVANTAGE_DEFAULTS,
  create(options: Partial<EntropyAdvantageOptions> = {}): PolicyLoss {
    const o = withLossDefaults("entropy-advantage", ENTROPY_ADVANTAGE_DEFAULTS, options);
    const alpha = checkNumberOption("alpha", o.alpha, nonNeg, "a number >= 0");
    const kappa = checkNumberOption("kappa", o.kappa, (x) => x > 0, "a number > 0 (κ > 1 keeps the sign of A)");
    const clip = resolveGrpoClip(o);
    return {
      name: "entropy-advantage",
      needs: { entropy: true },
      tokenLoss(batch: TokenBatch, _selection: unknown, ctx: LossContext) {
        if (!batch.entropy) {
          throw new SentrlError(
            "LOSS_MISSING_ENTROPY",
            "`entropy` is required by the `entropy-advantage` loss; pass the entropies of the current forward",
          );
        }
        // shaped advantages (a workspace buffer when there is one), then the grpo terms on them
        const { mask, entropy, advantages } = batch;
        const n = mask.length;
        const shaped = shapeAdvantages(
          advantages,
          entropy,
          mask,
          alpha,
          kappa,
          ctx.workspace?.f64("entropyAdv.shaped", n),
        );
        const terms = grpoTokenTerms({ ...batch, advantages: shaped }, clip, mask, grpoWorkspaceBuffers(ctx, n));
        let count = 0;
        let bonus = 0;
        let capped = 0;
        for (let i = 0; i < n; i++) {
          if (mask[i] === 0) continue;
          count++;
          bonus += shaped[i] - advantages[i];
          if (alpha * entropy[i] > Math.abs(advantages[i]) / kappa) capped++;
        }
        const den = count + MASKED_MEAN_EPS;
        terms.metrics["entropy_adv/mean_bonus"] = bonus / den;
        terms.metrics["entropy_adv/capped_frac"] = capped / den;
        return terms;
      },
    };
  },
};
