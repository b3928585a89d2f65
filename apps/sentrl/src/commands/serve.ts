import { existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { backendOption } from "../backend-option.js";
import type { CliIO } from "../command.js";
import { parseCommandArgs } from "../command.js";
import { UsageError } from "../usage-error.js";

// `sentrl serve` (docs/contracts.md §10). Model code is imported only when the command runs.

export const help = `Usage: sentrl serve --model <dir> [--port 8000] [--host 127.0.0.1] [options]

An OpenAI-compatible HTTP server for a sentrl model (docs/contracts.md §10), so any OpenAI client, our own
\`openai:\` generator and the trainer's engine rollouts included, can sample from it. Concurrent requests are
decoded together on one generation engine (continuous batching). Sampling is that of \`sentrl generate\` (§9):
choice c of a prompt is completion c with the request's \`seed\` (default 0), so answers equal \`sentrl generate\`.

Routes:
  GET  /v1/models, /health
  POST /v1/completions        prompt (string, token ids, or lists of them), n, max_tokens, temperature, top_p,
                              top_k, seed, stop, logprobs, stream, stream_options.include_usage,
                              return_token_ids, return_tokens_as_token_ids (vLLM's names)
  POST /v1/chat/completions   messages (chat template), the same settings, logprobs: true, top_logprobs
  POST /update_weights_from_disk  {"model_path": dir}: swaps in weights of the same architecture; requests in
                              flight finish with the old weights, queued ones run with the new (SGLang's API)
  POST /get_weights_by_name   {"name", "truncate_size"}: a parameter's first values (SGLang's API)
Bad requests get {"error": {"message", "type", "code", "param"}} with 400/404/405/413/422/429; the server keeps
serving. SIGINT/SIGTERM: stop accepting, finish what is in flight (up to --shutdown-grace-ms), exit 0.

Options:
  --model <dir>              Hugging Face model folder (config.json, safetensors; tokenizer.json for text/chat)
  --port <p>                 default 8000 (0: any free port; the chosen URL is printed on stderr)
  --host <addr>              default 127.0.0.1
  --served-model-name <id>   the model id clients send (default: the folder's name)
  --max-batch <b>            sequences decoded together (default 32)
  --max-tokens-limit <m>     largest max_tokens accepted (default: the model's context)
  --max-n <k>                largest n accepted (default 64)
  --max-concurrency <c>      requests accepted at once; more get 429 + Retry-After (default 256)
  --max-body-bytes <b>       largest request body (default 1048576)
  --shutdown-grace-ms <t>    how long a shutdown waits for requests in flight (default 30000)
  --backend <name>           auto (default), fast, reference or cuda; SENTRL_BACKEND sets the default

Example:
  sentrl serve --model models/Qwen2.5-0.5B-Instruct --port 8000 &
  curl -s localhost:8000/v1/completions -d '{"prompt": "1+1=", "max_tokens": 8, "logprobs": 1}'
`;

function intOption(value: unknown, flag: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (String(value).trim() === "" || !Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag} must be an integer ≥ ${min}, got \`${value}\``);
  return n;
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(args, {
    model: { type: "string" },
    port: { type: "string" },
    host: { type: "string" },
    "served-model-name": { type: "string" },
    "max-batch": { type: "string" },
    "max-tokens-limit": { type: "string" },
    "max-n": { type: "string" },
    "max-concurrency": { type: "string" },
    "max-body-bytes": { type: "string" },
    "shutdown-grace-ms": { type: "string" },
    backend: { type: "string" },
  });
  const dir = values.model as string | undefined;
  if (!dir) throw new UsageError("--model <dir> is required (a Hugging Face model folder with config.json and safetensors weights)");
  const port = intOption(values.port, "--port", 8000, 0);
  if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
  const maxBatch = intOption(values["max-batch"], "--max-batch", 32, 1);
  const maxN = intOption(values["max-n"], "--max-n", 64, 1);
  const maxConcurrency = intOption(values["max-concurrency"], "--max-concurrency", 256, 1);
  const maxBodyBytes = intOption(values["max-body-bytes"], "--max-body-bytes", 1 << 20, 1);
  const graceMs = intOption(values["shutdown-grace-ms"], "--shutdown-grace-ms", 30_000, 0);
  const backendName = backendOption(values.backend, io.env);
  const modelName = (values["served-model-name"] as string | undefined) ?? basename(resolve(dir));

  const [{ createModelHost }, { startServer }] = await Promise.all([import("../serve/load-host.js"), import("../serve/server.js")]);
  const host = await createModelHost(dir, { maxBatch, backend: backendName });
  const context = host.model.config.maxPositionEmbeddings;
  const maxTokens = intOption(values["max-tokens-limit"], "--max-tokens-limit", context, 0);
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      host,
      modelName,
      limits: { maxTokens, maxN, contextLength: context, vocabSize: host.model.config.vocabSize },
      maxBodyBytes,
      maxConcurrency,
      port,
      hostname: (values.host as string | undefined) ?? "127.0.0.1",
      log: (line) => io.stderr.write(`${line}\n`),
    });
  } catch (e) {
    host.engine.dispose();
    host.model.dispose();
    const err = e as NodeJS.ErrnoException;
    if (err.code === "EADDRINUSE") throw new UsageError(`port ${port} is in use; pick another with --port (0: any free port)`);
    throw e;
  }
  io.stderr.write(`sentrl serve: ${modelName} at ${server.url}/v1 (${existsSync(join(dir, "tokenizer.json")) ? "text and chat" : "token ids only"}; Ctrl-C stops)\n`);
  await new Promise<void>((resolveStop) => {
    const stop = (signal: string) => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      io.stderr.write(`sentrl serve: ${signal}: finishing ${server.active} request(s) in flight, then stopping\n`);
      server.close(graceMs).then(resolveStop, resolveStop);
    };
    const onInt = () => stop("SIGINT");
    const onTerm = () => stop("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
  });
  host.engine.dispose();
  host.model.dispose();
  io.stderr.write("sentrl serve: stopped\n");
  return 0;
}
