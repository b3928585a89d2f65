import { type AdvantageEstimatorDefinition, advantageEstimatorDefinitions, SentrlError } from "@sentrl/core";
import { UsageError } from "../usage-error.js";
import { type CliIO, parseCommandArgs, parseJsonOption } from "../command.js";
import { readJsonStdin } from "../stdin-json.js";
import { formatValue } from "../io/format-value.js";
import { writeJsonLine } from "../io/output-guard.js";

// `sentrl advantages` (docs/contracts.md §3).

const names = advantageEstimatorDefinitions.map((d) => d.name);

export const help = `Usage: sentrl advantages --estimator <${names.join("|")}> [--config '<json>'] < input.json

GRPO group-normalised outcome advantages, one per response (docs/algorithms.md §6.2): A = (s − mean_g) / (std_g + epsilon)
with the unbiased group std; a single-member group uses mean 0 and std 1. dr-grpo is grpo with normAdvByStd false.

stdin:  {"rewards":[n, ..], "groups":[id, ..]}   one scalar reward and one group id (integer or string) per response
stdout: {"advantages":[n, ..]}

Options:
  --estimator <name>  ${names.join(", ")}
  --config '<json>'   a JSON object of options (unknown keys are an error):
${advantageEstimatorDefinitions
  .map(
    (d) =>
      `    ${d.name}: ${Object.entries(d.defaults)
        .map(([k, v]) => `${k} (${JSON.stringify(v)})`)
        .join(", ")}`,
  )
  .join("\n")}

Example:
  echo '{"rewards":[1,0,0,0],"groups":[7,7,7,7]}' | sentrl advantages --estimator grpo
`;

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(args, { estimator: { type: "string" }, config: { type: "string" } });
  const name = values.estimator as string | undefined;
  if (!name) throw new UsageError(`--estimator <name> is required; estimators: ${names.join(", ")}`);
  const def: AdvantageEstimatorDefinition | undefined = advantageEstimatorDefinitions.find((d) => d.name === name);
  if (!def)
    throw new SentrlError("ADV_UNKNOWN_ESTIMATOR", `unknown estimator \`${name}\`; estimators: ${names.join(", ")}`);
  const config = parseJsonOption(values.config as string | undefined, "--config");
  for (const [k, v] of Object.entries(config)) {
    const d = (def.defaults as Record<string, unknown>)[k];
    if (d !== undefined && typeof v !== typeof d) {
      throw new SentrlError(
        "ADV_BAD_OPTION",
        `\`${k}\` must be a ${typeof d} (default ${JSON.stringify(d)}), got ${formatValue(v)}`,
      );
    }
  }
  const estimator = def.create(config);
  const { rewards, groups } = checkInput(
    await readJsonStdin(io.stdin, {
      code: "ADV_BAD_INPUT",
      pipe: '{"rewards":[..],"groups":[..]}',
      finiteRule: "rewards must be finite numbers",
    }),
  );
  const advantages = Array.from(estimator.compute(rewards, groups));
  writeJsonLine(io, { advantages });
  return 0;
}

function checkInput(v: unknown): { rewards: number[]; groups: (string | number)[] } {
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new SentrlError("ADV_BAD_INPUT", 'the input must be a JSON object {"rewards":[..],"groups":[..]}');
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k !== "rewards" && k !== "groups")
      throw new SentrlError("ADV_BAD_INPUT", `unknown input key \`${k}\`; valid keys: rewards, groups`);
  }
  if (!Array.isArray(o.rewards))
    throw new SentrlError("ADV_BAD_INPUT", "`rewards` must be an array of numbers, one per response");
  if (!Array.isArray(o.groups))
    throw new SentrlError("ADV_BAD_INPUT", "`groups` must be an array of group ids, one per response");
  o.rewards.forEach((r, i) => {
    if (typeof r !== "number")
      throw new SentrlError("ADV_BAD_INPUT", `rewards[${i}] is ${formatValue(r)}; expected a number`);
    if (!Number.isFinite(r)) throw new SentrlError("ADV_BAD_INPUT", `rewards[${i}] is ${r}; rewards must be finite`);
  });
  o.groups.forEach((g, i) => {
    if (!(typeof g === "string" || (typeof g === "number" && Number.isInteger(g)))) {
      throw new SentrlError("ADV_BAD_INPUT", `groups[${i}] is ${formatValue(g)}; group ids are integers or strings`);
    }
  });
  if (o.rewards.length !== o.groups.length) {
    throw new SentrlError(
      "ADV_BAD_INPUT",
      `${o.rewards.length} rewards but ${o.groups.length} group ids; give one group id per response`,
    );
  }
  return { rewards: o.rewards as number[], groups: o.groups as (string | number)[] };
}
