import { adamwUpdate } from "@sentrl/compute";
import {
  type GenerateOptions,
  type GenerationPrompt,
  type OptimizerSettings,
  type OptimizerStepResult,
  type Policy,
  type PolicyRollout,
  type PolicyScores,
  type PolicyState,
  Rng,
  type ScoreBatch,
  type ScoreGradients,
  type ScoreOptions,
  SentrlError,
} from "@sentrl/core";

export interface TabularPolicyOptions {
  /** Number of prompt states; a prompt's only prompt token is its state id. */
  states: number;
  /** Token strings; a response's text is the concatenation of its tokens before EOS. */
  vocab: readonly string[];
  /** Id of the end-of-sequence token in `vocab`. */
  eosToken: number;
  /** Longest response (positions with their own logits). */
  maxTokens: number;
  /** Which state a prompt is (default: `Number(prompt.id)`). */
  stateOf?: (prompt: GenerationPrompt) => number;
  /** Initial logits: 0 (uniform policy) unless given, length states·maxTokens·vocab. */
  init?: Float64Array;
}

/** The {@link Policy} a tabular policy is, with synchronous methods and its tables exposed for tests. */
export interface TabularPolicy extends Policy<TabularHandle> {
  /** The logits table `[states, maxTokens, vocab]` (live view). */
  readonly theta: Float64Array;
  /** The accumulated gradient (live view). */
  readonly grad: Float64Array;
  /** The EOS token id (the trainer cuts responses after it). */
  readonly eosTokenId: number;
  score(batch: ScoreBatch, options: ScoreOptions): PolicyScores<TabularHandle>;
  backward(handle: TabularHandle | undefined, grads: ScoreGradients): void;
  zeroGrad(): void;
  step(settings: OptimizerSettings): OptimizerStepResult;
  snapshot(): { score(batch: ScoreBatch, options: { temperature: number }): PolicyScores };
  state(): PolicyState;
  load(state: PolicyState): void;
  resetOptimizer(): void;
}

export interface TabularHandle {
  states: Int32Array;
  tokens: Int32Array[];
  cols: number;
  temperature: number;
  /** Probabilities per scored position, rows·cols·V (only positions inside a response are filled). */
  probs: Float64Array;
  /** E_p[z] per scored position. */
  meanZ: Float64Array;
}

/**
 * A tabular softmax policy over a tiny vocabulary: logits `θ[state, position, token]`, one softmax per response
 * position, independent of earlier tokens. It implements the full {@link Policy} contract (scores at a
 * temperature, exact backward for `logp` and `entropy`, AdamW with clipping, snapshots, checkpoints, seeded
 * sampling), which makes it the test bed of the trainer: GRPO on a toy task learns in a few hundred milliseconds.
 *
 * @example
 * ```ts
 * import { createTabularPolicy } from "@sentrl/testing";
 * const policy = createTabularPolicy({ states: 2, vocab: ["a", "b", "<eos>"], eosToken: 2, maxTokens: 3 });
 * const [rollout] = await policy.rollout([{ id: "0" }], { n: 4, temperature: 1, seed: 1 });
 * rollout.completions[0].text; // e.g. "ab"
 * ```
 */
export function createTabularPolicy(options: TabularPolicyOptions): TabularPolicy {
  const { states: S, vocab, eosToken, maxTokens: L } = options;
  const V = vocab.length;
  if (!(Number.isInteger(S) && S > 0 && Number.isInteger(L) && L > 0 && V > 1 && eosToken >= 0 && eosToken < V)) {
    throw new SentrlError(
      "TABULAR_BAD_OPTION",
      "states and maxTokens must be positive integers, vocab ≥ 2 tokens, eosToken in range",
    );
  }
  const size = S * L * V;
  const theta = options.init ? Float64Array.from(options.init) : new Float64Array(size);
  if (theta.length !== size)
    throw new SentrlError("TABULAR_BAD_OPTION", `init must have states·maxTokens·vocab = ${size} values`);
  const grad = new Float64Array(size);
  let m = new Float64Array(size);
  let v = new Float64Array(size);
  let updates = 0;
  const stateOf = options.stateOf ?? ((p: GenerationPrompt) => Number(p.id));

  const checkState = (s: number) => {
    if (!(Number.isInteger(s) && s >= 0 && s < S))
      throw new SentrlError("TABULAR_BAD_INPUT", `state ${s} is not in [0, ${S})`);
    return s;
  };

  /** Softmax of θ[s, t, :]/T into `p` (offset po); returns [logsumexp, E_p[z]]. */
  function softmax(
    params: Float64Array,
    s: number,
    t: number,
    T: number,
    p: Float64Array,
    po: number,
  ): [number, number] {
    const base = (s * L + t) * V;
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < V; j++) max = Math.max(max, params[base + j] / T);
    let sum = 0;
    for (let j = 0; j < V; j++) {
      const e = Math.exp(params[base + j] / T - max);
      p[po + j] = e;
      sum += e;
    }
    let meanZ = 0;
    for (let j = 0; j < V; j++) {
      p[po + j] /= sum;
      meanZ += p[po + j] * (params[base + j] / T);
    }
    return [max + Math.log(sum), meanZ];
  }

  function scoreWith(
    params: Float64Array,
    batch: ScoreBatch,
    temperature: number,
    keep: boolean,
  ): PolicyScores<TabularHandle> {
    if (!(temperature > 0)) throw new SentrlError("TABULAR_BAD_INPUT", `temperature must be > 0, got ${temperature}`);
    const rows = batch.responseTokens.length;
    let cols = 0;
    for (const r of batch.responseTokens) cols = Math.max(cols, r.length);
    if (cols > L) throw new SentrlError("TABULAR_BAD_INPUT", `a response has ${cols} tokens, more than maxTokens ${L}`);
    const logp = new Float64Array(rows * cols);
    const entropy = new Float64Array(rows * cols);
    const probs = new Float64Array(keep ? rows * cols * V : V);
    const meanZs = new Float64Array(keep ? rows * cols : 0);
    const statesArr = new Int32Array(rows);
    const tokens: Int32Array[] = [];
    for (let b = 0; b < rows; b++) {
      const s = checkState(batch.promptTokens[b][0]);
      statesArr[b] = s;
      const resp = Int32Array.from(batch.responseTokens[b]);
      tokens.push(resp);
      for (let t = 0; t < resp.length; t++) {
        const y = resp[t];
        if (!(y >= 0 && y < V)) throw new SentrlError("TABULAR_BAD_INPUT", `token ${y} is not in the vocabulary`);
        const i = b * cols + t;
        const po = keep ? i * V : 0;
        const [lse, meanZ] = softmax(params, s, t, temperature, probs, po);
        logp[i] = params[(s * L + t) * V + y] / temperature - lse;
        entropy[i] = lse - meanZ;
        if (keep) meanZs[i] = meanZ;
      }
    }
    const scores: PolicyScores<TabularHandle> = { rows, cols, logp, entropy };
    if (keep) scores.handle = { states: statesArr, tokens, cols, temperature, probs, meanZ: meanZs };
    return scores;
  }

  return {
    theta,
    grad,
    eosTokenId: eosToken,
    score(batch: ScoreBatch, opts: ScoreOptions) {
      return scoreWith(theta, batch, opts.temperature, opts.grad);
    },
    backward(handle: TabularHandle | undefined, grads: ScoreGradients) {
      if (!handle)
        throw new SentrlError("POLICY_NO_HANDLE", "backward needs the handle of a score(..., { grad: true })");
      const { states: st, tokens, cols, temperature: T, probs, meanZ } = handle;
      const { dLogp, dEntropy } = grads;
      for (let b = 0; b < st.length; b++) {
        const s = st[b];
        const resp = tokens[b];
        for (let t = 0; t < resp.length; t++) {
          const i = b * cols + t;
          const gl = dLogp[i];
          const ge = dEntropy ? dEntropy[i] : 0;
          if (gl === 0 && ge === 0) continue;
          const base = (s * L + t) * V;
          const po = i * V;
          // ∂logp/∂z_j = 1[j=y] − p_j ; ∂H/∂z_j = −p_j (z_j − E_p[z]) ; z = θ/T.
          for (let j = 0; j < V; j++) {
            const p = probs[po + j];
            const z = theta[base + j] / T;
            let g = gl * ((j === resp[t] ? 1 : 0) - p);
            if (ge !== 0) g -= ge * p * (z - meanZ[i]);
            grad[base + j] += g / T;
          }
        }
      }
    },
    zeroGrad() {
      grad.fill(0);
    },
    step(settings: OptimizerSettings): OptimizerStepResult {
      // The Backend's AdamW arithmetic on the float64 tables; a non-finite norm skips the update (AdamWArgs).
      const { lr, betas, eps, weightDecay, maxGradNorm } = settings;
      const param = { param: theta, grad, m, v, weightDecay };
      const r = adamwUpdate([param], { lr, beta1: betas[0], beta2: betas[1], eps, step: updates + 1, maxGradNorm });
      if (r.applied) updates++;
      return { gradNorm: r.gradNorm, applied: r.applied };
    },
    snapshot() {
      const frozen = Float64Array.from(theta);
      return { score: (batch, opts) => scoreWith(frozen, batch, opts.temperature, false) };
    },
    state(): PolicyState {
      return {
        tensors: { theta: Float64Array.from(theta), adamM: Float64Array.from(m), adamV: Float64Array.from(v) },
        meta: { updates },
      };
    },
    load(state: PolicyState) {
      const { theta: th, adamM, adamV } = state.tensors;
      if (!th || !adamM || !adamV || th.length !== size || adamM.length !== size || adamV.length !== size) {
        throw new SentrlError("POLICY_BAD_STATE", `a tabular state needs theta, adamM, adamV of ${size} values`);
      }
      theta.set(th);
      m = Float64Array.from(adamM);
      v = Float64Array.from(adamV);
      updates = Number(state.meta.updates ?? 0);
      grad.fill(0);
    },
    resetOptimizer() {
      m = new Float64Array(size);
      v = new Float64Array(size);
      updates = 0;
    },
    async rollout(prompts: GenerationPrompt[], gen: GenerateOptions): Promise<PolicyRollout[]> {
      const T = gen.temperature ?? 1;
      const maxLen = Math.min(L, gen.maxTokens ?? L);
      const rng = new Rng(gen.seed ?? 0);
      const p = new Float64Array(V);
      return prompts.map((prompt) => {
        const s = checkState(stateOf(prompt));
        const completions: PolicyRollout["completions"] = [];
        for (let k = 0; k < gen.n; k++) {
          const ids: number[] = [];
          let text = "";
          let finishReason = "length";
          for (let t = 0; t < maxLen; t++) {
            softmax(theta, s, t, T, p, 0);
            const y = rng.categorical(p, 1);
            ids.push(y);
            if (y === eosToken) {
              finishReason = "stop";
              break;
            }
            text += vocab[y];
          }
          completions.push({ text, tokenIds: ids, numTokens: ids.length, finishReason });
        }
        return { promptTokens: [s], completions };
      });
    },
  };
}
