import type { AdvantageEstimator } from "../advantages/estimator.js";
import type { DatasetRow, RolloutGroup, RolloutResponse, TrainingSample } from "../contracts/dataset.js";
import type { GenerationPrompt } from "../contracts/generator.js";
import type { Policy, ScoringPolicy } from "../contracts/policy.js";
import type { CommonLossOptions, PolicyLoss, TokenSelection } from "../contracts/policy-loss.js";
import type { TokenBatch } from "../contracts/token-batch.js";
import type { Verifier } from "../contracts/verifier.js";
import { SentrlError } from "../errors.js";
import { evaluatePolicyLoss } from "../losses/evaluate.js";
import { createLossWorkspace } from "../losses/workspace.js";
import { microBatchWeights } from "../losses/micro-batch.js";
import type { HookCall, PlannedRollout, PluginDriver } from "../plugins/driver.js";
import { deriveSeed } from "../rng/derive-seed.js";
import type { TrainerConfig } from "./config.js";

/** Collects a step's scalar metrics; hooks write through the same recorder. */
export class StepMetrics {
  readonly values: Record<string, number> = {};
  record(name: string, value: number): void {
    this.values[name] = value;
  }
}

/** What every step function needs to know about the step it runs in. */
export interface StepContext {
  step: number;
  config: TrainerConfig;
  driver: PluginDriver;
  metrics: StepMetrics;
  signal?: AbortSignal;
}

const hookCall = (ctx: StepContext): HookCall => ({ step: ctx.step, metrics: ctx.metrics, signal: ctx.signal });

function toPrompt(row: DatasetRow): GenerationPrompt {
  return typeof row.prompt === "string" ? { id: row.id, text: row.prompt } : { id: row.id, messages: row.prompt };
}

/**
 * Step 1: the `beforeRollout` waterfall over the sampler's choice (a curriculum may replace it, and start a stage by
 * returning `{ prompts, stageStart }`). No prompts means the data is exhausted (a finished curriculum): the trainer
 * stops.
 */
export async function choosePrompts(rows: DatasetRow[], ctx: StepContext): Promise<PlannedRollout> {
  const plan = await ctx.driver.planRollout(rows, hookCall(ctx));
  if (!Array.isArray(plan.prompts)) {
    throw new SentrlError("TRAINER_BAD_PROMPTS", `beforeRollout returned a non-array at step ${ctx.step}`);
  }
  return plan;
}

/**
 * The response mask as a length (docs/algorithms.md §6.8): the generated tokens up to and including the first EOS; a
 * response without EOS (truncated at `maxResponseTokens`) keeps all its tokens. Prompt tokens never count.
 *
 * @example
 * ```ts
 * import { responseMaskLength } from "@sentrl/core";
 * responseMaskLength([5, 7, 2, 9, 9], 2); // 3
 * responseMaskLength([5, 7, 9], 2); // 3 (truncated: all kept)
 * ```
 */
export function responseMaskLength(tokenIds: ArrayLike<number>, eosTokenId: number | undefined): number {
  if (eosTokenId === undefined) return tokenIds.length;
  for (let t = 0; t < tokenIds.length; t++) if (tokenIds[t] === eosTokenId) return t + 1;
  return tokenIds.length;
}

/**
 * Step 2: `groupSize` completions per prompt from the policy (seed `deriveSeed(seed, step, "rollout")`) and their
 * rewards from the verifier (docs/algorithms.md §6.1), as GRPO groups in prompt order.
 */
export async function sampleGroups(
  policy: Policy,
  verifier: Verifier,
  rows: DatasetRow[],
  ctx: StepContext,
): Promise<RolloutGroup[]> {
  const { config } = ctx;
  const rollouts = await policy.rollout(rows.map(toPrompt), {
    n: config.groupSize,
    temperature: config.temperature,
    topP: config.topP,
    topK: config.topK,
    maxTokens: config.maxResponseTokens,
    seed: deriveSeed(config.seed, ctx.step, "rollout"),
    signal: ctx.signal,
  });
  if (rollouts.length !== rows.length) {
    throw new SentrlError(
      "POLICY_BAD_ROLLOUT",
      `policy.rollout returned ${rollouts.length} rollouts for ${rows.length} prompts`,
    );
  }
  return rows.map((row, g) => {
    const r = rollouts[g];
    if (r.completions.length !== config.groupSize) {
      throw new SentrlError(
        "POLICY_BAD_ROLLOUT",
        `prompt "${row.id}" got ${r.completions.length} completions, expected ${config.groupSize}`,
      );
    }
    const responses: RolloutResponse[] = r.completions.map((raw) => {
      const len = responseMaskLength(raw.tokenIds, config.eosTokenId);
      const c =
        len === raw.tokenIds.length
          ? raw
          : { ...raw, tokenIds: Array.prototype.slice.call(raw.tokenIds, 0, len) as number[], numTokens: len };
      if (c.tokenIds.length > config.maxResponseTokens) {
        throw new SentrlError(
          "POLICY_BAD_ROLLOUT",
          `a completion of "${row.id}" has ${c.tokenIds.length} tokens > maxResponseTokens`,
        );
      }
      const score = verifier.score(c.text, row);
      if (!Number.isFinite(score.reward))
        throw new SentrlError("REWARD_NON_FINITE", `verifier ${verifier.name} gave ${score.reward} for "${row.id}"`);
      return { ...c, reward: score.reward, correct: score.correct, extracted: score.extracted };
    });
    return { row, promptTokens: r.promptTokens, responses, info: {} };
  });
}

/** Step 3: the `afterRollout` waterfall (semantic entropy, filters). */
export async function afterRollout(groups: RolloutGroup[], ctx: StepContext): Promise<RolloutGroup[]> {
  return ctx.driver.waterfall("afterRollout", groups, hookCall(ctx));
}

/** Step 4: one advantage per response from the advantage strategy (groups are GRPO groups), then `afterAdvantages`. */
export async function computeAdvantages(
  groups: RolloutGroup[],
  estimator: AdvantageEstimator,
  ctx: StepContext,
): Promise<RolloutGroup[]> {
  const rewards: number[] = [];
  const ids: number[] = [];
  groups.forEach((g, gi) => {
    for (const r of g.responses) {
      rewards.push(r.reward);
      ids.push(gi);
    }
  });
  const adv = estimator.compute(rewards, ids);
  let k = 0;
  const withAdv = groups.map((g) => ({ ...g, responses: g.responses.map((r) => ({ ...r, advantage: adv[k++] })) }));
  const out = await ctx.driver.waterfall("afterAdvantages", withAdv, hookCall(ctx));
  for (const g of out) {
    for (const r of g.responses) {
      if (typeof r.advantage !== "number" || !Number.isFinite(r.advantage)) {
        throw new SentrlError(
          "TRAINER_BAD_ADVANTAGE",
          `a response of "${g.row.id}" has advantage ${r.advantage} after afterAdvantages`,
        );
      }
    }
  }
  return out;
}

/** Step 5: flattens groups into training samples, group by group (verl's repeat-interleave order). */
export function toTrainingSamples(groups: RolloutGroup[]): TrainingSample[] {
  const samples: TrainingSample[] = [];
  groups.forEach((g, groupIndex) => {
    for (const r of g.responses) {
      samples.push({
        groupIndex,
        promptTokens: g.promptTokens,
        responseTokens: r.tokenIds,
        reward: r.reward,
        advantage: r.advantage ?? 0,
      });
    }
  });
  return samples;
}

/**
 * Step 6: old-policy log-probs and entropies (a no-grad forward of the current policy at the sampling
 * temperature) and, when a reference is given, the reference log-probs, in chunks of `microBatchSize`.
 */
export async function computeOldAndRefLogp(
  policy: Policy,
  reference: ScoringPolicy | null,
  samples: TrainingSample[],
  ctx: StepContext,
): Promise<void> {
  const { microBatchSize, temperature } = ctx.config;
  for (let start = 0; start < samples.length; start += microBatchSize) {
    const chunk = samples.slice(start, start + microBatchSize);
    const batch = {
      promptTokens: chunk.map((s) => s.promptTokens),
      responseTokens: chunk.map((s) => s.responseTokens),
    };
    const old = await policy.score(batch, { temperature, grad: false });
    const ref = reference ? await reference.score(batch, { temperature }) : null;
    chunk.forEach((s, b) => {
      const len = s.responseTokens.length;
      s.oldLogp = Float64Array.from(old.logp.subarray(b * old.cols, b * old.cols + len));
      s.oldEntropy = Float64Array.from(old.entropy.subarray(b * old.cols, b * old.cols + len));
      if (ref) s.refLogp = Float64Array.from(ref.logp.subarray(b * ref.cols, b * ref.cols + len));
    });
  }
}

/** Pads samples into a TokenBatch (cols = the longest response); `logp`/`entropy` come from a forward or, for a
 * mini-batch selection, from the rollout-time statistics. */
export function buildTokenBatch(
  samples: readonly TrainingSample[],
  cols: number,
  current?: { logp: Float32Array | Float64Array; entropy: Float32Array | Float64Array },
): TokenBatch {
  const rows = samples.length;
  const n = rows * cols;
  const mask = new Uint8Array(n);
  const oldLogp = new Float64Array(n);
  const advantages = new Float64Array(n);
  const hasRef = samples.every((s) => s.refLogp);
  const refLogp = hasRef ? new Float64Array(n) : undefined;
  const logp = current ? current.logp : new Float64Array(n);
  const entropy = current ? current.entropy : new Float64Array(n);
  const groupIds = new Int32Array(rows);
  samples.forEach((s, b) => {
    const len = s.responseTokens.length;
    const o = b * cols;
    groupIds[b] = s.groupIndex;
    for (let t = 0; t < len; t++) {
      mask[o + t] = 1;
      oldLogp[o + t] = s.oldLogp![t];
      advantages[o + t] = s.tokenWeights ? s.advantage * s.tokenWeights[t] : s.advantage;
      if (refLogp) refLogp[o + t] = s.refLogp![t];
      if (!current) {
        (logp as Float64Array)[o + t] = s.oldLogp![t];
        (entropy as Float64Array)[o + t] = s.oldEntropy![t];
      }
    }
  });
  const batch: TokenBatch = { rows, cols, mask, logp, oldLogp, entropy, advantages, groupIds };
  if (refLogp) batch.refLogp = refLogp;
  return batch;
}

/** Rows `[row0, row0 + rows)` of a selection made on a `[*, fromCols]` batch, re-laid out to `toCols` columns. */
export function sliceSelection(
  sel: TokenSelection,
  row0: number,
  rows: number,
  fromCols: number,
  toCols: number,
): TokenSelection {
  const tokens: TokenSelection["tokens"] = {};
  for (const [key, arr] of Object.entries(sel.tokens)) {
    const out = new (arr.constructor as Float64ArrayConstructor | Uint8ArrayConstructor)(rows * toCols);
    const w = Math.min(fromCols, toCols);
    for (let b = 0; b < rows; b++) out.set(arr.subarray((row0 + b) * fromCols, (row0 + b) * fromCols + w), b * toCols);
    tokens[key] = out;
  }
  return { tokens, metrics: sel.metrics };
}

/** Mini-batches of whole groups (`miniBatchPrompts` groups each), in order, as sample index ranges. */
export function miniBatchRanges(samples: readonly TrainingSample[], miniBatchPrompts: number): [number, number][] {
  const ranges: [number, number][] = [];
  let start = 0;
  while (start < samples.length) {
    let end = start;
    let groups = 0;
    let last = -1;
    while (end < samples.length) {
      const g = samples[end].groupIndex;
      if (g !== last) {
        if (groups === miniBatchPrompts) break;
        groups++;
        last = g;
      }
      end++;
    }
    ranges.push([start, end]);
    start = end;
  }
  return ranges;
}

export interface UpdateResult {
  /** Mean over micro-batches of each loss metric (verl-named, without the `actor/` prefix). */
  lossMetrics: Record<string, number>;
  gradNorms: number[];
  microBatches: number;
}

/**
 * Step 7: the policy update (docs/algorithms.md §6.5, §6.8). For each PPO epoch and each mini-batch (whole groups, in order):
 * micro-batches of `microBatchSize` responses → training forward at the sampling temperature → selection at the
 * configured scope → `evaluatePolicyLoss` (token losses, aggregation, KL and entropy terms) → gradient scaled by
 * the micro-batch combination → `policy.backward`; then one clipped optimiser step and `zeroGrad` per mini-batch.
 *
 * - `microBatchMean`: every micro-batch's gradient is multiplied by `microBatchSize / (miniBatchPrompts·groupSize)`,
 *   verl's `1 / grad_accum` with the configured sizes, also for a short last micro-batch; a mini-batch short of
 *   responses (groups filtered by a plugin) therefore weighs less, as in verl;
 * - `globalTokenMean`: each micro-batch's share of the mini-batch's valid tokens.
 */
export async function updatePolicy(
  policy: Policy,
  loss: PolicyLoss,
  common: CommonLossOptions,
  samples: TrainingSample[],
  ctx: StepContext,
): Promise<UpdateResult> {
  const { config } = ctx;
  const mb = config.microBatchSize;
  const sums: Record<string, number> = {};
  const counts: Record<string, number> = {};
  const gradNorms: number[] = [];
  let micro = 0;
  // One reusable set of loss buffers for the whole update: no 32 MB allocations per micro-batch. The gradients it
  // hands out are overwritten by the next loss call, which is fine: `policy.backward` consumes them first.
  const workspace = createLossWorkspace();
  await policy.zeroGrad();
  for (let epoch = 0; epoch < config.ppoEpochs; epoch++) {
    for (const [start, end] of miniBatchRanges(samples, config.miniBatchPrompts)) {
      ctx.signal?.throwIfAborted();
      const mini = samples.slice(start, end);
      const tokenCounts: number[] = [];
      for (let s = 0; s < mini.length; s += mb) {
        let c = 0;
        for (const x of mini.slice(s, s + mb)) c += x.responseTokens.length;
        tokenCounts.push(c);
      }
      const weights =
        config.microBatchCombination === "globalTokenMean"
          ? microBatchWeights("globalTokenMean", tokenCounts)
          : new Float64Array(tokenCounts.length).fill(mb / (config.miniBatchPrompts * config.groupSize));
      let miniSelection: TokenSelection | undefined;
      let miniCols = 0;
      if (config.selectionScope === "miniBatch" && loss.select) {
        for (const s of mini) miniCols = Math.max(miniCols, s.responseTokens.length);
        const seed = deriveSeed(config.seed, ctx.step, `loss/miniBatch/${epoch}/${start}`);
        miniSelection = loss.select(buildTokenBatch(mini, miniCols), { step: ctx.step, microBatch: -1, seed });
      }
      for (let s = 0, k = 0; s < mini.length; s += mb, k++) {
        const chunk = mini.slice(s, s + mb);
        const scores = await policy.score(
          { promptTokens: chunk.map((x) => x.promptTokens), responseTokens: chunk.map((x) => x.responseTokens) },
          { temperature: config.temperature, grad: true },
        );
        const batch = buildTokenBatch(chunk, scores.cols, scores);
        const lossCtx = {
          step: ctx.step,
          microBatch: micro,
          seed: deriveSeed(config.seed, ctx.step, `loss/microBatch/${micro}`),
          workspace,
        };
        const frozen = miniSelection
          ? sliceSelection(miniSelection, s, chunk.length, miniCols, scores.cols)
          : undefined;
        const out = evaluatePolicyLoss(loss, batch, common, lossCtx, frozen);
        const w = weights[k];
        const dLogp = out.gradLogp;
        for (let i = 0; i < dLogp.length; i++) dLogp[i] *= w;
        const dEntropy = out.gradEntropy;
        if (dEntropy) for (let i = 0; i < dEntropy.length; i++) dEntropy[i] *= w;
        await policy.backward(scores.handle, dEntropy ? { dLogp, dEntropy } : { dLogp });
        for (const [name, v] of Object.entries(out.metrics)) {
          sums[name] = (sums[name] ?? 0) + v;
          counts[name] = (counts[name] ?? 0) + 1;
        }
        micro++;
      }
      const result = await policy.step(config.optimizer);
      gradNorms.push(result.gradNorm);
      await policy.zeroGrad();
    }
  }
  const lossMetrics: Record<string, number> = {};
  for (const name of Object.keys(sums)) lossMetrics[name] = sums[name] / counts[name];
  return { lossMetrics, gradNorms, microBatches: micro };
}

function stats(prefix: string, values: ArrayLike<number>, into: Record<string, number>): void {
  let sum = 0;
  let max = Number.NEGATIVE_INFINITY;
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    max = Math.max(max, values[i]);
    min = Math.min(min, values[i]);
  }
  const n = values.length;
  into[`${prefix}/mean`] = n > 0 ? sum / n : 0;
  into[`${prefix}/max`] = n > 0 ? max : 0;
  into[`${prefix}/min`] = n > 0 ? min : 0;
}

/** verl-named step metrics: `actor/*` from the update, `critic/score|advantages/*`, `response_length/*`. */
export function stepMetrics(
  samples: TrainingSample[],
  update: UpdateResult,
  config: TrainerConfig,
): Record<string, number> {
  const m: Record<string, number> = {};
  for (const [name, v] of Object.entries(update.lossMetrics)) m[`actor/${name}`] = v;
  m["actor/grad_norm"] =
    update.gradNorms.length > 0 ? update.gradNorms.reduce((a, b) => a + b, 0) / update.gradNorms.length : 0;
  m["actor/lr"] = config.optimizer.lr;
  stats(
    "critic/score",
    samples.map((s) => s.reward),
    m,
  );
  stats(
    "critic/rewards",
    samples.map((s) => s.reward),
    m,
  );
  stats(
    "critic/advantages",
    samples.map((s) => s.advantage),
    m,
  );
  const lengths = samples.map((s) => s.responseTokens.length);
  stats("response_length", lengths, m);
  m["response_length/clip_ratio"] =
    lengths.length > 0 ? lengths.filter((l) => l >= config.maxResponseTokens).length / lengths.length : 0;
  return m;
}
