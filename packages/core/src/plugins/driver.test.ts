import { describe, expect, it } from "vitest";
import type { DatasetRow, RolloutGroup } from "../contracts/dataset.js";
import type { PolicyLossDefinition } from "../contracts/policy-loss.js";
import { advantageEstimatorDefinitions } from "../advantages/estimator.js";
import { isSentrlError } from "../errors.js";
import { PluginDriver, PluginHookError } from "./driver.js";
import { StrategyRegistry } from "./strategy-registry.js";
import { definePlugin, type Plugin } from "./types.js";

const rows = (...ids: string[]): DatasetRow[] => ids.map((id) => ({ id, prompt: `q${id}`, gold: id }));
const fakeLoss = (name: string) =>
  ({
    name,
    description: name,
    defaults: {},
    create: () => ({ name, tokenLoss: () => ({}) }),
  }) as unknown as PolicyLossDefinition;

describe("PluginDriver ordering", () => {
  it("calls pre, then normal, then post plugins, each group in registration order", async () => {
    const calls: string[] = [];
    const mk = (name: string, enforce?: "pre" | "post"): Plugin => ({
      name,
      enforce,
      beforeRollout(_ctx, value) {
        calls.push(`w:${name}`);
        return value;
      },
      afterStep() {
        calls.push(`o:${name}`);
      },
    });
    const driver = new PluginDriver([
      mk("a"),
      mk("b", "post"),
      mk("c", "pre"),
      mk("d"),
      mk("e", "pre"),
      mk("f", "post"),
    ]);
    expect(driver.plugins.map((p) => p.name)).toEqual(["c", "e", "a", "d", "b", "f"]);
    await driver.waterfall("beforeRollout", [], { step: 0 });
    await driver.observe("afterStep", { step: 0, metrics: {} }, { step: 0 });
    expect(calls).toEqual(["w:c", "w:e", "w:a", "w:d", "w:b", "w:f", "o:c", "o:e", "o:a", "o:d", "o:b", "o:f"]);
  });
});

describe("waterfall hooks", () => {
  it("pass each result to the next plugin and return the last one (sync and async)", async () => {
    const driver = new PluginDriver([
      definePlugin({ name: "drop-first", beforeRollout: (_ctx, r) => r.slice(1) }),
      definePlugin({ name: "noop" }),
      definePlugin({ name: "reverse", beforeRollout: async (_ctx, r) => [...r].reverse() }),
    ]);
    const out = await driver.waterfall("beforeRollout", rows("1", "2", "3"), { step: 4 });
    expect(out.map((r) => r.id)).toEqual(["3", "2"]);
  });

  it("return the input unchanged when no plugin implements the hook", async () => {
    const input: RolloutGroup[] = [];
    expect(await new PluginDriver([]).waterfall("afterRollout", input, { step: 0 })).toBe(input);
    expect(new PluginDriver([{ name: "x", afterRollout: (_c, g) => g }]).hasHook("afterRollout")).toBe(true);
    expect(new PluginDriver([{ name: "x" }]).hasHook("afterRollout")).toBe(false);
  });

  it("fail fast: the first error stops the chain, wrapped with plugin, hook, step and cause", async () => {
    const cause = new Error("boom");
    let laterCalled = false;
    const driver = new PluginDriver([
      {
        name: "bad",
        afterAdvantages: () => {
          throw cause;
        },
      },
      {
        name: "later",
        afterAdvantages: (_c, g) => {
          laterCalled = true;
          return g;
        },
      },
    ]);
    const err = await driver.waterfall("afterAdvantages", [], { step: 7 }).catch((e) => e);
    expect(err).toBeInstanceOf(PluginHookError);
    expect(isSentrlError(err)).toBe(true);
    expect(err.code).toBe("PLUGIN_HOOK_FAILED");
    expect(err.message).toBe('plugin "bad" failed in afterAdvantages at step 7: boom');
    expect(err).toMatchObject({ plugin: "bad", hook: "afterAdvantages", step: 7 });
    expect(err.cause).toBe(cause);
    expect(laterCalled).toBe(false);
  });

  it("wrap rejected promises and a missing return value", async () => {
    const rejecting = new PluginDriver([
      { name: "r", beforeRollout: async () => Promise.reject(new TypeError("nope")) },
    ]);
    await expect(rejecting.waterfall("beforeRollout", [], { step: 1 })).rejects.toThrow(
      /plugin "r" failed in beforeRollout at step 1: nope/,
    );
    const forgetful = new PluginDriver([
      { name: "f", beforeRollout: (() => {}) as unknown as Plugin["beforeRollout"] },
    ]);
    await expect(forgetful.waterfall("beforeRollout", [], { step: 2 })).rejects.toMatchObject({
      code: "PLUGIN_HOOK_FAILED",
      message: expect.stringContaining("must return the value"),
    });
  });

  it("stop before the next hook when the run is aborted", async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const driver = new PluginDriver([
      {
        name: "a",
        beforeRollout: (ctx, r) => {
          seen.push("a");
          expect(ctx.signal).toBe(controller.signal);
          controller.abort(new Error("stop"));
          return r;
        },
      },
      {
        name: "b",
        beforeRollout: (_c, r) => {
          seen.push("b");
          return r;
        },
      },
    ]);
    await expect(driver.waterfall("beforeRollout", [], { step: 0, signal: controller.signal })).rejects.toThrow("stop");
    expect(seen).toEqual(["a"]);
  });
});

describe("observers", () => {
  it("get their own frozen copy: they cannot change the run or what the next observer sees", async () => {
    const seen: number[] = [];
    const driver = new PluginDriver([
      {
        name: "vandal",
        afterStep(_ctx, event) {
          expect(Object.isFrozen(event)).toBe(true);
          expect(Object.isFrozen(event.metrics)).toBe(true);
          expect(() => {
            (event.metrics as Record<string, number>)["actor/pg_loss"] = 99;
          }).toThrow(TypeError);
        },
      },
      { name: "reader", afterStep: (_ctx, event) => void seen.push(event.metrics["actor/pg_loss"]) },
    ]);
    const event = { step: 3, metrics: { "actor/pg_loss": 0.5 } };
    await driver.observe("afterStep", event, { step: 3 });
    expect(seen).toEqual([0.5]);
    expect(event.metrics["actor/pg_loss"]).toBe(0.5);
    expect(Object.isFrozen(event)).toBe(false);
  });

  it("errors are wrapped like waterfall errors", async () => {
    const driver = new PluginDriver([
      {
        name: "o",
        onCheckpoint: () => {
          throw new Error("disk full");
        },
      },
    ]);
    await expect(driver.observe("onCheckpoint", { step: 5, path: "/tmp/x" }, { step: 5 })).rejects.toMatchObject({
      code: "PLUGIN_HOOK_FAILED",
      plugin: "o",
      hook: "onCheckpoint",
      step: 5,
    });
  });
});

describe("hook context", () => {
  it("carries step, frozen config, metrics and a seeded RNG stream per plugin, hook and step", async () => {
    const draws: Record<string, number> = {};
    const recorded: [string, number][] = [];
    const plugin = (name: string): Plugin => ({
      name,
      beforeRollout(ctx, r) {
        expect(ctx.plugin).toBe(name);
        expect(ctx.step).toBe(3);
        expect(Object.isFrozen(ctx.config)).toBe(true);
        expect(Object.isFrozen(ctx.config.nested)).toBe(true);
        draws[name] = ctx.rng.uint32();
        ctx.metrics.record(`${name}/x`, 1);
        return r;
      },
    });
    const config = { nested: { lr: 1 } };
    const run = async (seed: number) => {
      const d = new PluginDriver([plugin("p"), plugin("q")], { seed, config });
      await d.waterfall("beforeRollout", [], { step: 3, metrics: { record: (n, v) => recorded.push([n, v]) } });
      return { ...draws };
    };
    const first = await run(1);
    expect(await run(1)).toEqual(first);
    expect(first.p).not.toBe(first.q);
    expect((await run(2)).p).not.toBe(first.p);
    expect(recorded.slice(0, 2)).toEqual([
      ["p/x", 1],
      ["q/x", 1],
    ]);
    expect(Object.isFrozen(config)).toBe(false); // the driver froze a copy
    const d = new PluginDriver([], { seed: 1 });
    expect(d.context("p", "beforeRollout", { step: 3 }).rng.uint32()).toBe(first.p);
    expect(d.context("p", "afterRollout", { step: 3 }).rng.uint32()).not.toBe(first.p);
    expect(d.context("p", "beforeRollout", { step: 4 }).rng.uint32()).not.toBe(first.p);
  });
});

describe("plugin validation", () => {
  it("rejects nameless, duplicate, badly enforced plugins and unknown hook-like methods", () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as { code?: string; message: string }).code + ": " + (e as Error).message;
      }
      return "no error";
    };
    expect(code(() => new PluginDriver([{ name: "" }]))).toMatch(/^PLUGIN_INVALID: plugin #0 has no name/);
    expect(code(() => new PluginDriver([undefined as unknown as Plugin]))).toMatch(/^PLUGIN_INVALID: .*factory/);
    expect(code(() => new PluginDriver([{ name: "a" }, { name: "a" }]))).toMatch(/^PLUGIN_DUPLICATE/);
    expect(code(() => new PluginDriver([{ name: "a", enforce: "first" as "pre" }]))).toMatch(
      /^PLUGIN_INVALID: .*enforce/,
    );
    expect(code(() => new PluginDriver([{ name: "a", afterRollout: 3 as unknown as Plugin["afterRollout"] }]))).toMatch(
      /must be a function/,
    );
    expect(code(() => new PluginDriver([{ name: "a", beforeRolout: () => [] } as Plugin]))).toBe(
      'PLUGIN_UNKNOWN_HOOK: plugin "a" defines unknown hook beforeRolout; hooks are: beforeRollout, afterRollout, afterAdvantages, afterStep, onEvaluate, onCheckpoint',
    );
    expect(code(() => new PluginDriver([{ name: "a", api: { helper: () => 1 } }]))).toBe("no error");
  });
});

describe("strategy registries", () => {
  it("collect definitions from builtins and plugins, in plugin order", () => {
    const driver = new PluginDriver(
      [
        { name: "sent", policyLosses: [fakeLoss("sent")] },
        {
          name: "rewards",
          verifiers: [
            {
              name: "dapo",
              create: () => ({ name: "dapo", score: () => ({ reward: 1, correct: true, extracted: "1" }) }),
            },
          ],
        },
      ],
      { builtins: { policyLosses: [fakeLoss("grpo")], advantageEstimators: advantageEstimatorDefinitions } },
    );
    expect(driver.policyLosses.names()).toEqual(["grpo", "sent"]);
    expect(driver.policyLosses.get("sent").name).toBe("sent");
    expect(driver.policyLosses.ownerOf("sent")).toBe('plugin "sent"');
    expect(driver.policyLosses.ownerOf("grpo")).toBe("core");
    expect(driver.advantageEstimators.names()).toEqual(["dr-grpo", "grpo"]);
    expect(driver.verifiers.get("dapo").create().score("x", { gold: "1" }).reward).toBe(1);
  });

  it("reject duplicate names, naming both owners and listing what exists", () => {
    expect(
      () =>
        new PluginDriver([{ name: "p1", policyLosses: [fakeLoss("sent")] }], {
          builtins: { policyLosses: [fakeLoss("sent"), fakeLoss("grpo")] },
        }),
    ).toThrow(
      expect.objectContaining({
        code: "STRATEGY_DUPLICATE",
        message:
          'policyLoss "sent" is registered twice (by core and by plugin "p1"); rename one or drop a plugin. Registered: grpo, sent',
      }),
    );
  });

  it("reject unknown names, listing the registered ones", () => {
    const reg = new StrategyRegistry<{ name: string }>("advantage")
      .register({ name: "grpo" })
      .register({ name: "dr-grpo" });
    expect(() => reg.get("rloo")).toThrow(
      expect.objectContaining({
        code: "STRATEGY_UNKNOWN",
        message: 'unknown advantage "rloo"; registered: dr-grpo (core), grpo (core)',
      }),
    );
    expect(() => new StrategyRegistry("reward").get("dapo")).toThrow('unknown reward "dapo"; registered: (none)');
    expect(() => reg.register({ name: "" })).toThrow(expect.objectContaining({ code: "STRATEGY_INVALID" }));
    expect(reg.has("grpo")).toBe(true);
  });
});
