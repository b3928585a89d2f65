import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { docCommentTsBlocks, runTsBlock } from "../../test/readme-examples.js";
import type { DatasetRow } from "../contracts/dataset.js";
import { PluginDriver, PluginHookError } from "./driver.js";
import { definePlugin, type Plugin } from "./types.js";

const rows = (...ids: string[]): DatasetRow[] => ids.map((id) => ({ id, prompt: `q${id}`, gold: id }));

describe("stage start in the plugin contract", () => {
  it("the RolloutPlan doc example runs: stage starts at steps 1 and 11 only", async () => {
    const [code] = docCommentTsBlocks(join(__dirname, "types.ts"));
    const { exports } = await runTsBlock(`${code}\nexport { twoStages };\n`);
    const driver = new PluginDriver([exports.twoStages as Plugin]);
    const starts: [number, number][] = [];
    for (let step = 1; step <= 12; step++) {
      const plan = await driver.planRollout(rows("a"), { step });
      expect(plan.prompts.map((r) => r.id)).toEqual(["a"]);
      if (plan.stageStart) starts.push([step, plan.stageStart.stage]);
    }
    expect(starts).toEqual([
      [1, 1],
      [11, 2],
    ]);
  });

  it("the next plugin gets the plan's prompts; waterfall() returns the prompts only", async () => {
    const driver = new PluginDriver([
      definePlugin({
        name: "curriculum",
        enforce: "pre",
        beforeRollout: (_ctx, r) => ({
          prompts: r.slice(1),
          stageStart: { stage: 3, resetOptimizer: false, reference: "keep" },
        }),
      }),
      definePlugin({ name: "reverse", beforeRollout: (_ctx, r) => [...r].reverse() }),
    ]);
    const plan = await driver.planRollout(rows("1", "2", "3"), { step: 2 });
    expect(plan.prompts.map((r) => r.id)).toEqual(["3", "2"]);
    expect(plan.stageStart).toEqual({ plugin: "curriculum", stage: 3, resetOptimizer: false, reference: "keep" });
    expect((await driver.waterfall("beforeRollout", rows("1", "2"), { step: 2 })).map((r) => r.id)).toEqual(["2"]);
  });

  it("a malformed stage start and two stage starts in one step are errors", async () => {
    const bad = new PluginDriver([
      {
        name: "typo",
        beforeRollout: (_c: unknown, r: DatasetRow[]) => ({
          prompts: r,
          stageStart: { stage: 1, reference: "stageInit" },
        }),
      },
    ] as unknown as Plugin[]);
    await expect(bad.planRollout([], { step: 1 })).rejects.toThrow(PluginHookError);
    const start = (name: string): Plugin =>
      definePlugin({
        name,
        beforeRollout: (_c, r) => ({
          prompts: r,
          stageStart: { stage: 1, resetOptimizer: true, reference: "current" },
        }),
      });
    await expect(new PluginDriver([start("a"), start("b")]).planRollout([], { step: 5 })).rejects.toMatchObject({
      code: "PLUGIN_STAGE_CONFLICT",
    });
  });
});
