import type { TokenBatch } from "../contracts/token-batch.js";
import { SentrlError } from "../errors.js";
import type { PolicyLossOutput } from "./evaluate.js";

const REQUIRED = ["mask", "logp", "oldLogp", "advantages"] as const;
const OPTIONAL = ["refLogp", "entropy"] as const;

function matrix(name: string, v: unknown, shape: { rows: number; cols: number } | undefined): number[][] {
  if (!Array.isArray(v))
    throw new SentrlError("LOSS_BAD_INPUT", `\`${name}\` must be an array of rows (rows × cols numbers)`);
  for (let b = 0; b < v.length; b++) {
    const row = v[b];
    if (!Array.isArray(row)) throw new SentrlError("LOSS_BAD_INPUT", `\`${name}\`[${b}] must be an array of numbers`);
    for (let t = 0; t < row.length; t++) {
      if (typeof row[t] !== "number") {
        throw new SentrlError(
          "LOSS_BAD_INPUT",
          `\`${name}\`[${b}][${t}] is ${JSON.stringify(row[t])}; expected a number`,
        );
      }
      if (!Number.isFinite(row[t])) {
        throw new SentrlError(
          "LOSS_NON_FINITE",
          `\`${name}\`[${b}][${t}] is ${row[t]}; NaN/Inf are rejected everywhere, padding included`,
        );
      }
    }
  }
  if (shape) {
    if (v.length !== shape.rows) {
      throw new SentrlError(
        "LOSS_SHAPE_MISMATCH",
        `\`${name}\` has ${v.length} rows, \`mask\` has ${shape.rows}; all arrays must have equal shapes`,
      );
    }
    for (let b = 0; b < v.length; b++) {
      if (v[b].length !== shape.cols) {
        throw new SentrlError(
          "LOSS_SHAPE_MISMATCH",
          `\`${name}\`[${b}] has ${v[b].length} columns, expected ${shape.cols} like \`mask\`; all arrays must have equal shapes`,
        );
      }
    }
  }
  return v as number[][];
}

/**
 * Reads the `sentrl loss` input (docs/contracts.md §2): `{"mask","logp","oldLogp","refLogp"?,"entropy"?,"advantages"}`, each
 * a rows × cols array of numbers, into a float64 {@link TokenBatch}. Values where `mask == 0` are kept as given.
 * Errors: `LOSS_BAD_INPUT` (not an object, missing/unknown key, not numbers), `LOSS_SHAPE_MISMATCH` (ragged or
 * unequal shapes), `LOSS_BAD_MASK` (a mask value other than 0/1), `LOSS_NON_FINITE` (NaN/±Inf).
 *
 * @example
 * ```ts
 * import { tokenBatchFromJson } from "@sentrl/core";
 * const b = tokenBatchFromJson({ mask: [[1, 0]], logp: [[-1, 0]], oldLogp: [[-1, 0]], advantages: [[1, 0]] });
 * b.cols; // 2
 * ```
 */
export function tokenBatchFromJson(input: unknown): TokenBatch {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new SentrlError(
      "LOSS_BAD_INPUT",
      `the input must be a JSON object with keys ${[...REQUIRED, ...OPTIONAL].join(", ")}`,
    );
  }
  const obj = input as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (!(REQUIRED as readonly string[]).includes(k) && !(OPTIONAL as readonly string[]).includes(k)) {
      throw new SentrlError(
        "LOSS_BAD_INPUT",
        `unknown input key \`${k}\`; valid keys: ${[...REQUIRED, ...OPTIONAL].join(", ")}`,
      );
    }
  }
  for (const k of REQUIRED) {
    if (obj[k] === undefined)
      throw new SentrlError("LOSS_BAD_INPUT", `the input lacks \`${k}\`; required keys: ${REQUIRED.join(", ")}`);
  }
  const maskRows = matrix("mask", obj.mask, undefined);
  const rows = maskRows.length;
  const cols = rows > 0 ? maskRows[0].length : 0;
  const shape = { rows, cols };
  matrix("mask", maskRows, shape);
  const mask = new Uint8Array(rows * cols);
  for (let b = 0; b < rows; b++) {
    for (let t = 0; t < cols; t++) {
      const m = maskRows[b][t];
      if (m !== 0 && m !== 1)
        throw new SentrlError("LOSS_BAD_MASK", `mask[${b}][${t}] is ${m}; the mask holds only 0 or 1`);
      mask[b * cols + t] = m;
    }
  }
  const flat = (name: string): Float64Array | undefined => {
    if (obj[name] === undefined || obj[name] === null) return undefined;
    const m = matrix(name, obj[name], shape);
    const out = new Float64Array(rows * cols);
    for (let b = 0; b < rows; b++) out.set(m[b], b * cols);
    return out;
  };
  return {
    rows,
    cols,
    mask,
    logp: flat("logp")!,
    oldLogp: flat("oldLogp")!,
    refLogp: flat("refLogp"),
    entropy: flat("entropy"),
    advantages: flat("advantages")!,
  };
}

/** Splits a row-major array into `rows` arrays of `cols` numbers. */
export function toRows(v: ArrayLike<number>, rows: number, cols: number): number[][] {
  const out: number[][] = [];
  for (let b = 0; b < rows; b++) out.push(Array.from({ length: cols }, (_, t) => v[b * cols + t]));
  return out;
}

/**
 * The `sentrl loss` output object (docs/contracts.md §2): `{"loss", "gradLogp", "gradEntropy"?, "metrics"}` with nested rows.
 *
 * @example
 * ```ts
 * import { lossOutputToJson } from "@sentrl/core";
 * lossOutputToJson({ loss: 1, gradLogp: new Float64Array([0.5, 0]), metrics: {} }, 1, 2).gradLogp; // [[0.5, 0]]
 * ```
 */
export function lossOutputToJson(
  out: PolicyLossOutput,
  rows: number,
  cols: number,
): { loss: number; gradLogp: number[][]; gradEntropy?: number[][]; metrics: Record<string, number> } {
  const gradLogp = toRows(out.gradLogp, rows, cols);
  return out.gradEntropy
    ? { loss: out.loss, gradLogp, gradEntropy: toRows(out.gradEntropy, rows, cols), metrics: out.metrics }
    : { loss: out.loss, gradLogp, metrics: out.metrics };
}
