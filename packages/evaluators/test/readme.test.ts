import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { annotatedOutputs, readmeTsBlocks, runTsBlock } from "../../core/test/readme-examples.js";

// Runs the README's example and checks every `// → value` annotation against what it prints.
describe("README example", () => {
  it("prints what its comments say", async () => {
    const [code] = readmeTsBlocks(join(__dirname, "..", "README.md"));
    const expected = annotatedOutputs(code);
    expect(expected.length).toBeGreaterThan(4);
    const { logs } = await runTsBlock(code);
    expect(JSON.parse(JSON.stringify(logs.map((args) => args[0])))).toEqual(expected);
  });
});
