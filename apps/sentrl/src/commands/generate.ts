import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SentrlError } from "@sentrl/core";
import type { CliIO } from "../command.js";
import { parseCommandArgs } from "../command.js";
import { jsonLine } from "../io/output-guard.js";
import { jsonLinesFromStdin } from "../stdin-json.js";
import { backendOption } from "../backend-option.js";
import { UsageError } from "../usage-error.js";

// `sentrl generate` (docs/contracts.md §9). The model package is imported only when the command runs.

export const help = `Usage: sentrl generate --model <dir> [options] < prompts.jsonl > completions.jsonl

Samples completions with our own model (batched KV-cache decoding on the backend, docs/contracts.md §9).

stdin:  JSON Lines {"id", "prompt": string} or {"id", "tokens": [int]}
stdout: one line per input, in order:
        {"id", "completions": [{"text", "tokenIds": [int], "logprobs": [n], "finishReason": "stop"|"length"}]}
        logprobs[j] = log p(tokenIds[j]) under the distribution it was sampled from (after temperature, before
        top-p/top-k), so \`sentrl score --temperature t\` of prompt + completion reproduces it. Completion c of
        prompt i depends only on (model, prompt, options, seed, c): not on --batch-size or the other prompts.

Options:
  --model <dir>        Hugging Face model folder (config.json, safetensors; tokenizer.json for text prompts/output)
  --n <k>              completions per prompt (default 1)
  --max-tokens <m>     new tokens per completion (default 256)
  --temperature <t>    default 1; 0 = greedy (the argmax chain; logprobs then at temperature 1)
  --top-p <p>          nucleus filter (default 1: off)
  --top-k <k>          keep the k most probable tokens (default 0: off)
  --seed <s>           base seed (default 0)
  --stop <string>      stop string (repeatable; cut from the text); EOS ids of the model always stop
  --chat               render "prompt" with the tokenizer's chat template (as a user message, generation prompt added)
  --batch-size <b>     sequences decoded together (default 32; results do not depend on it)
  --backend <name>     auto (default), fast, reference or cuda, as for \`sentrl score\`; SENTRL_BACKEND sets the default

Errors: GENERATE_BAD_INPUT (a malformed line), TOKENIZER_FILES_MISSING (text prompts need tokenizer.json),
MODEL_* (bad ids, unsupported configs).

Example:
  echo '{"id":"q1","prompt":"What is 2+3?"}' | sentrl generate --model models/Qwen2.5-0.5B-Instruct --chat --n 4 --temperature 0.7
`;

function numberOption(value: string | undefined, flag: string, fallback: number, check: (n: number) => boolean, what: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || !check(n)) throw new UsageError(`${flag} must be ${what}, got \`${value}\``);
  return n;
}

interface InputLine {
  id: unknown;
  prompt?: string;
  tokens?: number[];
}

function parseLine(value: unknown, lineNo: number): InputLine {
  const bad = (msg: string) => new SentrlError("GENERATE_BAD_INPUT", `stdin line ${lineNo}: ${msg}`);
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw bad('expected an object {"id", "prompt": string} or {"id", "tokens": [int]}');
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!["id", "prompt", "tokens"].includes(k)) throw bad(`unknown key \`${k}\`; valid keys: id, prompt, tokens`);
  if (!("id" in o)) throw bad("`id` is missing");
  if ((o.prompt === undefined) === (o.tokens === undefined)) throw bad("give exactly one of `prompt` (a string) and `tokens` (token ids)");
  if (o.prompt !== undefined && typeof o.prompt !== "string") throw bad("`prompt` must be a string");
  if (o.tokens !== undefined && (!Array.isArray(o.tokens) || o.tokens.length === 0 || !o.tokens.every((t) => Number.isInteger(t) && t >= 0)))
    throw bad("`tokens` must be a non-empty array of non-negative integer token ids");
  return { id: o.id, prompt: o.prompt as string | undefined, tokens: o.tokens as number[] | undefined };
}

/** EOS ids from config.json and generation_config.json (when there is no tokenizer.json). */
export function eosFromConfigs(dir: string): number[] {
  const out = new Set<number>();
  for (const f of ["config.json", "generation_config.json"]) {
    const p = join(dir, f);
    if (!existsSync(p)) continue;
    try {
      const v = (JSON.parse(readFileSync(p, "utf8")) as { eos_token_id?: unknown }).eos_token_id;
      for (const id of Array.isArray(v) ? v : [v]) if (Number.isInteger(id)) out.add(id as number);
    } catch {
      // config.json errors are reported by the model loader; a broken generation_config.json adds no EOS
    }
  }
  return [...out];
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(args, {
    model: { type: "string" },
    n: { type: "string" },
    "max-tokens": { type: "string" },
    temperature: { type: "string" },
    "top-p": { type: "string" },
    "top-k": { type: "string" },
    seed: { type: "string" },
    stop: { type: "string", multiple: true },
    chat: { type: "boolean" },
    "batch-size": { type: "string" },
    backend: { type: "string" },
  });
  const dir = values.model as string | undefined;
  if (!dir) throw new UsageError("--model <dir> is required (a Hugging Face model folder with config.json and safetensors weights)");
  const int = (v: unknown, flag: string, fallback: number, min: number) =>
    numberOption(v as string | undefined, flag, fallback, (n) => Number.isSafeInteger(n) && n >= min, min === 0 ? "a non-negative integer" : "a positive integer");
  const n = int(values.n, "--n", 1, 1);
  const maxTokens = int(values["max-tokens"], "--max-tokens", 256, 0);
  const topK = int(values["top-k"], "--top-k", 0, 0);
  const seed = int(values.seed, "--seed", 0, 0);
  const batchSize = int(values["batch-size"], "--batch-size", 32, 1);
  const temperature = numberOption(values.temperature as string | undefined, "--temperature", 1, (x) => x >= 0, "a number ≥ 0");
  const topP = numberOption(values["top-p"] as string | undefined, "--top-p", 1, (x) => x > 0 && x <= 1, "a number in (0, 1]");
  const stop = (values.stop as string[] | undefined) ?? [];
  const chat = values.chat === true;
  const backendName = backendOption(values.backend, io.env);

  const inputs: InputLine[] = [];
  for await (const { value, lineNo } of jsonLinesFromStdin(io.stdin, "GENERATE_BAD_INPUT")) inputs.push(parseLine(value, lineNo));

  const [{ loadModel, loadTokenizer, createGenerationEngine }, { selectBackend }] = await Promise.all([import("@sentrl/model"), import("@sentrl/compute")]);
  const needsTokenizer = chat || stop.length > 0 || inputs.some((x) => x.prompt !== undefined);
  const hasTokenizer = existsSync(join(dir, "tokenizer.json"));
  const tok = hasTokenizer || needsTokenizer ? loadTokenizer(dir) : undefined;
  const eos = tok ? tok.eosTokenIds : eosFromConfigs(dir);
  const prompts = inputs.map((x) => {
    if (x.tokens) return x.tokens;
    const text = x.prompt as string;
    const t = tok as NonNullable<typeof tok>;
    return t.tokenizer.encode(chat ? t.applyChatTemplate([{ role: "user", content: text }], { addGenerationPrompt: true }) : text);
  });
  const model = await loadModel(dir, { backend: await selectBackend(backendName) });
  const engine = createGenerationEngine(model, { maxBatch: batchSize, tokenizer: tok?.tokenizer, capacity: Math.max(1, ...prompts.map((p) => p.length)) + maxTokens });
  const total = inputs.length * n;
  let done = 0;
  let lastReport = Date.now();
  try {
    // Every completion goes to the engine at once (continuous batching across prompts); lines are written in input
    // order as soon as each prompt's completions are all done.
    const pending = prompts.map((prompt) =>
      Promise.all(
        Array.from({ length: n }, (_, c) =>
          engine.submit({ prompt, sampleIndex: c, seed, maxTokens, temperature, topP, topK, stop, eosTokenIds: eos }).then((s) => {
            done++;
            if (Date.now() - lastReport > 5000) {
              lastReport = Date.now();
              io.stderr.write(`sentrl generate: ${done}/${total} completions\n`);
            }
            return s;
          }),
        ),
      ),
    );
    // Reject handlers are attached to all at once so one failure does not leave others unhandled.
    const settled = pending.map((p) => p.then((v) => ({ ok: true as const, v }), (e: unknown) => ({ ok: false as const, e })));
    for (let i = 0; i < inputs.length; i++) {
      const r = await settled[i];
      if (!r.ok) throw r.e;
      io.stdout.write(
        jsonLine({
          id: inputs[i].id,
          completions: r.v.map((s) => ({ text: s.text ?? "", tokenIds: s.tokenIds, logprobs: s.tokenLogprobs, finishReason: s.finishReason })),
        }),
      );
    }
  } finally {
    engine.dispose();
    model.dispose();
  }
  return 0;
}
