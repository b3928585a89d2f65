import { type DatasetRow, PluginDriver, type PluginStageStart, type RolloutGroup } from "@sentrl/core";
import { describe, expect, it } from "vitest";
import { onlineCurriculum, stagedCurriculum, stagesFromRows } from "../src/index.js";

const row = (id: string, extra: Record<string, unknown> = {}): DatasetRow => ({
  id,
  prompt: `q${id}`,
  gold: "1",
  ...extra,
});

describe("stagedCurriculum", () => {
  const stages = [
    Array.from({ length: 10 }, (_, i) => row(`a${i}`)),
    Array.from({ length: 6 }, (_, i) => row(`b${i}`)),
  ];

  it("runs stage by stage, epochs shuffled with drop_last, signalling optimiser reset and reference policy", async () => {
    const events: [number, PluginStageStart][] = [];
    const cur = stagedCurriculum({ stages, epochsPerStage: 2, batchSize: 4 });
    const driver = new PluginDriver([cur], { seed: 3 });
    const batches: string[][] = [];
    for (let step = 0; step < 20 && !cur.api.done; step++) {
      const { prompts: b, stageStart } = await driver.planRollout([row("x"), row("y")], { step });
      if (stageStart) events.push([step, stageStart]);
      if (b.length) batches.push(b.map((r) => r.id));
    }
    // stage 1: 10 rows, batch 4, drop_last → 2 batches per epoch × 2 epochs; stage 2: 6 rows → 1 batch × 2 epochs
    expect(batches.map((b) => b[0][0])).toEqual(["a", "a", "a", "a", "b", "b"]);
    expect(batches.every((b) => b.length === 4)).toBe(true);
    // within an epoch no repeats; epochs are reshuffled
    expect(new Set([...batches[0], ...batches[1]]).size).toBe(8);
    expect([...batches[0], ...batches[1]]).not.toEqual([...batches[2], ...batches[3]]);
    expect(events).toEqual([
      [0, { plugin: "staged-curriculum", stage: 1, resetOptimizer: true, reference: "current" }],
      [4, { plugin: "staged-curriculum", stage: 2, resetOptimizer: true, reference: "current" }],
    ]);
    expect(cur.api.done).toBe(true);
    expect(await driver.waterfall("beforeRollout", [row("x")], { step: 99 })).toEqual([]);
    expect(cur.api.stepsPerStage()).toEqual([4, 2]);
    expect(batches).toHaveLength(cur.api.stepsPerStage().reduce((a, b) => a + b, 0));
    expect(stagedCurriculum({ stages, epochsPerStage: 2, dropLast: false }).api.stepsPerStage(4)).toEqual([6, 4]);
    expect(stagedCurriculum({ stages, epochsPerStage: 1 }).api.stepsPerStage(8)).toEqual([1, 1]);
  });

  it("without drop_last the short batches are kept; a stage smaller than a batch is one batch", async () => {
    for (const [opts, bs] of [
      [{ dropLast: false }, 4],
      [{}, 8],
    ] as const) {
      const cur = stagedCurriculum({ stages, epochsPerStage: 2, batchSize: bs, ...opts });
      const d = new PluginDriver([cur]);
      const sizes: number[] = [];
      for (let step = 0; !cur.api.done && step < 50; step++)
        sizes.push((await d.waterfall("beforeRollout", [], { step })).length);
      expect(sizes.filter((x) => x > 0)).toEqual(bs === 4 ? [4, 4, 2, 4, 4, 2, 4, 2, 4, 2] : [8, 8, 6, 6]);
      expect(sizes.filter((x) => x > 0)).toHaveLength(cur.api.stepsPerStage().reduce((a, b) => a + b, 0));
    }
  });

  it("refPolicyPerStage theta0 keeps the initial policy as reference", async () => {
    const cur = stagedCurriculum({ stages, epochsPerStage: 1, batchSize: 5, refPolicyPerStage: "theta0" });
    const driver = new PluginDriver([cur]);
    expect((await driver.planRollout([], { step: 0 })).stageStart).toMatchObject({ stage: 1, reference: "keep" });
    expect((await driver.planRollout([], { step: 1 })).stageStart).toBeNull();
  });

  it("state() is JSON and a restored curriculum continues with the same batches", async () => {
    const run = async (restoreAt?: number) => {
      let cur = stagedCurriculum({ stages, epochsPerStage: 3, batchSize: 3 });
      const out: string[] = [];
      for (let step = 0; step < 12; step++) {
        if (step === restoreAt) {
          const saved = JSON.parse(JSON.stringify(cur.state()));
          cur = stagedCurriculum({ stages, epochsPerStage: 3, batchSize: 3 });
          cur.loadState(saved);
        }
        const b = await new PluginDriver([cur]).waterfall("beforeRollout", [], { step });
        out.push(b.map((r) => r.id).join(","));
      }
      return out;
    };
    expect(await run(5)).toEqual(await run());
    expect(() => stagedCurriculum({ stages }).loadState({ kind: "nope" } as never)).toThrow(
      expect.objectContaining({ code: "CURRICULUM_BAD_STATE" }),
    );
  });

  it("uses the trainer's batch size by default and groups rows by their stage column", async () => {
    const rows = [row("p", { stage: 2 }), row("q", { stage: 1 }), row("r", { stage: 2 })];
    const st = stagesFromRows(rows);
    expect(st.map((s) => s.map((r) => r.id))).toEqual([["q"], ["p", "r"]]);
    const cur = stagedCurriculum({ stages: st, epochsPerStage: 1, shuffle: false });
    const d = new PluginDriver([cur]);
    expect((await d.waterfall("beforeRollout", [row("x"), row("y")], { step: 0 })).map((r) => r.id)).toEqual(["q"]);
    expect((await d.waterfall("beforeRollout", [row("x"), row("y")], { step: 1 })).map((r) => r.id)).toEqual([
      "p",
      "r",
    ]);
    expect(() => stagesFromRows([row("z")])).toThrow(expect.objectContaining({ code: "CURRICULUM_NO_STAGE" }));
  });
});

function group(r: DatasetRow, answers: (string | null)[], meanLogp?: number[]): RolloutGroup {
  return {
    row: r,
    promptTokens: [1, 2],
    info: {},
    responses: answers.map((a, j) => ({
      text: a === null ? "no idea" : `work\nAnswer: ${a}`,
      tokenIds: [1, 2, 3, 4],
      ...(meanLogp ? { tokenLogprobs: [meanLogp[j], meanLogp[j], meanLogp[j], meanLogp[j]] } : {}),
      finishReason: "stop",
      reward: 0,
      correct: false,
      extracted: a,
    })),
  };
}

const exact = { canonicalKey: (s: string) => s.trim(), equivalent: (a: string, b: string) => a.trim() === b.trim() };

describe("onlineCurriculum", () => {
  const rows = Array.from({ length: 20 }, (_, i) => row(`r${i}`));

  it("re-scores SE from GRPO groups and annotates them", async () => {
    const cur = onlineCurriculum({ rows, se: { checker: exact } });
    const d = new PluginDriver([cur]);
    const groups = [
      group(rows[0], ["1", "1", "2", "3"]),
      group(rows[1], ["5", "5", "5", "5"], [-0.1, -0.2, -0.3, -0.4]),
      group(row("other"), ["1", null]),
    ];
    const out = await d.waterfall("afterRollout", groups, { step: 0 });
    expect(out).toHaveLength(3);
    // no log-probs → discrete; with log-probs → lengthNormalized
    expect(out[0].info.semanticEntropy).toBeCloseTo(-(0.5 * Math.log(0.5) + 2 * 0.25 * Math.log(0.25)), 12);
    expect(out[1].info.semanticEntropy).toBe(0);
    expect(out[2].info.semanticEntropy).toBeCloseTo(Math.LN2, 12);
    expect(cur.api.score("r0")).toBeCloseTo(1.0397207708399179, 12);
    expect(cur.api.score("r2")).toBeUndefined();
    expect(cur.state().scores.map((s) => s[0])).toEqual(["r0", "r1"]);
  });

  it("schedules the easiest pool, growing to all rows", async () => {
    const initialSE = Object.fromEntries(rows.map((r, i) => [r.id, i / 10]));
    const cur = onlineCurriculum({ rows, initialSE, batchSize: 4, startFraction: 0.25, rampSteps: 10 });
    const d = new PluginDriver([cur], { seed: 5 });
    for (let step = 0; step < 5; step++) {
      const b = await d.waterfall("beforeRollout", [], { step });
      expect(b).toHaveLength(4);
      expect(new Set(b.map((r) => r.id)).size).toBe(4);
      const limit = Math.ceil(cur.api.poolFraction(step) * 20);
      for (const r of b) expect(Number(r.id.slice(1))).toBeLessThan(limit);
    }
    expect(cur.api.poolFraction(0)).toBe(0.25);
    expect(cur.api.poolFraction(10)).toBe(1);
    // same seed and step → same batch (the driver's per-step RNG)
    const again = await new PluginDriver(
      [onlineCurriculum({ rows, initialSE, batchSize: 4, startFraction: 0.25, rampSteps: 10 })],
      { seed: 5 },
    ).waterfall("beforeRollout", [], { step: 3 });
    expect(again.map((r) => r.id)).toEqual((await d.waterfall("beforeRollout", [], { step: 3 })).map((r) => r.id));
  });

  it("a prompt that becomes hard leaves the early pool; smoothing and state round-trip", async () => {
    const initialSE = Object.fromEntries(rows.map((r, i) => [r.id, i / 100]));
    const cur = onlineCurriculum({
      rows,
      initialSE,
      batchSize: 5,
      startFraction: 0.25,
      rampSteps: 1000,
      smoothing: 0.5,
      se: { checker: exact, estimator: "discrete" },
    });
    const d = new PluginDriver([cur], { seed: 1 });
    await d.waterfall("afterRollout", [group(rows[0], ["1", "2", "3", "4"])], { step: 0 });
    expect(cur.api.score("r0")).toBeCloseTo(Math.log(4), 12); // first score replaces the initial value
    await d.waterfall("afterRollout", [group(rows[0], ["1", "1", "1", "1"])], { step: 1 });
    expect(cur.api.score("r0")).toBeCloseTo(Math.log(4) / 2, 12);
    const b = await d.waterfall("beforeRollout", [], { step: 0 });
    expect(b.map((r) => r.id).sort()).toEqual(["r1", "r2", "r3", "r4", "r5"]);
    const saved = JSON.parse(JSON.stringify(cur.state()));
    const other = onlineCurriculum({ rows, initialSE, batchSize: 5, startFraction: 0.25, se: { checker: exact } });
    other.loadState(saved);
    expect(other.api.score("r0")).toBeCloseTo(Math.log(4) / 2, 12);
    expect(() => other.loadState({ kind: "onlineCurriculum", scores: [["zz", 1, 1]] })).toThrow(
      expect.objectContaining({ code: "CURRICULUM_BAD_STATE" }),
    );
  });

  it("stageSteps: a typed stage start every stageSteps steps, π_ref per refPolicyPerStage", async () => {
    const starts = async (o: { stageSteps?: number; refPolicyPerStage?: "stageInit" | "theta0" }) => {
      const d = new PluginDriver([onlineCurriculum({ rows, batchSize: 2, ...o })]);
      const out: [number, string, number][] = [];
      for (let step = 1; step <= 7; step++) {
        const { prompts, stageStart } = await d.planRollout([], { step });
        expect(prompts).toHaveLength(2);
        if (stageStart) out.push([step, stageStart.reference, stageStart.stage]);
      }
      return out;
    };
    expect(await starts({})).toEqual([]);
    expect(await starts({ stageSteps: 3 })).toEqual([
      [1, "current", 1],
      [4, "current", 2],
      [7, "current", 3],
    ]);
    expect((await starts({ stageSteps: 5, refPolicyPerStage: "theta0" })).map((s) => s[1])).toEqual(["keep", "keep"]);
    expect(() => onlineCurriculum({ rows, stageSteps: 0 })).toThrow(
      expect.objectContaining({ code: "CURRICULUM_BAD_OPTION" }),
    );
  });

  it("takes initial scores from a semantic_entropy column and rejects duplicate ids", () => {
    const cur = onlineCurriculum({ rows: [row("a", { semantic_entropy: 0.7 }), row("b")], se: { checker: exact } });
    expect(cur.api.score("a")).toBe(0.7);
    expect(cur.api.score("b")).toBeUndefined();
    expect(() => onlineCurriculum({ rows: [row("a"), row("a")] })).toThrow(
      expect.objectContaining({ code: "CURRICULUM_DUPLICATE_ID" }),
    );
  });
});
