import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createModelTokenizer, loadTokenizer, readModelConfig } from "@sentrl/model";
import { Rng } from "@sentrl/core";
import { describe, expect, it } from "vitest";
import {
  BASE_RECIPE,
  committedBaseDir,
  isCurrentBase,
  recipeHash,
  recipeSftRows,
  recipeSplits,
} from "../src/demo/base-model.js";
import { DEFAULT_TASK, drawSplits, sftProblem, slipper, solveSum, sumProblem } from "../src/demo/task.js";
import { CHAT_TEMPLATE, DEMO_VOCAB_SIZE, demoTokenizerJson, END_TOKEN, END_TOKEN_ID } from "../src/demo/tokenizer.js";

describe("demo task: sums worked line by line", () => {
  it("adds the first two numbers per line and boxes the total", () => {
    expect(solveSum([3, 5, 2, 8])).toBe("8+2+8\n10+8\n18\n\\boxed{18}");
    expect(solveSum([0, 9])).toBe("9\n\\boxed{9}");
    const p = sumProblem([7, 7, 7], "x");
    expect(p).toMatchObject({ question: "7+7+7", answer: "21", solution: "14+7\n21\n\\boxed{21}" });
  });

  it("a slipping demonstrator carries its slip into every later line and the boxed answer", () => {
    const slips = [0, 1, 0];
    expect(solveSum([3, 5, 2, 8], (line) => slips[line])).toBe("8+2+8\n11+8\n19\n\\boxed{19}");
    expect(solveSum([0, 0, 4], () => -1)).toBe("1+4\n4\n\\boxed{4}"); // never below zero: 0 − 1 becomes 0 + 1
    const rng = new Rng(3);
    const slip = slipper(rng, { rate: 0.3 });
    const draws = Array.from({ length: 20000 }, () => slip(0));
    expect(draws.every((d) => d === 0 || d === 1 || d === -1)).toBe(true);
    expect(draws.filter((d) => d !== 0).length / draws.length).toBeCloseTo(0.3, 1);
    expect(draws.filter((d) => d === 1).length / draws.length).toBeCloseTo(0.15, 1);
    const reserved = new Set<string>();
    const clean = sftProblem(DEFAULT_TASK, 1, 5, reserved);
    expect(clean.solution).toBe(solveSum(clean.terms));
    const noisy = Array.from({ length: 400 }, (_, i) => sftProblem(DEFAULT_TASK, 1, i, reserved, { rate: 0.3 }));
    expect(noisy[5].question).toBe(clean.question); // the same questions, some solutions with slips
    const wrong = noisy.filter((p) => !p.solution.endsWith(`{${p.answer}}`)).length / noisy.length;
    expect(wrong).toBeGreaterThan(0.5); // 1 − 0.7^lines over 2-7 lines
    expect(wrong).toBeLessThan(0.95);
  });

  it("draws held-out, validation and RL splits that never share a question, deterministically", () => {
    const spec = { minTerms: 3, maxTerms: 8 };
    const a = drawSplits(spec, { rl: 300, heldOut: 300, validation: 200 }, 5);
    const b = drawSplits(spec, { rl: 300, heldOut: 300, validation: 200 }, 5);
    expect(a.rl.map((p) => p.question)).toEqual(b.rl.map((p) => p.question));
    const held = new Set(a.heldOut.map((p) => p.question));
    expect(held.size).toBe(300);
    expect(a.rl.filter((p) => held.has(p.question))).toEqual([]);
    const val = new Set(a.validation.map((p) => p.question));
    expect(val.size).toBe(200);
    expect([...a.rl, ...a.heldOut].filter((p) => val.has(p.question))).toEqual([]);
    expect(a.reserved.size).toBe(800);
    const terms = new Set(a.heldOut.map((p) => p.terms.length));
    expect([...terms].sort()).toEqual([3, 4, 5, 6, 7, 8]);
    expect(() => drawSplits({ minTerms: 2, maxTerms: 2 }, { rl: 80, heldOut: 80 }, 1)).toThrow(
      /DEMO_BAD_TASK|distinct/,
    );
  });

  it("the SFT stream skips every reserved question and is a pure function of (seed, index)", () => {
    const spec = { minTerms: 3, maxTerms: 3 };
    const reserved = new Set(drawSplits(spec, { rl: 400, heldOut: 400 }, 0).reserved);
    for (let i = 0; i < 300; i++) expect(reserved.has(sftProblem(spec, 1, i, reserved).question)).toBe(false);
    expect(sftProblem(spec, 1, 17, reserved)).toEqual(sftProblem(spec, 1, 17, reserved));
  });
});

describe("demo tokenizer", () => {
  it("is a tokenizer.json with one token per symbol, \\boxed{ as one token and a chat template", () => {
    const tok = createModelTokenizer({
      tokenizerJson: demoTokenizerJson(),
      tokenizerConfig: { eos_token: END_TOKEN, chat_template: CHAT_TEMPLATE },
    });
    const prompt = tok.applyChatTemplate([{ role: "user", content: "3+5+2" }]);
    expect(prompt).toBe("<|user|>3+5+2<|end|><|assistant|>");
    const ids = tok.tokenizer.encode(`${prompt}8+2\n10\n\\boxed{10}`);
    expect(ids).toHaveLength(1 + 5 + 2 + 3 + 1 + 2 + 1 + 1 + 2 + 1);
    expect(tok.tokenizer.decode(ids, { skipSpecialTokens: true })).toBe("3+5+28+2\n10\n\\boxed{10}");
    expect(tok.eosTokenIds).toEqual([END_TOKEN_ID]);
    expect(Math.max(...ids)).toBeLessThan(DEMO_VOCAB_SIZE);
  });
});

describe("demo base model recipe", () => {
  it("the committed base model is the current recipe's (recipe.json hash), with the recipe's shape and tokenizer", () => {
    const dir = committedBaseDir();
    expect(isCurrentBase(dir), `${dir} is stale: regenerate with sentrl sft --demo-base --out ${dir}`).toBe(true);
    const marker = JSON.parse(readFileSync(join(dir, "recipe.json"), "utf8"));
    expect(marker.hash).toBe(recipeHash());
    const cfg = readModelConfig(dir);
    expect(cfg.hiddenSize).toBe(BASE_RECIPE.model.hidden_size);
    expect(cfg.numLayers).toBe(BASE_RECIPE.model.num_hidden_layers);
    expect(cfg.vocabSize).toBe(DEMO_VOCAB_SIZE);
    expect(JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8"))).toEqual(demoTokenizerJson());
    expect(loadTokenizer(dir).chatTemplate).toBe(CHAT_TEMPLATE);
  });

  it("SFT data never contains an RL or held-out question; the hash changes with the recipe", () => {
    const splits = recipeSplits();
    expect(splits.rl).toHaveLength(BASE_RECIPE.splits.rl);
    expect(splits.validation).toHaveLength(BASE_RECIPE.splits.validation);
    const rows = recipeSftRows(BASE_RECIPE, splits);
    expect(rows).toHaveLength(BASE_RECIPE.sft.steps * BASE_RECIPE.sft.batchSize);
    const q = (r: Record<string, unknown>) => (r.prompt as { content: string }[])[0].content;
    expect(rows.filter((r) => splits.reserved.has(q(r)))).toEqual([]);
    expect(recipeHash({ ...BASE_RECIPE, initSeed: 2 })).not.toBe(recipeHash());
  });
});
