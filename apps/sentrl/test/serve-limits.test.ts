import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOpenAIGenerator } from "@sentrl/generators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyModelDir } from "../../../packages/model/src/generate/tiny.js";
import { postJson, startTestServer, type TestServer } from "./serve-helpers.js";

// `sentrl serve` limits (docs/contracts.md §10): the concurrency limit answers 429 + Retry-After, which the `openai:`
// generator retries, so a client sending more than the limit loses nothing.

let dir = "";
let s: TestServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sentrl-serve-limits-"));
  (await writeTinyModelDir(dir, 3)).dispose();
  s = await startTestServer(dir, { maxConcurrency: 2, maxBodyBytes: 4096 });
});
afterAll(async () => {
  await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("sentrl serve limits", () => {
  it("refuses requests over --max-concurrency with 429 + Retry-After; the openai: generator retries them", async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => fetch(`${s.url}/v1/completions`, { method: "POST", body: JSON.stringify({ prompt: [i + 1], max_tokens: 30 }) })));
    const busy = answers.filter((a) => a.status === 429);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy[0].headers.get("retry-after")).toBe("1");
    expect(((await busy[0].json()) as { error: { code: string } }).error.code).toBe("server_busy");
    await Promise.all(answers.filter((a) => a !== busy[0]).map((a) => a.text()));
    const gen = createOpenAIGenerator({ baseURL: s.url, model: "tiny", concurrency: 6, retryDelayMs: 10, maxRetries: 20, tokenIds: true });
    const prompts = Array.from({ length: 6 }, (_, i) => ({ id: String(i), tokens: [i + 1, 2] }));
    const out = await gen.generate(prompts, { n: 1, maxTokens: 20 });
    expect(out.every((c) => c.length === 1 && (c[0].tokenIds?.length ?? 0) > 0)).toBe(true);
    expect(s.server.active).toBe(0);
  });

  it("refuses a body over --max-body-bytes with 413", async () => {
    const r = await postJson(`${s.url}/v1/completions`, { prompt: "x".repeat(5000) });
    expect(r.status).toBe(413);
    expect(r.json.error.code).toBe("body_too_large");
  });

  it("aborts the sequences of a client that disconnects (the engine is empty afterwards)", async () => {
    const aborter = new AbortController();
    const r = await fetch(`${s.url}/v1/completions`, { method: "POST", body: JSON.stringify({ prompt: [7], n: 4, max_tokens: 60, stream: true }), signal: aborter.signal });
    await (r.body as ReadableStream<Uint8Array>).getReader().read();
    expect(s.host.engine.pending).toBeGreaterThan(0);
    aborter.abort();
    for (let i = 0; i < 100 && (s.host.engine.pending > 0 || s.server.active > 0); i++) await new Promise((res) => setTimeout(res, 10));
    expect(s.host.engine.pending).toBe(0);
    expect(s.server.active).toBe(0);
  });
});
