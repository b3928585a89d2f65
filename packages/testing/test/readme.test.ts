import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { annotatedOutputs, readmeTsBlocks, runTsBlock } from "../../core/test/readme-examples.js";

describe("README example", () => {
  it("trains the toy policy and prints what its `// →` comments say", async () => {
    const [code] = readmeTsBlocks(join(__dirname, "..", "README.md"));
    const expected = annotatedOutputs(code);
    expect(expected).toEqual([6, true]);
    const { logs } = await runTsBlock(code);
    expect(logs.map((args) => args[0])).toEqual(expected);
  });
});
