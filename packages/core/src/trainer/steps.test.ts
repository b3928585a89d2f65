import { describe, expect, it } from "vitest";
import { COMMON_LOSS_DEFAULTS, type PolicyLoss, type TokenSelection } from "../contracts/policy-loss.js";
import type { TrainingSample } from "../contracts/dataset.js";
import type { Policy, ScoreGradients } from "../contracts/policy.js";
import { evaluatePolicyLoss } from "../losses/evaluate.js";
import { grpoLoss } from "../losses/grpo.js";
import { PluginDriver } from "../plugins/driver.js";
import { Rng } from "../rng/xoshiro.js";
import { resolveTrainerConfig, type TrainerConfig } from "./config.js";
import { PromptSampler } from "./sampler.js";
import {
  buildTokenBatch,
  computeOldAndRefLogp,
  miniBatchRanges,
  sliceSelection,
  StepMetrics,
  updatePolicy,
} from "./steps.js";
import { createTabularPolicy } from "@sentrl/testing";
import { decodeTensors, encodeTensors } from "./tensor-file.js";

/** Samples over 2 states with random lengths 1..3 and advantages, `groups` groups of `n`. */
function makeSamples(groups: number, n: number, seed = 1): TrainingSample[] {
  const rng = new Rng(seed);
  const out: TrainingSample[] = [];
  for (let g = 0; g < groups; g++) {
    for (let k = 0; k < n; k++) {
      const len = 1 + rng.int(3);
      out.push({
        groupIndex: g,
        promptTokens: [g % 2],
        responseTokens: Array.from({ length: len }, () => rng.int(3)),
        reward: rng.int(2),
        advantage: rng.normal(),
      });
    }
  }
  return out;
}

const policyWithInit = (seed: number) => {
  const rng = new Rng(seed);
  return createTabularPolicy({
    states: 2,
    vocab: ["a", "b", "<eos>"],
    eosToken: 2,
    maxTokens: 3,
    init: Float64Array.from({ length: 18 }, () => 0.5 * rng.normal()),
  });
};

/** Wraps a policy to record what the update does. */
function recording(policy: ReturnType<typeof policyWithInit>) {
  const backwards: { rows: number; grads: ScoreGradients }[] = [];
  let steps = 0;
  let pendingRows = 0;
  const wrapped: Policy = {
    ...policy,
    score: (batch, o) => {
      const s = policy.score(batch, o);
      pendingRows = s.rows;
      return s;
    },
    backward: (h, g) => {
      backwards.push({
        rows: pendingRows,
        grads: { dLogp: Float64Array.from(g.dLogp), dEntropy: g.dEntropy && Float64Array.from(g.dEntropy) },
      });
      policy.backward(h as Parameters<typeof policy.backward>[0], g);
    },
    step: (s) => {
      steps++;
      return policy.step(s);
    },
  };
  return { wrapped, backwards, steps: () => steps };
}

const ctxFor = (config: Partial<TrainerConfig>) => ({
  step: 1,
  config: resolveTrainerConfig({
    reward: "x",
    promptsPerStep: 4,
    groupSize: 5,
    miniBatchPrompts: 2,
    microBatchSize: 4,
    maxResponseTokens: 3,
    ...config,
  }),
  driver: new PluginDriver([]),
  metrics: new StepMetrics(),
});

describe("mini-batches", () => {
  it("hold whole groups, in order", () => {
    const samples = makeSamples(5, 3);
    expect(miniBatchRanges(samples, 2)).toEqual([
      [0, 6],
      [6, 12],
      [12, 15],
    ]);
    const uneven = samples.filter((s, i) => s.groupIndex !== 1 || i % 3 === 0); // group 1 has one response
    expect(miniBatchRanges(uneven, 2).map(([a, b]) => b - a)).toEqual([4, 6, 3]);
  });
});

describe("updatePolicy accumulation (verl semantics)", () => {
  it("microBatchMean scales every micro-batch by microBatchSize / miniBatch responses, the short last one too", async () => {
    const samples = makeSamples(4, 5); // mini-batches of 2 groups = 10 responses → micro-batches 4, 4, 2
    const policy = policyWithInit(3);
    const ctx = ctxFor({});
    await computeOldAndRefLogp(policy, null, samples, ctx);
    const rec = recording(policyWithInit(3));
    const loss = grpoLoss.create({});
    await updatePolicy(rec.wrapped, loss, COMMON_LOSS_DEFAULTS, samples, ctx);
    expect(rec.backwards.map((b) => b.rows)).toEqual([4, 4, 2, 4, 4, 2]);
    expect(rec.steps()).toBe(2);
    // The first micro-batch is scored before any update: its gradient is evaluatePolicyLoss's × 4/10.
    const chunk = samples.slice(0, 4);
    const s = policy.score(
      { promptTokens: chunk.map((x) => x.promptTokens), responseTokens: chunk.map((x) => x.responseTokens) },
      { temperature: 1, grad: false },
    );
    const expected = evaluatePolicyLoss(loss, buildTokenBatch(chunk, s.cols, s), COMMON_LOSS_DEFAULTS);
    const got = rec.backwards[0].grads.dLogp;
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(0.4 * expected.gradLogp[i], 14);
    expect(expected.gradLogp.some((g) => g !== 0)).toBe(true);
    // Micro-batch 3 (2 rows) gets the same 0.4 factor: compare against its unscaled gradient on the same parameters.
    const short = samples.slice(8, 10);
    const s3 = policy.score(
      { promptTokens: short.map((x) => x.promptTokens), responseTokens: short.map((x) => x.responseTokens) },
      { temperature: 1, grad: false },
    );
    const e3 = evaluatePolicyLoss(loss, buildTokenBatch(short, s3.cols, s3), COMMON_LOSS_DEFAULTS);
    for (let i = 0; i < e3.gradLogp.length; i++)
      expect(rec.backwards[2].grads.dLogp[i]).toBeCloseTo(0.4 * e3.gradLogp[i], 14);
  });

  it("globalTokenMean weights micro-batches by their share of valid tokens", async () => {
    const samples = makeSamples(2, 5, 7);
    const policy = policyWithInit(4);
    const ctx = ctxFor({ microBatchCombination: "globalTokenMean" });
    await computeOldAndRefLogp(policy, null, samples, ctx);
    const rec = recording(policyWithInit(4));
    const loss = grpoLoss.create({});
    await updatePolicy(rec.wrapped, loss, COMMON_LOSS_DEFAULTS, samples, ctx);
    const tokens = [samples.slice(0, 4), samples.slice(4, 8), samples.slice(8, 10)].map((c) =>
      c.reduce((a, x) => a + x.responseTokens.length, 0),
    );
    const total = tokens.reduce((a, b) => a + b, 0);
    const chunk = samples.slice(0, 4);
    const s = policy.score(
      { promptTokens: chunk.map((x) => x.promptTokens), responseTokens: chunk.map((x) => x.responseTokens) },
      { temperature: 1, grad: false },
    );
    const e = evaluatePolicyLoss(loss, buildTokenBatch(chunk, s.cols, s), COMMON_LOSS_DEFAULTS);
    for (let i = 0; i < e.gradLogp.length; i++) {
      expect(rec.backwards[0].grads.dLogp[i]).toBeCloseTo((tokens[0] / total) * e.gradLogp[i], 14);
    }
  });

  it("miniBatch scope selects once per mini-batch on rollout statistics and slices rows for each micro-batch", async () => {
    const samples = makeSamples(4, 5, 9);
    const ctx = ctxFor({ selectionScope: "miniBatch" });
    await computeOldAndRefLogp(policyWithInit(5), null, samples, ctx);
    const selects: { rows: number; logpIsOld: boolean }[] = [];
    const seenRows: number[][] = [];
    const loss: PolicyLoss = {
      name: "probe",
      select(scope) {
        selects.push({ rows: scope.rows, logpIsOld: scope.logp.every((v, i) => v === scope.oldLogp[i]) });
        // Row-index marker per token, so the slices can be checked.
        const marker = new Float64Array(scope.rows * scope.cols);
        for (let b = 0; b < scope.rows; b++) marker.fill(b, b * scope.cols, (b + 1) * scope.cols);
        return { tokens: { marker } };
      },
      tokenLoss(batch, sel?: TokenSelection) {
        const m = sel!.tokens.marker;
        seenRows.push(Array.from({ length: batch.rows }, (_, b) => m[b * batch.cols]));
        return { loss: new Float64Array(batch.rows * batch.cols), dLogp: new Float64Array(batch.rows * batch.cols) };
      },
    };
    await updatePolicy(policyWithInit(5), loss, COMMON_LOSS_DEFAULTS, samples, ctx);
    expect(selects).toEqual([
      { rows: 10, logpIsOld: true },
      { rows: 10, logpIsOld: true },
    ]);
    expect(seenRows).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
  });

  it("sliceSelection re-lays rows out to the micro-batch width", () => {
    const sel = { tokens: { m: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]) }, metrics: { x: 1 } };
    expect(sliceSelection(sel, 1, 2, 3, 2)).toEqual({ tokens: { m: new Uint8Array([4, 5, 7, 8]) }, metrics: { x: 1 } });
    expect(sliceSelection(sel, 2, 1, 3, 4).tokens.m).toEqual(new Uint8Array([7, 8, 9, 0]));
  });
});

describe("PromptSampler", () => {
  const rows = Array.from({ length: 7 }, (_, i) => ({ id: String(i), prompt: "p", gold: "g" }));
  it("shuffles per epoch deterministically, drops the last incomplete batch and resumes from its position", () => {
    const a = new PromptSampler(rows, { batchSize: 3, seed: 1, shuffle: true });
    const batches = Array.from({ length: 4 }, () => a.next().map((r) => r.id));
    expect(new Set([...batches[0], ...batches[1]]).size).toBe(6); // epoch 0: 2 batches, one row dropped
    expect(batches[0].concat(batches[1])).not.toEqual(["0", "1", "2", "3", "4", "5"]);
    expect(a.state).toEqual({ epoch: 1, cursor: 6 });
    const b = new PromptSampler(rows, { batchSize: 3, seed: 1, shuffle: true });
    b.state = { epoch: 1, cursor: 3 };
    expect(b.next().map((r) => r.id)).toEqual(batches[3]);
    const plain = new PromptSampler(rows, { batchSize: 3, seed: 1, shuffle: false });
    expect(plain.next().map((r) => r.id)).toEqual(["0", "1", "2"]);
    expect(() => new PromptSampler(rows, { batchSize: 8, seed: 1, shuffle: true })).toThrow(
      expect.objectContaining({ code: "TRAINER_BAD_OPTION" }),
    );
  });
});

describe("tensor files", () => {
  it("round-trip F32 and F64 tensors and reject corrupt input", () => {
    const bytes = encodeTensors({ b: new Float32Array([1.5, -2]), a: new Float64Array([Math.PI]) }, { k: "v" });
    expect((8 + Number(new DataView(bytes.buffer).getBigUint64(0, true))) % 8).toBe(0);
    const back = decodeTensors(Buffer.from(bytes));
    expect(back.tensors.a).toEqual(new Float64Array([Math.PI]));
    expect(back.tensors.b).toEqual(new Float32Array([1.5, -2]));
    expect(back.metadata).toEqual({ k: "v" });
    expect(() => decodeTensors(bytes.subarray(0, 4))).toThrow(expect.objectContaining({ code: "CHECKPOINT_CORRUPT" }));
  });
});
