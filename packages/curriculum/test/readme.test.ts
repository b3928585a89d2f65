import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DatasetRow, PluginDriver } from "@sentrl/core";
import { describe, expect, it } from "vitest";
import { annotatedOutputs, readmeTsBlocks, runTsBlock } from "../../core/test/readme-examples.js";
import type { stagedCurriculum } from "../src/index.js";

describe("README example", () => {
  it("runs as written (with the files it reads made here) and prints what its comments say", async () => {
    const [code] = readmeTsBlocks(join(__dirname, "..", "README.md"));
    const dir = mkdtempSync(join(tmpdir(), "sentrl-readme-"));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      writeFileSync(
        "train.jsonl",
        `${[0, 1, 2, 3].map((i) => JSON.stringify({ id: `q${i}`, problem: `p${i}`, answer: String(i) })).join("\n")}\n`,
      );
      // q0: all 8 answers agree (SE 0) ... q3: two agree, six differ (highest SE)
      const responses = (i: number) => Array.from({ length: 8 }, (_, j) => `Answer: ${j < 8 - 2 * i ? i : 100 + j}`);
      writeFileSync(
        "responses.jsonl",
        `${[0, 1, 2, 3].map((i) => JSON.stringify({ id: `q${i}`, responses: responses(i) })).join("\n")}\n`,
      );
      const { logs, exports } = await runTsBlock(`${code}\nexport { curriculum, rows };\n`);
      expect(logs.map((args) => args[0])).toEqual(annotatedOutputs(code));

      // easiest first: the trainer's batch of 2 prompts is replaced by stage 1 (q0, q1), and stage 1 starts
      const { curriculum, rows } = exports as { curriculum: ReturnType<typeof stagedCurriculum>; rows: DatasetRow[] };
      const batch = rows
        .slice(0, 2)
        .map((r) => ({ ...r, id: String(r.id), prompt: String(r.problem), gold: String(r.answer) }));
      const first = await new PluginDriver([curriculum]).planRollout(batch, { step: 0 });
      expect(first.stageStart).toEqual({
        plugin: "staged-curriculum",
        stage: 1,
        resetOptimizer: true,
        reference: "current",
      });
      expect(first.prompts.map((r) => r.id).sort()).toEqual(["q0", "q1"]);
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
