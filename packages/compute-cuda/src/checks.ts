import { ComputeError } from "@sentrl/compute";

/**
 * Host-side argument checks of the CUDA backend: the same calls fail with the same codes as on the CPU backends
 * (docs/contracts.md §1), before anything is launched.
 */

export function dims(what: string, values: Record<string, number>): void {
  for (const [k, v] of Object.entries(values)) {
    if (!Number.isInteger(v) || v < 0)
      throw new ComputeError("BACKEND_SHAPE", `${what}: ${k} must be a non-negative integer, got ${v}`);
  }
}

export function enoughIndices(what: string, kind: string, have: number, rows: number): void {
  if (have < rows) throw new ComputeError("BACKEND_SHAPE", `${what}: ${have} ${kind} for ${rows} rows`);
}

/** Every `ids[r]` for r < rows in `[0, bound)` (negative allowed when `skipNegative`). */
export function indicesInRange(
  what: string,
  kind: string,
  ids: Int32Array,
  rows: number,
  bound: number,
  skipNegative = false,
): void {
  for (let r = 0; r < rows; r++) {
    const id = ids[r];
    if (skipNegative && id < 0) continue;
    if (!(id >= 0 && id < bound))
      throw new ComputeError(
        "BACKEND_INDEX_OUT_OF_RANGE",
        `${what}: ${kind} ${id} at row ${r} is outside [0, ${bound})`,
      );
  }
}

export function positiveTemperature(what: string, t: number): void {
  if (!(t > 0) || !Number.isFinite(t))
    throw new ComputeError("BACKEND_BAD_ARGUMENT", `${what}: temperature must be a positive finite number, got ${t}`);
}

export function gqaHeads(what: string, heads: number, kvHeads: number): void {
  if (kvHeads === 0 || heads % kvHeads !== 0)
    throw new ComputeError("BACKEND_SHAPE", `${what}: heads (${heads}) must be a multiple of kvHeads (${kvHeads})`);
}

/** Per-row sampler settings checked like the reference sampler; returns them as device-ready arrays. */
export function samplerSettings(
  what: string,
  rows: number,
  uniforms: ArrayLike<number>,
  temperature: (r: number) => number,
  topK: (r: number) => number,
  topP: (r: number) => number,
): { u: Float64Array; t: Float64Array; k: Int32Array; p: Float64Array } {
  if (uniforms.length < rows)
    throw new ComputeError("BACKEND_BAD_ARGUMENT", `${what}: need ${rows} uniforms, got ${uniforms.length}`);
  const out = {
    u: new Float64Array(rows),
    t: new Float64Array(rows),
    k: new Int32Array(rows),
    p: new Float64Array(rows),
  };
  for (let r = 0; r < rows; r++) {
    const t = temperature(r);
    const k = topK(r);
    const p = topP(r);
    if (!(t >= 0) || !Number.isFinite(t))
      throw new ComputeError(
        "BACKEND_BAD_ARGUMENT",
        `${what}: temperature must be ≥ 0 and finite, got ${t} at row ${r}`,
      );
    if (!(p > 0 && p <= 1))
      throw new ComputeError("BACKEND_BAD_ARGUMENT", `${what}: topP must be in (0, 1], got ${p} at row ${r}`);
    if (!(Number.isInteger(k) && k >= 0))
      throw new ComputeError(
        "BACKEND_BAD_ARGUMENT",
        `${what}: topK must be a non-negative integer, got ${k} at row ${r}`,
      );
    const u = uniforms[r];
    if (t > 0 && !(u >= 0 && u < 1))
      throw new ComputeError("BACKEND_BAD_ARGUMENT", `${what}: uniform ${u} for row ${r} is outside [0, 1)`);
    out.u[r] = t > 0 ? u : 0;
    out.t[r] = t;
    out.k[r] = k;
    out.p[r] = p;
  }
  return out;
}
