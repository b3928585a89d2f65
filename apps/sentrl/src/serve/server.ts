import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SentrlError } from "@sentrl/core";
import { ApiError, badParam } from "./api-error.js";
import { readJsonObject } from "./body.js";
import type { ModelHost } from "./model-host.js";
import { answerSampling } from "./sampling-handler.js";
import { chatMessages, completionPrompts, parseSampling, type RequestLimits } from "./sampling-request.js";

/** Settings of {@link startServer}. */
export interface ServeOptions {
  host: ModelHost;
  /** The id of `/v1/models`; a request naming another model gets 404. */
  modelName: string;
  limits: RequestLimits;
  /** Largest request body (default 1 MiB). */
  maxBodyBytes?: number;
  /** Sampling requests accepted at once (running or queued); more get 429 with `Retry-After` (default 256). */
  maxConcurrency?: number;
  port?: number;
  hostname?: string;
  /** One line per served weight update and per server error (default: none). */
  log?: (line: string) => void;
}

/** A listening server. */
export interface RunningServer {
  /** `http://<host>:<port>` (the port chosen by the system when 0 was asked for). */
  url: string;
  port: number;
  server: Server;
  /** Sampling requests being answered now. */
  readonly active: number;
  /**
   * Graceful shutdown: stops accepting connections, answers new requests on open ones with 503, lets those in flight
   * finish for up to `graceMs` (default 30 s), then aborts the rest and closes every connection.
   */
  close(graceMs?: number): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/** A thrown value as an API error: ours as is, coded model errors (bad arguments) as 400, anything else as 500. */
function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof SentrlError) {
    const code = (e as SentrlError & { code: string }).code;
    return new ApiError(/^(MODEL_BAD|MODEL_TOKEN|CHAT_TEMPLATE|TOKENIZER)/.test(code) ? 400 : 500, e.message, code.toLowerCase());
  }
  return new ApiError(500, `internal error: ${(e as Error)?.message ?? String(e)}`, "internal_error");
}

/**
 * `sentrl serve` (docs/contracts.md §10): an OpenAI-compatible HTTP server on Node's `http` module over one
 * {@link ModelHost}. Routes: `GET /health`, `GET /v1/models`, `POST /v1/completions`, `POST /v1/chat/completions`,
 * `POST /update_weights_from_disk` and `POST /get_weights_by_name` (SGLang's names and bodies).
 *
 * @example
 * ```ts
 * const server = await startServer({ host, modelName: "tiny", limits, port: 0 });
 * const r = await fetch(`${server.url}/v1/completions`, { method: "POST", body: JSON.stringify({ prompt: [1, 2], max_tokens: 4 }) });
 * await server.close();
 * ```
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { host, modelName, limits } = options;
  const maxBody = options.maxBodyBytes ?? 1 << 20;
  const maxConcurrency = options.maxConcurrency ?? 256;
  const log = options.log ?? (() => {});
  const tok = host.tokenizer;
  let active = 0;
  let closing = false;
  const aborters = new Set<AbortController>();
  const idleWaiters: (() => void)[] = [];

  async function sampling(req: IncomingMessage, res: ServerResponse, chat: boolean): Promise<void> {
    if (active >= maxConcurrency) throw Object.assign(new ApiError(429, `more than ${maxConcurrency} requests at once (sentrl serve --max-concurrency); retry later`, "server_busy"), { retryAfter: 1 });
    active++;
    const aborter = new AbortController();
    aborters.add(aborter);
    res.on("close", () => {
      if (!res.writableFinished) aborter.abort(new Error("the client disconnected"));
    });
    try {
      const body = await readJsonObject(req, maxBody);
      if (typeof body.model === "string" && body.model !== modelName && body.model !== "")
        throw new ApiError(404, `the model \`${body.model}\` does not exist; this server serves \`${modelName}\``, "model_not_found", "model");
      const prompts = chat
        ? (() => {
            if (!tok) throw new ApiError(400, "chat needs the model's tokenizer.json and chat template", "tokenizer_missing", "messages");
            return [tok.tokenizer.encode(tok.applyChatTemplate(chatMessages(body), { addGenerationPrompt: true }))];
          })()
        : completionPrompts(body, tok ? (t) => tok.tokenizer.encode(t) : undefined);
      const sr = parseSampling(body, prompts, limits, chat);
      await answerSampling(res, host, sr, chat, modelName, aborter.signal);
    } finally {
      aborters.delete(aborter);
      active--;
      if (active === 0) for (const w of idleWaiters.splice(0)) w();
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0].replace(/\/+$/, "") || "/";
    const method = req.method ?? "GET";
    const want = (m: string) => {
      if (method !== m) throw new ApiError(405, `${path} takes ${m}, not ${method}`, "method_not_allowed");
    };
    if (closing) throw new ApiError(503, "the server is shutting down", "shutting_down");
    switch (path) {
      case "/health":
        want("GET");
        return sendJson(res, 200, { status: "ok", weights_version: host.version });
      case "/v1/models":
        want("GET");
        return sendJson(res, 200, {
          object: "list",
          data: [{ id: modelName, object: "model", created: 0, owned_by: "sentrl", max_model_len: limits.contextLength }],
        });
      case "/v1/completions":
        want("POST");
        return sampling(req, res, false);
      case "/v1/chat/completions":
        want("POST");
        return sampling(req, res, true);
      case "/update_weights_from_disk": {
        want("POST");
        const body = await readJsonObject(req, maxBody);
        if (typeof body.model_path !== "string" || body.model_path === "") throw badParam("model_path", "must be the folder of the new weights");
        const started = Date.now();
        const { tensors } = await host.updateFromDisk(body.model_path);
        log(`sentrl serve: loaded ${tensors} tensors from ${body.model_path} in ${Date.now() - started} ms (weights version ${host.version})`);
        return sendJson(res, 200, { success: true, message: `loaded ${tensors} tensors from ${body.model_path}`, num_paused_requests: 0 });
      }
      case "/get_weights_by_name": {
        want("POST");
        const body = await readJsonObject(req, maxBody);
        if (typeof body.name !== "string") throw badParam("name", "must be a parameter name");
        const limit = body.truncate_size === undefined ? 100 : body.truncate_size;
        if (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit < 1) throw badParam("truncate_size", "must be a positive integer");
        return sendJson(res, 200, host.weights(body.name, limit));
      }
      default:
        throw new ApiError(404, `no route ${method} ${path}`, "not_found");
    }
  }

  const server = createServer((req, res) => {
    route(req, res).catch((e: unknown) => {
      const err = toApiError(e);
      if (err.status >= 500 && err.code !== "shutting_down") log(`sentrl serve: ${req.method} ${req.url}: ${err.message}`);
      const retry = (e as { retryAfter?: number }).retryAfter;
      // A refused body was read to its end (or dropped past the drain limit): close the connection after the answer.
      const headers: Record<string, string> = retry ? { "retry-after": String(retry) } : {};
      if (err.status === 413) headers.connection = "close";
      if (res.headersSent) {
        if (!res.writableEnded) res.end();
      } else sendJson(res, err.status, err.body(), headers);
    });
  });
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8000, options.hostname ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostPart}:${address.port}`,
    port: address.port,
    server,
    get active() {
      return active;
    },
    async close(graceMs = 30_000) {
      if (closing) return;
      closing = true;
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      if (active > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, graceMs);
          idleWaiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      for (const a of aborters) a.abort(new Error("the server shut down"));
      server.closeAllConnections();
      await closed;
    },
  };
}
