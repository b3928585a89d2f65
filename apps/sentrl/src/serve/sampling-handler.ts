import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { SampledSequence } from "@sentrl/model";
import { ApiError } from "./api-error.js";
import type { ModelHost } from "./model-host.js";
import type { SamplingRequest } from "./sampling-request.js";
import { chatLogprobs, completionLogprobs, TokenSpeller } from "./token-logprobs.js";

/** Writes one server-sent event (`data: <json>`). */
function sendEvent(res: ServerResponse, data: unknown): void {
  if (!res.writableEnded && !res.destroyed) res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
}

/**
 * Samples a `/v1/completions` or `/v1/chat/completions` request on the shared engine and answers it, as one JSON
 * object or as server-sent events (docs/contracts.md §10). Choice `p·n + c` is completion `c` of prompt `p`, sampled
 * with sample index `c` and the request's seed: the same tokens and log-probs as `sentrl generate` (§9).
 * `signal` aborts when the client goes away: its sequences leave the batch at the next engine step.
 */
export async function answerSampling(
  res: ServerResponse,
  host: ModelHost,
  sr: SamplingRequest,
  chat: boolean,
  modelName: string,
  signal: AbortSignal,
): Promise<void> {
  const id = `${chat ? "chatcmpl" : "cmpl"}-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const object = chat ? (sr.stream ? "chat.completion.chunk" : "chat.completion") : "text_completion";
  const speller = new TokenSpeller(host.tokenizer?.tokenizer, sr.tokensAsIds);
  const jobs = sr.prompts.flatMap((prompt, p) => Array.from({ length: sr.n }, (_, c) => ({ prompt, c, index: p * sr.n + c })));
  const head = { id, object, created, model: modelName };
  const offsets = new Array<number>(jobs.length).fill(0);

  const tokenChunk = (index: number, tok: { id: number; logprob: number; text: string }) => {
    const choice: Record<string, unknown> = { index };
    if (chat) choice.delta = { content: tok.text };
    else choice.text = tok.text;
    if (sr.logprobs) {
      choice.logprobs = chat
        ? chatLogprobs(speller, [tok.id], [tok.logprob], sr.topLogprobs)
        : completionLogprobs(speller, [tok.id], [tok.logprob], sr.topLogprobs, offsets[index]);
      offsets[index] += speller.width(tok.id);
    } else choice.logprobs = null;
    if (sr.returnTokenIds) choice.token_ids = [tok.id];
    choice.finish_reason = null;
    return { ...head, choices: [choice] };
  };

  if (sr.stream) {
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" });
    if (chat) for (const j of jobs) sendEvent(res, { ...head, choices: [{ index: j.index, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }] });
  }

  const results = await host.shared(() =>
    Promise.allSettled(
      jobs.map((j) =>
        host
          .sample({
            prompt: j.prompt,
            sampleIndex: j.c,
            seed: sr.seed,
            maxTokens: sr.maxTokens,
            temperature: sr.temperature,
            topP: sr.topP,
            topK: sr.topK,
            stop: sr.stop,
            signal,
            onToken: sr.stream ? (tok) => sendEvent(res, tokenChunk(j.index, tok)) : undefined,
          })
          .then((seq) => {
            if (sr.stream) {
              const last: Record<string, unknown> = { index: j.index, logprobs: null, finish_reason: seq.finishReason };
              if (chat) last.delta = {};
              else last.text = "";
              if (sr.returnTokenIds) last.prompt_token_ids = j.prompt;
              sendEvent(res, { ...head, choices: [last] });
            }
            return seq;
          }),
      ),
    ),
  );
  if (signal.aborted) return; // the client left: nothing to answer
  const failed = results.find((r) => r.status === "rejected");
  const usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  for (const p of sr.prompts) usage.prompt_tokens += p.length;
  const seqs = results.map((r) => (r.status === "fulfilled" ? r.value : undefined));
  for (const s of seqs) if (s) usage.completion_tokens += s.tokenIds.length;
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
  if (sr.stream) {
    if (failed) {
      const reason = (failed as PromiseRejectedResult).reason;
      sendEvent(res, new ApiError(500, `generation failed: ${(reason as Error)?.message ?? reason}`, "generation_failed").body());
    } else if (sr.includeUsage) sendEvent(res, { ...head, choices: [], usage });
    sendEvent(res, "[DONE]");
    res.end();
    return;
  }
  if (failed) throw (failed as PromiseRejectedResult).reason;
  const choices = jobs.map((j) => {
    const s = seqs[j.index] as SampledSequence;
    const text = s.text ?? "";
    const choice: Record<string, unknown> = { index: j.index };
    if (chat) choice.message = { role: "assistant", content: text };
    else choice.text = text;
    choice.logprobs = !sr.logprobs
      ? null
      : chat
        ? chatLogprobs(speller, s.tokenIds, s.tokenLogprobs, sr.topLogprobs)
        : completionLogprobs(speller, s.tokenIds, s.tokenLogprobs, sr.topLogprobs, 0);
    choice.finish_reason = s.finishReason;
    if (sr.returnTokenIds) {
      choice.token_ids = s.tokenIds;
      choice.prompt_token_ids = j.prompt;
    }
    return choice;
  });
  const body = JSON.stringify({ ...head, choices, usage });
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}
