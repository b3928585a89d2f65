import {
  COMMON_LOSS_DEFAULTS,
  type CommonLossOptions,
  type LossContext,
  type PolicyLoss,
  type TokenSelection,
} from "../contracts/policy-loss.js";
import type { TokenBatch } from "../contracts/token-batch.js";
import { SentrlError } from "../errors.js";
import { rowAggregationWeights } from "./aggregation.js";
import { klAccumulate } from "./kl.js";
import { validateCommonOptions } from "./options.js";
import { validateTokenBatch } from "./validate.js";

/** Result of one loss call (CONTRACTS §2 output). */
export interface PolicyLossOutput {
  /** The total loss `pg − entropyCoeff·agg(H) + [useKlLoss]·klLossCoef·agg(kl)`. */
  loss: number;
  /** ∂loss/∂logp, length rows*cols; exactly 0 where `mask == 0`. */
  gradLogp: Float64Array;
  /** ∂loss/∂entropy, present only when the entropy is differentiated (entropyCoeff != 0 or the loss's own dEntropy). */
  gradEntropy?: Float64Array;
  /** verl-named metrics: the loss's own (selection + policy term) plus `pg_loss`, `kl_loss`, `entropy`. */
  metrics: Record<string, number>;
}

const DEFAULT_CTX: LossContext = { step: 0, microBatch: 0, seed: 0 };

/**
 * Runs one loss call the way core does inside a trainer (CONTRACTS §2): validates the batch, runs the loss's
 * `select` (unless a `frozenSelection` is given), its `tokenLoss`, aggregates the policy term over
 * `aggMask ?? mask` with `lossAggMode`, and adds the entropy bonus and the reference-KL term over the full mask:
 *
 * `loss = pg − entropyCoeff·agg(entropy) + [useKlLoss]·klLossCoef·agg(kl(logp, refLogp))`.
 *
 * Errors: `LOSS_SHAPE_MISMATCH`, `LOSS_BAD_MASK`, `LOSS_NON_FINITE` (inputs or a non-finite result),
 * `LOSS_MISSING_REF_LOGP`, `LOSS_MISSING_ENTROPY`, `LOSS_BAD_OPTION`. With no valid token at all the loss is 0 with
 * zero gradients (selection is skipped).
 *
 * @example
 * ```ts
 * import { evaluatePolicyLoss, grpoLoss } from "@sentrl/core";
 * const batch = { rows: 1, cols: 3, mask: new Uint8Array([1, 1, 0]), logp: new Float64Array([-1, -2, 0]),
 *   oldLogp: new Float64Array([-1.1, -2, 0]), refLogp: new Float64Array([-1, -1.5, 0]),
 *   advantages: new Float64Array([0.5, 0.5, 0]) };
 * const out = evaluatePolicyLoss(grpoLoss.create({}), batch, { useKlLoss: true, klLossType: "k3" });
 * out.metrics.kl_loss; // agg of k3 over the two valid tokens
 * ```
 */
export function evaluatePolicyLoss(
  loss: PolicyLoss,
  batch: TokenBatch,
  common: Partial<CommonLossOptions> = {},
  ctx: Partial<LossContext> = {},
  frozenSelection?: TokenSelection,
): PolicyLossOutput {
  const opts: CommonLossOptions = { ...COMMON_LOSS_DEFAULTS, ...stripUndefined(common) };
  validateCommonOptions(opts);
  const needEntropyBonus = opts.entropyCoeff !== 0;
  validateTokenBatch(batch, {
    needRefLogp: opts.useKlLoss || loss.needs?.refLogp === true,
    needEntropy: needEntropyBonus || loss.needs?.entropy === true,
    why: {
      refLogp: opts.useKlLoss ? "when useKlLoss is true" : `by the \`${loss.name}\` loss`,
      entropy: needEntropyBonus ? "when entropyCoeff != 0" : `by the \`${loss.name}\` loss`,
    },
  });
  const { rows, cols, mask } = batch;
  const n = rows * cols;
  const gradLogp = new Float64Array(n);
  let valid = 0;
  for (let i = 0; i < n; i++) valid += mask[i];
  if (valid === 0) {
    const metrics: Record<string, number> = { pg_loss: 0 };
    if (opts.useKlLoss) metrics.kl_loss = 0;
    if (batch.entropy) metrics.entropy = 0;
    return needEntropyBonus
      ? { loss: 0, gradLogp, gradEntropy: new Float64Array(n), metrics }
      : { loss: 0, gradLogp, metrics };
  }
  const fullCtx: LossContext = { ...DEFAULT_CTX, ...ctx };
  const selection = frozenSelection ?? loss.select?.(batch, fullCtx);
  const terms = loss.tokenLoss(batch, selection, fullCtx);
  if (terms.loss.length !== n || terms.dLogp.length !== n || (terms.dEntropy && terms.dEntropy.length !== n)) {
    throw new SentrlError(
      "LOSS_SHAPE_MISMATCH",
      `loss \`${loss.name}\` returned per-token arrays whose length is not rows*cols = ${n}`,
    );
  }

  // Every aggregation mode weighs a valid token by a per-row factor: w[b,t] = mask[b,t] · rowW[b].
  const rowW = rowAggregationWeights(mask, rows, cols, opts.lossAggMode, opts.lossAggNorm);
  let aggMask = mask;
  let pgRowW = rowW;
  if (terms.aggMask && terms.aggMask !== mask) {
    if (terms.aggMask.length !== n) {
      throw new SentrlError(
        "LOSS_SHAPE_MISMATCH",
        `loss \`${loss.name}\` returned an aggMask of length ${terms.aggMask.length}, expected ${n}`,
      );
    }
    aggMask = new Uint8Array(n);
    for (let i = 0; i < n; i++) aggMask[i] = mask[i] !== 0 && terms.aggMask[i] !== 0 ? 1 : 0;
    pgRowW = rowAggregationWeights(aggMask, rows, cols, opts.lossAggMode, opts.lossAggNorm);
  }

  // policy term (gradLogp is written only at aggregated positions: exactly 0 elsewhere)
  let pg = 0;
  const tl = terms.loss;
  const td = terms.dLogp;
  for (let b = 0; b < rows; b++) {
    const w = pgRowW[b];
    if (w === 0) continue;
    for (let i = b * cols, e = i + cols; i < e; i++) {
      if (aggMask[i] === 0) continue;
      pg += w * tl[i];
      gradLogp[i] = w * td[i];
    }
  }
  const metrics: Record<string, number> = { ...(selection?.metrics ?? {}), ...(terms.metrics ?? {}), pg_loss: pg };
  let total = pg;

  if (opts.useKlLoss) {
    const klLoss = klAccumulate(
      batch.logp,
      batch.refLogp!,
      opts.klLossType,
      mask,
      rowW,
      cols,
      opts.klLossCoef,
      gradLogp,
    );
    metrics.kl_loss = klLoss;
    total += opts.klLossCoef * klLoss;
  }

  let gradEntropy: Float64Array | undefined;
  if (batch.entropy) {
    const H = batch.entropy;
    let ent = 0;
    for (let b = 0; b < rows; b++) {
      const w = rowW[b];
      if (w === 0) continue;
      for (let i = b * cols, e = i + cols; i < e; i++) if (mask[i] !== 0) ent += w * H[i];
    }
    metrics.entropy = ent;
    if (needEntropyBonus) total -= opts.entropyCoeff * ent;
  }
  if (needEntropyBonus || terms.dEntropy) {
    gradEntropy = new Float64Array(n);
    const c = opts.entropyCoeff;
    if (c !== 0) {
      for (let b = 0; b < rows; b++) {
        const g = -c * rowW[b];
        if (g === 0) continue;
        for (let i = b * cols, e = i + cols; i < e; i++) if (mask[i] !== 0) gradEntropy[i] = g;
      }
    }
    const dH = terms.dEntropy;
    if (dH) {
      for (let b = 0; b < rows; b++) {
        const w = pgRowW[b];
        if (w === 0) continue;
        for (let i = b * cols, e = i + cols; i < e; i++) if (aggMask[i] !== 0) gradEntropy[i] += w * dH[i];
      }
    }
  }

  if (!Number.isFinite(total)) {
    throw new SentrlError(
      "LOSS_NON_FINITE",
      `loss \`${loss.name}\` produced a non-finite total loss (${total}); check the inputs' ranges`,
    );
  }
  for (const g of gradEntropy ? [gradLogp, gradEntropy] : [gradLogp]) {
    let probe = 0;
    for (let i = 0; i < n; i++) probe += g[i] * 0;
    if (probe === 0) continue;
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(g[i])) {
        throw new SentrlError(
          "LOSS_NON_FINITE",
          `loss \`${loss.name}\` produced a non-finite gradient at [${Math.floor(i / cols)}][${i % cols}]`,
        );
      }
    }
  }
  return gradEntropy ? { loss: total, gradLogp, gradEntropy, metrics } : { loss: total, gradLogp, metrics };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const r: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (r as Record<string, unknown>)[k] = v;
  return r;
}
