import { ComputeError } from "../errors.js";

/** Reference embedding gather: `out[r, :] = table[ids[r], :]`. */
export function embeddingForward(out: Float32Array, table: Float32Array, ids: Int32Array, rows: number, dim: number, vocab: number): void {
  for (let r = 0; r < rows; r++) {
    const id = ids[r];
    if (!(id >= 0 && id < vocab)) throw new ComputeError("BACKEND_INDEX_OUT_OF_RANGE", `embeddingForward: id ${id} at row ${r} is outside [0, ${vocab})`);
    out.set(table.subarray(id * dim, id * dim + dim), r * dim);
  }
}
