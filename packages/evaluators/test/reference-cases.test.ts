import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  dapoChecker,
  extractDapoAnswer,
  isEquivV2,
  mathPostprocessV2,
  normalizeFinalAnswer,
  normalizeFinalAnswerOC,
  stripStringV2,
} from "../src/index.js";

// Golden outputs of tools/ref/math_checkers.py (the spec's rules run with CPython's `re` and `str`), on hand-picked
// edge cases plus ~2200 random strings built from tricky tokens (braces, `$`, newlines, Unicode digits/whitespace,
// astral characters, the phrases the extractors look for).
interface Single {
  s: string;
  dapoNorm: string;
  ocNorm: string;
  post: string;
  strip: string | { error: string };
  dapoExtract: string | null;
}
const cases = JSON.parse(readFileSync(join(__dirname, "fixtures", "checker-cases.json"), "utf8")) as {
  single: Single[];
  tails: { s: string; dapoExtract: string | null; post: string }[];
  pairs: { a: string; b: string; equiv: boolean; dapo: boolean }[];
};

function mismatches<T>(items: T[], f: (x: T) => unknown, want: (x: T) => unknown): string[] {
  const out: string[] = [];
  for (const x of items) {
    let got: unknown;
    try {
      got = f(x);
    } catch (e) {
      got = { error: (e as Error).name === "PyValueError" ? "ValueError" : String(e) };
    }
    if (JSON.stringify(got) !== JSON.stringify(want(x))) out.push(`${JSON.stringify(x)} -> ${JSON.stringify(got)}`);
  }
  return out;
}

describe("the TS port matches the Python reference rules on every recorded case", () => {
  it("has enough cases", () => {
    expect(cases.single.length).toBeGreaterThan(2000);
    expect(cases.pairs.length).toBeGreaterThan(1000);
  });
  // One rule per row: the port applied to each case's string must give the reference's recorded field.
  const withTails = [...cases.single, ...cases.tails];
  const rules: [name: string, items: { s: string }[], port: (s: string) => unknown, field: keyof Single][] = [
    ["verl normalize_final_answer", cases.single, normalizeFinalAnswer, "dapoNorm"],
    ["OpenCompass normalize_final_answer", cases.single, normalizeFinalAnswerOC, "ocNorm"],
    ["math_postprocess_v2", withTails, mathPostprocessV2, "post"],
    ["_strip_string_v2, including where it raises ValueError", cases.single, stripStringV2, "strip"],
    ["the Answer: line of the last 300 characters", withTails, extractDapoAnswer, "dapoExtract"],
  ];
  for (const [name, items, port, field] of rules) {
    it(name, () => {
      expect(
        mismatches(
          items,
          (c) => port(c.s),
          (c) => (c as Partial<Single>)[field],
        ),
      ).toEqual([]);
    });
  }
  it("the reference raises ValueError in _strip_string_v2 on some cases", () => {
    expect(cases.single.some((c) => typeof c.strip === "object")).toBe(true);
  });
  it("is_equiv (v2) and math_dapo scoring on pairs", () => {
    expect(
      mismatches(
        cases.pairs,
        (p) => isEquivV2(p.a, p.b),
        (p) => p.equiv,
      ),
    ).toEqual([]);
    expect(
      mismatches(
        cases.pairs,
        (p) => dapoChecker.check(`Answer: ${p.a}`, p.b).correct,
        (p) => p.dapo,
      ),
    ).toEqual([]);
    expect(cases.pairs.filter((p) => p.equiv).length).toBeGreaterThan(200);
  });
});
