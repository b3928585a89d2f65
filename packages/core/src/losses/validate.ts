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
    // x·0 is ±0 for every finite x and NaN for NaN/±Inf: one branch-free pass, then locate the culprit
    if (allFinite(v)) continue;
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

/** OR of every byte of the mask (4 bytes at a time through a Uint32 view when aligned). */
function maskBits(mask: Uint8Array): number {
  const n = mask.length;
  let bits = 0;
  let i = 0;
  if ((mask.byteOffset & 3) === 0) {
    const words = new Uint32Array(mask.buffer, mask.byteOffset, n >> 2);
    let w0 = 0;
    let w1 = 0;
    const m = words.length & ~1;
    for (let w = 0; w < m; w += 2) {
      w0 |= words[w];
      w1 |= words[w + 1];
    }
    if (m < words.length) w0 |= words[m];
    const w = w0 | w1;
    bits = (w | (w >>> 8) | (w >>> 16) | (w >>> 24)) & 0xff;
    i = words.length << 2;
  }
  for (; i < n; i++) bits |= mask[i];
  return bits;
}

/**
 * True when every entry is finite. Typed arrays are checked on their IEEE bits (an exponent field of all ones is
 * NaN/±Inf; adding one unit to that field carries into the sign bit, which an int32 OR collects); other arrays use
 * `x·0`, ±0 for every finite x and NaN for NaN/±Inf.
 */
export function allFinite(v: ArrayLike<number>): boolean {
  if (!LITTLE_ENDIAN) return productProbeFinite(v);
  if (v instanceof Float32Array && (v.byteOffset & 3) === 0) {
    return f32BitsFinite(new Int32Array(v.buffer, v.byteOffset, v.length));
  }
  if (v instanceof Float64Array && (v.byteOffset & 7) === 0) {
    return f64BitsFinite(new Int32Array(v.buffer, v.byteOffset, v.length * 2));
  }
  return productProbeFinite(v);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function productProbeFinite(v: ArrayLike<number>): boolean {
  const n = v.length;
  let p0 = 0;
  let p1 = 0;
  const m = n & ~1;
  let i = 0;
  for (; i < m; i += 2) {
    p0 += v[i] * 0;
    p1 += v[i + 1] * 0;
  }
  for (; i < n; i++) p0 += v[i] * 0;
  return p0 + p1 === 0;
}

function f32BitsFinite(u: Int32Array): boolean {
  const n = u.length;
  const m = n & ~3;
  let b0 = 0;
  let b1 = 0;
  let i = 0;
  for (; i < m; i += 4) {
    b0 |= ((u[i] & 0x7f800000) + 0x00800000) | ((u[i + 1] & 0x7f800000) + 0x00800000) | 0;
    b1 |= ((u[i + 2] & 0x7f800000) + 0x00800000) | ((u[i + 3] & 0x7f800000) + 0x00800000) | 0;
  }
  for (; i < n; i++) b0 |= ((u[i] & 0x7f800000) + 0x00800000) | 0;
  return (b0 | b1) >= 0;
}

function f64BitsFinite(u: Int32Array): boolean {
  // little-endian: the high word (sign, exponent) of element i is u[2i + 1]
  let bad = 0;
  for (let i = 1; i < u.length; i += 2) bad |= ((u[i] & 0x7ff00000) + 0x00100000) | 0;
  return bad >= 0;
}
