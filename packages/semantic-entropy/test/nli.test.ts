import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadTransformers } from "@sentrl/onnx";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cachedNli,
  clusterByEntailment,
  createModelSemanticEntropyScorer,
  entailmentEquivalent,
  loadNliModel,
  type NliLabel,
  type NliModel,
  nliLabelsFromConfig,
} from "../src/index.js";

// The tiny NLI model and the PyTorch model's own verdicts, from tools/onnx/tiny_bert.py (committed; no Python here).
const models = join(import.meta.dirname, "..", "..", "..", "tools", "onnx", "models");
const dir = join(models, "tiny-nli");
interface Mode {
  verdicts: (NliLabel | null)[][];
  strict: number[];
  lenient: number[];
}
interface Question {
  id: string;
  question: string;
  responses: string[];
  nli: { plain: Mode; withQuestion: Mode };
  pairTokensFromFirst: Record<string, { inputIds: number[]; tokenTypeIds: number[] }>;
}
const { questions } = JSON.parse(readFileSync(join(models, "fixtures", "nli.json"), "utf8")) as {
  questions: Question[];
};
const mode = (q: Question, m: "plain" | "withQuestion") => q.nli[m];

let nli: NliModel;
beforeAll(async () => {
  nli = await loadNliModel(dir, { batchSize: 7 });
});
afterAll(async () => {
  await nli?.dispose();
});

describe("NLI plumbing against the PyTorch model (docs/algorithms.md §8.1)", () => {
  it("has at least 20 questions, and strict and lenient disagree on some", () => {
    expect(questions.length).toBeGreaterThanOrEqual(20);
    expect(questions.some((q) => mode(q, "plain").strict.join() !== mode(q, "plain").lenient.join())).toBe(true);
  });

  it("labels come from config.json id2label (a non-default class order)", () => {
    expect(nli.labels).toEqual(["contradiction", "entailment", "neutral"]);
  });

  it("tokenises pairs as PyTorch's side did: [CLS] premise [SEP] hypothesis [SEP], token types 0/1", async () => {
    const { AutoTokenizer } = await loadTransformers();
    const tok = await AutoTokenizer.from_pretrained(dir, { local_files_only: true });
    let checked = 0;
    for (const q of questions)
      for (const [j, want] of Object.entries(q.pairTokensFromFirst)) {
        const enc = tok(q.responses[0], { text_pair: q.responses[Number(j)] });
        expect(Array.from(enc.input_ids.data as BigInt64Array, Number)).toEqual(want.inputIds);
        expect(Array.from(enc.token_type_ids?.data as BigInt64Array, Number)).toEqual(want.tokenTypeIds);
        checked++;
      }
    expect(checked).toBeGreaterThan(100);
  });

  it("every ordered pair's verdict equals PyTorch's (plain and question-prefixed), batched across pairs", async () => {
    for (const m of ["plain", "withQuestion"] as const) {
      const pairs: [string, string][] = [];
      const want: NliLabel[] = [];
      for (const q of questions) {
        const texts = m === "plain" ? q.responses : q.responses.map((r) => `${q.question} ${r}`);
        mode(q, m).verdicts.forEach((row, i) => {
          row.forEach((v, j) => {
            if (v === null) return;
            pairs.push([texts[i], texts[j]]);
            want.push(v);
          });
        });
      }
      expect(await nli.classify(pairs)).toEqual(want);
    }
  });

  it.each(["strict", "lenient"] as const)(
    "%s clusters equal those from PyTorch's verdicts, with and without the question",
    async (variant) => {
      for (const withQuestion of [false, true]) {
        const se = await createModelSemanticEntropyScorer({
          clustering: "nli",
          nliModel: dir,
          variant,
          withQuestion,
          estimator: "discrete",
        });
        for (const q of questions) {
          const r = await se.score({ responses: q.responses, question: q.question });
          expect(r.clusterIds).toEqual(mode(q, withQuestion ? "withQuestion" : "plain")[variant]);
        }
        // A second pass is served from the verdict cache.
        const misses = se.nliStats?.misses;
        for (const q of questions) await se.score({ responses: q.responses, question: q.question });
        expect(se.nliStats?.misses).toBe(misses);
        expect(se.nliStats?.hits).toBeGreaterThan(0);
        await se.close();
      }
    },
  );
});

describe("NLI pieces", () => {
  it("strict and lenient equivalence (docs/algorithms.md §8.1)", () => {
    const L: NliLabel[] = ["entailment", "neutral", "contradiction"];
    const got = L.flatMap((a) =>
      L.map((b) => [entailmentEquivalent(a, b, "strict"), entailmentEquivalent(a, b, "lenient")]),
    );
    // rows: e1 ∈ {E, N, C} × e2 ∈ {E, N, C}
    expect(got).toEqual([
      [true, true],
      [false, true],
      [false, false],
      [false, true],
      [false, false],
      [false, false],
      [false, false],
      [false, false],
      [false, false],
    ]);
  });

  it("greedy clustering: compares with the cluster's first member, later matches overwrite", async () => {
    // a~b, b~c, a!~c; c~d. Row 0 takes b; row 2 (c) opens cluster 1 and takes d; b stays 0.
    const same = new Set(["a|b", "b|c", "c|d"]);
    const nli = cachedNli(async (pairs) =>
      pairs.map(([x, y]) => (same.has(`${x}|${y}`) || same.has(`${y}|${x}`) ? "entailment" : "neutral")),
    );
    expect(Array.from(await clusterByEntailment(["a", "b", "c", "d"], nli))).toEqual([0, 0, 1, 1]);
    // Overwrite: x~y, z~y, x≁z in the order [x, z, y]: row 0 puts y in cluster 0, then row 1 (z) opens cluster 1
    // and re-assigns y to it.
    const s2 = new Set(["x|y", "z|y"]);
    const nli2 = cachedNli(async (pairs) =>
      pairs.map(([p, h]) => (s2.has(`${p}|${h}`) || s2.has(`${h}|${p}`) ? "entailment" : "neutral")),
    );
    expect(Array.from(await clusterByEntailment(["x", "z", "y"], nli2))).toEqual([0, 1, 1]);
  });

  it("the documented examples", async () => {
    const nli = cachedNli(async (pairs) => pairs.map(([a, b]) => (a === b ? "entailment" : "neutral")));
    expect(
      await nli.verdicts([
        ["x", "x"],
        ["x", "y"],
        ["x", "x"],
      ]),
    ).toEqual(["entailment", "neutral", "entailment"]);
    expect(nli.stats).toEqual({ hits: 1, misses: 2, size: 2 });
    const byLetter = cachedNli(async (pairs) =>
      pairs.map(([a, b]) => (a[0] === b[0] ? "entailment" : "contradiction")),
    );
    expect(Array.from(await clusterByEntailment(["paris", "pisa", "rome"], byLetter))).toEqual([0, 0, 1]);
    expect(nliLabelsFromConfig({ id2label: { 0: "CONTRADICTION", 1: "ENTAILMENT", 2: "NEUTRAL" } })).toEqual([
      "contradiction",
      "entailment",
      "neutral",
    ]);
  });

  it("the cache evicts the least recently used pair past maxEntries", async () => {
    let calls = 0;
    const nli = cachedNli(async (pairs) => {
      calls += pairs.length;
      return pairs.map(() => "neutral" as const);
    }, 2);
    await nli.verdicts([
      ["a", "b"],
      ["c", "d"],
    ]);
    await nli.verdicts([["a", "b"]]); // a,b now most recent
    await nli.verdicts([["e", "f"]]); // evicts c,d
    await nli.verdicts([
      ["a", "b"],
      ["c", "d"],
    ]);
    expect(calls).toBe(4);
  });

  it.each([
    [{ id2label: { 0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2" } }],
    [{ id2label: { 0: "entailment", 1: "entailment", 2: "neutral" } }],
    [{}],
  ])("bad id2label → NLI_BAD_LABELS (%j)", (cfg) => {
    expect(() => nliLabelsFromConfig(cfg as never)).toThrow(expect.objectContaining({ code: "NLI_BAD_LABELS" }));
  });

  it("a missing model folder is ONNX_MODEL_NOT_FOUND", async () => {
    await expect(loadNliModel(join(models, "no-such-model"))).rejects.toMatchObject({ code: "ONNX_MODEL_NOT_FOUND" });
  });
});
