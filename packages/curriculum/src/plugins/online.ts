/**
 * `onlineCurriculum`: re-scores semantic entropy from the trainer's own GRPO groups (`afterRollout`) and schedules
 * prompts by current difficulty (`beforeRollout`). The eligible pool is the easiest fraction of the data by current
 * SE and grows linearly from `startFraction` to 1 over `rampSteps` (competence-based pacing); each step samples its
 * batch uniformly from the pool with the hook's seeded RNG. Rows never scored count as `unscoredSE` (default 0: try
 * them early, which scores them), unless an initial SE is given (`initialSE` or the rows' `semantic_entropy` column).
 * With `stageSteps`, every that many steps starts a stage as the staged curriculum does (core's typed `StageStart`
 * returned from `beforeRollout`: fresh optimiser, π_ref per `refPolicyPerStage`, docs/algorithms.md §3.1).
 */
import {
  argSmallestK,
  type DatasetRow,
  definePlugin,
  type Plugin,
  type PluginContext,
  type RolloutGroup,
  type RolloutPlan,
  SentrlError,
} from "@sentrl/core";
import { createSemanticEntropyScorer, type SEOptions } from "@sentrl/semantic-entropy";
import { type RefPolicyPerStage, sentStageStart } from "./staged.js";

export interface OnlineCurriculumOptions {
  rows: readonly DatasetRow[];
  /** Prompts per step; default: as many as the trainer's own batch. */
  batchSize?: number;
  /** Pool fraction at step 0 (default 0.5). */
  startFraction?: number;
  /** Steps over which the pool grows to the whole data (default 1000). */
  rampSteps?: number;
  /** Weight of the previous score when a prompt is re-scored: se ← α·old + (1−α)·new (default 0: latest wins). */
  smoothing?: number;
  /** Difficulty of never-scored rows (default 0). */
  unscoredSE?: number;
  /** Initial scores by row id (default: each row's `semantic_entropy` column when present). */
  initialSE?: Record<string, number>;
  /** Clustering / estimator (default checker `dapo`, estimator `lengthNormalized` when the responses carry token
   *  log-probs, else `discrete`). */
  se?: SEOptions;
  /** Start a stage every this many steps (steps 1, 1 + stageSteps, ...): fresh optimiser and π_ref. Default: never. */
  stageSteps?: number;
  /** π_ref at each stage start: `stageInit` (the policy then, default) or `theta0` (keep the initial policy). */
  refPolicyPerStage?: RefPolicyPerStage;
}

export interface OnlineCurriculumState {
  kind: "onlineCurriculum";
  /** [id, current SE, times scored] for every scored row. */
  scores: [string, number, number][];
}

export interface OnlineCurriculumApi {
  /** Current SE of a row id (undefined when never scored nor given). */
  score(id: string): number | undefined;
  /** Pool fraction at a step. */
  poolFraction(step: number): number;
  state(): OnlineCurriculumState;
  loadState(state: OnlineCurriculumState): void;
}

export type OnlineCurriculumPlugin = Omit<Plugin, "api" | "state" | "loadState"> & {
  readonly api: OnlineCurriculumApi;
  state(): OnlineCurriculumState;
  loadState(s: OnlineCurriculumState): void;
};

function groupLikelihoods(g: RolloutGroup): { logLik?: number[]; lengths?: number[] } {
  const logLik: number[] = [];
  const lengths: number[] = [];
  for (const r of g.responses) {
    let ll = r.logLik;
    if (ll === undefined && r.tokenLogprobs) {
      ll = 0;
      for (const v of r.tokenLogprobs) ll += v;
    }
    const n = r.numTokens ?? r.tokenIds?.length ?? r.tokenLogprobs?.length;
    if (ll === undefined || n === undefined || n < 1) return {};
    logLik.push(ll);
    lengths.push(n);
  }
  return { logLik, lengths };
}

/**
 * Online SE curriculum as a trainer plugin.
 *
 * @example
 * const curriculum = onlineCurriculum({ rows: dataset.rows, startFraction: 0.3, rampSteps: 500 });
 * // later: checkpoint.curriculum = curriculum.state(); on resume: curriculum.loadState(saved)
 */
export function onlineCurriculum(options: OnlineCurriculumOptions): OnlineCurriculumPlugin {
  const rows = options.rows;
  if (!Array.isArray(rows) || rows.length === 0)
    throw new SentrlError("CURRICULUM_NO_ROWS", "onlineCurriculum needs at least one row");
  const start = options.startFraction ?? 0.5;
  const ramp = options.rampSteps ?? 1000;
  const alpha = options.smoothing ?? 0;
  if (!(start > 0 && start <= 1))
    throw new SentrlError("CURRICULUM_BAD_OPTION", `startFraction must be in (0, 1], got ${start}`);
  if (!(ramp >= 0)) throw new SentrlError("CURRICULUM_BAD_OPTION", `rampSteps must be ≥ 0, got ${ramp}`);
  if (!(alpha >= 0 && alpha < 1))
    throw new SentrlError("CURRICULUM_BAD_OPTION", `smoothing must be in [0, 1), got ${alpha}`);
  const stageSteps = options.stageSteps;
  if (stageSteps !== undefined && !(Number.isInteger(stageSteps) && stageSteps >= 1))
    throw new SentrlError("CURRICULUM_BAD_OPTION", `stageSteps must be an integer ≥ 1, got ${stageSteps}`);
  const startOf = sentStageStart(options.refPolicyPerStage);
  const unscored = options.unscoredSE ?? 0;
  const index = new Map<string, number>();
  rows.forEach((r, i) => {
    if (index.has(r.id))
      throw new SentrlError("CURRICULUM_DUPLICATE_ID", `row id \`${r.id}\` appears twice; ids must be unique`);
    index.set(r.id, i);
  });
  const current = new Float64Array(rows.length);
  const count = new Int32Array(rows.length);
  const initial = new Float64Array(rows.length);
  rows.forEach((r, i) => {
    const v = options.initialSE?.[r.id] ?? (typeof r.semantic_entropy === "number" ? r.semantic_entropy : undefined);
    initial[i] = v ?? unscored;
    current[i] = initial[i];
  });
  const explicitEstimator = options.se?.estimator;
  const scorers = new Map<string, ReturnType<typeof createSemanticEntropyScorer>>();
  const scorer = (estimator: NonNullable<SEOptions["estimator"]>) => {
    let s = scorers.get(estimator);
    if (!s) {
      s = createSemanticEntropyScorer({ ...options.se, estimator });
      scorers.set(estimator, s);
    }
    return s;
  };

  const poolFraction = (step: number) =>
    ramp === 0 ? 1 : Math.min(1, start + ((1 - start) * Math.max(0, step)) / ramp);

  const api: OnlineCurriculumApi = {
    score(id) {
      const i = index.get(id);
      if (i === undefined) return undefined;
      return count[i] > 0 || options.initialSE?.[id] !== undefined || typeof rows[i].semantic_entropy === "number"
        ? current[i]
        : undefined;
    },
    poolFraction,
    state() {
      const scores: [string, number, number][] = [];
      for (let i = 0; i < rows.length; i++) if (count[i] > 0) scores.push([rows[i].id, current[i], count[i]]);
      return { kind: "onlineCurriculum", scores };
    },
    loadState(s) {
      if (s?.kind !== "onlineCurriculum" || !Array.isArray(s.scores))
        throw new SentrlError("CURRICULUM_BAD_STATE", "not an onlineCurriculum state (expected {kind, scores})");
      current.set(initial);
      count.fill(0);
      for (const [id, se, n] of s.scores) {
        const i = index.get(id);
        if (i === undefined)
          throw new SentrlError(
            "CURRICULUM_BAD_STATE",
            `state scores unknown row \`${id}\`; resume with the same rows`,
          );
        current[i] = se;
        count[i] = n;
      }
    },
  };

  const plugin = definePlugin({
    name: "online-curriculum",
    enforce: "pre" as const,
    api,
    beforeRollout(ctx: PluginContext, prompts: DatasetRow[]): DatasetRow[] | RolloutPlan {
      const want = Math.min(options.batchSize ?? prompts.length, rows.length);
      const poolSize = Math.max(want, Math.ceil(poolFraction(ctx.step) * rows.length));
      // The easiest `poolSize` rows by current SE (ties by row order), then `want` of them uniformly at random.
      const pool = poolSize >= rows.length ? Int32Array.from(rows.keys()) : argSmallestK(current, poolSize);
      for (let k = 0; k < want; k++) {
        const j = k + ctx.rng.int(pool.length - k);
        const t = pool[k];
        pool[k] = pool[j];
        pool[j] = t;
      }
      const batch: DatasetRow[] = [];
      let sum = 0;
      for (let k = 0; k < want; k++) {
        batch.push(rows[pool[k]]);
        sum += current[pool[k]];
      }
      ctx.metrics.record("curriculum/poolFraction", poolSize / rows.length);
      ctx.metrics.record("curriculum/batchMeanSE", want > 0 ? sum / want : 0);
      if (stageSteps !== undefined && ctx.step >= 1 && (ctx.step - 1) % stageSteps === 0) {
        return { prompts: batch, stageStart: startOf((ctx.step - 1) / stageSteps + 1) };
      }
      return batch;
    },
    afterRollout(ctx: PluginContext, groups: RolloutGroup[]): RolloutGroup[] {
      let sum = 0;
      let n = 0;
      for (const g of groups) {
        const i = index.get(g.row.id);
        const lk = groupLikelihoods(g);
        const estimator = explicitEstimator ?? (lk.logLik ? "lengthNormalized" : "discrete");
        const res = scorer(estimator)({
          responses: g.responses.map((r) => r.text),
          ...(estimator === "discrete" ? {} : lk),
        });
        g.info.semanticEntropy = res.semanticEntropy;
        g.info.semanticClusters = res.numClusters;
        sum += res.semanticEntropy;
        n++;
        if (i === undefined) continue; // a prompt this curriculum does not schedule
        current[i] =
          count[i] > 0 || alpha === 0 ? alpha * current[i] + (1 - alpha) * res.semanticEntropy : res.semanticEntropy;
        count[i]++;
      }
      if (n > 0) ctx.metrics.record("curriculum/meanSE", sum / n);
      return groups;
    },
  });
  return Object.assign(plugin, { state: api.state, loadState: api.loadState });
}
