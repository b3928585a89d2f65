import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Generator } from "@sentrl/core";
import { createGenerator, generatorSchemes, registerGeneratorScheme } from "./registry.js";
import { createReplayGenerator, parseReplayRecords } from "./replay.js";
import { parseGeneratorSpec } from "./spec.js";

const codeOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as { code: string }).code;
  }
  return "no error";
};

describe("parseGeneratorSpec", () => {
  it("parses the four schemes of docs/contracts.md §7", () => {
    expect(parseGeneratorSpec("local:./models/qwen")).toEqual({
      spec: "local:./models/qwen",
      scheme: "local",
      target: "./models/qwen",
    });
    expect(parseGeneratorSpec("onnx:/m/onnx").target).toBe("/m/onnx");
    expect(parseGeneratorSpec("replay:/data/r.jsonl")).toMatchObject({ scheme: "replay", target: "/data/r.jsonl" });
    expect(parseGeneratorSpec("openai:http://127.0.0.1:8000/v1#Qwen/Qwen2.5-Math-7B")).toEqual({
      spec: "openai:http://127.0.0.1:8000/v1#Qwen/Qwen2.5-Math-7B",
      scheme: "openai",
      target: "http://127.0.0.1:8000/v1#Qwen/Qwen2.5-Math-7B",
      baseURL: "http://127.0.0.1:8000/v1",
      model: "Qwen/Qwen2.5-Math-7B",
    });
    // The model is split at the last '#'.
    expect(parseGeneratorSpec("openai:https://h/v1#frag#m")).toMatchObject({
      baseURL: "https://h/v1#frag",
      model: "m",
    });
  });

  it("rejects bad specs with codes", () => {
    expect(codeOf(() => parseGeneratorSpec(""))).toBe("GENERATOR_SPEC_INVALID");
    expect(codeOf(() => parseGeneratorSpec("./models/qwen"))).toBe("GENERATOR_SPEC_INVALID");
    expect(codeOf(() => parseGeneratorSpec(":x"))).toBe("GENERATOR_SPEC_INVALID");
    expect(codeOf(() => parseGeneratorSpec("local:"))).toBe("GENERATOR_SPEC_INVALID");
    expect(codeOf(() => parseGeneratorSpec("openai:http://127.0.0.1:8000/v1"))).toBe("GENERATOR_SPEC_INVALID");
    expect(codeOf(() => parseGeneratorSpec("openai:http://127.0.0.1:8000/v1#"))).toBe("GENERATOR_SPEC_INVALID");
    expect(codeOf(() => parseGeneratorSpec("openai:localhost:8000#m"))).toBe("GENERATOR_SPEC_INVALID");
    expect(codeOf(() => parseGeneratorSpec("openai:not a url#m"))).toBe("GENERATOR_SPEC_INVALID");
    expect(() => parseGeneratorSpec("vllm:http://x#m")).toThrow(
      'unknown generator scheme "vllm:" in "vllm:http://x#m"; known schemes: local, onnx, openai, replay',
    );
    expect(parseGeneratorSpec("vllm:x", ["vllm"]).scheme).toBe("vllm");
  });
});

describe("replay generator", () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sentrl-replay-"));
    file = join(dir, "r.jsonl");
    await writeFile(
      file,
      [
        JSON.stringify({
          id: "a",
          responses: ["Answer: 1", "Answer: 2", "Answer: 3"],
          logLik: [-1, -2, -3],
          lengths: [3, 4, 5],
        }),
        "",
        JSON.stringify({ id: 7, responses: ["x"] }),
      ].join("\n"),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("returns the first n recorded responses per prompt id, with logLik and lengths", async () => {
    const gen = await createGenerator(`replay:${file}`);
    expect(gen.spec).toBe(`replay:${file}`);
    const out = await gen.generate([{ id: "7" }, { id: "a", text: "ignored" }], { n: 1, temperature: 0.3 });
    expect(out).toEqual([
      [{ text: "x", finishReason: "stop" }],
      [{ text: "Answer: 1", finishReason: "stop", logLik: -1, numTokens: 3 }],
    ]);
    const two = await gen.generate([{ id: "a" }], { n: 2 });
    expect(two[0].map((c) => [c.text, c.logLik, c.numTokens])).toEqual([
      ["Answer: 1", -1, 3],
      ["Answer: 2", -2, 4],
    ]);
  });

  it("reports missing ids, too few responses, bad n and unreadable files", async () => {
    const gen = await createReplayGenerator(file);
    await expect(gen.generate([{ id: "zzz" }], { n: 1 })).rejects.toMatchObject({ code: "REPLAY_MISSING_ID" });
    await expect(gen.generate([{ id: "a" }], { n: 4 })).rejects.toMatchObject({
      code: "REPLAY_TOO_FEW",
      message: expect.stringContaining('"a" has 3 recorded responses'),
    });
    await expect(gen.generate([{ id: "a" }], { n: 0 })).rejects.toMatchObject({ code: "GENERATE_BAD_OPTION" });
    await expect(createReplayGenerator(join(dir, "missing.jsonl"))).rejects.toMatchObject({ code: "REPLAY_NOT_FOUND" });
  });

  it("validates records with file:line", () => {
    const err = (text: string) => {
      try {
        parseReplayRecords(text, "f.jsonl");
      } catch (e) {
        return `${(e as { code: string }).code} ${(e as Error).message.split(";")[0]}`;
      }
      return "ok";
    };
    expect(err('{"id":"a","responses":["x"]}\n{oops')).toMatch(/^REPLAY_BAD_RECORD f.jsonl:2: not valid JSON/);
    expect(err('{"responses":["x"]}')).toBe("REPLAY_BAD_RECORD f.jsonl:1: missing id");
    expect(err('{"id":"a","responses":[1]}')).toBe(
      "REPLAY_BAD_RECORD f.jsonl:1: responses must be an array of strings",
    );
    expect(err('{"id":"a","responses":["x"],"logLik":[1,2]}')).toMatch(
      /logLik must be an array with one entry per response/,
    );
    expect(err('{"id":"a","responses":["x"],"lengths":[1.5]}')).toMatch(/lengths must be non-negative integers/);
    expect(err('{"id":"a","responses":["x"]}\n{"id":"a","responses":["y"]}')).toMatch(/^REPLAY_DUPLICATE_ID f.jsonl:2/);
    expect(err("[]")).toBe("REPLAY_BAD_RECORD f.jsonl:1: not a JSON object");
  });
});

describe("scheme registry", () => {
  it("says who provides local:/onnx: until they are registered, then uses the registered factory", async () => {
    await expect(createGenerator("local:/m")).rejects.toMatchObject({
      code: "GENERATOR_SCHEME_UNAVAILABLE",
      message: expect.stringContaining("@sentrl/model"),
    });
    const fake: Generator = {
      spec: "local:/m",
      generate: async (ps, o) => ps.map(() => Array.from({ length: o.n }, () => ({ text: "t", finishReason: "stop" }))),
    };
    let seen: unknown;
    const unregister = registerGeneratorScheme("local", (spec, options) => {
      seen = { target: spec.target, options };
      return fake;
    });
    try {
      expect(generatorSchemes()).toContain("local");
      expect(codeOf(() => registerGeneratorScheme("local", () => fake))).toBe("GENERATOR_SCHEME_DUPLICATE");
      expect(codeOf(() => registerGeneratorScheme("Bad Scheme", () => fake))).toBe("GENERATOR_SPEC_INVALID");
      const gen = await createGenerator("local:/m", { device: "cpu" });
      expect(gen).toBe(fake);
      expect(seen).toEqual({ target: "/m", options: { device: "cpu" } });
      const unregisterCustom = registerGeneratorScheme("mock", () => fake);
      expect(await createGenerator("mock:anything")).toBe(fake);
      unregisterCustom();
      await expect(createGenerator("mock:anything")).rejects.toMatchObject({ code: "GENERATOR_SCHEME_UNKNOWN" });
    } finally {
      unregister();
    }
    expect(generatorSchemes()).toEqual(["openai", "replay"]);
  });
});
