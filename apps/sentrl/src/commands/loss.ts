import {
  createPolicyLossRegistry,
  evaluatePolicyLoss,
  grpoLoss,
  lossOutputToJson,
  type PolicyLossDefinition,
  type PolicyLossRegistry,
  resolveLossOptions,
  SentrlError,
  tokenBatchFromJson,
} from "@sentrl/core";
import { UsageError } from "../usage-error.js";
import { type CliIO, parseCommandArgs, parseJsonOption } from "../command.js";
import { readJsonStdin } from "../stdin-json.js";
import { writeJsonLine } from "../io/output-guard.js";

// `sentrl loss` (docs/contracts.md §2). Imports only @sentrl/core and the two loss plugins: no model, no ONNX.

/** Plugins whose `policyLossDefinitions` join core's `grpo`; a plugin that fails to load is reported, not fatal. */
const PLUGINS = ["@sentrl/token-entropy-kl", "@sentrl/entropy-baselines"] as const;

interface LoadedRegistry {
  registry: PolicyLossRegistry;
  problems: string[];
}

async function loadRegistry(): Promise<LoadedRegistry> {
  const registry = createPolicyLossRegistry([grpoLoss]);
  const problems: string[] = [];
  for (const name of PLUGINS) {
    try {
      const mod = (await import(name)) as { policyLossDefinitions?: PolicyLossDefinition[] };
      for (const def of mod.policyLossDefinitions ?? []) registry.register(def, `plugin "${name}"`);
    } catch (e) {
      problems.push(`${name} could not be loaded (${(e as Error).message.split("\n")[0]})`);
    }
  }
  return { registry, problems };
}

const loaded = await loadRegistry();
/** Loss names in registration order (core's, then each plugin's). */
const lossNames = loaded.registry.definitions().map((d) => d.name);

function fmt(v: unknown): string {
  return v === undefined ? "derived" : JSON.stringify(v);
}

function optionLines(defaults: Record<string, unknown>): string {
  const entries = Object.entries(defaults);
  if (entries.length === 0) return "      (none)";
  return entries.map(([k, v]) => `      ${k} (${fmt(v)})`).join("\n");
}

export const help = `Usage: sentrl loss --name <loss> [--config '<json>'] < input.json

Evaluates one policy-loss call (one selection scope, one aggregation) and its gradient.

stdin:  {"mask":[[0|1,..]], "logp":[[..]], "oldLogp":[[..]], "refLogp":[[..]]?, "entropy":[[..]]?, "advantages":[[..]]}
        rows × cols arrays, row-major, equal shapes; values where mask == 0 are kept as given; NaN/Inf are errors.
stdout: {"loss": n, "gradLogp": [[..]], "gradEntropy": [[..]]?, "metrics": {..}}
        gradLogp is exactly 0 where mask == 0; gradEntropy only when the entropy is differentiated (entropyCoeff != 0).

Total loss: pg − entropyCoeff·agg(entropy) + [useKlLoss]·klLossCoef·agg(kl(logp, refLogp)).

Options:
  --name <loss>       one of: ${lossNames.join(", ")}
  --config '<json>'   a JSON object of options (unknown keys are an error)

Options every loss accepts (default):
  lossAggMode ("token-mean")      token-mean | seq-mean-token-sum | seq-mean-token-mean | seq-mean-token-sum-norm
  lossAggNorm (number of columns) divisor of seq-mean-token-sum-norm (a trainer passes maxResponseTokens)
  useKlLoss (false)               add klLossCoef · agg(kl(logp, refLogp)); needs refLogp
  klLossCoef (0.001)
  klLossType ("low_var_kl")       k1|kl, abs, k2|mse, k3|low_var_kl; a "+" suffix is the straight-through variant
  entropyCoeff (0)                entropy bonus; needs entropy; != 0 adds gradEntropy to the output

Losses and their own options (default; "derived" defaults follow another option, e.g. clipRatioLow = clipRatio):
${loaded.registry
  .definitions()
  .map((d) => `  ${d.name}: ${d.description}\n${optionLines(d.defaults)}`)
  .join("\n")}
${loaded.problems.length ? `\nNot available: ${loaded.problems.join("; ")}\n` : ""}
Example:
  echo '{"mask":[[1,1,0]],"logp":[[-1,-2,0]],"oldLogp":[[-1.1,-2,0]],"advantages":[[0.5,0.5,0]]}' | sentrl loss --name grpo
`;

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(args, { name: { type: "string" }, config: { type: "string" } });
  const name = values.name as string | undefined;
  if (!name) throw new UsageError(`--name <loss> is required; losses: ${lossNames.join(", ")}`);
  const config = parseJsonOption(values.config as string | undefined, "--config");
  if (!loaded.registry.has(name) && loaded.problems.length > 0) {
    throw new SentrlError(
      "STRATEGY_UNKNOWN",
      `unknown policyLoss "${name}"; registered: ${lossNames.join(", ")}; ${loaded.problems.join("; ")}`,
    );
  }
  const def = loaded.registry.get(name);
  const { common, options } = resolveLossOptions(def, config);
  const loss = def.create(options);
  const input = await readJsonStdin(io.stdin, {
    code: "LOSS_BAD_INPUT",
    pipe: "a JSON object (see `sentrl loss --help`)",
    nonFiniteCode: "LOSS_NON_FINITE",
    finiteRule: "every value must be a finite number",
  });
  const batch = tokenBatchFromJson(input);
  const out = evaluatePolicyLoss(loss, batch, common, { step: 0, microBatch: 0, seed: 0 });
  writeJsonLine(io, lossOutputToJson(out, batch.rows, batch.cols));
  return 0;
}
