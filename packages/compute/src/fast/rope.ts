import { ropeInvFreq } from "../reference/rope.js";

/** cos/sin of every (position, frequency) pair, float32-rounded exactly as the reference computes them. */
interface RopeTable {
  positions: number;
  cos: Float32Array;
  sin: Float32Array;
}

/**
 * Rotary tables cached per (headDim, theta) and grown to the largest position seen, so a forward pass does no
 * trigonometry: values are bit-identical to the reference (`fround(cos(fround(pos · invFreq)))`).
 */
export class RopeTables {
  private readonly tables = new Map<string, RopeTable>();

  /** The table for `headDim`/`theta` covering positions `0 .. maxPos`. */
  get(headDim: number, theta: number, maxPos: number): RopeTable {
    const key = `${headDim}:${theta}`;
    let t = this.tables.get(key);
    if (!t || t.positions <= maxPos) {
      const positions = Math.max(maxPos + 1, (t?.positions ?? 0) * 2, 64);
      const half = headDim / 2;
      const inv = ropeInvFreq(headDim, theta);
      const cos = new Float32Array(positions * half);
      const sin = new Float32Array(positions * half);
      for (let p = 0; p < positions; p++) {
        for (let j = 0; j < half; j++) {
          const a = Math.fround(p * inv[j]);
          cos[p * half + j] = Math.cos(a);
          sin[p * half + j] = Math.sin(a);
        }
      }
      t = { positions, cos, sin };
      this.tables.set(key, t);
    }
    return t;
  }
}

/** Positions beyond this are rotated from per-call tables instead of the cache (bounded memory). */
const MAX_CACHED_POSITION = 1 << 16;

function maxPosition(positions: Int32Array, rows: number): number {
  let m = 0;
  for (let r = 0; r < rows; r++) if (positions[r] > m) m = positions[r];
  return m;
}

/** cos/sin tables and, per row, the offset of its angles in them. */
function anglesFor(tables: RopeTables, positions: Int32Array, rows: number, headDim: number, theta: number): { cos: Float32Array; sin: Float32Array; offset: Int32Array } {
  const half = headDim / 2;
  const offset = new Int32Array(rows);
  const maxPos = maxPosition(positions, rows);
  if (maxPos < MAX_CACHED_POSITION) {
    const { cos, sin } = tables.get(headDim, theta, maxPos);
    for (let r = 0; r < rows; r++) offset[r] = positions[r] * half;
    return { cos, sin, offset };
  }
  const inv = ropeInvFreq(headDim, theta);
  const cos = new Float32Array(rows * half);
  const sin = new Float32Array(rows * half);
  for (let r = 0; r < rows; r++) {
    offset[r] = r * half;
    for (let j = 0; j < half; j++) {
      const a = Math.fround(positions[r] * inv[j]);
      cos[r * half + j] = Math.cos(a);
      sin[r * half + j] = Math.sin(a);
    }
  }
  return { cos, sin, offset };
}

/** Rotate-half RoPE from cached tables; `out` may alias `x`. Positions must be ≥ 0 (the backend checks). */
export function ropeForwardFast(tables: RopeTables, out: Float32Array, x: Float32Array, positions: Int32Array, rows: number, heads: number, headDim: number, theta: number): void {
  const half = headDim / 2;
  const { cos, sin, offset } = anglesFor(tables, positions, rows, headDim, theta);
  const width = heads * headDim;
  for (let r = 0; r < rows; r++) {
    const t = offset[r];
    for (let h = 0; h < heads; h++) {
      const o = r * width + h * headDim;
      for (let j = 0; j < half; j++) {
        const c = cos[t + j];
        const s = sin[t + j];
        const x1 = x[o + j];
        const x2 = x[o + j + half];
        out[o + j] = x1 * c - x2 * s;
        out[o + j + half] = x2 * c + x1 * s;
      }
    }
  }
}

/** RoPE backward: the inverse rotation of `dOut` added into `dx` (written over it when `accumulate` is false). */
export function ropeBackwardFast(tables: RopeTables, dx: Float32Array, dOut: Float32Array, positions: Int32Array, rows: number, heads: number, headDim: number, theta: number, accumulate = true): void {
  const half = headDim / 2;
  const { cos, sin, offset } = anglesFor(tables, positions, rows, headDim, theta);
  const width = heads * headDim;
  for (let r = 0; r < rows; r++) {
    const t = offset[r];
    for (let h = 0; h < heads; h++) {
      const o = r * width + h * headDim;
      for (let j = 0; j < half; j++) {
        const c = cos[t + j];
        const s = sin[t + j];
        const d1 = dOut[o + j];
        const d2 = dOut[o + j + half];
        if (accumulate) {
          dx[o + j] += d1 * c + d2 * s;
          dx[o + j + half] += d2 * c - d1 * s;
        } else {
          dx[o + j] = d1 * c + d2 * s;
          dx[o + j + half] = d2 * c - d1 * s;
        }
      }
    }
  }
}
