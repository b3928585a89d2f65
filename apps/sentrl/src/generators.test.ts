import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createReferenceBackend } from "@sentrl/compute";
import { createGenerator, generatorSchemes } from "@sentrl/generators";
import { afterAll, describe, expect, it } from "vitest";
// Test helper of @sentrl/model (not part of its public API): a tiny random model folder with a tokenizer.
import { writeTinyModelDir } from "../../../packages/model/src/generate/tiny.js";
import { registerAppGenerators } from "./generators.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("registerAppGenerators", () => {
  it("registers local: (idempotently) and builds a working generator from a model folder", async () => {
    registerAppGenerators();
    registerAppGenerators();
    expect(generatorSchemes()).toContain("local");
    const dir = mkdtempSync(join(tmpdir(), "sentrl-app-local-"));
    dirs.push(dir);
    (await writeTinyModelDir(dir, 2)).dispose();
    const gen = await createGenerator(`local:${dir}`, { backend: createReferenceBackend() });
    expect(gen.spec).toBe(`local:${dir}`);
    const [[a, b]] = await gen.generate([{ id: "q", text: "ab" }], { n: 2, maxTokens: 4, seed: 1 });
    for (const c of [a, b]) {
      expect(c.tokenIds?.length).toBe(c.numTokens);
      expect(c.tokenLogprobs?.length).toBe(c.numTokens);
      expect(["stop", "length"]).toContain(c.finishReason);
    }
    await gen.close?.();
    await expect(createGenerator(`local:${join(dir, "missing")}`)).rejects.toMatchObject({
      code: "TOKENIZER_FILES_MISSING",
    });
  });
});
