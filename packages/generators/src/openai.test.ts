import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createOpenAIGenerator, openAIEndpoint } from "./openai.js";
import { createGenerator } from "./registry.js";

interface Seen {
  url: string;
  auth: string | undefined;
  body: Record<string, unknown>;
}

type Handler = (req: IncomingMessage, body: Record<string, unknown>, res: ServerResponse) => void | Promise<void>;

let server: Server;
let base: string;
let seen: Seen[] = [];
let handler: Handler;

const json = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(value));
};

/** A minimal OpenAI-compatible server: choices come back in reverse index order to test the reordering. */
const echo: Handler = (req, body, res) => {
  const n = body.n as number;
  const chat = req.url === "/v1/chat/completions";
  const choices = Array.from({ length: n }, (_, i) => {
    const content = `${chat ? "chat" : "text"}:${i}`;
    const lp = [-0.5, -0.25 * (i + 1)];
    return chat
      ? {
          index: i,
          message: { role: "assistant", content },
          finish_reason: i === 0 ? "length" : "stop",
          logprobs: body.logprobs ? { content: lp.map((logprob) => ({ token: "t", logprob })) } : null,
        }
      : {
          index: i,
          text: content,
          finish_reason: "stop",
          logprobs: body.logprobs ? { tokens: ["a", "b"], token_logprobs: lp } : null,
        };
  }).reverse();
  json(res, 200, { id: "x", object: chat ? "chat.completion" : "text_completion", choices });
};

beforeAll(async () => {
  server = createServer((req, res) => {
    let data = "";
    req.on("data", (c) => (data += c));
    req.on("end", async () => {
      const body = data ? JSON.parse(data) : {};
      seen.push({ url: req.url ?? "", auth: req.headers.authorization, body });
      await handler(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  seen = [];
  handler = echo;
});

describe("openai generator", () => {
  it("builds endpoint URLs with or without /v1", () => {
    expect(openAIEndpoint("http://h:1", "completions")).toBe("http://h:1/v1/completions");
    expect(openAIEndpoint("http://h:1/v1/", "chat/completions")).toBe("http://h:1/v1/chat/completions");
  });

  it("sends text prompts to /v1/completions and messages to /v1/chat/completions with the sampling options", async () => {
    const gen = await createGenerator(`openai:${base}/v1#tiny-model`, { env: { OPENAI_API_KEY: "sk-test" } });
    const out = await gen.generate(
      [
        { id: "p1", text: "1+1=" },
        { id: "p2", messages: [{ role: "user", content: "2+2?" }] },
      ],
      { n: 3, temperature: 0.6, topP: 0.95, topK: 20, maxTokens: 64, stop: ["\n\n"], seed: 5 },
    );
    expect(out.map((cs) => cs.map((c) => c.text))).toEqual([
      ["text:0", "text:1", "text:2"],
      ["chat:0", "chat:1", "chat:2"],
    ]);
    expect(out[1][0].finishReason).toBe("length");
    expect(out[0][0].tokenLogprobs).toBeUndefined();
    const byUrl = Object.fromEntries(seen.map((s) => [s.url, s]));
    expect(byUrl["/v1/completions"].body).toEqual({
      model: "tiny-model",
      n: 3,
      prompt: "1+1=",
      temperature: 0.6,
      top_p: 0.95,
      top_k: 20,
      max_tokens: 64,
      stop: ["\n\n"],
      seed: 5,
    });
    expect(byUrl["/v1/chat/completions"].body).toMatchObject({
      model: "tiny-model",
      messages: [{ role: "user", content: "2+2?" }],
      n: 3,
    });
    expect(byUrl["/v1/completions"].auth).toBe("Bearer sk-test");
  });

  it("returns per-token log-probs, their sum and count when asked", async () => {
    const gen = createOpenAIGenerator({ baseURL: base, model: "m", logprobs: true, env: {} });
    const [[t0, t1], [c0]] = await gen.generate(
      [
        { id: "a", text: "x" },
        { id: "b", messages: [{ role: "user", content: "y" }] },
      ],
      { n: 2 },
    );
    expect(t0).toMatchObject({ tokenLogprobs: [-0.5, -0.25], logLik: -0.75, numTokens: 2 });
    expect(t1.logLik).toBe(-1);
    expect(c0).toMatchObject({ tokenLogprobs: [-0.5, -0.25], logLik: -0.75, numTokens: 2 });
    expect(seen.map((s) => s.body.logprobs).sort()).toEqual([1, true]);
    expect(seen[0].auth).toBeUndefined();
  });

  it("retries 503, 429 and dropped connections, then succeeds", async () => {
    let calls = 0;
    handler = (req, body, res) => {
      calls++;
      if (calls === 1) return json(res, 503, { error: "busy" });
      if (calls === 2) return json(res, 429, { error: "slow down" }, { "retry-after": "0" });
      if (calls === 3) return void req.socket.destroy();
      return echo(req, body, res);
    };
    const gen = createOpenAIGenerator({ baseURL: base, model: "m", retryDelayMs: 1, maxRetries: 3, env: {} });
    const out = await gen.generate([{ id: "a", text: "x" }], { n: 1 });
    expect(out[0][0].text).toBe("text:0");
    expect(calls).toBe(4);
  });

  it("gives up after maxRetries with OPENAI_REQUEST_FAILED, and does not retry a 400", async () => {
    handler = (_req, _body, res) => json(res, 500, { error: "down" });
    const gen = createOpenAIGenerator({ baseURL: base, model: "m", retryDelayMs: 1, maxRetries: 2, env: {} });
    await expect(gen.generate([{ id: "a", text: "x" }], { n: 1 })).rejects.toMatchObject({
      code: "OPENAI_REQUEST_FAILED",
      message: expect.stringContaining("failed 3 times"),
    });
    expect(seen).toHaveLength(3);
    seen = [];
    handler = (_req, _body, res) => json(res, 400, { error: { message: "model not found" } });
    await expect(gen.generate([{ id: "a", text: "x" }], { n: 1 })).rejects.toMatchObject({
      code: "OPENAI_HTTP_ERROR",
      message: expect.stringContaining("model not found"),
    });
    expect(seen).toHaveLength(1);
  });

  it("rejects answers with too few choices or no JSON", async () => {
    handler = (_req, _body, res) => json(res, 200, { choices: [{ index: 0, text: "only one" }] });
    const gen = createOpenAIGenerator({ baseURL: base, model: "m", env: {} });
    await expect(gen.generate([{ id: "a", text: "x" }], { n: 2 })).rejects.toMatchObject({
      code: "OPENAI_BAD_RESPONSE",
    });
    handler = (_req, _body, res) => {
      res.writeHead(200);
      res.end("<html>");
    };
    await expect(gen.generate([{ id: "a", text: "x" }], { n: 1 })).rejects.toMatchObject({
      code: "OPENAI_BAD_RESPONSE",
    });
    await expect(gen.generate([{ id: "a" }], { n: 1 })).rejects.toMatchObject({ code: "GENERATE_BAD_PROMPT" });
  });

  it("keeps at most `concurrency` requests in flight and returns results in prompt order", async () => {
    let inFlight = 0;
    let peak = 0;
    handler = async (req, body, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      json(res, 200, { choices: [{ index: 0, text: `echo:${body.prompt}`, finish_reason: "stop" }] });
      void req;
    };
    const gen = createOpenAIGenerator({ baseURL: base, model: "m", concurrency: 3, env: {} });
    const prompts = Array.from({ length: 10 }, (_, i) => ({ id: `q${i}`, text: `p${i}` }));
    const out = await gen.generate(prompts, { n: 1 });
    expect(out.map((c) => c[0].text)).toEqual(prompts.map((p) => `echo:${p.text}`));
    expect(peak).toBe(3);
  });

  it("stops when the signal aborts", async () => {
    handler = (_req, _body, res) => json(res, 503, {});
    const controller = new AbortController();
    const gen = createOpenAIGenerator({ baseURL: base, model: "m", retryDelayMs: 10_000, env: {} });
    const pending = gen.generate([{ id: "a", text: "x" }], { n: 1, signal: controller.signal });
    setTimeout(() => controller.abort(new Error("cancelled")), 20);
    await expect(pending).rejects.toThrow("cancelled");
  });
});
