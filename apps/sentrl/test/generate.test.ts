import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createReferenceBackend } from "@sentrl/compute";
import { loadModel } from "@sentrl/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyModelDir } from "../../../packages/model/src/generate/tiny.js";
import { runCli } from "./fake-io.js";

type Out = { id: unknown; completions: { text: string; tokenIds: number[]; logprobs: number[]; finishReason: string }[] };
const lines = (s: string): Out[] =>
  s
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));

let dir = "";
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sentrl-generate-"));
  (await writeTinyModelDir(dir, 5, { eos_token_id: 260 })).dispose();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const INPUT = [
  { id: "a", prompt: "hello there" },
  { id: 7, tokens: [5, 17, 99, 3] },
  { id: "c", prompt: "x" },
]
  .map((l) => JSON.stringify(l))
  .join("\n");

describe("sentrl generate (docs/contracts.md §9)", () => {
  it("records log-probs equal to `sentrl score` of prompt + completion at the temperature (1e-4)", async () => {
    const r = await runCli(["generate", "--model", dir, "--n", "3", "--max-tokens", "12", "--temperature", "0.8", "--top-p", "0.9", "--seed", "4"], INPUT);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out.map((o) => o.id)).toEqual(["a", 7, "c"]);
    const { loadTokenizer } = await import("@sentrl/model");
    const tok = loadTokenizer(dir).tokenizer;
    const prompts = [tok.encode("hello there"), [5, 17, 99, 3], tok.encode("x")];
    const rows = out.flatMap((o, i) => o.completions.map((c) => [...prompts[i], ...c.tokenIds]));
    const s = await runCli(["score", "--model", dir, "--temperature", "0.8"], JSON.stringify({ tokens: rows }));
    expect(s.code).toBe(0);
    const { logp } = JSON.parse(s.stdout) as { logp: number[][] };
    let k = 0;
    out.forEach((o, i) => {
      expect(o.completions).toHaveLength(3);
      for (const c of o.completions) {
        expect(c.logprobs).toHaveLength(c.tokenIds.length);
        expect(["stop", "length"]).toContain(c.finishReason);
        if (c.finishReason === "stop") expect(c.tokenIds.at(-1)).toBe(260);
        else expect(c.tokenIds).toHaveLength(12);
        const ref = logp[k++].slice(prompts[i].length - 1);
        c.logprobs.forEach((lp, j) => {
          expect(Math.abs(lp - ref[j])).toBeLessThan(1e-4);
        });
      }
    });
    expect(new Set(out[0].completions.map((c) => c.tokenIds.join(","))).size).toBeGreaterThan(1);
  });

  it("identical output for --batch-size 1 and 32, and for a prompt alone or among others", async () => {
    const args = ["generate", "--model", dir, "--n", "2", "--max-tokens", "10", "--seed", "9", "--top-k", "20"];
    const a = await runCli([...args, "--batch-size", "1"], INPUT);
    const b = await runCli([...args, "--batch-size", "32"], INPUT);
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    const alone = await runCli([...args, "--batch-size", "3"], JSON.stringify({ id: 7, tokens: [5, 17, 99, 3] }));
    expect(lines(alone.stdout)[0]).toEqual(lines(a.stdout)[1]);
  });

  it("greedy (--temperature 0) is the argmax chain", async () => {
    const r = await runCli(["generate", "--model", dir, "--max-tokens", "6", "--temperature", "0"], JSON.stringify({ id: 1, tokens: [5, 17, 99, 3] }));
    const [{ completions }] = lines(r.stdout);
    const model = await loadModel(dir, { backend: createReferenceBackend() });
    const V = model.config.vocabSize;
    const row = [5, 17, 99, 3];
    for (const y of completions[0].tokenIds) {
      const { logp } = model.score(
        Array.from({ length: V }, (_, c) => [...row, c]),
        { batchSize: 64 },
      );
      let best = 0;
      for (let c = 1; c < V; c++) if (logp[c][row.length - 1] > logp[best][row.length - 1]) best = c;
      expect(y).toBe(best);
      row.push(y);
    }
    model.dispose();
  });

  it("--chat renders the template, --stop cuts the text; bad input and options are coded errors", async () => {
    const chat = await runCli(["generate", "--model", dir, "--chat", "--max-tokens", "4", "--seed", "1"], JSON.stringify({ id: "q", prompt: "hi" }));
    expect(chat.code).toBe(0);
    const free = lines((await runCli(["generate", "--model", dir, "--max-tokens", "30", "--seed", "2"], JSON.stringify({ id: "s", prompt: "ab" }))).stdout)[0].completions[0];
    const stop = free.text.slice(3, 5);
    if (stop.length === 2) {
      const cut = lines((await runCli(["generate", "--model", dir, "--max-tokens", "30", "--seed", "2", "--stop", stop], JSON.stringify({ id: "s", prompt: "ab" }))).stdout)[0].completions[0];
      expect(cut.finishReason).toBe("stop");
      expect(cut.text).toBe(free.text.slice(0, free.text.indexOf(stop)));
    }
    const bad = await runCli(["generate", "--model", dir], '{"id": 1, "prompt": 5}');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/GENERATE_BAD_INPUT/);
    const both = await runCli(["generate", "--model", dir], '{"id": 1}');
    expect(both.stderr).toMatch(/GENERATE_BAD_INPUT: stdin line 1/);
    const range = await runCli(["generate", "--model", dir], '{"id": 1, "tokens": [99999]}');
    expect(range.code).toBe(1);
    expect(range.stderr).toMatch(/MODEL_TOKEN_OUT_OF_RANGE/);
    expect((await runCli(["generate", "--model", dir, "--top-p", "0"], "")).code).toBe(2);
    expect((await runCli(["generate"], "")).code).toBe(2);
  });
});
