import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createOpenAIGenerator, createWeightSync } from "../src/index.js";

// Recorded vLLM answers (written from its documented response format): the `openai:` generator reads the fields it
// needs and ignores the ones `sentrl serve` does not emit.

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");

function fakeFetch(answer: string, seen: { url: string; body: Record<string, unknown> }[]): typeof fetch {
  return (async (url: string | URL, init?: RequestInit) => {
    seen.push({ url: String(url), body: JSON.parse(String(init?.body ?? "{}")) });
    return new Response(answer, { status: 200, headers: { "content-type": "application/json" } });
  }) as typeof fetch;
}

describe("openai: generator on recorded vLLM answers", () => {
  it("completions with return_token_ids: token ids, logprobs, text and finish reason, in index order", async () => {
    const seen: { url: string; body: Record<string, unknown> }[] = [];
    const gen = createOpenAIGenerator({ baseURL: "http://engine:8000/v1", model: "m", logprobs: true, tokenIds: true, fetch: fakeFetch(fixture("vllm-completion.json"), seen) });
    const [out] = await gen.generate([{ id: "p", tokens: [16, 10, 16, 28] }], { n: 2, seed: 3, maxTokens: 3 });
    expect(seen[0].url).toBe("http://engine:8000/v1/completions");
    expect(seen[0].body).toMatchObject({ prompt: [16, 10, 16, 28], n: 2, seed: 3, max_tokens: 3, logprobs: 1, return_token_ids: true });
    expect(out.map((c) => c.text)).toEqual([" 2", " 4"]);
    expect(out.map((c) => c.tokenIds)).toEqual([
      [220, 17, 198],
      [220, 19, 151643],
    ]);
    expect(out[0].tokenLogprobs).toEqual([-0.1054, -0.6932, -0.0123]);
    expect(out.map((c) => c.finishReason)).toEqual(["length", "stop"]);
  });

  it("chat with return_tokens_as_token_ids: ids read from `token_id:<id>` log-prob tokens", async () => {
    const gen = createOpenAIGenerator({ baseURL: "http://engine:8000", model: "m", logprobs: true, tokenIds: true, fetch: fakeFetch(fixture("vllm-chat-token-ids.json"), []) });
    const [[c]] = await gen.generate([{ id: "q", messages: [{ role: "user", content: "1+1?" }] }], { n: 1 });
    expect(c).toMatchObject({ text: "2", tokenIds: [17, 151645], tokenLogprobs: [-0.5, -0.25], logLik: -0.75, finishReason: "stop" });
  });

  it("without token ids in the answer, asking for them is OPENAI_BAD_RESPONSE", async () => {
    const answer = JSON.stringify({ choices: [{ index: 0, text: "x", finish_reason: "stop", logprobs: null }] });
    const gen = createOpenAIGenerator({ baseURL: "http://engine:8000", model: "m", tokenIds: true, fetch: fakeFetch(answer, []) });
    await expect(gen.generate([{ id: "q", text: "hi" }], { n: 1 })).rejects.toMatchObject({ code: "OPENAI_BAD_RESPONSE" });
  });

  it("spreads prompts over several engines (prompt i to engine i mod k)", async () => {
    const seen: { url: string; body: Record<string, unknown> }[] = [];
    const answer = JSON.stringify({ choices: [{ index: 0, text: "x", finish_reason: "stop" }] });
    const gen = createOpenAIGenerator({ baseURL: ["http://a:1", "http://b:2"], model: "m", concurrency: 1, fetch: fakeFetch(answer, seen) });
    await gen.generate([{ id: "0", text: "p0" }, { id: "1", text: "p1" }, { id: "2", text: "p2" }], { n: 1 });
    expect(seen.map((s) => [s.url, s.body.prompt])).toEqual([
      ["http://a:1/v1/completions", "p0"],
      ["http://b:2/v1/completions", "p1"],
      ["http://a:1/v1/completions", "p2"],
    ]);
  });
});

describe("createWeightSync", () => {
  it("sglang/sentrl: POST /update_weights_from_disk {model_path} to every engine", async () => {
    const seen: { url: string; body: Record<string, unknown> }[] = [];
    const sync = createWeightSync({ baseURLs: ["http://a:1/v1", "http://b:2"], fetch: fakeFetch('{"success": true, "message": "ok"}', seen) });
    await sync.load("/w/step-1");
    expect(seen.map((s) => [s.url, s.body])).toEqual([
      ["http://a:1/update_weights_from_disk", { model_path: "/w/step-1" }],
      ["http://b:2/update_weights_from_disk", { model_path: "/w/step-1" }],
    ]);
  });

  it("vllm: collective_rpc reload_weights, then reset_prefix_cache", async () => {
    const seen: { url: string; body: Record<string, unknown> }[] = [];
    const sync = createWeightSync({ baseURLs: ["http://a:1"], api: "vllm", fetch: fakeFetch("", seen) });
    await sync.load("/served/model");
    expect(seen.map((s) => [s.url, s.body])).toEqual([
      ["http://a:1/collective_rpc", { method: "reload_weights" }],
      ["http://a:1/reset_prefix_cache", {}],
    ]);
  });

  it("retries 5xx with backoff, then ENGINE_WEIGHT_SYNC_FAILED; a 4xx is refused at once", async () => {
    let calls = 0;
    const failing = (async () => {
      calls++;
      return new Response("overloaded", { status: 503 });
    }) as unknown as typeof fetch;
    await expect(createWeightSync({ baseURLs: ["http://a:1"], fetch: failing, maxRetries: 2, retryDelayMs: 1 }).load("/w")).rejects.toMatchObject({ code: "ENGINE_WEIGHT_SYNC_FAILED" });
    expect(calls).toBe(3);
    const refusing = (async () => new Response('{"success": false, "message": "shape mismatch"}', { status: 400 })) as unknown as typeof fetch;
    await expect(createWeightSync({ baseURLs: ["http://a:1"], fetch: refusing }).load("/w")).rejects.toMatchObject({ code: "ENGINE_WEIGHT_SYNC_REFUSED" });
  });
});
