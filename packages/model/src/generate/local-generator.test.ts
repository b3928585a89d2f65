import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createReferenceBackend } from "@sentrl/compute";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DecoderModel } from "../decoder.js";
import { createLocalGenerator, LocalGenerator } from "./local-generator.js";
import { TINY_SPECIALS, writeTinyModelDir } from "./tiny.js";

let dir: string;
let gen: LocalGenerator;
let reference: DecoderModel;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sentrl-local-gen-"));
  reference = await writeTinyModelDir(dir, 3);
  gen = await createLocalGenerator(dir, { backend: createReferenceBackend(), batchSize: 4 });
});
afterAll(async () => {
  await gen.close();
  reference.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe("createLocalGenerator (local:<dir>)", () => {
  it("samples n completions per prompt with token ids, log-probs matching score(), logLik and text", async () => {
    const prompts = [
      { id: "a", messages: [{ role: "user" as const, content: "What is ab + ab?" }] },
      { id: "b", text: "abab 12" },
    ];
    const out = await gen.generate(prompts, { n: 3, temperature: 0.8, maxTokens: 8, seed: 4 });
    expect(out.map((c) => c.length)).toEqual([3, 3]);
    const rolled = await gen.rollout(prompts, { n: 3, temperature: 0.8, maxTokens: 8, seed: 4 });
    expect(rolled.map((r) => r.completions)).toEqual(out); // reproducible
    expect(rolled[0].promptTokens).toEqual(
      gen.tokenizer.tokenizer.encode("<|im_start|>user\nWhat is ab + ab?<|im_end|>\n<|im_start|>assistant\n"),
    );
    expect(rolled[0].promptTokens[0]).toBe(TINY_SPECIALS.imStart);
    rolled.forEach((r) => {
      const rows = r.completions.map((c) => [...r.promptTokens, ...c.tokenIds]);
      const { logp } = reference.score(rows, { temperature: 0.8 });
      r.completions.forEach((c, k) => {
        expect(c.numTokens).toBe(c.tokenIds.length);
        expect(c.logLik).toBeCloseTo(
          c.tokenLogprobs.reduce((a, b) => a + b, 0),
          10,
        );
        const ref = logp[k].slice(r.promptTokens.length - 1);
        c.tokenLogprobs.forEach((lp, t) => {
          expect(Math.abs(lp - ref[t])).toBeLessThan(1e-4);
        });
        const ids = c.tokenIds!.filter((id) => id !== TINY_SPECIALS.imEnd && id !== TINY_SPECIALS.endoftext);
        expect(c.text).toBe(gen.tokenizer.tokenizer.decode(ids, { skipSpecialTokens: true }));
        if (c.finishReason === "stop")
          expect([TINY_SPECIALS.imEnd, TINY_SPECIALS.endoftext]).toContain(c.tokenIds.at(-1));
        else expect(c.tokenIds.length).toBe(8);
      });
    });
    expect(new Set(out[1].map((c) => c.tokenIds!.join(","))).size).toBeGreaterThan(1);
  });

  it("ends at the tokenizer's EOS ids (kept in tokenIds, left out of the text)", async () => {
    expect(gen.tokenizer.eosTokenIds).toEqual([TINY_SPECIALS.endoftext, TINY_SPECIALS.imEnd]);
    const opts = { n: 1, temperature: 1, maxTokens: 12, seed: 9 };
    const free = new LocalGenerator("local:free", gen.model, { ...gen.tokenizer, eosTokenIds: [] });
    const [[c]] = await free.generate([{ id: "x", text: "a" }], opts);
    const eos = c.tokenIds![5];
    const cut = new LocalGenerator("local:eos", gen.model, { ...gen.tokenizer, eosTokenIds: [eos] });
    const [[d]] = await cut.generate([{ id: "x", text: "a" }], opts);
    const at = c.tokenIds!.indexOf(eos);
    expect(d.tokenIds).toEqual(c.tokenIds!.slice(0, at + 1));
    expect(d.finishReason).toBe("stop");
    expect(d.text).toBe(gen.tokenizer.tokenizer.decode(c.tokenIds!.slice(0, at), { skipSpecialTokens: true }));
  });

  it("reports bad prompts and options with codes", async () => {
    await expect(gen.generate([{ id: "x" }], { n: 1 })).rejects.toMatchObject({ code: "GENERATE_BAD_PROMPT" });
    await expect(gen.generate([{ id: "x", text: "a" }], { n: 0 })).rejects.toMatchObject({
      code: "GENERATE_BAD_OPTION",
    });
    await expect(createLocalGenerator(join(dir, "nope"))).rejects.toMatchObject({ code: "TOKENIZER_FILES_MISSING" });
  });
});
