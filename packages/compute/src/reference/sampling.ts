import { ComputeError } from "../errors.js";

/** Index of the largest value (lowest index on ties). */
function argmax(z: Float32Array, o: number, n: number): number {
  let best = 0;
  let bv = z[o];
  for (let j = 1; j < n; j++) {
    if (z[o + j] > bv) {
      bv = z[o + j];
      best = j;
    }
  }
  return best;
}

/** "a ranks before b": larger value first, then lower id. */
function before(z: Float64Array, a: number, b: number): boolean {
  return z[a] > z[b] || (z[a] === z[b] && a < b);
}

/** Binary heap over ids where the root is the id that ranks LAST (min-heap by rank), used for top-k selection. */
function siftDownMin(heap: Int32Array, size: number, i: number, z: Float64Array): void {
  for (;;) {
    const l = 2 * i + 1;
    if (l >= size) return;
    let w = l;
    if (l + 1 < size && before(z, heap[w], heap[l + 1])) w = l + 1;
    if (!before(z, heap[i], heap[w])) return;
    const t = heap[i];
    heap[i] = heap[w];
    heap[w] = t;
    i = w;
  }
}

/** Max-heap by rank (the root ranks FIRST), used to pop tokens in descending order for top-p. */
function siftDownMax(heap: Int32Array, size: number, i: number, z: Float64Array): void {
  for (;;) {
    const l = 2 * i + 1;
    if (l >= size) return;
    let w = l;
    if (l + 1 < size && before(z, heap[l + 1], heap[w])) w = l + 1;
    if (!before(z, heap[w], heap[i])) return;
    const t = heap[i];
    heap[i] = heap[w];
    heap[w] = t;
    i = w;
  }
}

/**
 * Reference sampler (see `SampleArgs`). Top-k uses a size-k heap (O(V log k)); top-p pops a heap until the
 * mass is reached (O(V + m log V)); no full sort of the vocabulary.
 */
export function sampleRows(
  logits: Float32Array,
  rows: number,
  vocab: number,
  uniforms: ArrayLike<number>,
  temperature: number,
  topK = 0,
  topP = 1,
): Int32Array {
  if (!(temperature >= 0) || !Number.isFinite(temperature)) throw new ComputeError("BACKEND_BAD_ARGUMENT", `sample: temperature must be ≥ 0 and finite, got ${temperature}`);
  if (!(topP > 0 && topP <= 1)) throw new ComputeError("BACKEND_BAD_ARGUMENT", `sample: topP must be in (0, 1], got ${topP}`);
  if (!(Number.isInteger(topK) && topK >= 0)) throw new ComputeError("BACKEND_BAD_ARGUMENT", `sample: topK must be a non-negative integer, got ${topK}`);
  if (uniforms.length < rows) throw new ComputeError("BACKEND_BAD_ARGUMENT", `sample: need ${rows} uniforms, got ${uniforms.length}`);
  const out = new Int32Array(rows);
  const z = new Float64Array(vocab);
  const heap = new Int32Array(vocab);
  for (let r = 0; r < rows; r++) out[r] = sampleOne(logits, r * vocab, vocab, uniforms[r], temperature, topK, topP, z, heap, r);
  return out;
}

/** Set by `sampleOne` when its pass over the row gave the drawn token's log-prob for free (NaN otherwise). */
let lastLogprob = Number.NaN;
/** logsumexp of the whole row at the temperature, when `sampleOne` computed it (NaN otherwise). */
let fullLse = Number.NaN;

/** One row of `sampleRows` (scratch `z` and `heap` of `vocab` values; `r` names the row in errors). */
function sampleOne(
  logits: Float32Array,
  o: number,
  vocab: number,
  u: number,
  temperature: number,
  topK: number,
  topP: number,
  z: Float64Array,
  heap: Int32Array,
  r: number,
): number {
  lastLogprob = Number.NaN;
  fullLse = Number.NaN;
  if (temperature === 0) {
    return argmax(logits, o, vocab);
  }
  if (!(u >= 0 && u < 1)) throw new ComputeError("BACKEND_BAD_ARGUMENT", `sample: uniform ${u} for row ${r} is outside [0, 1)`);
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < vocab; j++) {
    const v = logits[o + j] / temperature;
    z[j] = v;
    if (v > max) max = v;
  }
  const k = topK > 0 && topK < vocab ? topK : vocab;
  if (k === vocab && topP >= 1) {
    // Unfiltered: inverse CDF in id order (z[j] becomes e^(z[j] − max)).
    let sum = 0;
    for (let j = 0; j < vocab; j++) {
      const e = Math.exp(z[j] - max);
      z[j] = e;
      sum += e;
    }
    const target = u * sum;
    let acc = 0;
    let pick = vocab - 1;
    for (let j = 0; j < vocab; j++) {
      const e = z[j];
      if (e === 0) continue;
      acc += e;
      if (acc > target) {
        pick = j;
        break;
      }
      pick = j;
    }
    lastLogprob = Math.log(z[pick] / sum);
    return pick;
  }
  // Candidate set in descending rank order.
  let cand: Int32Array;
  if (k < vocab) {
    let size = 0;
    for (let j = 0; j < vocab; j++) {
      if (size < k) {
        heap[size++] = j;
        if (size === k) for (let i = (k >> 1) - 1; i >= 0; i--) siftDownMin(heap, k, i, z);
      } else if (before(z, j, heap[0])) {
        heap[0] = j;
        siftDownMin(heap, k, 0, z);
      }
    }
    cand = Int32Array.from(heap.subarray(0, k)).sort((a, b) => (before(z, a, b) ? -1 : before(z, b, a) ? 1 : 0));
  } else {
    cand = new Int32Array(0);
  }
  // Top-p over the candidates (or over the whole vocabulary via a max-heap).
  let kept: number[];
  if (topP < 1) {
    kept = [];
    if (cand.length > 0) {
      let total = 0;
      for (let i = 0; i < cand.length; i++) total += Math.exp(z[cand[i]] - max);
      let acc = 0;
      for (let i = 0; i < cand.length; i++) {
        kept.push(cand[i]);
        acc += Math.exp(z[cand[i]] - max);
        if (acc >= topP * total) break;
      }
    } else {
      let total = 0;
      for (let j = 0; j < vocab; j++) {
        total += Math.exp(z[j] - max);
        heap[j] = j;
      }
      fullLse = max + Math.log(total);
      for (let i = (vocab >> 1) - 1; i >= 0; i--) siftDownMax(heap, vocab, i, z);
      let size = vocab;
      let acc = 0;
      while (size > 0) {
        const top = heap[0];
        kept.push(top);
        acc += Math.exp(z[top] - max);
        if (acc >= topP * total) break;
        heap[0] = heap[--size];
        siftDownMax(heap, size, 0, z);
      }
    }
  } else {
    kept = Array.from(cand);
  }
  let sum = 0;
  for (const j of kept) sum += Math.exp(z[j] - max);
  const target = u * sum;
  let acc = 0;
  let pick = kept[kept.length - 1];
  for (const j of kept) {
    acc += Math.exp(z[j] - max);
    if (acc > target) {
      pick = j;
      break;
    }
  }
  if (!Number.isNaN(fullLse)) lastLogprob = z[pick] - fullLse;
  return pick;
}


/** `z[id] − logsumexp(z)` with `z = logits[o..o+vocab) / temperature`, in float64. */
export function tokenLogprob(logits: Float32Array, o: number, vocab: number, id: number, temperature: number): number {
  const inv = 1 / temperature;
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < vocab; j++) {
    const v = logits[o + j] * inv;
    if (v > max) max = v;
  }
  let sum = 0;
  for (let j = 0; j < vocab; j++) sum += Math.exp(logits[o + j] * inv - max);
  return logits[o + id] * inv - max - Math.log(sum);
}

/** Checks `sampleTokens` settings (the same errors on every CPU backend). */
export function checkSampleTokens(rows: number, uniforms: ArrayLike<number>, temperature: ArrayLike<number>, topK: ArrayLike<number> | undefined, topP: ArrayLike<number> | undefined): void {
  for (const [name, a] of [["uniforms", uniforms], ["temperature", temperature], ["topK", topK], ["topP", topP]] as const) {
    if (a && a.length < rows) throw new ComputeError("BACKEND_BAD_ARGUMENT", `sampleTokens: need ${rows} values of ${name}, got ${a.length}`);
  }
  for (let r = 0; r < rows; r++) {
    const t = temperature[r];
    const k = topK ? topK[r] : 0;
    const p = topP ? topP[r] : 1;
    if (!(t >= 0) || !Number.isFinite(t)) throw new ComputeError("BACKEND_BAD_ARGUMENT", `sampleTokens: temperature must be ≥ 0 and finite, got ${t} at row ${r}`);
    if (!(p > 0 && p <= 1)) throw new ComputeError("BACKEND_BAD_ARGUMENT", `sampleTokens: topP must be in (0, 1], got ${p} at row ${r}`);
    if (!(Number.isInteger(k) && k >= 0)) throw new ComputeError("BACKEND_BAD_ARGUMENT", `sampleTokens: topK must be a non-negative integer, got ${k} at row ${r}`);
    const u = uniforms[r];
    if (t > 0 && !(u >= 0 && u < 1)) throw new ComputeError("BACKEND_BAD_ARGUMENT", `sampleTokens: uniform ${u} for row ${r} is outside [0, 1)`);
  }
}

/**
 * Reference per-row sampler with log-probs (see `SampleTokensArgs`): each row is `sampleRows` of one row with its
 * own settings, and its token's log-probability at that row's temperature (1 when greedy).
 */
export function sampleTokensRows(
  logits: Float32Array,
  rows: number,
  vocab: number,
  uniforms: ArrayLike<number>,
  temperature: ArrayLike<number>,
  topK: ArrayLike<number> | undefined,
  topP: ArrayLike<number> | undefined,
): { ids: Int32Array; logprobs: Float32Array } {
  checkSampleTokens(rows, uniforms, temperature, topK, topP);
  const ids = new Int32Array(rows);
  const logprobs = new Float32Array(rows);
  const z = new Float64Array(vocab);
  const heap = new Int32Array(vocab);
  for (let r = 0; r < rows; r++) {
    const t = temperature[r];
    const k = topK ? topK[r] : 0;
    const p = topP ? topP[r] : 1;
    const id = sampleOne(logits, r * vocab, vocab, uniforms[r], t, k, p, z, heap, r);
    ids[r] = id;
    logprobs[r] = Number.isNaN(lastLogprob) ? tokenLogprob(logits, r * vocab, vocab, id, t > 0 ? t : 1) : lastLogprob;
  }
  return { ids, logprobs };
}
