import type {
  GenerateOptions,
  GenerationPrompt,
  OptimizerSettings,
  OptimizerStepResult,
  Policy,
  PolicyRollout,
  PolicyScores,
  PolicyState,
  ScoreBatch,
  ScoreGradients,
  ScoreOptions,
  ScoringPolicy,
} from "@sentrl/core";
import { DecoderModel, type ForwardHandle } from "../decoder.js";
import { ModelError } from "../errors.js";
import { type RolloutSettings, rolloutPrompts } from "../generate/rollout.js";
import type { ModelTokenizer } from "../tokenizer/load.js";

/** What `ModelPolicy.score(…, { grad: true })` hands back for `backward`. */
export interface ModelPolicyHandle {
  /** @internal One training forward per group of rows (`trainBatchSize`), with the batch rows it holds. */
  readonly forwards: { handle: ForwardHandle; rows: number[] }[];
  /** @internal */
  readonly promptLengths: number[];
  /** @internal */
  readonly responseLengths: number[];
  /** @internal */
  readonly cols: number;
}

/** Options of `ModelPolicy`. */
export interface ModelPolicyOptions extends RolloutSettings {
  /** Needed by `rollout` (text prompts and chat messages are tokenised with it; EOS ids end completions). */
  tokenizer?: ModelTokenizer;
  /** Rows per forward pass when scoring without gradients (default 8). */
  scoreBatchSize?: number;
  /**
   * Rows per training forward pass (`score(…, { grad: true })`): the rows are grouped by length, longest first, so
   * each pass pads little; the gradients add up across passes, so results do not depend on it beyond float rounding.
   * Default: every row in one pass.
   */
  trainBatchSize?: number;
}

const STATE_FORMAT = "sentrl-model-policy";

/** Row indices in groups of at most `size`, longest rows first (all rows in one group when `size` is unset). */
function lengthGroups(rows: number[][], size?: number): number[][] {
  if (size !== undefined && !(Number.isInteger(size) && size >= 1))
    throw new ModelError("MODEL_BAD_ARGUMENT", `trainBatchSize must be a positive integer, got ${size}`);
  const all = rows.map((_r, i) => i);
  if (size === undefined || size >= rows.length) return [all];
  all.sort((a, b) => rows[b].length - rows[a].length || a - b);
  const groups: number[][] = [];
  for (let s = 0; s < all.length; s += size) groups.push(all.slice(s, s + size));
  return groups;
}

/** Frees a snapshot's parameter buffers once the snapshot itself is garbage. */
const snapshots = new FinalizationRegistry<DecoderModel>((model) => model.dispose());

function rowsOf(batch: ScoreBatch): {
  rows: number[][];
  promptLengths: number[];
  responseLengths: number[];
  cols: number;
} {
  const n = batch?.promptTokens?.length;
  if (!Number.isInteger(n) || batch.responseTokens?.length !== n) {
    throw new ModelError(
      "MODEL_BAD_ARGUMENT",
      "a score batch needs promptTokens and responseTokens with one entry per row",
    );
  }
  const promptLengths: number[] = [];
  const responseLengths: number[] = [];
  const rows = batch.promptTokens.map((p, i) => {
    if (p.length === 0)
      throw new ModelError(
        "MODEL_BAD_TOKENS",
        `row ${i} has an empty prompt: a response token needs at least one token before it`,
      );
    promptLengths.push(p.length);
    responseLengths.push(batch.responseTokens[i].length);
    return [...Array.from(p), ...Array.from(batch.responseTokens[i])];
  });
  return { rows, promptLengths, responseLengths, cols: Math.max(0, ...responseLengths) };
}

/** Copies the response positions of per-row next-token stats into a padded `[rows, cols]` Float64Array. */
function responseGrid(
  perRow: Float32Array[],
  promptLengths: number[],
  responseLengths: number[],
  cols: number,
): Float64Array {
  const out = new Float64Array(perRow.length * cols);
  perRow.forEach((row, i) => {
    const from = promptLengths[i] - 1;
    for (let t = 0; t < responseLengths[i]; t++) out[i * cols + t] = row[from + t];
  });
  return out;
}

function scoreWith(
  model: DecoderModel,
  batch: ScoreBatch,
  temperature: number,
  batchSize: number | undefined,
): PolicyScores<never> {
  const { rows, promptLengths, responseLengths, cols } = rowsOf(batch);
  const { logp, entropy } = model.score(rows, { temperature, batchSize });
  return {
    rows: rows.length,
    cols,
    logp: responseGrid(logp, promptLengths, responseLengths, cols),
    entropy: responseGrid(entropy, promptLengths, responseLengths, cols),
  };
}

/**
 * Core's `Policy` contract on our own transformer: `score` at a temperature (with `grad: true`, a training forward
 * whose handle `backward` consumes), gradient accumulation, AdamW steps with verl's settings (weight decay on every
 * tensor, global-norm clipping, the update skipped when the norm is not finite), frozen snapshots for the reference
 * log-probs, checkpointable state (parameters, moments, step count) and seeded rollouts through the KV-cache sampler.
 *
 * @example
 * ```ts
 * import { loadModel, loadTokenizer, ModelPolicy } from "@sentrl/model";
 * const dir = "models/Qwen2.5-0.5B-Instruct";
 * const policy = new ModelPolicy(await loadModel(dir), { tokenizer: loadTokenizer(dir) });
 * const [r] = await policy.rollout([{ id: "q", text: "1+1=" }], { n: 4, maxTokens: 32, seed: 1 });
 * const scores = await policy.score({ promptTokens: [r.promptTokens], responseTokens: [r.completions[0].tokenIds] },
 *   { temperature: 1, grad: true });
 * ```
 */
export class ModelPolicy implements Policy<ModelPolicyHandle> {
  constructor(
    readonly model: DecoderModel,
    private readonly options: ModelPolicyOptions = {},
  ) {}

  score(batch: ScoreBatch, options: ScoreOptions): PolicyScores<ModelPolicyHandle> {
    if (!options.grad) return scoreWith(this.model, batch, options.temperature, this.options.scoreBatchSize);
    const { rows, promptLengths, responseLengths, cols } = rowsOf(batch);
    const logp: Float32Array[] = new Array(rows.length);
    const entropy: Float32Array[] = new Array(rows.length);
    const forwards: ModelPolicyHandle["forwards"] = [];
    try {
      for (const group of lengthGroups(rows, this.options.trainBatchSize)) {
        const handle = this.model.forward(
          group.map((i) => rows[i]),
          { temperature: options.temperature },
        );
        forwards.push({ handle, rows: group });
        group.forEach((i, j) => {
          logp[i] = handle.logp[j];
          entropy[i] = handle.entropy[j];
        });
      }
    } catch (e) {
      for (const f of forwards) this.model.release(f.handle);
      throw e;
    }
    return {
      rows: rows.length,
      cols,
      logp: responseGrid(logp, promptLengths, responseLengths, cols),
      entropy: responseGrid(entropy, promptLengths, responseLengths, cols),
      handle: { forwards, promptLengths, responseLengths, cols },
    };
  }

  backward(handle: ModelPolicyHandle | undefined, grads: ScoreGradients): void {
    if (!handle?.forwards)
      throw new ModelError("MODEL_BAD_ARGUMENT", "backward needs the handle of a score(…, { grad: true }) call");
    const { promptLengths, responseLengths, cols } = handle;
    const B = promptLengths.length;
    const expand = (g: ArrayLike<number>, what: string): Float32Array[] => {
      if (g.length !== B * cols)
        throw new ModelError("MODEL_BAD_ARGUMENT", `${what} has ${g.length} values, the scores are ${B}×${cols}`);
      return promptLengths.map((p, i) => {
        const row = new Float32Array(p + responseLengths[i] - 1);
        for (let t = 0; t < responseLengths[i]; t++) row[p - 1 + t] = g[i * cols + t];
        return row;
      });
    };
    const dLogp = expand(grads.dLogp, "dLogp");
    const dEntropy = grads.dEntropy ? expand(grads.dEntropy, "dEntropy") : undefined;
    for (const f of handle.forwards) {
      this.model.backward(f.handle, {
        dLogp: f.rows.map((i) => dLogp[i]),
        dEntropy: dEntropy ? f.rows.map((i) => dEntropy[i]) : undefined,
      });
    }
  }

  zeroGrad(): void {
    this.model.zeroGrad();
  }

  /** Global L2 norm of the accumulated gradients (float64 sum). */
  gradNorm(): number {
    let sum = 0;
    for (const name of this.model.parameterNames()) {
      const g = this.model.getGradient(name);
      for (let i = 0; i < g.length; i++) sum += g[i] * g[i];
    }
    return Math.sqrt(sum);
  }

  step(settings: OptimizerSettings): OptimizerStepResult {
    const { lr, betas, eps, weightDecay, maxGradNorm } = settings;
    const clip = maxGradNorm > 0 && Number.isFinite(maxGradNorm) ? maxGradNorm : undefined;
    const res = this.model.step({ lr, beta1: betas[0], beta2: betas[1], eps, weightDecay, maxGradNorm: clip });
    return { gradNorm: res.gradNorm, applied: res.applied }; // non-finite norm: skipped by the backend (AdamWArgs)
  }

  snapshot(): ScoringPolicy {
    const m = this.model;
    const tensors = new Map(m.parameterNames().map((n) => [n, m.getParameter(n)]));
    const frozen = DecoderModel.fromTensors(m.config, tensors, m.backend);
    const batchSize = this.options.scoreBatchSize;
    const scoring: ScoringPolicy = {
      score: (batch, options) => scoreWith(frozen, batch, options.temperature, batchSize),
    };
    snapshots.register(scoring, frozen);
    return scoring;
  }

  state(): PolicyState {
    const m = this.model;
    const tensors: Record<string, Float32Array> = {};
    for (const n of m.parameterNames()) tensors[`param/${n}`] = m.getParameter(n);
    const withMoments = m.optimizerStep > 0;
    if (withMoments) {
      for (const [n, { m: mb, v: vb }] of m.optimizerMoments()) {
        tensors[`adam_m/${n}`] = m.backend.download(mb);
        tensors[`adam_v/${n}`] = m.backend.download(vb);
      }
    }
    return { tensors, meta: { format: STATE_FORMAT, optimizerStep: m.optimizerStep, moments: withMoments } };
  }

  load(state: PolicyState): void {
    const m = this.model;
    if (state?.meta?.format !== STATE_FORMAT)
      throw new ModelError(
        "MODEL_POLICY_STATE_INVALID",
        `not a ${STATE_FORMAT} state (meta.format is ${JSON.stringify(state?.meta?.format)})`,
      );
    const f32 = (key: string): Float32Array => {
      const t = state.tensors[key];
      if (!t)
        throw new ModelError(
          "MODEL_POLICY_STATE_INVALID",
          `state tensor \`${key}\` is missing (saved for a different model?)`,
        );
      return t instanceof Float32Array ? t : Float32Array.from(t);
    };
    for (const n of m.parameterNames()) m.setParameter(n, f32(`param/${n}`));
    const step = Number(state.meta.optimizerStep ?? 0);
    if (state.meta.moments) {
      for (const [n, { m: mb, v: vb }] of m.optimizerMoments()) {
        m.backend.upload(mb, f32(`adam_m/${n}`));
        m.backend.upload(vb, f32(`adam_v/${n}`));
      }
      m.setOptimizerStep(step);
    } else this.resetOptimizer();
    m.zeroGrad();
  }

  resetOptimizer(): void {
    for (const { m, v } of this.model.optimizerMoments().values()) {
      this.model.backend.fill(m, 0);
      this.model.backend.fill(v, 0);
    }
    this.model.setOptimizerStep(0);
  }

  async rollout(prompts: GenerationPrompt[], options: GenerateOptions): Promise<PolicyRollout[]> {
    const tok = this.options.tokenizer;
    if (!tok)
      throw new ModelError(
        "MODEL_BAD_ARGUMENT",
        "rollout needs a tokenizer: new ModelPolicy(model, { tokenizer: loadTokenizer(dir) })",
      );
    return rolloutPrompts(this.model, tok, prompts, options, this.options);
  }
}
