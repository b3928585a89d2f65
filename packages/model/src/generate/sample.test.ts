import { loadFastCpuBackend } from "@sentrl/compute";
import { describe, expect, it } from "vitest";
import { Tokenizer } from "../tokenizer/tokenizer.js";
import type { TokenizerJson } from "../tokenizer/tokenizer.js";
import { createGenerationEngine } from "./engine.js";
import { sampleSequences } from "./sample.js";
import { TINY_SPECIALS, tinyModel, tinyTokenizerJson } from "./tiny.js";

const model = tinyModel(7);
const fast = await loadFastCpuBackend().catch((e: Error) => e);
const PROMPTS = [[5, 17, 99, 3], [200], [42, 42, 7, 8, 9, 10, 11]];

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe("sampleSequences (KV cache)", () => {
  it("records log-probs equal to score() of the generated sequence at the sampling temperature", () => {
    for (const temperature of [0.7, 1.3]) {
      const out = sampleSequences(
        model,
        PROMPTS.map((prompt, i) => ({ prompt, sampleIndex: i })),
        { maxTokens: 12, temperature, topP: 0.95, topK: 50, seed: 3 },
      );
      const rows = PROMPTS.map((p, i) => [...p, ...out[i].tokenIds]);
      const { logp } = model.score(rows, { temperature });
      out.forEach((seq, i) => {
        expect(seq.tokenIds.length).toBe(12);
        expect(seq.finishReason).toBe("length");
        expect(maxDiff(seq.tokenLogprobs, logp[i].slice(PROMPTS[i].length - 1))).toBeLessThan(1e-4);
      });
    }
  });

  it("greedy continuation is the argmax of score() at every step", () => {
    const [seq] = sampleSequences(model, [{ prompt: PROMPTS[0], sampleIndex: 0 }], { maxTokens: 5, temperature: 0 });
    const V = model.config.vocabSize;
    const row = [...PROMPTS[0]];
    for (const y of seq.tokenIds) {
      // The argmax token has the largest log-prob among all candidates: score each candidate continuation.
      const cands = Array.from({ length: V }, (_, c) => [...row, c]);
      const { logp } = model.score(cands, { batchSize: 64 });
      let best = 0;
      for (let c = 1; c < V; c++) if (logp[c][row.length - 1] > logp[best][row.length - 1]) best = c;
      expect(y).toBe(best);
      row.push(y);
    }
    const { logp } = model.score([row]);
    expect(maxDiff(seq.tokenLogprobs, logp[0].slice(PROMPTS[0].length - 1))).toBeLessThan(1e-4);
  });

  it("requests with different settings share one engine batch and equal their separate runs", () => {
    const engine = createGenerationEngine(model, { maxBatch: 3 });
    const reqs = [
      { prompt: PROMPTS[0], maxTokens: 9, temperature: 0.5, topK: 5, seed: 1, sampleIndex: 2 },
      { prompt: PROMPTS[1], maxTokens: 4, temperature: 0, seed: 1 },
      { prompt: PROMPTS[2], maxTokens: 7, temperature: 1.5, topP: 0.8, seed: 9 },
      { prompt: PROMPTS[0], maxTokens: 6, temperature: 1, seed: 4, sampleIndex: 1 },
    ];
    const together = engine.generate(reqs);
    reqs.forEach((r, i) => {
      const alone = createGenerationEngine(model, { maxBatch: 1, capacity: 2 }).generate([r])[0];
      expect(together[i].tokenIds).toEqual(alone.tokenIds);
      expect(together[i].tokenLogprobs).toEqual(alone.tokenLogprobs);
      expect(together[i].tokenIds.length).toBe(r.maxTokens);
    });
    engine.dispose();
  });

  it("is reproducible and independent of batch composition and batch size", () => {
    const reqs = [0, 1, 2, 3].map((k) => ({ prompt: PROMPTS[k % 2], sampleIndex: k }));
    const opts = { maxTokens: 8, temperature: 1, seed: 5 };
    const all = sampleSequences(model, reqs, { ...opts, batchSize: 4 });
    const one = sampleSequences(model, [reqs[3]], { ...opts, batchSize: 1 });
    const mixed = sampleSequences(model, [{ prompt: PROMPTS[2], sampleIndex: 0 }, reqs[3], reqs[0]], {
      ...opts,
      batchSize: 2,
    });
    expect(one[0].tokenIds).toEqual(all[3].tokenIds);
    expect(mixed[1].tokenIds).toEqual(all[3].tokenIds);
    expect(mixed[2].tokenIds).toEqual(all[0].tokenIds);
    expect(all[0].tokenIds).not.toEqual(all[2].tokenIds); // same prompt, other sample index
    const reseeded = sampleSequences(model, reqs, { ...opts, seed: 6 });
    expect(reseeded.map((s) => s.tokenIds)).not.toEqual(all.map((s) => s.tokenIds));
  });

  it("refills finished rows from the queue without changing any result (continuous batching)", () => {
    const reqs = [0, 1, 2, 3, 4, 5].map((k) => ({ prompt: PROMPTS[k % 3], sampleIndex: k }));
    // EOS ids that random sampling hits often, so rows finish at different steps.
    const eosTokenIds = Array.from({ length: 40 }, (_, i) => i * 6);
    const opts = { maxTokens: 12, temperature: 1, seed: 8, eosTokenIds };
    const alone = reqs.map((r) => sampleSequences(model, [r], { ...opts, batchSize: 1 })[0]);
    const lengths = alone.map((s) => s.tokenIds.length);
    expect(new Set(lengths).size).toBeGreaterThan(1);
    for (const batchSize of [2, 4]) {
      const together = sampleSequences(model, reqs, { ...opts, batchSize });
      together.forEach((s, i) => {
        expect(s.tokenIds).toEqual(alone[i].tokenIds);
        expect(s.finishReason).toBe(alone[i].finishReason);
        expect(maxDiff(s.tokenLogprobs, alone[i].tokenLogprobs)).toBeLessThan(1e-6);
      });
    }
  });

  it("stops at EOS ids (kept as the last token) and honours maxTokens 0", () => {
    const free = sampleSequences(model, [{ prompt: PROMPTS[1], sampleIndex: 0 }], { maxTokens: 6, temperature: 0 })[0];
    const eos = free.tokenIds[2];
    const cut = sampleSequences(model, [{ prompt: PROMPTS[1], sampleIndex: 0 }], {
      maxTokens: 6,
      temperature: 0,
      eosTokenIds: [eos],
    })[0];
    expect(cut.tokenIds).toEqual(free.tokenIds.slice(0, free.tokenIds.indexOf(eos) + 1));
    expect(cut.finishReason).toBe("stop");
    const none = sampleSequences(model, [{ prompt: PROMPTS[1], sampleIndex: 0 }], { maxTokens: 0 })[0];
    expect(none).toMatchObject({ tokenIds: [], finishReason: "length" });
  });

  it("cuts the text before a stop string and skips special tokens in the text", () => {
    const tok = new Tokenizer(tinyTokenizerJson() as unknown as TokenizerJson);
    const free = sampleSequences(
      model,
      [{ prompt: PROMPTS[0], sampleIndex: 1 }],
      { maxTokens: 20, temperature: 1, seed: 2 },
      tok,
    )[0];
    expect(free.text).toBe(tok.decode(free.tokenIds, { skipSpecialTokens: true }));
    const text = free.text as string;
    const stop = text.slice(4, 6);
    expect(stop.length).toBe(2);
    const stopped = sampleSequences(
      model,
      [{ prompt: PROMPTS[0], sampleIndex: 1 }],
      { maxTokens: 20, temperature: 1, seed: 2, stop: [stop] },
      tok,
    )[0];
    expect(stopped.finishReason).toBe("stop");
    expect(stopped.text).toBe(text.slice(0, text.indexOf(stop)));
    expect(free.tokenIds.slice(0, stopped.tokenIds.length)).toEqual(stopped.tokenIds);
    expect(tok.decode(stopped.tokenIds)).toContain(stop);
    expect(TINY_SPECIALS.imEnd).toBe(260);
  });

  it("rejects bad options with coded errors", () => {
    expect(() => sampleSequences(model, [{ prompt: [], sampleIndex: 0 }], { maxTokens: 2 })).toThrow(/empty prompt/);
    expect(() => sampleSequences(model, [{ prompt: [1], sampleIndex: 0 }], { maxTokens: 2, topP: 0 })).toThrow(/topP/);
    expect(() => sampleSequences(model, [{ prompt: [1], sampleIndex: 0 }], { maxTokens: 2, stop: ["x"] })).toThrow(
      /tokenizer/,
    );
  });

  it.skipIf(fast instanceof Error)(
    `on the fast CPU backend too: log-probs = score, batch-independent${fast instanceof Error ? ` (skipped: ${fast.message})` : ""}`,
    () => {
      const m = tinyModel(7, { backend: fast as Exclude<typeof fast, Error> });
      const reqs = PROMPTS.map((prompt, i) => ({ prompt, sampleIndex: i }));
      const opts = { maxTokens: 10, temperature: 0.7, topP: 0.9, seed: 3 };
      const a = sampleSequences(m, reqs, opts);
      const one = sampleSequences(m, [reqs[2]], { ...opts, batchSize: 1 });
      const { logp } = m.score(
        PROMPTS.map((p, i) => [...p, ...a[i].tokenIds]),
        { temperature: 0.7 },
      );
      a.forEach((s, i) => {
        expect(maxDiff(s.tokenLogprobs, logp[i].slice(PROMPTS[i].length - 1))).toBeLessThan(1e-4);
      });
      expect(one[0].tokenIds).toEqual(a[2].tokenIds);
      expect(one[0].tokenLogprobs).toEqual(a[2].tokenLogprobs);
      m.dispose();
    },
  );
});
