// Shared by the loss tests and benchmarks (no vitest import, so `tsx` benchmarks can use it too).
type FloatArrayConstructor = Float32ArrayConstructor | Float64ArrayConstructor;

/** A `rows × cols` token batch with every per-token field, all zeros, for a test or benchmark to fill in. */
export function zeroTokenBatch<C extends FloatArrayConstructor>(
  rows: number,
  cols: number,
  Float: C,
): {
  rows: number;
  cols: number;
  mask: Uint8Array;
  logp: InstanceType<C>;
  oldLogp: InstanceType<C>;
  refLogp: InstanceType<C>;
  entropy: InstanceType<C>;
  advantages: InstanceType<C>;
} {
  const n = rows * cols;
  const vec = () => new Float(n) as InstanceType<C>;
  return {
    rows,
    cols,
    mask: new Uint8Array(n),
    logp: vec(),
    oldLogp: vec(),
    refLogp: vec(),
    entropy: vec(),
    advantages: vec(),
  };
}
