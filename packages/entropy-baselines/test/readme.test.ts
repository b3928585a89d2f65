import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readmeTsBlocks, runTsBlock } from "../../core/test/readme-examples.js";

const blocks = readmeTsBlocks(join(__dirname, "..", "README.md"));

describe("README examples", () => {
  it("the example runs and prints the loss and selection counts", async () => {
    const { logs } = await runTsBlock(blocks[0]);
    const [loss, penalized, selected] = logs[0] as number[];
    expect(Number.isFinite(loss)).toBe(true);
    expect(penalized).toBe(1); // trunc(7 · 0.2)
    expect(selected).toBe(2); // trunc(7 · 0.2 + 0.9999)
  });
  it("the plugin snippet runs", async () => {
    const { exports } = await runTsBlock(`${blocks[1]}\nexport { registry };\n`);
    expect((exports.registry as { names(): string[] }).names()).toEqual([
      "clip-cov",
      "entropy-advantage",
      "grpo",
      "high-entropy-mask",
      "kl-cov",
    ]);
  });
});
