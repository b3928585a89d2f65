import { ComputeError } from "../errors.js";

/** Reference embedding gather: `out[r, :] = table[ids[r], :]`. */
export function embeddingForward(out: Float32Array, table: Float32Array, ids: Int32Array, rows: number, dim: number, vocab: number): void {
  for (let r = 0; r < rows; r++) {
    const id = ids[r];
    if (!(id >= 0 && id < vocab)) throw new ComputeError("BACKEND_INDEX_OUT_OF_RANGE", `embeddingForward: id ${id} at row ${r} is outside [0, ${vocab})`);
    out.set(table.subarray(id * dim, id * dim + dim), r * dim);
  }
}

/** Reference embedding backward: `dTable[ids[r], :] += dOut[r, :]`. */
export function embeddingBackward(dTable: Float32Array, dOut: Float32Array, ids: Int32Array, rows: number, dim: number, vocab: number): void {
  for (let r = 0; r < rows; r++) {
    const id = ids[r];
    if (!(id >= 0 && id < vocab)) throw new ComputeError("BACKEND_INDEX_OUT_OF_RANGE", `embeddingBackward: id ${id} at row ${r} is outside [0, ${vocab})`);
    const t = id * dim;
    const o = r * dim;
    for (let i = 0; i < dim; i++) dTable[t + i] += dOut[o + i];
  }
}
