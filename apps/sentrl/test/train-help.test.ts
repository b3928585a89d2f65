// `sentrl train --help` lists exactly the run configuration's schema: every field declared once (RUN_CONFIG_SCHEMA,
// built from core's trainer fields and the app's own), documented from that one declaration.
import { Readable } from "node:stream";
import { fieldPaths, TRAINER_CONFIG_FIELDS } from "@sentrl/core";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import { PRESETS } from "../src/presets/presets.js";
import {
  RUN_CONFIG_FIELDS,
  RUN_CONFIG_SCHEMA,
  RUN_STRATEGY_PATHS,
  resolveRunConfig,
} from "../src/presets/run-config.js";

async function help(): Promise<string> {
  let out = "";
  const code = await main(["train", "--help"], {
    stdin: Readable.from([""]),
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: () => true },
    env: {},
  });
  expect(code).toBe(0);
  return out;
}

describe("sentrl train --help and the run-config schema", () => {
  it("lists exactly the schema's fields, in order, each with its type and doc", async () => {
    const text = await help();
    const section = text.split(/^Config fields.*$/m)[1].split("\n\n")[0];
    const lines = section.split("\n").filter((l) => l.trim() !== "");
    expect(lines.map((l) => l.trim().split(/\s+/)[0])).toEqual(fieldPaths(RUN_CONFIG_SCHEMA));
    expect(section).toMatch(/^ {2}promptsPerStep {2}integer ≥ 1 \(default 256\) {2}prompts per step$/m);
    expect(section).toMatch(/^ {4}loss\.options {2}object \(default \{\}\) {2}the common loss options/m);
  });

  it("every trainer field is core's declaration, as it is or as a strategy's name/options", () => {
    const unfolded = new Set(Object.keys(RUN_STRATEGY_PATHS));
    for (const [key, field] of Object.entries(TRAINER_CONFIG_FIELDS)) {
      if (unfolded.has(key)) continue;
      if (key === "totalSteps") continue; // optional here: derived from epochs or the curriculum when absent
      expect(RUN_CONFIG_FIELDS[key as keyof typeof RUN_CONFIG_FIELDS], key).toBe(field);
    }
    expect(RUN_CONFIG_FIELDS.loss.fields?.name).toBe(TRAINER_CONFIG_FIELDS.policyLoss);
    expect(RUN_CONFIG_FIELDS.reward.fields?.options).toBe(TRAINER_CONFIG_FIELDS.rewardOptions);
  });

  it("the validator accepts what the help lists and every preset (typed against the schema) resolves", () => {
    const rc = resolveRunConfig({ preset: "grpo", policy: { kind: "tabular" } });
    expect(Object.keys(rc).every((k) => fieldPaths(RUN_CONFIG_SCHEMA).includes(k))).toBe(true);
    for (const name of Object.keys(PRESETS))
      expect(
        resolveRunConfig({ policy: { kind: "model", dir: "m" }, data: { train: "d.jsonl" } }, { preset: name }).preset,
      ).toBe(name);
    expect(() => resolveRunConfig({ preset: "grpo", policy: { kind: "tabular" }, optimizer: { momentum: 1 } })).toThrow(
      expect.objectContaining({
        code: "CONFIG_UNKNOWN_FIELD",
        message: "config.optimizer.momentum: unknown field; valid fields: lr, betas, eps, weightDecay, maxGradNorm",
      }),
    );
  });
});
