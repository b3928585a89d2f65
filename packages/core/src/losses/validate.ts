import type { TokenBatch } from "../contracts/token-batch.js";
import { SentrlError } from "../errors.js";

const FIELDS = ["logp", "oldLogp", "refLogp", "entropy", "advantages"] as const;

/**
 * Checks a loss call's inputs (docs/contracts.md §2): every array has `rows*cols` entries, the mask holds only 0/1, no NaN
 * or ±Inf anywhere (padding included), and the optional inputs a loss needs are present. Throws a `SentrlError`:
 * `LOSS_SHAPE_MISMATCH`, `LOSS_BAD_MASK`, `LOSS_NON_FINITE`, `LOSS_MISSING_REF_LOGP` or `LOSS_MISSING_ENTROPY`.
 *
 * @example
 * ```ts
 * import { validateTokenBatch } from "@sentrl/core";
 * validateTokenBatch({ rows: 1, cols: 1, mask: new Uint8Array([1]), logp: new Float64Array([-1]),
 *   oldLogp: new Float64Array([-1]), advantages: new Float64Array([1]) }, { needRefLogp: false });
 * ```
 */
export function validateTokenBatch(
  batch: TokenBatch,
  needs: { needRefLogp?: boolean; needEntropy?: boolean; why?: { refLogp?: string; entropy?: string } } = {},
): void {
  const { rows, cols } = batch;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new SentrlError("LOSS_SHAPE_MISMATCH", `rows and cols must be non-negative integers, got ${rows} x ${cols}`);
  }
  const n = rows * cols;
  if (!batch.mask || batch.mask.length !== n) {
    throw new SentrlError("LOSS_SHAPE_MISMATCH", `mask has ${batch.mask?.length} entries, expected ${rows}x${cols}`);
  }
  if (maskBits(batch.mask) > 1) {
    for (let i = 0; i < n; i++) {
      const m = batch.mask[i];
      if (m !== 0 && m !== 1) {
        throw new SentrlError(
          "LOSS_BAD_MASK",
          `mask[${Math.floor(i / cols)}][${i % cols}] is ${m}; the mask holds only 0 or 1`,
        );
      }
    }
  }
  for (const f of FIELDS) {
    const v = batch[f];
    if (v === undefined) {
      if (f === "logp" || f === "oldLogp" || f === "advantages") {
        throw new SentrlError(
          "LOSS_SHAPE_MISMATCH",
          `\`${f}\` is missing; a loss call needs mask, logp, oldLogp and advantages`,
        );
      }
      continue;
    }
    if (v.length !== n) {
      throw new SentrlError(
        "LOSS_SHAPE_MISMATCH",
        `\`${f}\` has ${v.length} entries, expected ${rows}x${cols} like the mask`,
      );
    }
    if (allFinite(v)) continue; // then locate the culprit
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(v[i])) {
        throw new SentrlError(
          "LOSS_NON_FINITE",
          `\`${f}\`[${Math.floor(i / cols)}][${i % cols}] is ${v[i]}; NaN/Inf are rejected everywhere, padding included`,
        );
      }
    }
  }
  if (needs.needRefLogp && !batch.refLogp) {
    throw new SentrlError(
      "LOSS_MISSING_REF_LOGP",
      `\`refLogp\` is required ${needs.why?.refLogp ?? "when useKlLoss is true"}; pass the reference policy's log-probs or set useKlLoss to false`,
    );
  }
  if (needs.needEntropy && !batch.entropy) {
    throw new SentrlError(
      "LOSS_MISSING_ENTROPY",
      `\`entropy\` is required ${needs.why?.entropy ?? "by this loss"}; pass the per-token entropies of the current forward`,
    );
  }
}

/** OR of every byte of the mask (0 or 1 for a valid mask). */
function maskBits(mask: Uint8Array): number {
  let bits = 0;
  for (let i = 0; i < mask.length; i++) bits |= mask[i];
  return bits;
}

/** True when every entry is finite (no NaN, no ±Infinity). */
export function allFinite(v: ArrayLike<number>): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}
