import type { LossContext, PolicyLoss, PolicyLossDefinition, TokenBatch } from "@sentrl/core";
import { resolveSentOptions, SENT_DEFAULTS, type SentOptions } from "./options.js";
import { type SentSelection, sentSelect } from "./select.js";
import { absKlTokenTerms, paperTokenTerms } from "./token-loss.js";

/**
 * The `sent` policy loss: SENT's token-selective KL (arXiv 2512.04359; docs/algorithms.md §5).
 *
 * - `code-intended` (default): what the released code computes with its int64-mask indexing bug fixed —
 *   `ℓ = −A·r + c·|logp − oldLogp|`, with `c = ppoKlCoef·highCovCoef` on the `max(1, trunc(k·klCovRatio))`
 *   highest-covariance tokens and `ppoKlCoef·lowCovCoef` on the as many lowest-covariance ones (second write wins),
 *   inside the `max(1, trunc(n·lowEntropyFrac))` lowest-entropy valid tokens of the scope; 0 elsewhere;
 * - `code-exact`: the same with the released code's scrambled covariance inputs (§5.3; needs ≥ 2 rows);
 * - `paper`: clipped surrogate + β·k3(logp, refLogp), β_high on the top-covariance part of the low-entropy set and
 *   β_low on the rest (§5.5; needs `refLogp`).
 *
 * `tokenSet: "high"` applies the same to the `highEntropyFrac` highest-entropy tokens (§7.7 ablation).
 * `select` reads only detached values, so core can run it on a micro-batch or a mini-batch of rollout statistics.
 *
 * @example
 * ```ts
 * import { evaluatePolicyLoss } from "@sentrl/core";
 * import { sentLoss } from "@sentrl/token-entropy-kl";
 * const loss = sentLoss.create({ mode: "code-intended" });
 * const out = evaluatePolicyLoss(loss, {
 *   rows: 1, cols: 3, mask: new Uint8Array([1, 1, 1]),
 *   logp: new Float64Array([-1, -0.5, -2]), oldLogp: new Float64Array([-1.1, -0.5, -1.9]),
 *   entropy: new Float64Array([0.3, 1.2, 0.1]), advantages: new Float64Array([1, 1, 1]),
 * });
 * out.metrics["sent/low_entropy_tokens"]; // 2
 * ```
 */
export const sentLoss: PolicyLossDefinition<SentOptions> = {
  name: "sent",
  description:
    "SENT token-selective KL: |log π − log π_old| penalty on the low-entropy tokens with the highest/lowest " +
    "log-prob·advantage covariance (modes code-intended, code-exact, paper; tokenSet low/high)",
  defaults: SENT_DEFAULTS,
  create(options: Partial<SentOptions> = {}): PolicyLoss<SentSelection> {
    const o = resolveSentOptions(options);
    const select = (scope: TokenBatch, ctx?: LossContext) => sentSelect(scope, o, ctx?.workspace);
    return {
      name: "sent",
      needs: o.mode === "paper" ? { entropy: true, refLogp: true } : { entropy: true },
      select,
      tokenLoss(batch: TokenBatch, selection: SentSelection | undefined, ctx: LossContext) {
        const coef = (selection ?? select(batch, ctx)).tokens.coef;
        const ws = ctx?.workspace;
        return o.mode === "paper" ? paperTokenTerms(batch, coef, o.clipRatio, ws) : absKlTokenTerms(batch, coef, ws);
      },
    };
  },
};
