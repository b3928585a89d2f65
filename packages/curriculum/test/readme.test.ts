import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createReplayGenerator, PluginDriver } from "@sentrl/core";
import { describe, expect, it } from "vitest";
import {
  buildCurriculumFromGenerator,
  readDataset,
  type StageStartEvent,
  stagedCurriculum,
  stagesFromRows,
} from "../src/index.js";

describe("README example", () => {
  it("runs as written (with files made here)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sentrl-readme-"));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      writeFileSync(
        "train.jsonl",
        `${[0, 1, 2, 3].map((i) => JSON.stringify({ id: `q${i}`, problem: `p${i}`, answer: String(i) })).join("\n")}\n`,
      );
      const responses = (i: number) => Array.from({ length: 8 }, (_, j) => `Answer: ${j < 8 - 2 * i ? i : 100 + j}`);
      writeFileSync(
        "responses.jsonl",
        `${[0, 1, 2, 3].map((i) => JSON.stringify({ id: `q${i}`, responses: responses(i) })).join("\n")}\n`,
      );

      const generator = await createReplayGenerator("responses.jsonl");
      const manifest = await buildCurriculumFromGenerator({
        data: "train.jsonl",
        generator,
        outDir: "curriculum",
        samples: 8,
        split: { kind: "equalSize", stages: 2 },
        se: { checker: "dapo", estimator: "discrete" },
      });
      expect(manifest.stages.map((s) => s.file)).toEqual(["stage1.jsonl", "stage2.jsonl"]);

      const rows = (await readDataset("curriculum/stage1.jsonl")).rows.concat(
        (await readDataset("curriculum/stage2.jsonl")).rows,
      );
      const events: StageStartEvent[] = [];
      const curriculum = stagedCurriculum({
        stages: stagesFromRows(
          rows.map((r, i) => ({ ...r, id: String(r.id ?? i), prompt: String(r.problem), gold: String(r.answer) })),
        ),
        epochsPerStage: 5,
        refPolicyPerStage: "stageInit",
        onStageStart: (e) => events.push(e),
      });
      expect(curriculum.api.currentStage).toBe(1);
      // easiest first: q0 (all answers agree) and q1 are stage 1
      const driver = new PluginDriver([curriculum]);
      // the trainer's own batch (2 prompts) sets the batch size
      const trainerBatch = rows
        .slice(0, 2)
        .map((r) => ({ ...r, id: String(r.id), prompt: String(r.problem), gold: String(r.answer) }));
      const first = await driver.waterfall("beforeRollout", trainerBatch, { step: 0 });
      expect(first.map((r) => r.id).sort()).toEqual(["q0", "q1"]);
      expect(events).toEqual([{ stage: 1, step: 0, resetOptimizer: true, referencePolicy: "current" }]);
    } finally {
      process.chdir(cwd);
    }
  });
});
