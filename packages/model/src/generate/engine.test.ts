import { describe, expect, it } from "vitest";
import { Tokenizer, type TokenizerJson } from "../tokenizer/tokenizer.js";
import { createGenerationEngine, type GenerationRequest } from "./engine.js";
import { tinyModel, tinyTokenizerJson } from "./tiny.js";

const PROMPTS = [[5, 17, 99, 3], [200], [42, 42, 7, 8, 9, 10, 11]];

describe("GenerationEngine (async submit)", () => {
  it("batches concurrent submissions, streams every token, and equals the synchronous generate", async () => {
    const model = tinyModel(3);
    const tok = new Tokenizer(tinyTokenizerJson() as unknown as TokenizerJson);
    const reqs: GenerationRequest[] = [0, 1, 2, 3, 4].map((i) => ({ prompt: PROMPTS[i % 3], maxTokens: 6 + i, temperature: 0.9, seed: 2, sampleIndex: i, stop: i === 4 ? ["e"] : undefined }));
    const expected = createGenerationEngine(model, { maxBatch: 2, tokenizer: tok }).generate(reqs);
    const engine = createGenerationEngine(model, { maxBatch: 2, tokenizer: tok });
    const streamed = reqs.map(() => ({ ids: [] as number[], logprobs: [] as number[], text: "" }));
    const got = await Promise.all(
      reqs.map((r, i) =>
        engine.submit({
          ...r,
          onToken: (t) => {
            streamed[i].ids.push(t.id);
            streamed[i].logprobs.push(t.logprob);
            streamed[i].text += t.text;
          },
        }),
      ),
    );
    got.forEach((s, i) => {
      expect(s).toEqual(expected[i]);
      expect(streamed[i].ids).toEqual(s.tokenIds);
      expect(streamed[i].logprobs).toEqual(s.tokenLogprobs);
      expect(streamed[i].text).toBe(s.text);
    });
    expect(engine.pending).toBe(0);
    engine.dispose();
  });

  it("aborting a request rejects it and frees its slot; weights swapped between steps take effect", async () => {
    const model = tinyModel(3);
    const engine = createGenerationEngine(model, { maxBatch: 1 });
    const ac = new AbortController();
    const long = engine.submit({ prompt: [1, 2], maxTokens: 50, signal: ac.signal, onToken: () => ac.abort(new Error("client went away")) });
    const next = engine.submit({ prompt: [3], maxTokens: 3, temperature: 0 });
    await expect(long).rejects.toThrow("client went away");
    const before = await next;
    const other = tinyModel(4);
    engine.updateWeights(new Map(other.parameterNames().map((n) => [n, other.getParameter(n)])));
    const after = await engine.submit({ prompt: [3], maxTokens: 3, temperature: 0 });
    const fresh = createGenerationEngine(other, { maxBatch: 1 }).generate([{ prompt: [3], maxTokens: 3, temperature: 0 }])[0];
    expect(after).toEqual(fresh);
    expect(after.tokenLogprobs).not.toEqual(before.tokenLogprobs);
    engine.dispose();
    await expect(Promise.resolve().then(() => engine.submit({ prompt: [1], maxTokens: 1 }))).rejects.toThrow(/disposed/);
  });
});
