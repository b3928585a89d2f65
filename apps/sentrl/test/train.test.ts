import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import { PRESET_NAMES, PRESETS, REWARD_TEMPLATES } from "../src/presets/presets.js";
import { resolveRunConfig } from "../src/presets/run-config.js";
import { fakeIO as io } from "./fake-io.js";

const tmp = () => mkdtempSync(join(tmpdir(), "sentrl-train-"));

function writeConfig(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function train(args: string[]) {
  const o = io();
  const code = await main(["train", ...args], o);
  return { code, out: o.out(), err: o.err() };
}

/** `sentrl train` on `run.yaml` (written in `dir` with `yaml`), to `dir/out`. */
const trainYaml = (dir: string, yaml: string) =>
  train(["--config", writeConfig(dir, "run.yaml", yaml), "--out", join(dir, "out")]);

const metricLines = (file: string) =>
  readFileSync(file, "utf8")
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, number>);

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("sentrl train on the tabular toy task", () => {
  it("GRPO and SENT both raise the reward within a few hundred steps and log entropy curves", async () => {
    const dir = tmp();
    for (const preset of ["grpo", "sent"]) {
      const cfg = writeConfig(dir, `${preset}.yaml`, `preset: ${preset}\npolicy: { kind: tabular }\n`);
      const out = join(dir, `out-${preset}`);
      const r = await train(["--config", cfg, "--out", out]);
      expect(r.code, r.err).toBe(0);
      const summary = JSON.parse(r.out);
      expect(summary).toMatchObject({ preset, loss: preset, steps: 120, resumedFrom: 0 });
      expect(r.err).toContain(`sentrl train (${preset}): step 120/120`);
      const lines = metricLines(join(out, "metrics.jsonl"));
      expect(lines).toHaveLength(120);
      const score = lines.map((l) => l["critic/score/mean"]);
      const entropy = lines.map((l) => l["actor/entropy"]);
      expect(mean(score.slice(-10))).toBeGreaterThan(0.9);
      expect(mean(score.slice(0, 10))).toBeLessThan(mean(score.slice(-10)) - 0.25);
      expect(entropy.every((e) => Number.isFinite(e))).toBe(true);
      expect(mean(entropy.slice(-10))).toBeLessThan(mean(entropy.slice(0, 10)));
      for (const name of ["actor/pg_loss", "actor/ppo_kl", "actor/pg_clipfrac", "actor/grad_norm", "actor/kl_loss"])
        expect(Number.isFinite(lines[5][name]), name).toBe(true);
      expect(existsSync(join(out, "checkpoints", "latest.json"))).toBe(true);
      if (preset === "sent") {
        // SE curriculum from the initial policy's samples: 2 stages of 3 prompts, 60 epochs of one step each
        expect(lines[59]["curriculum/stage"]).toBe(1);
        expect(lines[60]["curriculum/stage"]).toBe(2);
        expect(mean(score.slice(60, 65))).toBeLessThan(0.5); // stage 2's prompts: higher semantic entropy
        expect(summary.curriculum.map((st: { prompts: unknown[] }) => st.prompts.length)).toEqual([3, 3]);
        const se = summary.curriculum.map((st: { prompts: { semanticEntropy: number }[] }) =>
          st.prompts.map((p) => p.semanticEntropy),
        );
        expect(Math.max(...se[0])).toBeLessThanOrEqual(Math.min(...se[1]));
      } else {
        expect(mean(score.slice(0, 10))).toBeLessThan(0.4);
      }
    }
  });

  it("every preset runs on the toy policy (its loss and options resolve against the packages)", async () => {
    const dir = tmp();
    for (const preset of PRESET_NAMES) {
      const cfg = writeConfig(
        dir,
        `${preset}.json`,
        JSON.stringify({ preset, policy: { kind: "tabular" }, totalSteps: 3 }),
      );
      const r = await train(["--config", cfg, "--out", join(dir, preset)]);
      expect(r.code, `${preset}: ${r.err}`).toBe(0);
      expect(metricLines(join(dir, preset, "metrics.jsonl"))).toHaveLength(3);
    }
  });

  it("evaluates every evaluateEvery steps: avg@n, pass@n and mean reward in the metrics log", async () => {
    const dir = tmp();
    const r = await trainYaml(
      dir,
      "preset: grpo\npolicy: { kind: tabular }\nevaluateEvery: 40\nevaluation: { samples: 16, temperature: 0.6 }\n",
    );
    expect(r.code, r.err).toBe(0);
    const lines = metricLines(join(dir, "out", "metrics.jsonl"));
    const val = lines.filter((l) => "val/avg@16" in l);
    expect(val.map((l) => l.step)).toEqual([40, 80, 120]);
    expect(lines).toHaveLength(123);
    expect(val[2]["val/avg@16"]).toBeGreaterThan(0.9);
    expect(val[2]["val/pass@16"]).toBe(1);
    expect(val[2]["val/score/mean"]).toBe(val[2]["val/avg@16"]);
  });

  it("a user verifier module supplies the reward", async () => {
    const dir = tmp();
    writeFileSync(
      join(dir, "verifier.mjs"),
      'export default { name: "starts-a", score: (r) => ({ reward: r.startsWith("a") ? 1 : 0, correct: r.startsWith("a"), extracted: r }) };\n',
    );
    const r = await trainYaml(
      dir,
      "preset: grpo\npolicy: { kind: tabular }\nreward: { name: starts-a, module: ./verifier.mjs }\ntotalSteps: 60\n",
    );
    expect(r.code, r.err).toBe(0);
    const score = metricLines(join(dir, "out", "metrics.jsonl")).map((l) => l["critic/score/mean"]);
    expect(mean(score.slice(-10))).toBeGreaterThan(0.9);
  });

  it("refuses to write over an earlier run without --resume", async () => {
    const dir = tmp();
    const cfg = writeConfig(dir, "run.yaml", "preset: grpo\npolicy: { kind: tabular }\ntotalSteps: 2\n");
    expect((await train(["--config", cfg, "--out", join(dir, "out")])).code).toBe(0);
    const again = await train(["--config", cfg, "--out", join(dir, "out")]);
    expect(again.code).toBe(1);
    expect(again.err).toContain("TRAIN_OUT_EXISTS");
  });
});

describe("bad configs and missing files fail before any work, naming the field", () => {
  const cases: [string, string, RegExp][] = [
    [
      "unknown field",
      "preset: grpo\npolicy: { kind: tabular }\nlearningRate: 1\n",
      /CONFIG_UNKNOWN_FIELD: config\.learningRate: unknown field; valid fields: preset, seed/,
    ],
    [
      "bad loss option",
      'preset: kl-cov\npolicy: { kind: tabular }\nloss: { options: { klCovRatio: "x" } }\n',
      /CONFIG_BAD_FIELD: config\.loss\.options\.klCovRatio: .*"x"/,
    ],
    [
      "unknown loss option",
      "preset: sent\npolicy: { kind: tabular }\nloss: { options: { ratio: 1 } }\n",
      /config\.loss\.options\.ratio: .*valid options: .*klCovRatio/,
    ],
    [
      "unknown loss",
      "preset: grpo\npolicy: { kind: tabular }\nloss: { name: ppo }\n",
      /CONFIG_BAD_FIELD: config\.loss\.name: unknown policyLoss "ppo"; registered: .*grpo \(core\).*sent \(plugin "@sentrl\/token-entropy-kl"\)/,
    ],
    [
      "bad number",
      "preset: grpo\npolicy: { kind: tabular }\ntemperature: -1\n",
      /CONFIG_BAD_FIELD: config\.temperature: expected a number > 0, got -1/,
    ],
    [
      "bad optimizer",
      "preset: grpo\npolicy: { kind: tabular }\noptimizer: { lr: fast }\n",
      /config\.optimizer\.lr: expected a number ≥ 0, got "fast"/,
    ],
    ["unknown preset", "preset: ppo\npolicy: { kind: tabular }\n", /config\.preset: expected one of sent, grpo/],
    ["missing policy", "preset: grpo\n", /config\.policy: expected a value/],
    [
      "reward without its prompt template",
      "preset: grpo\npolicy: { kind: model, dir: . }\ndata: { train: ./data.jsonl }\npromptTemplate: opencompass\n",
      /config\.promptTemplate: expected "dapo" with reward "dapo"/,
    ],
    [
      "missing data file",
      "preset: grpo\npolicy: { kind: model, dir: . }\ndata: { train: ./nope.jsonl }\n",
      /CONFIG_FILE_NOT_FOUND: config\.data\.train: training data .*nope\.jsonl does not exist/,
    ],
    [
      "missing verifier module",
      "preset: grpo\npolicy: { kind: tabular }\nreward: { name: mine, module: ./nope.mjs }\n",
      /CONFIG_FILE_NOT_FOUND: config\.reward\.module: verifier module/,
    ],
    [
      "missing model dir",
      "preset: grpo\npolicy: { kind: model, dir: ./no-model }\ndata: { train: ./data.jsonl }\n",
      /config\.policy\.dir: model directory .*no-model does not exist/,
    ],
    [
      "data with the toy policy",
      "preset: grpo\npolicy: { kind: tabular }\ndata: { train: ./data.jsonl }\n",
      /config\.data: expected no data with the tabular toy policy/,
    ],
    ["yaml syntax", "preset: grpo\npolicy: { kind: tabular\n", /CONFIG_PARSE: .*run\.yaml:?\d* is not valid YAML/],
  ];
  for (const [name, text, pattern] of cases) {
    it(name, async () => {
      const dir = tmp();
      writeFileSync(join(dir, "data.jsonl"), '{"id":"1","problem":"1+1?","answer":"2"}\n');
      const cfg = writeConfig(dir, "run.yaml", text);
      const out = join(dir, "out");
      const r = await train(["--config", cfg, "--out", out]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(pattern);
      expect(existsSync(out)).toBe(false); // nothing was written: no work started
    });
  }

  it("policy.kind model goes to @sentrl/model's ModelPolicy (a directory without a model fails there)", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "data.jsonl"), '{"id":"1","problem":"1+1?","answer":"2"}\n');
    const r = await trainYaml(dir, "preset: grpo\npolicy: { kind: model, dir: . }\ndata: { train: ./data.jsonl }\n");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^sentrl: (MODEL_\w+|TRAIN_POLICY_UNAVAILABLE): /);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  it("a missing config file and a missing --config", async () => {
    const r = await train(["--config", join(tmp(), "none.yaml")]);
    expect(r.err).toMatch(/CONFIG_NOT_FOUND: config file .*none\.yaml does not exist/);
    expect((await train([])).code).toBe(2);
  });

  it("--preset on the command line is the base the file overrides", async () => {
    const dir = tmp();
    const cfg = writeConfig(dir, "run.json", JSON.stringify({ policy: { kind: "tabular" }, totalSteps: 2 }));
    mkdirSync(join(dir, "x"));
    const r = await train(["--config", cfg, "--preset", "kl-cov", "--out", join(dir, "x", "out")]);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ preset: "kl-cov", loss: "kl-cov" });
  });
});

describe("presets", () => {
  it("pair each reward with its prompt template and follow the SENT recipe", () => {
    for (const name of PRESET_NAMES) {
      const c = PRESETS[name].config;
      const reward = (c.reward as { name: string }).name;
      expect(REWARD_TEMPLATES[reward], name).toContain(c.promptTemplate);
      const loss = c.loss as { name: string; options: Record<string, unknown> };
      expect(loss.options, name).toMatchObject({ useKlLoss: true, klLossCoef: 0.001, klLossType: "low_var_kl" });
      expect(c).toMatchObject({ promptsPerStep: 256, groupSize: 8, miniBatchPrompts: 128, microBatchSize: 4 });
    }
    const sent = resolveRunConfig({ preset: "sent", policy: { kind: "model", dir: "m" }, data: { train: "d.jsonl" } });
    expect(sent.loss).toEqual({
      name: "sent",
      options: { useKlLoss: true, klLossCoef: 0.001, klLossType: "low_var_kl", entropyCoeff: 0, mode: "code-intended" },
    });
    expect(sent.curriculum).toEqual({ kind: "staged", epochsPerStage: 5, refPolicyPerStage: "stageInit" });
    expect(sent.optimizer).toEqual({ lr: 1e-6, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1 });
    expect(sent).toMatchObject({
      reward: { name: "dapo" },
      promptTemplate: "dapo",
      temperature: 1,
      maxResponseTokens: 2048,
    });
    expect(resolveRunConfig({ preset: "entropy-bonus", policy: { kind: "tabular" } }).loss.options.entropyCoeff).toBe(
      0.001,
    );
    expect(resolveRunConfig({ preset: "sent-high-entropy", policy: { kind: "tabular" } }).loss.options.tokenSet).toBe(
      "high",
    );
    // the file overrides the preset; `curriculum: null` removes the preset's curriculum
    const over = resolveRunConfig({
      preset: "sent",
      policy: { kind: "tabular" },
      curriculum: null,
      loss: { options: { klLossCoef: 0.01 } },
    });
    expect(over.curriculum).toBeUndefined();
    expect(over.loss.options).toMatchObject({ klLossCoef: 0.01, mode: "code-intended" });
    // changing the loss name drops the preset's loss options
    expect(resolveRunConfig({ preset: "kl-cov", policy: { kind: "tabular" }, loss: { name: "grpo" } }).loss).toEqual({
      name: "grpo",
      options: {},
    });
  });
});
