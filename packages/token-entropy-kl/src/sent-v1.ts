import type { LossContext, PolicyLoss, PolicyLossDefinition, TokenBatch, TokenSelection } from "@sentrl/core";
import { resolveSentV1Options, SENT_V1_DEFAULTS, type SentV1Options } from "./options.js";
import { entropyTokenSet, validTokens } from "./select.js";
import { absKlTokenTerms } from "./token-loss.js";

/** `sent-v1` selection: the 0/1 low-entropy mask. */
export interface SentV1Selection extends TokenSelection {
  tokens: { lowMask: Uint8Array };
  metrics: Record<string, number>;
}

/**
 * The `sent-v1` policy loss (docs/algorithms.md §7.8, `low_entropy_kl_cov` of the SENT repository, the "low-entropy
 * constraint only" ablation): the `max(1, trunc(n·lowEntropyFrac))` lowest-entropy valid tokens all get
 * `ℓ = −A·r + ppoKlCoef·|logp − oldLogp|`, and the policy term is aggregated over that low-entropy set only
 * (`aggMask`): the high-entropy tokens contribute neither gradient nor penalty. No covariance is computed.
 *
 * @example
 * ```ts
 * import { evaluatePolicyLoss } from "@sentrl/core";
 * import { sentV1Loss } from "@sentrl/token-entropy-kl";
 * const out = evaluatePolicyLoss(sentV1Loss.create({}), {
 *   rows: 1, cols: 2, mask: new Uint8Array([1, 1]), logp: new Float64Array([-1, -2]),
 *   oldLogp: new Float64Array([-1, -2]), entropy: new Float64Array([0.1, 2]), advantages: new Float64Array([1, 1]),
 * });
 * out.loss; // ≈ -1: only the low-entropy token counts
 * ```
 */
export const sentV1Loss: PolicyLossDefinition<SentV1Options> = {
  name: "sent-v1",
  description:
    "SENT v1 ablation: |log π − log π_old| penalty on every low-entropy token, policy term aggregated over the " +
    "low-entropy set only",
  defaults: SENT_V1_DEFAULTS,
  create(options: Partial<SentV1Options> = {}): PolicyLoss<SentV1Selection> {
    const o = resolveSentV1Options(options);
    const select = (scope: TokenBatch, ctx?: LossContext): SentV1Selection => {
      const size = scope.rows * scope.cols;
      const lowMask = ctx?.workspace ? ctx.workspace.u8("sent-v1.lowMask", size).fill(0) : new Uint8Array(size);
      const { positions: V, entropy: E } = validTokens(scope, "sent-v1");
      if (V.length === 0) return { tokens: { lowMask }, metrics: { "sent/low_entropy_tokens": 0 } };
      const { idx } = entropyTokenSet(E, "low", o.lowEntropyFrac);
      for (let j = 0; j < idx.length; j++) lowMask[V[idx[j]]] = 1;
      return { tokens: { lowMask }, metrics: { "sent/low_entropy_tokens": idx.length } };
    };
    return {
      name: "sent-v1",
      needs: { entropy: true },
      select,
      tokenLoss(batch: TokenBatch, selection: SentV1Selection | undefined, ctx: LossContext) {
        const lowMask = (selection ?? select(batch, ctx)).tokens.lowMask;
        const ws = ctx?.workspace;
        const coef = ws ? ws.f64("sent-v1.coef", lowMask.length) : new Float64Array(lowMask.length);
        for (let i = 0; i < lowMask.length; i++) coef[i] = lowMask[i] !== 0 ? o.ppoKlCoef : 0;
        return { ...absKlTokenTerms(batch, coef, ws), aggMask: lowMask };
      },
    };
  },
};
