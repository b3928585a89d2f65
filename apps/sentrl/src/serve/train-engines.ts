import { join, resolve } from "node:path";
import { type Policy, SentrlError, type TrainerConfig, withEngineRollouts } from "@sentrl/core";

const bad = (path: string, message: string): never => {
  throw new SentrlError("CONFIG_BAD_FIELD", `${path}: ${message}`);
};

/**
 * `config.rollout.engines` of `sentrl train` (docs/serving.md §2): the model policy with its rollouts on those
 * OpenAI-compatible engines (token-id prompts, log-probs and token ids asked for, prompts spread over the engines) and
 * its weights written to `rollout.weightsDir` (default `<out>/engine-weights`) and loaded by every engine before each
 * rollout that follows an update (`rollout.weightSync`: sglang, which `sentrl serve` speaks, or vllm). Without engines
 * the policy is returned as is. Model code and the generators load only when engines are configured.
 */
export async function withConfiguredEngines(
  policy: Policy,
  config: TrainerConfig,
  modelDir: string | undefined,
  outDir: string,
  baseDir: string,
): Promise<Policy> {
  const r = config.rollout;
  if (!r?.engines || r.engines.length === 0) return policy;
  if (!modelDir) return bad("config.rollout.engines", 'needs policy.kind "model" (the trainer writes its weights for the engines)');
  const [{ parseGeneratorSpec, createOpenAIGenerator, createWeightSync }, model] = await Promise.all([import("@sentrl/generators"), import("@sentrl/model")]);
  const specs = r.engines.map((e, i) => {
    const s = parseGeneratorSpec(e);
    if (s.scheme !== "openai") bad(`config.rollout.engines[${i}]`, `an openai:<baseURL>#<model> spec, got \`${e}\``);
    return s;
  });
  const name = specs[0].model as string;
  specs.forEach((s, i) => {
    if (s.model !== name) bad(`config.rollout.engines[${i}]`, `every engine must serve the same model name (\`${name}\`), got \`${s.model}\``);
  });
  if (!(policy instanceof model.ModelPolicy)) return bad("config.rollout.engines", "needs the transformer policy of @sentrl/model");
  const api = r.weightSync ?? "sglang";
  if (api === "vllm" && !r.weightsDir)
    bad("config.rollout.weightsDir", "is required with weightSync vllm: the folder the vLLM engines serve (they re-read it on reload_weights)");
  const tokenizer = model.loadTokenizer(modelDir);
  const urls = specs.map((s) => s.baseURL as string);
  const sync = createWeightSync({ baseURLs: urls, api });
  const m = policy.model;
  return withEngineRollouts(policy, {
    generator: createOpenAIGenerator({ baseURL: urls, model: name, logprobs: true, tokenIds: true }),
    encode: (p) => model.encodePrompt(tokenizer, p),
    writeWeights: (dir) => model.saveModel(m, dir),
    loadWeights: (dir, signal) => sync.load(dir, signal),
    // Absolute: the engines run elsewhere, with another working directory.
    weightsDir: r.weightsDir ? resolve(baseDir, r.weightsDir) : resolve(join(outDir, "engine-weights")),
    inPlace: api === "vllm",
  });
}
