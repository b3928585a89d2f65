import { PluginDriver } from "@sentrl/core";
import { describe, expect, it } from "vitest";
import { dropUniformGroups, trainSentWithCurriculum, trainToyTask } from "./index.js";

describe("custom trainer example", () => {
  it("learns the toy task with a hand-written loop", async () => {
    const scores = await trainToyTask(100);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(scores.slice(0, 5))).toBeLessThan(0.3);
    expect(mean(scores.slice(-10))).toBeGreaterThan(0.85);
  });

  it("the plugin drops groups without reward variance and records the count", async () => {
    const driver = new PluginDriver([dropUniformGroups()]);
    const recorded: Record<string, number> = {};
    const group = (rewards: number[]) => ({
      row: { id: "q", prompt: "p", gold: "g" },
      promptTokens: [0],
      responses: rewards.map((reward) => ({
        text: "",
        tokenIds: [],
        finishReason: "stop",
        reward,
        correct: reward > 0,
        extracted: null,
      })),
      info: {},
    });
    const kept = await driver.waterfall("afterRollout", [group([1, 1]), group([0, 1]), group([0, 0])], {
      step: 1,
      metrics: { record: (name, value) => void (recorded[name] = value) },
    });
    expect(kept.map((g) => g.responses.map((r) => r.reward))).toEqual([[0, 1]]);
    expect(recorded).toEqual({ "drop-uniform-groups/dropped": 2 });
  });

  it("composes a SENT trainer from createTrainer and two plugins (sent loss + staged curriculum)", async () => {
    const curve = await trainSentWithCurriculum();
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const stage1 = curve.filter((s) => s.stage === 1);
    const stage2 = curve.filter((s) => s.stage === 2);
    expect(stage1).toHaveLength(20); // 2 one-letter prompts, 2 per step, 20 epochs
    expect(stage2).toHaveLength(40); // 4 two-letter prompts
    expect(mean(stage1.slice(-5).map((s) => s.score))).toBeGreaterThan(0.9);
    expect(mean(stage2.slice(0, 3).map((s) => s.score))).toBeLessThan(0.3); // new, harder prompts
    expect(mean(stage2.slice(-5).map((s) => s.score))).toBeGreaterThan(0.75);
    expect(curve.every((s) => Number.isFinite(s.entropy))).toBe(true);
  });
});
