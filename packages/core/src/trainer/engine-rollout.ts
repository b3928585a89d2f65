import { mkdirSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type { GenerateOptions, GenerationPrompt, Generator } from "../contracts/generator.js";
import type { Policy, PolicyRollout } from "../contracts/policy.js";
import { SentrlError } from "../errors.js";

/** Options of {@link withEngineRollouts}. */
export interface EngineRolloutOptions {
  /**
   * The inference engines' generator: it must take token-id prompts and return `tokenIds` and `tokenLogprobs` (an
   * `openai:` generator of `@sentrl/generators` with `logprobs: true, tokenIds: true`, over one or several engines).
   */
  generator: Generator;
  /** The trainer's own tokenisation of a prompt (chat template applied), sent to the engines as token ids. */
  encode(prompt: GenerationPrompt): number[];
  /** Writes the policy's current weights as a Hugging Face folder (config.json + safetensors) into `dir`. */
  writeWeights(dir: string): Promise<void>;
  /** Tells every engine to load the folder (`createWeightSync(...).load` of `@sentrl/generators`). */
  loadWeights(dir: string, signal?: AbortSignal): Promise<void>;
  /**
   * Where weights are written. Default layout: `<weightsDir>/step-<k>`, written into a temporary folder and renamed
   * (a reader never sees half a folder); the previous one is removed once the engines loaded the new one.
   */
  weightsDir: string;
  /** Write into `weightsDir` itself (vLLM re-reads the folder it was started from). Default false. */
  inPlace?: boolean;
  /** Sync before the first rollout too (the engines may have started from other weights). Default true. */
  syncAtStart?: boolean;
}

/** A policy whose rollouts run on inference engines. */
export type EngineRolloutPolicy<H> = Policy<H> & {
  /** Weight loads done so far. */
  readonly weightSyncs: number;
  /** Writes the current weights and has the engines load them now (e.g. after the last step, to serve the result). */
  syncWeights(signal?: AbortSignal): Promise<void>;
};

/**
 * Rollouts on inference engines (vLLM, SGLang, `sentrl serve`) for any trainer, as verl does (docs/serving.md §1): the
 * returned policy is `policy` except for `rollout`, which sends each prompt's token ids (the trainer's own
 * tokenisation) to the engines and returns their tokens and log-probs. After the parameters change (`step`, `load`)
 * the next rollout first writes the weights and has every engine load them, so each rollout samples the current
 * policy. The trainer then recomputes old log-probs with its own model (`computeOldAndRefLogp`), and
 * `rollout.tisCap` corrects for the engine/trainer mismatch (`rolloutCorrection`).
 *
 * With engines that sample as `sentrl generate` does (docs/contracts.md §9: completion c of a prompt from (seed, prompt
 * tokens, c)), e.g. `sentrl serve` on the same backend, a run equals the same run with `local:` rollouts.
 *
 * @example
 * ```ts
 * import { createTrainer, withEngineRollouts } from "@sentrl/core";
 * import { createOpenAIGenerator, createWeightSync } from "@sentrl/generators";
 * const urls = ["http://127.0.0.1:8000", "http://127.0.0.1:8001"];
 * const policy = withEngineRollouts(modelPolicy, {
 *   generator: createOpenAIGenerator({ baseURL: urls, model: "m", logprobs: true, tokenIds: true }),
 *   encode: (p) => encodePrompt(tokenizer, p),
 *   writeWeights: (dir) => saveModel(modelPolicy.model, dir),
 *   loadWeights: (dir) => createWeightSync({ baseURLs: urls }).load(dir),
 *   weightsDir: "runs/a/engine-weights",
 * });
 * const trainer = createTrainer({ policy, dataset, config: { rollout: { tisCap: 2 } } });
 * ```
 */
export function withEngineRollouts<H>(policy: Policy<H>, options: EngineRolloutOptions): EngineRolloutPolicy<H> {
  let dirty = options.syncAtStart !== false;
  let syncs = 0;
  let current: string | null = null;

  // Engines get absolute paths: they run with another working directory.
  const root = resolve(options.weightsDir);

  async function sync(signal?: AbortSignal): Promise<void> {
    let dir = root;
    if (options.inPlace) await options.writeWeights(dir);
    else {
      mkdirSync(root, { recursive: true });
      dir = join(root, `step-${syncs + 1}`);
      const tmp = `${dir}.tmp-${process.pid}`;
      rmSync(tmp, { recursive: true, force: true });
      await options.writeWeights(tmp);
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
    }
    await options.loadWeights(dir, signal);
    if (current && current !== dir) rmSync(current, { recursive: true, force: true });
    current = options.inPlace ? null : dir;
    syncs++;
    dirty = false;
  }

  const engine: EngineRolloutPolicy<H> = {
    get weightSyncs() {
      return syncs;
    },
    syncWeights: sync,
    score: (batch, o) => policy.score(batch, o),
    backward: (handle, grads) => policy.backward(handle, grads),
    zeroGrad: () => policy.zeroGrad(),
    async step(settings) {
      const r = await policy.step(settings);
      dirty = true;
      return r;
    },
    snapshot: () => policy.snapshot(),
    state: () => policy.state(),
    async load(state) {
      await policy.load(state);
      dirty = true;
    },
    async rollout(prompts: GenerationPrompt[], gen: GenerateOptions): Promise<PolicyRollout[]> {
      if (dirty) await sync(gen.signal);
      const tokens = prompts.map((p) => options.encode(p));
      const out = await options.generator.generate(
        prompts.map((p, i) => ({ id: p.id, tokens: tokens[i] })),
        gen,
      );
      return out.map((completions, i) => ({
        promptTokens: tokens[i],
        completions: completions.map((c) => {
          if (!c.tokenIds || !c.tokenLogprobs || c.tokenIds.length !== c.tokenLogprobs.length) {
            throw new SentrlError(
              "ENGINE_ROLLOUT_NO_TOKENS",
              `the engine's completion of "${prompts[i].id}" has no token ids and per-token log-probs of the same length; create the generator with { logprobs: true, tokenIds: true }`,
            );
          }
          return { ...c, tokenIds: c.tokenIds, numTokens: c.tokenIds.length };
        }),
      }));
    },
  };
  if (policy.resetOptimizer) engine.resetOptimizer = () => policy.resetOptimizer!();
  const eos = (policy as { eosTokenId?: unknown }).eosTokenId;
  if (eos !== undefined) Object.assign(engine, { eosTokenId: eos });
  return engine;
}
