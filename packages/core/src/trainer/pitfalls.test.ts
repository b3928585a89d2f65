// The details that make a trainer silently wrong (issue 8, point 2): each test fails if the trainer does it the
// other way. Accumulation by (mini-batch size / micro-batch size), also for a short last micro-batch, is tested in
// steps.test.ts ("microBatchMean scales every micro-batch ..."); the reward/prompt-template pair in the app's presets.
import { describe, expect, it } from "vitest";
import type { PolicyLossDefinition } from "../contracts/policy-loss.js";
import type { TokenBatch } from "../contracts/token-batch.js";
import type { Policy, PolicyRollout, ScoreGradients } from "../contracts/policy.js";
import { grpoLoss } from "../losses/grpo.js";
import { definePlugin, type Plugin } from "../plugins/types.js";
import type { TrainerConfig } from "./config.js";
import { responseMaskLength } from "./steps.js";
import { createTabularPolicy, type TabularPolicy } from "@sentrl/testing";
import { exactMatchReward, toyDataset, toyPolicy } from "@sentrl/testing";
import { createTrainer } from "./trainer.js";

const optimizer = { lr: 0.05, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0, maxGradNorm: 1 };

/** A `spy` loss: grpo, recording every micro-batch TokenBatch it is given. */
function spyLoss(seen: TokenBatch[]): Plugin {
  const def: PolicyLossDefinition = {
    ...grpoLoss,
    name: "spy",
    create: (o) => {
      const inner = grpoLoss.create(o);
      return {
        ...inner,
        name: "spy",
        tokenLoss: (batch, sel, ctx) => {
          seen.push({ ...batch, mask: Uint8Array.from(batch.mask), advantages: Float64Array.from(batch.advantages) });
          return inner.tokenLoss(batch, sel, ctx);
        },
      };
    },
  };
  return { name: "spy", policyLosses: [def] };
}

/** Wraps a tabular policy: records score temperatures, backward gradients, and optionally replaces rollouts. */
function instrumented(policy: TabularPolicy, rollout?: Policy["rollout"]) {
  const temps: { grad: boolean | "ref"; t: number }[] = [];
  const rolloutTemps: number[] = [];
  const backwards: ScoreGradients[] = [];
  const scoredLengths: number[][] = [];
  const wrapped: Policy = {
    ...policy,
    score: (batch, o) => {
      temps.push({ grad: o.grad, t: o.temperature });
      scoredLengths.push(batch.responseTokens.map((r) => r.length));
      return policy.score(batch, o);
    },
    backward: (h, g) => {
      backwards.push({ dLogp: Float64Array.from(g.dLogp) });
      policy.backward(h as Parameters<typeof policy.backward>[0], g);
    },
    snapshot: () => {
      const snap = policy.snapshot();
      return {
        score: (batch, o) => {
          temps.push({ grad: "ref", t: o.temperature });
          return snap.score(batch, o);
        },
      };
    },
    rollout: async (prompts, o) => {
      rolloutTemps.push(o.temperature ?? Number.NaN);
      return rollout ? rollout(prompts, o) : policy.rollout(prompts, o);
    },
  };
  return { wrapped, temps, rolloutTemps, backwards, scoredLengths };
}

const base: Partial<TrainerConfig> = {
  reward: "exact",
  promptsPerStep: 2,
  groupSize: 2,
  miniBatchPrompts: 2,
  microBatchSize: 4,
  maxResponseTokens: 3,
  optimizer,
  zeroVarianceWarnSteps: 0,
};

describe("response mask", () => {
  it("responseMaskLength keeps tokens up to and including the first EOS, and all of a truncated response", () => {
    expect(responseMaskLength([0, 1, 2, 1, 2], 2)).toBe(3);
    expect(responseMaskLength([2, 0], 2)).toBe(1);
    expect(responseMaskLength([0, 1, 0], 2)).toBe(3);
    expect(responseMaskLength([0, 1, 2], undefined)).toBe(3);
  });

  it("the trainer cuts what a policy emits after EOS, keeps truncated responses whole and never counts prompt tokens", async () => {
    const policy = createTabularPolicy({ states: 2, vocab: ["a", "b", "<eos>"], eosToken: 2, maxTokens: 4 });
    // Fixed rollouts: "a<eos>" followed by junk the mask must drop; "aba" truncated (no EOS); a 7-token prompt.
    const fixed: Policy["rollout"] = async (prompts) =>
      prompts.map(
        (p): PolicyRollout => ({
          promptTokens: [Number(p.id), 9, 9, 9, 9, 9, 9],
          completions: [
            { text: "a", tokenIds: [0, 2, 1, 1], finishReason: "stop" },
            { text: "aba", tokenIds: [0, 1, 0], finishReason: "length" },
          ],
        }),
      );
    const spy = instrumented(policy, fixed);
    const seen: TokenBatch[] = [];
    const trainer = createTrainer({
      policy: spy.wrapped,
      dataset: toyDataset(["a", "b"]),
      plugins: [exactMatchReward(), spyLoss(seen)],
      config: { ...base, policyLoss: "spy", totalSteps: 1 },
    });
    const [result] = await trainer.run();
    // eosTokenId comes from the policy (TabularPolicy.eosTokenId)
    expect(trainer.config.eosTokenId).toBe(2);
    expect(spy.scoredLengths[0]).toEqual([2, 3, 2, 3]);
    expect(result.metrics["response_length/mean"]).toBe(2.5);
    expect(result.metrics["response_length/clip_ratio"]).toBe(0.5);
    // the loss sees exactly the response tokens: 2 + 3 per group, nothing of the 7 prompt tokens
    const maskSum = seen.reduce((s, b) => s + b.mask.reduce((a, x) => a + x, 0), 0);
    expect(maskSum).toBe(10);
    expect(seen[0].cols).toBe(3);
  });
});

describe("temperature", () => {
  it("divides the logits of the rollout and of every forward (old, reference, current) and the entropy", async () => {
    const theta = Float64Array.from({ length: 9 }, (_, i) => Math.sin(3 * i + 1) * 2);
    const policy = createTabularPolicy({
      states: 1,
      vocab: ["a", "b", "<eos>"],
      eosToken: 2,
      maxTokens: 3,
      init: theta,
    });
    const spy = instrumented(policy);
    const seen: TokenBatch[] = [];
    await createTrainer({
      policy: spy.wrapped,
      dataset: toyDataset(["a"]),
      plugins: [exactMatchReward(), spyLoss(seen)],
      config: {
        ...base,
        policyLoss: "spy",
        promptsPerStep: 1,
        groupSize: 4,
        miniBatchPrompts: 1,
        temperature: 0.7,
        totalSteps: 2,
        lossOptions: { useKlLoss: true },
      },
    }).run();
    expect(spy.rolloutTemps).toEqual([0.7, 0.7]);
    expect(new Set(spy.temps.map((x) => x.grad))).toEqual(new Set([true, false, "ref"]));
    expect(spy.temps.every((x) => x.t === 0.7)).toBe(true);
    // The entropy the loss sees (first micro-batch, before any update) is that of softmax(θ/T) at T = 0.7.
    const entropyAt = (t: number, T: number) => {
      const z = [0, 1, 2].map((j) => theta[t * 3 + j] / T);
      const m = Math.max(...z);
      const e = z.map((x) => Math.exp(x - m));
      const sum = e.reduce((a, x) => a + x, 0);
      return -e.reduce((a, x) => a + (x / sum) * Math.log(x / sum), 0);
    };
    const b = seen[0];
    for (let t = 0; t < b.cols; t++) {
      if (!b.mask[t]) continue;
      expect(b.entropy![t]).toBeCloseTo(entropyAt(t, 0.7), 12);
      expect(Math.abs(b.entropy![t] - entropyAt(t, 1))).toBeGreaterThan(1e-3);
    }
  });
});

describe("seq-mean-token-sum-norm", () => {
  it("divides by maxResponseTokens, a constant, not by the padded width of the micro-batch", async () => {
    // EOS-biased logits: responses of 1-2 tokens, so the micro-batch width (≤ 3) is far from maxResponseTokens (8).
    const init = new Float64Array(6 * 8 * 3);
    for (let i = 2; i < init.length; i += 3) init[i] = 1.5;
    const policy = createTabularPolicy({ states: 6, vocab: ["a", "b", "<eos>"], eosToken: 2, maxTokens: 8, init });
    const spy = instrumented(policy);
    const seen: TokenBatch[] = [];
    const config = {
      ...base,
      policyLoss: "spy",
      promptsPerStep: 6,
      groupSize: 4,
      miniBatchPrompts: 6,
      microBatchSize: 4,
      maxResponseTokens: 8,
      totalSteps: 1,
      lossOptions: { lossAggMode: "seq-mean-token-sum-norm" },
    };
    await createTrainer({
      policy: spy.wrapped,
      dataset: toyDataset(),
      plugins: [exactMatchReward(), spyLoss(seen)],
      config,
    }).run();
    expect(seen.length).toBe(6);
    expect(Math.max(...seen.map((b) => b.cols))).toBeLessThan(8);
    const w = config.microBatchSize / (config.miniBatchPrompts * config.groupSize);
    let checked = 0;
    seen.forEach((batch, k) => {
      const d = spy.backwards[k].dLogp;
      for (let i = 0; i < batch.mask.length; i++) {
        if (!batch.mask[i] || batch.advantages[i] === 0) continue;
        // first update: logp = oldLogp, ratio 1, so ∂loss/∂logp = −A · (1/norm) · w
        expect(d[i]).toBeCloseTo((-batch.advantages[i] / 8) * w, 14);
        checked++;
      }
    });
    expect(checked).toBeGreaterThan(0);
  });
});

describe("zero reward variance", () => {
  it("warns once when every group had zero variance for zeroVarianceWarnSteps consecutive steps", async () => {
    const warnings: { code: string; step: number }[] = [];
    const never: Plugin = {
      name: "never",
      verifiers: [
        {
          name: "never",
          create: () => ({ name: "never", score: () => ({ reward: 0, correct: false, extracted: null }) }),
        },
      ],
    };
    await createTrainer({
      policy: toyPolicy(),
      dataset: toyDataset(),
      plugins: [never],
      config: { ...base, reward: "never", zeroVarianceWarnSteps: 3, totalSteps: 5 },
      onWarning: (w) => warnings.push({ code: w.code, step: w.step }),
    }).run();
    expect(warnings).toEqual([{ code: "TRAINER_NO_REWARD_VARIANCE", step: 3 }]);
  });

  it("does not warn while some group has reward variance", async () => {
    const warnings: unknown[] = [];
    await createTrainer({
      policy: toyPolicy(),
      dataset: toyDataset(),
      plugins: [exactMatchReward()],
      config: {
        ...base,
        promptsPerStep: 6,
        groupSize: 8,
        miniBatchPrompts: 3,
        zeroVarianceWarnSteps: 2,
        totalSteps: 4,
      },
      onWarning: (w) => warnings.push(w),
    }).run();
    expect(warnings).toEqual([]);
  });
});

describe("curriculum stage starts", () => {
  /** A custom curriculum: starts stages at the given steps through the typed `beforeRollout` result. */
  function stages(startSteps: number[], reference: "current" | "keep"): Plugin {
    return definePlugin({
      name: "fake-curriculum",
      beforeRollout(ctx, rows) {
        const i = startSteps.indexOf(ctx.step);
        return i < 0 ? rows : { prompts: rows, stageStart: { stage: i + 1, resetOptimizer: true, reference } };
      },
    });
  }

  const run = async (ref: "current" | "keep") => {
    const policy = toyPolicy();
    let resets = 0;
    const reset = policy.resetOptimizer.bind(policy);
    policy.resetOptimizer = () => {
      resets++;
      reset();
    };
    const results = await createTrainer({
      policy,
      dataset: toyDataset(),
      plugins: [exactMatchReward(), stages([1, 5], ref)],
      config: {
        ...base,
        promptsPerStep: 6,
        groupSize: 8,
        miniBatchPrompts: 6,
        totalSteps: 7,
        lossOptions: { useKlLoss: true, klLossCoef: 0.01 },
      },
    }).run();
    return { kl: results.map((r) => r.metrics["actor/kl_loss"]), resets };
  };

  it("stageInit: fresh optimiser and the stage's starting policy as π_ref (KL restarts at 0)", async () => {
    const { kl, resets } = await run("current");
    expect(resets).toBe(2);
    expect(kl[0]).toBe(0);
    expect(kl[3]).toBeGreaterThan(0);
    expect(kl[4]).toBe(0); // step 5: stage 2 starts, π_ref = current policy
    expect(kl[6]).toBeGreaterThan(0);
  });

  it("keep (theta0): fresh optimiser but π_ref stays the initial policy", async () => {
    const { kl, resets } = await run("keep");
    expect(resets).toBe(2);
    expect(kl[4]).toBeGreaterThan(0);
  });
});

describe("evaluation", () => {
  it("calls evaluate every evaluateEvery steps and logs its metrics", async () => {
    const events: number[] = [];
    await createTrainer({
      policy: toyPolicy(),
      dataset: toyDataset(),
      plugins: [exactMatchReward(), { name: "watch", onEvaluate: (_c, e) => void events.push(e.step) }],
      config: { ...base, promptsPerStep: 6, groupSize: 4, miniBatchPrompts: 3, totalSteps: 5, evaluateEvery: 2 },
      evaluate: ({ step }) => ({ "val/step": step }),
    }).run();
    expect(events).toEqual([2, 4]);
  });
});
