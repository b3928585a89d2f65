/**
 * `stagedCurriculum`: trains stage by stage on SE-ordered stages (docs/algorithms.md §3, §3.1). Within a stage the order is
 * random per epoch (seeded, `drop_last` like verl's train loader); stages never mix and earlier stages are not
 * replayed. At each stage start the plugin's `beforeRollout` returns `{ prompts, stageStart }` (core's typed
 * {@link StageStart}): a fresh optimiser and the reference policy to use, `stageInit` (the policy at the stage's
 * start, what the released scripts do) or `theta0` (the initial policy).
 */
import {
  type DatasetRow,
  definePlugin,
  deriveSeed,
  type Plugin,
  type PluginContext,
  Rng,
  type RolloutPlan,
  SentrlError,
  type StageStart,
} from "@sentrl/core";

export type RefPolicyPerStage = "stageInit" | "theta0";

/** @deprecated The stage start is core's {@link StageStart}, returned from `beforeRollout`. */
export type StageStartEvent = StageStart;

/**
 * SENT's stage start (docs/algorithms.md §3.1) for a `refPolicyPerStage`: every stage is a fresh run (new optimiser
 * state); π_ref is the stage's starting policy (`stageInit`, default) or kept (`theta0`). Throws
 * `CURRICULUM_BAD_REF_POLICY` for another value. Both curriculum plugins start their stages with it.
 *
 * @example
 * ```ts
 * import { sentStageStart } from "@sentrl/curriculum";
 * console.log(sentStageStart("theta0")(2)); // → {"stage":2,"resetOptimizer":true,"reference":"keep"}
 * ```
 */
export function sentStageStart(refPolicyPerStage: RefPolicyPerStage = "stageInit"): (stage: number) => StageStart {
  const ref = refPolicyPerStage;
  if (ref !== "stageInit" && ref !== "theta0")
    throw new SentrlError(
      "CURRICULUM_BAD_REF_POLICY",
      `refPolicyPerStage must be "stageInit" or "theta0", got ${String(ref)}`,
    );
  const reference = ref === "stageInit" ? "current" : "keep";
  return (stage) => ({ stage, resetOptimizer: true, reference });
}

export interface StagedCurriculumOptions {
  /** The stages' rows, easiest first (e.g. the stage files, or `stagesFromRows(rows)`). */
  stages: readonly (readonly DatasetRow[])[];
  /** Epochs per stage (default 5, as the SENT scripts). */
  epochsPerStage?: number;
  /** Prompts per step; default: as many as the trainer's own batch. */
  batchSize?: number;
  /** Drop each epoch's last incomplete batch (verl's `drop_last=True`, default true). */
  dropLast?: boolean;
  /** Shuffle within a stage (verl `data.shuffle`, default true). */
  shuffle?: boolean;
  /** Seed of the within-stage shuffles (default 1, verl `data.seed`). */
  seed?: number;
  /** Default `stageInit` (faithful to the released scripts). */
  refPolicyPerStage?: RefPolicyPerStage;
}

/** Serialisable progress of a staged curriculum (store it in checkpoints). */
export interface StagedCurriculumState {
  kind: "stagedCurriculum";
  /** 0-based stage index; equals the number of stages when done. */
  stage: number;
  epoch: number;
  /** Position inside the current epoch's permutation. */
  position: number;
  /** Stage starts emitted so far. */
  started: number;
}

export interface StagedCurriculumApi {
  /** Current 1-based stage (stages + 1 once done). */
  readonly currentStage: number;
  readonly done: boolean;
  /**
   * Steps each stage takes at a batch size (default: the `batchSize` option): set the trainer's `totalSteps` to their
   * sum, or run one trainer per stage with these step counts (each stage a fresh run, as in the SENT scripts).
   */
  stepsPerStage(batchSize?: number): number[];
  state(): StagedCurriculumState;
  loadState(state: StagedCurriculumState): void;
}

export type StagedCurriculumPlugin = Omit<Plugin, "api" | "state" | "loadState"> & {
  readonly api: StagedCurriculumApi;
  state(): StagedCurriculumState;
  loadState(s: StagedCurriculumState): void;
};

/**
 * Groups rows by their `stage` column (1-based, as written by the curriculum builder) into stages, keeping row order.
 *
 * @example
 * stagesFromRows([{ id: "a", stage: 2 }, { id: "b", stage: 1 }]); // [[{id:"b"...}], [{id:"a"...}]]
 */
export function stagesFromRows<T extends object>(rows: readonly T[]): T[][] {
  const stages: T[][] = [];
  rows.forEach((r, i) => {
    const stage = (r as { stage?: unknown }).stage;
    const s = Number(stage);
    if (!Number.isInteger(s) || s < 1)
      throw new SentrlError(
        "CURRICULUM_NO_STAGE",
        `row ${i} has no valid \`stage\` column (got ${String(stage)}); build the curriculum first`,
      );
    while (stages.length < s) stages.push([]);
    stages[s - 1].push(r);
  });
  return stages;
}

/**
 * Stage-by-stage curriculum as a trainer plugin (`beforeRollout` replaces the batch with the next one of the current
 * stage, and at a stage's first batch returns `{ prompts, stageStart }`: the trainer then resets the optimiser and,
 * with `stageInit`, takes the current policy as π_ref). When every stage has run its epochs, `beforeRollout` returns
 * `[]` and `api.done` is true.
 *
 * @example
 * ```ts
 * import { createTrainer } from "@sentrl/core";
 * import { exactMatchReward, toyDataset, toyPolicy } from "@sentrl/testing";
 * import { stagedCurriculum } from "@sentrl/curriculum";
 * const [easy, hard] = [toyDataset().slice(0, 3), toyDataset().slice(3)];
 * const curriculum = stagedCurriculum({ stages: [easy, hard], epochsPerStage: 2, batchSize: 3 });
 * const trainer = createTrainer({
 *   policy: toyPolicy(),
 *   dataset: [...easy, ...hard],
 *   plugins: [curriculum, exactMatchReward()],
 *   config: { reward: "exact", promptsPerStep: 3, miniBatchPrompts: 3, groupSize: 4, maxResponseTokens: 3,
 *     totalSteps: curriculum.api.stepsPerStage(3).reduce((a, b) => a + b, 0) },
 * });
 * await trainer.run(); // 4 steps; stage 2 starts at step 3 with a fresh optimiser and π_ref = the policy then
 * ```
 */
export function stagedCurriculum(options: StagedCurriculumOptions): StagedCurriculumPlugin {
  const stages = options.stages;
  if (!Array.isArray(stages) || stages.length === 0)
    throw new SentrlError("CURRICULUM_NO_STAGES", "stagedCurriculum needs at least one stage of rows");
  const epochs = options.epochsPerStage ?? 5;
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new SentrlError("CURRICULUM_BAD_EPOCHS", `epochsPerStage must be an integer ≥ 1, got ${epochs}`);
  const dropLast = options.dropLast ?? true;
  const shuffle = options.shuffle ?? true;
  const seed = options.seed ?? 1;
  const startOf = sentStageStart(options.refPolicyPerStage);
  let st: StagedCurriculumState = { kind: "stagedCurriculum", stage: 0, epoch: 0, position: 0, started: 0 };
  const permCache = new Map<string, Int32Array>();

  /** The permutation of a stage's epoch: reconstructible from (seed, stage, epoch), so state stays tiny. */
  function permutation(stage: number, epoch: number): Int32Array {
    const key = `${stage}:${epoch}`;
    let p = permCache.get(key);
    if (!p) {
      p = new Int32Array(stages[stage].length);
      for (let i = 0; i < p.length; i++) p[i] = i;
      if (shuffle) new Rng(deriveSeed(seed, stage * 1_000_000 + epoch, "curriculum:staged:shuffle")).shuffle(p);
      permCache.clear();
      permCache.set(key, p);
    }
    return p;
  }

  function advanceEpoch(): void {
    st.epoch++;
    st.position = 0;
    if (st.epoch >= epochs) {
      st.stage++;
      st.epoch = 0;
    }
  }

  const api: StagedCurriculumApi = {
    get currentStage() {
      return st.stage + 1;
    },
    get done() {
      return st.stage >= stages.length;
    },
    stepsPerStage(batchSize = options.batchSize) {
      if (batchSize === undefined || !Number.isInteger(batchSize) || batchSize < 1)
        throw new SentrlError("CURRICULUM_BAD_BATCH", `stepsPerStage needs a batch size ≥ 1, got ${batchSize}`);
      return stages.map((rows) => {
        const n = rows.length;
        if (n === 0) return 0;
        const perEpoch = n < batchSize ? 1 : dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
        return perEpoch * epochs;
      });
    },
    state: () => ({ ...st }),
    loadState(s) {
      if (
        s?.kind !== "stagedCurriculum" ||
        ![s.stage, s.epoch, s.position, s.started].every((v) => Number.isInteger(v) && v >= 0)
      )
        throw new SentrlError(
          "CURRICULUM_BAD_STATE",
          "not a stagedCurriculum state (expected {kind, stage, epoch, position, started})",
        );
      st = { ...s };
    },
  };

  const plugin = definePlugin({
    name: "staged-curriculum",
    enforce: "pre" as const,
    api,
    beforeRollout(ctx: PluginContext, prompts: DatasetRow[]): DatasetRow[] | RolloutPlan {
      const want = options.batchSize ?? prompts.length;
      if (!Number.isInteger(want) || want < 1)
        throw new SentrlError("CURRICULUM_BAD_BATCH", `batch size must be an integer ≥ 1, got ${want}`);
      // Skip stages / epochs that cannot yield a batch.
      for (;;) {
        if (st.stage >= stages.length) return [];
        const size = stages[st.stage].length;
        const left = size - st.position;
        if (size === 0 || left <= 0 || (dropLast && left < want && !(st.position === 0 && size < want))) {
          if (size === 0) {
            st.stage++;
            st.epoch = 0;
            st.position = 0;
          } else advanceEpoch();
          continue;
        }
        break;
      }
      let stageStart: StageStart | undefined;
      if (st.started <= st.stage) {
        st.started = st.stage + 1;
        stageStart = startOf(st.stage + 1);
      }
      const perm = permutation(st.stage, st.epoch);
      const rows = stages[st.stage];
      const take = Math.min(want, rows.length - st.position);
      const batch: DatasetRow[] = [];
      for (let k = 0; k < take; k++) batch.push(rows[perm[st.position + k]]);
      st.position += take;
      ctx.metrics.record("curriculum/stage", st.stage + 1);
      ctx.metrics.record("curriculum/epoch", st.epoch + 1);
      if (st.position >= rows.length || (dropLast && rows.length - st.position < want)) advanceEpoch();
      return stageStart ? { prompts: batch, stageStart } : batch;
    },
  });
  return Object.assign(plugin, { state: api.state, loadState: api.loadState });
}
