import { connect } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOpenAIGenerator } from "@sentrl/generators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyModelDir } from "../../../packages/model/src/generate/tiny.js";
import { runCli } from "./fake-io.js";
import { postJson, startTestServer, type TestServer } from "./serve-helpers.js";

// `sentrl serve` limits (docs/contracts.md §10): the concurrency limit answers 429 + Retry-After, which the `openai:`
// generator retries, so a client sending more than the limit loses nothing.

let dir = "";
let s: TestServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sentrl-serve-limits-"));
  (await writeTinyModelDir(dir, 3)).dispose();
  (await writeTinyModelDir(join(dir, "next"), 4)).dispose();
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

  it("a client still sending a too-large body reads the 413 (the rest is drained, not reset)", async () => {
    // A raw client sends half of a 64 KiB body (limit 4 KiB), pauses, then the rest: the server must still be
    // reading when the rest arrives (a server that answered and closed at once would reset the connection: EPIPE).
    const { port, hostname } = new URL(s.url);
    const body = Buffer.alloc(64 << 10, 0x20);
    const socket = connect(Number(port), hostname);
    await new Promise((r) => socket.once("connect", r));
    let reply = "";
    socket.on("data", (d) => {
      reply += d.toString("latin1");
    });
    const closed = new Promise<Error | undefined>((r) => {
      socket.once("error", r);
      socket.once("close", () => r(undefined));
    });
    socket.write(`POST /v1/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`);
    socket.write(body.subarray(0, body.length / 2));
    await new Promise((r) => setTimeout(r, 200));
    expect(reply).toBe(""); // no answer before the body is in
    socket.write(body.subarray(body.length / 2));
    expect(await closed).toBeUndefined();
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(reply).toContain("body_too_large");
    expect((await postJson(`${s.url}/v1/completions`, { prompt: [1, 2], max_tokens: 2 })).status).toBe(200);
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

  it("a weight update: requests accepted before it finish on the old weights, those after it run on the new, none mixed", async () => {
    const u = await startTestServer(dir, { maxBatch: 2 });
    try {
      const prompts = Array.from({ length: 8 }, (_, i) => [i + 2, 40, i + 7]);
      const expected = async (model: string) => {
        const r = await runCli(["generate", "--model", model, "--backend", "reference", "--n", "2", "--max-tokens", "12", "--seed", "5"], prompts.map((tokens, i) => JSON.stringify({ id: i, tokens })).join("\n"));
        return r.stdout.trim().split("\n").map((l) => (JSON.parse(l) as { completions: { tokenIds: number[] }[] }).completions.map((c) => c.tokenIds));
      };
      const [old, next] = [await expected(dir), await expected(join(dir, "next"))];
      const ask = (p: number[]) => postJson(`${u.url}/v1/completions`, { prompt: p, n: 2, max_tokens: 12, seed: 5, return_token_ids: true });
      const until = async (ok: () => boolean) => {
        for (let i = 0; i < 2000 && !ok(); i++) await new Promise((r) => setTimeout(r, 1));
      };
      const before = prompts.map(ask);
      await until(() => u.server.active === prompts.length); // all accepted (decoding or queued in the engine)
      const update = postJson(`${u.url}/update_weights_from_disk`, { model_path: join(dir, "next") });
      await until(() => u.host.updating || u.host.version === 1); // the update holds new requests back (or is done)
      const after = prompts.map(ask);
      const ids = (a: { json: { choices: { token_ids: number[] }[] } }) => a.json.choices.map((c) => c.token_ids);
      expect((await update).status).toBe(200);
      expect((await Promise.all(before)).map(ids)).toEqual(old);
      expect((await Promise.all(after)).map(ids)).toEqual(next);
      expect(old).not.toEqual(next);
    } finally {
      await u.stop();
    }
  });
});
