import type { TokenBatch } from "@sentrl/core";

/** The ALGORITHMS §5.7 test tensors (B = 3, L = 6), as a TokenBatch. */
export function section57Batch(): TokenBatch {
  const flat = (m: number[][]) => Float64Array.from(m.flat());
  return {
    rows: 3,
    cols: 6,
    mask: Uint8Array.from(
      [
        [1, 1, 1, 1, 0, 0],
        [1, 1, 1, 1, 1, 1],
        [1, 1, 1, 0, 0, 0],
      ].flat(),
    ),
    advantages: flat([
      [1, 1, 1, 1, 0, 0],
      [-0.5, -0.5, -0.5, -0.5, -0.5, -0.5],
      [0.25, 0.25, 0.25, 0, 0, 0],
    ]),
    oldLogp: flat([
      [-0.937, -1.066, -0.68, -0.948, 0, 0],
      [-0.348, -0.526, -1.352, -1.633, -1.312, -0.979],
      [-2.163, -1.109, -1.623, 0, 0, 0],
    ]),
    logp: flat([
      [-0.916, -1.014, -0.686, -0.88, 0, 0],
      [-0.303, -0.521, -1.389, -1.679, -1.335, -0.968],
      [-2.213, -1.119, -1.631, 0, 0, 0],
    ]),
    entropy: flat([
      [0.972, 1.779, 1.868, 0.716, 0, 0],
      [1.189, 0.676, 0.783, 1.781, 0.454, 1.246],
      [0.168, 1.665, 1.574, 0, 0, 0],
    ]),
  };
}
