import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { annotatedOutputs, readmeTsBlocks, runTsBlock } from "../../core/test/readme-examples.js";
import { BENCHMARKS, DAPO_PROMPT, OPENCOMPASS_PROMPT } from "../src/index.js";

const README = join(__dirname, "..", "README.md");
const blocks = readmeTsBlocks(README);

// Runs each README example and checks every `// → value` annotation against what it prints.
describe("README examples", () => {
  it("has the checker example and the symbolic example", () => {
    expect(blocks.length).toBe(2);
    expect(blocks[1]).toContain("createSymbolicChecker(");
  });
  it.each(blocks.map((code, i) => [i + 1, code] as const))(
    "block %i prints what its comments say",
    async (_i, code) => {
      const expected = annotatedOutputs(code);
      expect(expected.length).toBeGreaterThan(4);
      const { logs } = await runTsBlock(code);
      expect(JSON.parse(JSON.stringify(logs.map((args) => args[0])))).toEqual(expected);
    },
  );
});

describe("README reference text", () => {
  const text = readFileSync(README, "utf8");
  it("names every benchmark", () => {
    for (const name of Object.keys(BENCHMARKS)) expect(text, name).toContain(`\`${name}\``);
  });
  it("shows both prompts verbatim", () => {
    const shown = (p: string) => p.replaceAll("\n", "\\n").replace(/\s+/g, " ");
    const prose = text.replace(/\s+/g, " ");
    expect(prose).toContain(shown(OPENCOMPASS_PROMPT));
    expect(prose).toContain(shown(DAPO_PROMPT));
  });
});
