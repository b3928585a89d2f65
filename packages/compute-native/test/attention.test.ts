import { describe, it } from "vitest";
import { expectClose, gemmIsas, nativeOrSkip, useIsa, randomArray, rng } from "./helpers.js";
import { type AttentionShape, refAttention, refAttentionBackward } from "./reference.js";

const k = nativeOrSkip();

const SHAPES: AttentionShape[] = [
  { batch: 1, seqLen: 1, heads: 1, kvHeads: 1, headDim: 1 },
  { batch: 2, seqLen: 3, heads: 3, kvHeads: 1, headDim: 3 },
  { batch: 1, seqLen: 17, heads: 6, kvHeads: 2, headDim: 17 },
  { batch: 3, seqLen: 33, heads: 4, kvHeads: 4, headDim: 9 },
  { batch: 1, seqLen: 40, heads: 2, kvHeads: 1, headDim: 64 },
  // crosses the 64-row query blocks
  { batch: 2, seqLen: 130, heads: 2, kvHeads: 1, headDim: 5 },
];

function maskFor(s: AttentionShape): Uint8Array {
  // Left padding on odd sequences (the first two keys hidden), so some queries see no key at all.
  const m = new Uint8Array(s.batch * s.seqLen).fill(1);
  for (let b = 1; b < s.batch; b += 2) for (let t = 0; t < Math.min(2, s.seqLen); t++) m[b * s.seqLen + t] = 0;
  return m;
}

for (const isa of gemmIsas(k))
  describe(`native causal GQA attention ({isa})`, () => {
    useIsa(k, isa);
    for (const s of SHAPES)
      for (const masked of [false, true]) {
        it(`forward and backward B${s.batch} T${s.seqLen} nh${s.heads} nkv${s.kvHeads} hd${s.headDim}${masked ? " masked" : ""}`, () => {
          const r = rng(40 + s.seqLen);
          const rows = s.batch * s.seqLen;
          const q = randomArray(rows * s.heads * s.headDim, r, -2, 2);
          const kk = randomArray(rows * s.kvHeads * s.headDim, r, -2, 2);
          const v = randomArray(rows * s.kvHeads * s.headDim, r);
          const keyMask = masked ? maskFor(s) : undefined;
          const out = new Float32Array(q.length).fill(Number.NaN);
          const probs = new Float32Array(s.batch * s.heads * s.seqLen * s.seqLen).fill(Number.NaN);
          k!.attentionForward({ out, probs, q, k: kk, v, keyMask, ...s });
          const ref = refAttention(q, kk, v, keyMask ?? null, s);
          expectClose(out, ref.out, 1e-4, 1e-5, "out");
          expectClose(probs, ref.probs, 1e-4, 1e-6, "probs");
          const dout = randomArray(q.length, r);
          const dq = new Float32Array(q.length).fill(Number.NaN);
          const dk = new Float32Array(kk.length).fill(Number.NaN);
          const dv = new Float32Array(v.length).fill(Number.NaN);
          k!.attentionBackward({ dq, dk, dv, dout, probs, q, k: kk, v, ...s });
          const g = refAttentionBackward(dout, q, kk, v, keyMask ?? null, s);
          expectClose(dq, g.dq, 1e-4, 1e-5, "dq");
          expectClose(dk, g.dk, 1e-4, 1e-5, "dk");
          expectClose(dv, g.dv, 1e-4, 1e-5, "dv");
          // accumulate: adds to what the gradient buffers hold
          const pq = randomArray(q.length, r),
            pk = randomArray(kk.length, r),
            pv = randomArray(v.length, r);
          const aq = pq.slice(),
            ak = pk.slice(),
            av = pv.slice();
          k!.attentionBackward({ dq: aq, dk: ak, dv: av, dout, probs, q, k: kk, v, ...s, accumulate: true });
          expectClose(
            aq,
            g.dq.map((x, i) => x + pq[i]),
            1e-4,
            1e-5,
            "dq+=",
          );
          expectClose(
            ak,
            g.dk.map((x, i) => x + pk[i]),
            1e-4,
            1e-5,
            "dk+=",
          );
          expectClose(
            av,
            g.dv.map((x, i) => x + pv[i]),
            1e-4,
            1e-5,
            "dv+=",
          );
          // inference: no probs buffer, same output
          const out2 = new Float32Array(q.length).fill(Number.NaN);
          k!.attentionForward({ out: out2, q, k: kk, v, keyMask, ...s });
          expectClose(out2, ref.out, 1e-4, 1e-5, "out without probs");
        });
      }
  });
