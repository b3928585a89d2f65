import { SentrlError } from "@sentrl/core";
import { backendOption } from "../backend-option.js";
import { UsageError } from "../usage-error.js";
import { type CliIO, parseCommandArgs, readStdin } from "../command.js";
import { jsonTooDeepAt, tooDeepMessage } from "../io/json-depth.js";
import { writeJsonLine } from "../io/output-guard.js";

// `sentrl score` (docs/contracts.md §6). The model package is imported only when the command runs.

export const help = `Usage: sentrl score --model <dir> [--temperature t] [--batch-size n] [--backend auto|fast|reference|cuda] < input.json

Per-token log-probs and entropies of token rows under a Hugging Face Qwen2-family model (docs/algorithms.md §15, §6.7).
The model folder needs config.json and model.safetensors (or a sharded model.safetensors.index.json), F32, F16 or
BF16; tokenizer files are not needed.

stdin:  {"tokens": [[id, ..], ..]}     rows may differ in length; no BOS is added
stdout: {"logp": [[..]], "entropy": [[..]]}
        logp[i][t] = log p(tokens[i][t+1] | tokens[i][0..t]) and entropy[i][t] the entropy of that next-token
        distribution, both at the given temperature; a row of length 1 gives []. A row's values do not depend on
        the other rows.

Options:
  --model <dir>        Hugging Face model folder (required)
  --temperature <t>    logits are divided by t (default 1)
  --batch-size <n>     rows per forward pass (default 8; results do not depend on it)
  --backend <name>     auto (default): the fast CPU kernels (@sentrl/compute-native, AVX2/FMA) when they load,
                       else the TypeScript reference with one warning on stderr; fast: fail
                       (BACKEND_UNAVAILABLE) instead of falling back; reference: the slow TypeScript reference;
                       cuda: the GPU (@sentrl/compute-cuda; BACKEND_UNAVAILABLE without a GPU).
                       SENTRL_BACKEND sets the default.

Errors: unsupported configs (rope_scaling, sliding window, other architectures) and token ids outside the
vocabulary are coded errors (MODEL_*), malformed weight files SAFETENSORS_*.

Example:
  echo '{"tokens":[[9707,11,1879,0],[16]]}' | sentrl score --model models/Qwen2.5-0.5B
`;

function positiveNumber(value: string | undefined, flag: string, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} must be a positive ${integer ? "integer" : "number"}, got \`${value}\``);
  }
  return n;
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(args, { model: { type: "string" }, temperature: { type: "string" }, "batch-size": { type: "string" }, backend: { type: "string" } });
  const dir = values.model as string | undefined;
  if (!dir) throw new UsageError("--model <dir> is required (a Hugging Face model folder with config.json and safetensors weights)");
  const temperature = positiveNumber(values.temperature as string | undefined, "--temperature", 1);
  const batchSize = positiveNumber(values["batch-size"] as string | undefined, "--batch-size", 8, true);
  const backendName = backendOption(values.backend, io.env);

  const text = await readStdin(io.stdin);
  if (text.trim() === "") throw new SentrlError("SCORE_BAD_INPUT", 'stdin is empty; pipe {"tokens": [[id, ..], ..]}');
  let input: unknown;
  const deep = jsonTooDeepAt(text);
  if (deep >= 0) throw new SentrlError("SCORE_BAD_INPUT", tooDeepMessage("stdin", deep));
  try {
    input = JSON.parse(text);
  } catch (e) {
    throw new SentrlError("SCORE_BAD_INPUT", `stdin is not valid JSON: ${(e as Error).message}`);
  }
  if (input === null || typeof input !== "object" || Array.isArray(input)) throw new SentrlError("SCORE_BAD_INPUT", 'the input must be a JSON object {"tokens": [[id, ..], ..]}');
  for (const k of Object.keys(input)) if (k !== "tokens") throw new SentrlError("SCORE_BAD_INPUT", `unknown input key \`${k}\`; valid keys: tokens`);
  const tokens = (input as { tokens?: unknown }).tokens;
  if (!Array.isArray(tokens)) throw new SentrlError("SCORE_BAD_INPUT", "`tokens` must be an array of rows of token ids");

  const [{ loadModel }, { selectBackend }] = await Promise.all([import("@sentrl/model"), import("@sentrl/compute")]);
  const model = await loadModel(dir, { backend: await selectBackend(backendName) });
  try {
    // score() validates every row (MODEL_BAD_TOKENS, MODEL_TOKEN_OUT_OF_RANGE).
    const { logp, entropy } = model.score(tokens as number[][], { temperature, batchSize });
    writeJsonLine(io, { logp: logp.map((r) => Array.from(r)), entropy: entropy.map((r) => Array.from(r)) });
  } finally {
    model.dispose();
  }
  return 0;
}
