import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOpenAIGenerator } from "@sentrl/generators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyModelDir } from "../../../packages/model/src/generate/tiny.js";
import { runCli } from "./fake-io.js";
import { postJson } from "./serve-helpers.js";

// `sentrl serve` (docs/contracts.md §10) as a real process started by the test, on a tiny model: answers equal
// `sentrl generate` (§9), streaming equals non-streaming, bad requests get OpenAI-style errors and the server keeps
// serving, a client leaving mid-stream or a weight update under load drops nothing, SIGTERM finishes in-flight work.

const root = join(import.meta.dirname, "..", "..", "..");
let dir = "";
let proc: ChildProcess;
let url = "";
let stderr = "";

function startServe(model: string, extra: string[] = []): Promise<{ proc: ChildProcess; url: string }> {
  const p = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", join(import.meta.dirname, "cli-from-source.mjs"), "serve", "--model", model, "--port", "0", "--backend", "reference", "--served-model-name", "tiny", "--max-batch", "4", ...extra],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    p.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
      const m = /at (http:\/\/[^\s]+)\/v1/.exec(stderr);
      if (m) resolve({ proc: p, url: m[1] });
    });
    p.on("exit", (code) => reject(new Error(`sentrl serve exited with ${code}: ${stderr}`)));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sentrl-serve-"));
  (await writeTinyModelDir(join(dir, "a"), 5)).dispose();
  (await writeTinyModelDir(join(dir, "b"), 6)).dispose();
  ({ proc, url } = await startServe(join(dir, "a")));
}, 60_000);
afterAll(() => {
  if (proc.exitCode === null) proc.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

type GenOut = { completions: { text: string; tokenIds: number[]; logprobs: number[]; finishReason: string }[] };
async function generate(model: string, input: object[], args: string[]): Promise<GenOut[]> {
  const r = await runCli(["generate", "--model", model, "--backend", "reference", ...args], input.map((x) => JSON.stringify(x)).join("\n"));
  expect(r.code).toBe(0);
  return r.stdout.trim().split("\n").map((l) => JSON.parse(l));
}

/** Reads a server-sent event stream into its `data:` payloads. */
async function readEvents(response: Response): Promise<string[]> {
  const text = await response.text();
  return text
    .split("\n\n")
    .filter((e) => e.startsWith("data: "))
    .map((e) => e.slice(6));
}

describe("sentrl serve: sampling equals sentrl generate", () => {
  it("lists its model", async () => {
    const r = await fetch(`${url}/v1/models`);
    expect(r.status).toBe(200);
    expect(((await r.json()) as { data: unknown[] }).data[0]).toMatchObject({ id: "tiny", object: "model" });
  });

  it("completions (token ids and text, n, seed, top-p/top-k, stop) equal sentrl generate, tokens and logprobs exactly", async () => {
    const settings = { n: 3, max_tokens: 10, temperature: 0.8, top_p: 0.9, top_k: 50, seed: 4, logprobs: 1, return_token_ids: true };
    const ids = await postJson(`${url}/v1/completions`, { model: "tiny", prompt: [[5, 17, 99, 3], [7, 7]], ...settings });
    const text = await postJson(`${url}/v1/completions`, { model: "tiny", prompt: "hello there", stop: ["e"], ...settings });
    expect(ids.status).toBe(200);
    expect(text.status).toBe(200);
    const want = await generate(join(dir, "a"), [{ id: 1, tokens: [5, 17, 99, 3] }, { id: 2, tokens: [7, 7] }], ["--n", "3", "--max-tokens", "10", "--temperature", "0.8", "--top-p", "0.9", "--top-k", "50", "--seed", "4"]);
    const wantText = await generate(join(dir, "a"), [{ id: 3, prompt: "hello there" }], ["--n", "3", "--max-tokens", "10", "--temperature", "0.8", "--top-p", "0.9", "--top-k", "50", "--seed", "4", "--stop", "e"]);
    const check = (choices: { index: number; text: string; token_ids: number[]; logprobs: { token_logprobs: number[] }; finish_reason: string }[], outs: GenOut[]) => {
      const flat = outs.flatMap((o) => o.completions);
      expect(choices.map((c) => c.index)).toEqual(flat.map((_, i) => i));
      choices.forEach((c, i) => {
        expect(c.token_ids).toEqual(flat[i].tokenIds);
        expect(c.logprobs.token_logprobs).toEqual(flat[i].logprobs);
        expect(c.text).toBe(flat[i].text);
        expect(c.finish_reason).toBe(flat[i].finishReason);
      });
    };
    check(ids.json.choices, want);
    check(text.json.choices, wantText);
    const completionTokens = want.flatMap((o) => o.completions).reduce((a, c) => a + c.tokenIds.length, 0);
    expect(ids.json.usage).toEqual({ prompt_tokens: 6, completion_tokens: completionTokens, total_tokens: 6 + completionTokens });
  });

  it("chat completions equal sentrl generate --chat; the openai: generator reads them", async () => {
    const want = await generate(join(dir, "a"), [{ id: "q", prompt: "say a" }], ["--chat", "--n", "2", "--max-tokens", "8", "--temperature", "0.7", "--seed", "9"]);
    const gen = createOpenAIGenerator({ baseURL: `${url}/v1`, model: "tiny", logprobs: true, tokenIds: true, maxRetries: 0 });
    const [out] = await gen.generate([{ id: "q", messages: [{ role: "user", content: "say a" }] }], { n: 2, maxTokens: 8, temperature: 0.7, seed: 9 });
    expect(out.map((c) => c.tokenIds)).toEqual(want[0].completions.map((c) => c.tokenIds));
    expect(out.map((c) => c.tokenLogprobs)).toEqual(want[0].completions.map((c) => c.logprobs));
    expect(out.map((c) => c.text)).toEqual(want[0].completions.map((c) => c.text));
  });

  it("streams (SSE) the same tokens, logprobs and text as the non-streaming answer, then usage and [DONE]", async () => {
    const body = { prompt: [1, 2, 3], n: 2, max_tokens: 12, seed: 2, logprobs: 1, return_token_ids: true };
    const whole = await postJson(`${url}/v1/completions`, body);
    const r = await fetch(`${url}/v1/completions`, { method: "POST", body: JSON.stringify({ ...body, stream: true, stream_options: { include_usage: true } }) });
    expect(r.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = await readEvents(r);
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    expect(chunks.at(-1).usage).toEqual(whole.json.usage);
    for (const c of [0, 1]) {
      const mine = chunks.flatMap((ch) => ch.choices).filter((x: { index: number }) => x.index === c);
      expect(mine.flatMap((x: { token_ids?: number[] }) => x.token_ids ?? [])).toEqual(whole.json.choices[c].token_ids);
      expect(mine.flatMap((x: { logprobs: { token_logprobs: number[] } | null }) => x.logprobs?.token_logprobs ?? [])).toEqual(whole.json.choices[c].logprobs.token_logprobs);
      expect(mine.map((x: { text: string }) => x.text).join("")).toBe(whole.json.choices[c].text);
      expect(mine.at(-1).finish_reason).toBe(whole.json.choices[c].finish_reason);
    }
    const chat = await fetch(`${url}/v1/chat/completions`, { method: "POST", body: JSON.stringify({ messages: [{ role: "user", content: "hi" }], max_tokens: 6, stream: true }) });
    const chatChunks = (await readEvents(chat)).slice(0, -1).map((e) => JSON.parse(e));
    expect(chatChunks[0].choices[0].delta.role).toBe("assistant");
    expect(chatChunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
  });
});

describe("sentrl serve: faults", () => {
  it("answers malformed requests with OpenAI-style errors and keeps serving", async () => {
    const cases: [string, string | object, number, string][] = [
      ["/v1/completions", "{not json", 400, "invalid_json"],
      ["/v1/completions", "[1, 2]", 400, "invalid_json"],
      ["/v1/completions", { prompt: [1], n: 0 }, 400, "invalid_value"],
      ["/v1/completions", { prompt: [1], temperature: -1 }, 400, "invalid_value"],
      ["/v1/completions", { prompt: [1], max_tokens: 100000 }, 400, "invalid_value"],
      ["/v1/completions", { prompt: [1], top_p: 0 }, 400, "invalid_value"],
      ["/v1/completions", { prompt: [] }, 400, "invalid_value"],
      ["/v1/completions", { prompt: [1.5] }, 400, "invalid_value"],
      ["/v1/completions", { prompt: [999999] }, 422, "invalid_token"],
      ["/v1/completions", { prompt: [1], echo: true }, 400, "unsupported_parameter"],
      ["/v1/completions", { prompt: [1], model: "gpt-4" }, 404, "model_not_found"],
      ["/v1/completions", { prompt: [1], stop: 3 }, 400, "invalid_value"],
      ["/v1/chat/completions", { messages: "hi" }, 400, "invalid_value"],
      ["/v1/chat/completions", { messages: [{ content: "hi" }] }, 400, "invalid_value"],
      ["/update_weights_from_disk", {}, 400, "invalid_value"],
      ["/update_weights_from_disk", { model_path: "/nonexistent/dir" }, 400, "weights_unreadable"],
      ["/nope", {}, 404, "not_found"],
    ];
    for (const [path, body, status, code] of cases) {
      const r = await postJson(`${url}${path}`, body);
      expect({ path, body, status: r.status, code: r.json?.error?.code }).toEqual({ path, body, status, code });
      expect(typeof r.json.error.message).toBe("string");
      expect(r.json.error.type).toBe("invalid_request_error");
    }
    const get = await fetch(`${url}/v1/completions`);
    expect(get.status).toBe(405);
    const big = await fetch(`${url}/v1/completions`, { method: "POST", body: JSON.stringify({ prompt: "x".repeat(2 << 20) }) });
    expect(big.status).toBe(413);
    const ok = await postJson(`${url}/v1/completions`, { prompt: [1, 2], max_tokens: 3 });
    expect(ok.status).toBe(200);
  });

  it("drops a stream whose client disconnects and keeps serving the others", async () => {
    const aborter = new AbortController();
    const r = await fetch(`${url}/v1/completions`, { method: "POST", body: JSON.stringify({ prompt: [4, 5], max_tokens: 60, stream: true }), signal: aborter.signal });
    const reader = (r.body as ReadableStream<Uint8Array>).getReader();
    await reader.read(); // the first chunk arrived: generation is under way
    const others = Array.from({ length: 4 }, (_, i) => postJson(`${url}/v1/completions`, { prompt: [i + 1], max_tokens: 20, seed: i }));
    aborter.abort();
    const answers = await Promise.all(others);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
  });

  it("loads new weights during load without dropping a request; then samples as sentrl generate on them", async () => {
    const load = Array.from({ length: 24 }, (_, i) => postJson(`${url}/v1/completions`, { prompt: [i + 3, 9], max_tokens: 32, seed: i, n: 2 }));
    await Promise.race(load); // the first answer is in; most of the 48 sequences are still decoding or queued (4 slots)
    const update = await postJson(`${url}/update_weights_from_disk`, { model_path: join(dir, "b") });
    expect(update.json).toMatchObject({ success: true });
    const answers = await Promise.all(load);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(answers.every((a) => a.json.choices.length === 2)).toBe(true);
    expect(((await (await fetch(`${url}/health`)).json()) as { weights_version: number }).weights_version).toBe(1);
    const after = await postJson(`${url}/v1/completions`, { prompt: [5, 17, 99, 3], max_tokens: 10, seed: 4, n: 2, logprobs: 0, return_token_ids: true });
    const want = await generate(join(dir, "b"), [{ id: 1, tokens: [5, 17, 99, 3] }], ["--n", "2", "--max-tokens", "10", "--seed", "4"]);
    expect(after.json.choices.map((c: { token_ids: number[] }) => c.token_ids)).toEqual(want[0].completions.map((c) => c.tokenIds));
    expect(after.json.choices.map((c: { logprobs: { token_logprobs: number[] } }) => c.logprobs.token_logprobs)).toEqual(want[0].completions.map((c) => c.logprobs));
  });

  it("SIGTERM: finishes the request in flight, refuses new connections, exits 0", async () => {
    const r = await fetch(`${url}/v1/completions`, { method: "POST", body: JSON.stringify({ prompt: [8, 8, 8], max_tokens: 40, stream: true }) });
    const reader = (r.body as ReadableStream<Uint8Array>).getReader();
    const utf8 = new TextDecoder();
    let text = utf8.decode((await reader.read()).value, { stream: true }); // the first token: the request is in flight
    const exited = new Promise<number | null>((res) => proc.on("exit", (code) => res(code)));
    proc.kill("SIGTERM");
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += utf8.decode(value, { stream: true });
    }
    const events = text.split("\n\n").filter((e) => e.startsWith("data: ")).map((e) => e.slice(6));
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as { choices: { finish_reason: string | null }[] });
    expect(chunks.at(-1)?.choices[0].finish_reason).toBe("length");
    expect(chunks.length).toBe(41); // 40 tokens and the closing chunk: nothing was cut
    expect(await exited).toBe(0);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
    expect(stderr).toMatch(/SIGTERM: finishing/);
  });
});
