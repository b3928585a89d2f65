import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Plugin } from "../plugins/types.js";
import { definePlugin } from "../plugins/types.js";
import type { TrainerConfig } from "./config.js";
import { exactMatchReward, toyDataset, toyPolicy } from "@sentrl/testing";
import { createTrainer } from "./trainer.js";

const base: Partial<TrainerConfig> = {
  reward: "exact",
  promptsPerStep: 4,
  groupSize: 4,
  miniBatchPrompts: 2,
  microBatchSize: 4,
  maxResponseTokens: 3,
  optimizer: { lr: 0.05, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maxGradNorm: 1 },
};

describe("trainer hooks", () => {
  it("runs the waterfalls in step order, uses their results, records plugin metrics and feeds observers", async () => {
    const calls: string[] = [];
    const observed: Record<string, number>[] = [];
    const plugin = definePlugin({
      name: "probe",
      beforeRollout(ctx, rows) {
        calls.push(`beforeRollout:${ctx.step}`);
        return rows.filter((r) => r.id === "0" || r.id === "1");
      },
      afterRollout(ctx, groups) {
        calls.push(`afterRollout:${ctx.step}:${groups.length}`);
        ctx.metrics.record("probe/groups", groups.length);
        return groups.map((g) => ({ ...g, info: { ...g.info, seen: true } }));
      },
      afterAdvantages(ctx, groups) {
        calls.push(`afterAdvantages:${ctx.step}`);
        expect(
          groups.every((g) => g.info.seen === true && g.responses.every((r) => typeof r.advantage === "number")),
        ).toBe(true);
        // Zero every advantage: the update must then leave the policy's surrogate gradient at 0.
        return groups.map((g) => ({ ...g, responses: g.responses.map((r) => ({ ...r, advantage: 0 })) }));
      },
      afterStep(ctx, event) {
        calls.push(`afterStep:${ctx.step}`);
        observed.push({ ...event.metrics });
      },
    });
    const policy = toyPolicy();
    const trainer = createTrainer({
      policy,
      dataset: toyDataset(),
      plugins: [exactMatchReward(), plugin],
      config: { ...base, totalSteps: 2, shuffle: false, optimizer: { ...base.optimizer!, weightDecay: 0 } },
    });
    await trainer.run();
    expect(calls).toEqual([
      "beforeRollout:1",
      "afterRollout:1:2",
      "afterAdvantages:1",
      "afterStep:1",
      "beforeRollout:2",
      "afterRollout:2:2",
      "afterAdvantages:2",
      "afterStep:2",
    ]);
    expect(observed[0]["probe/groups"]).toBe(2);
    expect(observed[0]["critic/advantages/max"]).toBe(0);
    expect(policy.theta.every((v) => v === 0)).toBe(true); // zero advantages, no KL: nothing to learn
  });

  it("wraps plugin errors with the step", async () => {
    const trainer = createTrainer({
      policy: toyPolicy(),
      dataset: toyDataset(),
      plugins: [
        exactMatchReward(),
        {
          name: "flaky",
          afterRollout(ctx, groups) {
            if (ctx.step === 2) throw new Error("scorer crashed");
            return groups;
          },
        },
      ],
      config: { ...base, totalSteps: 3 },
    });
    await expect(trainer.run()).rejects.toMatchObject({
      code: "PLUGIN_HOOK_FAILED",
      message: 'plugin "flaky" failed in afterRollout at step 2: scorer crashed',
    });
    expect(trainer.step).toBe(1);
  });

  it("plugins contribute strategies chosen by name; bad names and options fail at creation", () => {
    const make = (config: Partial<TrainerConfig>) => () =>
      createTrainer({
        policy: toyPolicy(),
        dataset: toyDataset(),
        plugins: [exactMatchReward()],
        config: { ...base, ...config },
      });
    expect(make({ policyLoss: "sent" })).toThrow(
      expect.objectContaining({
        code: "CONFIG_BAD_FIELD",
        message:
          'config.policyLoss: unknown policyLoss "sent"; registered: grpo (core); "sent" comes with tokenEntropyKlPlugin() from @sentrl/token-entropy-kl (STRATEGY_UNKNOWN)',
      }),
    );
    expect(make({ advantage: "rloo" })).toThrow(
      'config.advantage: unknown advantage "rloo"; registered: dr-grpo (core), grpo (core) (STRATEGY_UNKNOWN)',
    );
    expect(make({ reward: "dapo" })).toThrow(
      'config.reward: unknown reward "dapo"; registered: exact (plugin "exact-match"); "dapo" comes with mathRewards() from @sentrl/evaluators (STRATEGY_UNKNOWN)',
    );
    expect(make({ lossOptions: { clipRatio: 0.3, bogus: 1 } })).toThrow(
      expect.objectContaining({
        code: "CONFIG_BAD_FIELD",
        message: expect.stringMatching(
          /^config\.lossOptions\.bogus: unknown option `bogus` for loss `grpo`.*\(LOSS_UNKNOWN_OPTION\)$/,
        ),
      }),
    );
    expect(make({ miniBatchPrompts: 8 })).toThrow(expect.objectContaining({ code: "CONFIG_BAD_FIELD" }));
    expect(make({ batchSize: 3 } as Partial<TrainerConfig>)).toThrow(
      expect.objectContaining({ code: "CONFIG_UNKNOWN_FIELD" }),
    );
    expect(make({ advantage: "dr-grpo", lossOptions: { lossAggMode: "seq-mean-token-sum-norm" } })).not.toThrow();
  });
});

describe("curriculum support", () => {
  it("stops when beforeRollout chooses no prompts", async () => {
    const trainer = createTrainer({
      policy: toyPolicy(),
      dataset: toyDataset(),
      plugins: [exactMatchReward(), { name: "two-steps", beforeRollout: (ctx, rows) => (ctx.step <= 2 ? rows : []) }],
      config: { ...base, totalSteps: 10 },
    });
    const results = await trainer.run();
    expect(results.map((r) => r.step)).toEqual([1, 2]);
    expect(trainer.step).toBe(2);
  });

  it("checkpoints plugin state and gives it back on resume", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sentrl-plugin-state-"));
    try {
      const counter = (): Plugin & { count: number } => {
        const p = {
          name: "counter",
          count: 0,
          afterRollout(_ctx: unknown, groups: never[]) {
            p.count++;
            return groups;
          },
          state: () => ({ count: p.count }),
          loadState: (s: unknown) => {
            p.count = (s as { count: number }).count;
          },
        };
        return p as unknown as Plugin & { count: number };
      };
      const config = { ...base, totalSteps: 3, checkpointEvery: 3 };
      const trainerWith = (plugin: Plugin) =>
        createTrainer({
          policy: toyPolicy(),
          dataset: toyDataset(),
          plugins: [exactMatchReward(), plugin],
          config,
          outputDir: dir,
        });
      const first = counter();
      await trainerWith(first).run();
      expect(first.count).toBe(3);
      const second = counter();
      await trainerWith(second).resume();
      expect(second.count).toBe(3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
