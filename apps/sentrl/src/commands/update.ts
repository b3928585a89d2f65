import {
  atConfigField,
  configFields,
  evaluatePolicyLoss,
  type Infer,
  microBatchWeights,
  resolveLossOptions,
  SentrlError,
  type TokenBatch,
  TRAINER_CONFIG_FIELDS,
  trainerDriver,
} from "@sentrl/core";
import type { CliIO } from "../command.js";
import { parseCommandArgs, parseJsonOption } from "../command.js";
import { writeJsonLine } from "../io/output-guard.js";
import { lossPlugins } from "../presets/build.js";
import { RUN_CONFIG_FIELDS } from "../presets/run-config.js";
import { readJsonStdin } from "../stdin-json.js";
import { backendOption } from "../backend-option.js";
import { UsageError } from "../usage-error.js";

// `sentrl update` (docs/contracts.md §11): one RL update of a model on given rollouts, through the trainer's own
// pieces: the policy-loss registry and `evaluatePolicyLoss` of @sentrl/core, `ModelPolicy` (score with gradients,
// backward, AdamW step) of @sentrl/model, micro-batch weights as core's `updatePolicy` computes them.

export const help = `Usage: sentrl update --model <dir> --out <dir> [--config '<json>'] [--backend auto|fast|reference|cuda] < rollouts.json

One RL update (docs/contracts.md §11), JSON in, weights out, so that another framework can check its update
against ours: forward, the policy loss (docs/contracts.md §2) on each micro-batch of microBatchSize rows (in order),
backward, combination across micro-batches, global-norm clipping, then one AdamW step from a fresh optimiser state
(torch.optim.AdamW semantics, weight decay on every tensor).

stdin:  {"tokens": [[id..]], "mask": [[0|1]], "advantages": [[..]], "oldLogp": [[..]]?, "refLogp": [[..]]?}
        mask/advantages/oldLogp/refLogp are aligned with \`sentrl score\`: length = row length − 1, position t
        predicts token t+1, mask 1 on response tokens. oldLogp defaults to the model's own log-probs (ratio 1).
stdout: {"loss", "gradNorm", "metrics": {..}}   (gradNorm before clipping)
--out:  config.json + model.safetensors (float32)

--config (defaults as the trainer's):
  {"loss": {"name": "grpo", "options": {..every option of sentrl loss, common ones included..}},
   "temperature": 1, "microBatchSize": 4, "microBatchCombination": "microBatchMean" | "globalTokenMean",
   "optimizer": {"lr": 1e-6, "betas": [0.9, 0.999], "eps": 1e-8, "weightDecay": 0.01, "maxGradNorm": 1}}

Errors: UPDATE_BAD_INPUT (shapes), CONFIG_BAD_FIELD / CONFIG_UNKNOWN_FIELD (--config, naming the field, loss
options included), MODEL_* (tokens).

Example:
  echo '{"tokens":[[1,2,3,4]],"mask":[[0,1,1]],"advantages":[[0,1,1]]}' | sentrl update --model m --out m2 --config '{"optimizer":{"lr":1e-5}}'
`;

/** `--config`: the trainer's own fields (docs/contracts.md §11: "names and defaults are the trainer's"). */
const UPDATE_CONFIG = configFields({
  loss: RUN_CONFIG_FIELDS.loss,
  temperature: TRAINER_CONFIG_FIELDS.temperature,
  microBatchSize: TRAINER_CONFIG_FIELDS.microBatchSize,
  microBatchCombination: TRAINER_CONFIG_FIELDS.microBatchCombination,
  optimizer: TRAINER_CONFIG_FIELDS.optimizer,
});
type UpdateConfig = Infer<typeof UPDATE_CONFIG>;

interface UpdateInput {
  tokens: number[][];
  mask: number[][];
  advantages: number[][];
  oldLogp?: number[][];
  refLogp?: number[][];
}

function parseInput(value: unknown): UpdateInput {
  const bad = (msg: string) => new SentrlError("UPDATE_BAD_INPUT", msg);
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw bad('the input must be a JSON object {"tokens", "mask", "advantages", "oldLogp"?, "refLogp"?}');
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!["tokens", "mask", "advantages", "oldLogp", "refLogp"].includes(k)) throw bad(`unknown input key \`${k}\`; valid keys: tokens, mask, advantages, oldLogp, refLogp`);
  if (!Array.isArray(o.tokens) || o.tokens.length === 0 || !o.tokens.every(Array.isArray)) throw bad("`tokens` must be a non-empty array of rows of token ids");
  const tokens = o.tokens as number[][];
  const grid = (key: string, required: boolean, check: (x: unknown) => boolean, what: string): number[][] | undefined => {
    const g = o[key];
    if (g === undefined) {
      if (required) throw bad(`\`${key}\` is missing`);
      return undefined;
    }
    if (!Array.isArray(g) || g.length !== tokens.length) throw bad(`\`${key}\` must have one row per token row (${tokens.length})`);
    g.forEach((row, i) => {
      const n = Math.max(0, tokens[i].length - 1);
      if (!Array.isArray(row) || row.length !== n) throw bad(`\`${key}[${i}]\` must have ${n} values (row length − 1)`);
      row.forEach((x, t) => {
        if (!check(x)) throw bad(`\`${key}[${i}][${t}]\` = ${JSON.stringify(x)} is not ${what}`);
      });
    });
    return g as number[][];
  };
  const finite = (x: unknown) => typeof x === "number" && Number.isFinite(x);
  return {
    tokens,
    mask: grid("mask", true, (x) => x === 0 || x === 1, "0 or 1") as number[][],
    advantages: grid("advantages", true, finite, "a finite number") as number[][],
    oldLogp: grid("oldLogp", false, finite, "a finite number"),
    refLogp: grid("refLogp", false, finite, "a finite number"),
  };
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(args, { model: { type: "string" }, out: { type: "string" }, config: { type: "string" }, backend: { type: "string" } });
  const dir = values.model as string | undefined;
  const out = values.out as string | undefined;
  if (!dir) throw new UsageError("--model <dir> is required (a Hugging Face model folder with config.json and safetensors weights)");
  if (!out) throw new UsageError("--out <dir> is required (where the updated model is written)");
  const cfg: UpdateConfig = UPDATE_CONFIG.parse(parseJsonOption(values.config as string | undefined, "--config"), "--config");
  const backendName = backendOption(values.backend, io.env);
  const losses = trainerDriver(lossPlugins(), { seed: 0 }).policyLosses;
  const def = atConfigField("--config.loss.name", () => losses.get(cfg.loss.name));
  const { common, loss } = atConfigField("--config.loss.options", () => {
    const { common, options } = resolveLossOptions(def, cfg.loss.options);
    return { common, loss: def.create(options) };
  });
  const input = parseInput(
    await readJsonStdin(io.stdin, {
      code: "UPDATE_BAD_INPUT",
      pipe: '{"tokens": [[..]], "mask": [[..]], "advantages": [[..]]}',
      finiteRule: "every value must be a finite number",
    }),
  );

  const [modelPkg, { selectBackend }] = await Promise.all([import("@sentrl/model"), import("@sentrl/compute")]);
  const { loadModel, ModelPolicy, saveModel } = modelPkg;
  const model = await loadModel(dir, { backend: await selectBackend(backendName) });
  try {
    const check: (t: unknown, v: number) => void = modelPkg.validateTokens;
    check(input.tokens, model.config.vocabSize);
    const policy = new ModelPolicy(model);
    const rows = input.tokens.length;
    const mb = cfg.microBatchSize;
    const ranges: [number, number][] = [];
    for (let s = 0; s < rows; s += mb) ranges.push([s, Math.min(rows, s + mb)]);
    // Micro-batch weights (core's microBatchWeights): 1 / number of micro-batches, or each micro-batch's share of the
    // valid tokens (docs/contracts.md §11).
    const validCounts = ranges.map(([a, b]) => input.mask.slice(a, b).reduce((n, r) => n + r.reduce((x, y) => x + y, 0), 0));
    const weights = microBatchWeights(cfg.microBatchCombination, validCounts);
    let total = 0;
    const sums: Record<string, number> = {};
    policy.zeroGrad();
    ranges.forEach(([a, b], k) => {
      const tok = input.tokens.slice(a, b);
      // Every position of a row is scored: prompt = its first token, response = the rest (position t predicts t+1).
      const scores = policy.score({ promptTokens: tok.map((r) => r.slice(0, 1)), responseTokens: tok.map((r) => r.slice(1)) }, { temperature: cfg.temperature, grad: true });
      const { cols } = scores;
      const n = (b - a) * cols;
      const batch: TokenBatch = { rows: b - a, cols, mask: new Uint8Array(n), logp: scores.logp, oldLogp: new Float64Array(n), entropy: scores.entropy, advantages: new Float64Array(n) };
      const ref = input.refLogp ? new Float64Array(n) : undefined;
      for (let i = a; i < b; i++) {
        const o = (i - a) * cols;
        input.mask[i].forEach((m, t) => {
          batch.mask[o + t] = m;
          batch.advantages[o + t] = input.advantages[i][t];
          batch.oldLogp[o + t] = input.oldLogp ? input.oldLogp[i][t] : scores.logp[o + t];
          if (ref && input.refLogp) ref[o + t] = input.refLogp[i][t];
        });
      }
      if (ref) batch.refLogp = ref;
      const res = evaluatePolicyLoss(loss, batch, common, { step: 0, microBatch: k, seed: 0 });
      const w = weights[k];
      for (let i = 0; i < res.gradLogp.length; i++) res.gradLogp[i] *= w;
      if (res.gradEntropy) for (let i = 0; i < res.gradEntropy.length; i++) res.gradEntropy[i] *= w;
      policy.backward(scores.handle, res.gradEntropy ? { dLogp: res.gradLogp, dEntropy: res.gradEntropy } : { dLogp: res.gradLogp });
      total += w * res.loss;
      for (const [name, v] of Object.entries(res.metrics)) sums[name] = (sums[name] ?? 0) + v / ranges.length;
    });
    const step = policy.step(cfg.optimizer);
    await saveModel(model, out);
    writeJsonLine(io, { loss: total, gradNorm: step.gradNorm, metrics: sums });
  } finally {
    model.dispose();
  }
  return 0;
}
