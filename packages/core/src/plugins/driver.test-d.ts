import { describe, expectTypeOf, it } from "vitest";
import type { DatasetRow, RolloutGroup } from "../contracts/dataset.js";
import type { PlannedRollout, PluginDriver } from "./driver.js";
import { definePlugin, type Plugin, type PluginContext } from "./types.js";

describe("hook typing", () => {
  it("types each hook's context and value", () => {
    definePlugin({
      name: "typed",
      beforeRollout(ctx, rows) {
        expectTypeOf(ctx).toEqualTypeOf<PluginContext>();
        expectTypeOf(rows).toEqualTypeOf<DatasetRow[]>();
        return rows;
      },
      afterRollout: async (_ctx, groups) => {
        expectTypeOf(groups).toEqualTypeOf<RolloutGroup[]>();
        return groups.filter((g) => g.responses.length > 0);
      },
      afterStep(_ctx, event) {
        expectTypeOf(event.metrics).toEqualTypeOf<{ readonly [x: string]: number }>();
      },
    });
  });

  it("a waterfall hook must return the same type", () => {
    definePlugin({
      name: "wrong-return",
      // @ts-expect-error beforeRollout must return DatasetRow[] (or a promise of it), not a number
      beforeRollout: () => 3,
    });
    definePlugin({
      name: "wrong-async-return",
      // @ts-expect-error afterRollout must resolve to RolloutGroup[]
      afterRollout: async () => "groups",
    });
    const noReturn: Plugin = {
      name: "no-return",
      // @ts-expect-error a waterfall hook cannot return void
      afterAdvantages: () => {},
    };
    expectTypeOf(noReturn.name).toBeString();
  });

  it("beforeRollout may return a typed stage start; a wrong one is a type error", () => {
    definePlugin({
      name: "curriculum",
      beforeRollout: (ctx, rows) =>
        ctx.step === 1 ? { prompts: rows, stageStart: { stage: 1, resetOptimizer: true, reference: "current" } } : rows,
    });
    definePlugin({
      name: "typo",
      // @ts-expect-error reference is "current" | "keep", not the curriculum option's "stageInit"
      beforeRollout: (_ctx, rows) => ({
        prompts: rows,
        stageStart: { stage: 1, resetOptimizer: true, reference: "stageInit" },
      }),
    });
    definePlugin({
      name: "no-prompts",
      // @ts-expect-error a plan must carry the prompts
      beforeRollout: () => ({ stageStart: { stage: 1, resetOptimizer: true, reference: "keep" } }),
    });
    const call = (driver: PluginDriver) =>
      expectTypeOf(driver.planRollout([], { step: 0 })).toEqualTypeOf<Promise<PlannedRollout>>();
    expectTypeOf(call).toBeFunction();
  });

  it("unknown hook names are type errors", () => {
    definePlugin({
      name: "typo",
      // @ts-expect-error beforeRolout is not a hook
      beforeRolout: (_ctx: PluginContext, rows: DatasetRow[]) => rows,
    });
    const typo: Plugin = {
      name: "typo2",
      // @ts-expect-error onCheckpointed is not a hook (excess property check)
      onCheckpointed() {},
    };
    expectTypeOf(typo).toMatchTypeOf<Plugin>();
    type Waterfall = Parameters<PluginDriver["waterfall"]>[0];
    expectTypeOf<"beforeRollout">().toMatchTypeOf<Waterfall>();
    expectTypeOf<"afterStep">().not.toMatchTypeOf<Waterfall>();
    type Observed = Parameters<PluginDriver["observe"]>[0];
    expectTypeOf<"bogus">().not.toMatchTypeOf<Observed>();
  });

  it("observers cannot mutate their event", () => {
    definePlugin({
      name: "observer",
      onCheckpoint(_ctx, event) {
        // @ts-expect-error the event is read-only
        event.path = "/elsewhere";
      },
    });
  });

  it("driver calls are typed per hook", () => {
    const call = (driver: PluginDriver) => {
      expectTypeOf(driver.waterfall("afterRollout", [], { step: 0 })).toEqualTypeOf<Promise<RolloutGroup[]>>();
      // @ts-expect-error afterRollout takes groups, not rows
      driver.waterfall("afterRollout", [{ id: "1", prompt: "p", gold: "g" }], { step: 0 });
      // @ts-expect-error unknown hook name
      driver.observe("afterStepp", { step: 0, metrics: {} }, { step: 0 });
    };
    expectTypeOf(call).toBeFunction();
  });
});
