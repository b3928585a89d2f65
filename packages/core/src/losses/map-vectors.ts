import type { TokenBatch, Vec } from "../contracts/token-batch.js";

/**
 * The batch with its per-token float vectors (`logp`, `oldLogp`, `advantages`, and `refLogp`/`entropy` when present)
 * converted by `convert`; shape, mask and the other fields are shared with `batch`.
 */
export function mapTokenVectors(batch: TokenBatch, convert: (v: Vec) => Vec): TokenBatch {
  const optional = (v: Vec | undefined) => (v === undefined ? undefined : convert(v));
  return {
    ...batch,
    logp: convert(batch.logp),
    oldLogp: convert(batch.oldLogp),
    refLogp: optional(batch.refLogp),
    entropy: optional(batch.entropy),
    advantages: convert(batch.advantages),
  };
}
