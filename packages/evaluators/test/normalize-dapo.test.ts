import { describe, expect, it } from "vitest";
import {
  DAPO_REMOVED_EXPRESSIONS,
  DAPO_SUBSTITUTIONS,
  dapoChecker,
  extractDapoAnswer,
  normalizeFinalAnswer,
} from "../src/index.js";

// docs/algorithms.md §10.1, one test per rule, in the order the spec lists them.
describe("verl math_dapo normalize_final_answer, rule by rule (docs/algorithms.md §10.1)", () => {
  it("1. keeps only the text after the last '='", () => {
    expect(normalizeFinalAnswer("x = 5")).toBe("5");
    expect(normalizeFinalAnswer("a=b=c")).toBe("c");
    expect(normalizeFinalAnswer("5=")).toBe("");
  });

  it("2. literal substitutions, in order (so 'a ' is removed from the end of any word)", () => {
    expect(DAPO_SUBSTITUTIONS.map(([a]) => a)).toEqual([
      "an ",
      "a ",
      ".$",
      "\\$",
      "\\ ",
      " ",
      "mbox",
      ",\\text{and}",
      "\\text{and}",
      "\\text{m}",
    ]);
    expect(normalizeFinalAnswer("an apple")).toBe("apple");
    expect(normalizeFinalAnswer("pizza 5")).toBe("pizz5");
    expect(normalizeFinalAnswer("\\$5")).toBe("5");
    expect(normalizeFinalAnswer("3\\ 4")).toBe("34");
    expect(normalizeFinalAnswer("x, y \\text{and} z")).toBe("x,y,z");
    expect(normalizeFinalAnswer("1, 2 \\text{and} 3")).toBe("123"); // then rule 7 drops the commas
    expect(normalizeFinalAnswer("5\\mbox{m}")).toBe("5"); // mbox -> text, \text{m} -> \text{}, then removed
  });

  it("3. removes unit words and LaTeX fillers (verl list: no 'ft')", () => {
    expect(DAPO_REMOVED_EXPRESSIONS).not.toContain("ft");
    expect(normalizeFinalAnswer("12 inches")).toBe("12");
    expect(normalizeFinalAnswer("5 ft")).toBe("5ft");
    expect(normalizeFinalAnswer("90^\\circ")).toBe("90");
    expect(normalizeFinalAnswer("1{,}000")).toBe("1000");
    expect(normalizeFinalAnswer("\\text{\n}7")).toBe("7"); // a real newline inside \text{}
    expect(normalizeFinalAnswer('"7"')).toBe("7");
  });

  it("4. $…$ first pair, \\text{}, \\textbf{}, \\overline{}, greedy \\boxed{}", () => {
    expect(normalizeFinalAnswer("so $x$ or $y$ end")).toBe("x"); // '$\3$' keeps only the first pair
    expect(normalizeFinalAnswer("$1$\n$2$")).toBe("1\n2"); // per line: Python '.' stops at newlines
    expect(normalizeFinalAnswer("\\text{A}")).toBe("A");
    expect(normalizeFinalAnswer("\\textbf{B}")).toBe("B");
    expect(normalizeFinalAnswer("\\overline{12}")).toBe("12");
    expect(normalizeFinalAnswer("\\boxed{\\frac{1}{2}}")).toBe("\\frac{1}{2}");
  });

  it("5. \\frac and \\sqrt shorthand", () => {
    expect(normalizeFinalAnswer("\\frac12")).toBe("\\frac{1}{2}");
    expect(normalizeFinalAnswer("\\frac1{72}")).toBe("\\frac{1}{{}72}");
    expect(normalizeFinalAnswer("\\sqrt3")).toBe("\\sqrt{3}");
  });

  it("6. removes every '$'", () => {
    expect(normalizeFinalAnswer("5$")).toBe("5");
  });

  it("7. drops thousands separators when the rest is digits (Python isdigit: superscripts count)", () => {
    expect(normalizeFinalAnswer("1,000,000")).toBe("1000000");
    expect(normalizeFinalAnswer("1,2x")).toBe("1,2x");
    expect(normalizeFinalAnswer("1,\u00b2")).toBe("1\u00b2");
    expect(normalizeFinalAnswer(",")).toBe(","); // "" is not a digit string
  });

  it("8. strips Python whitespace (not JS trim: U+FEFF stays, U+001C goes)", () => {
    expect(normalizeFinalAnswer("5\u001c")).toBe("5");
    expect(normalizeFinalAnswer("5\ufeff")).toBe("5\ufeff");
  });
});

describe("math_dapo extraction and scoring", () => {
  it("reads the last Answer: line of the last 300 characters, case-insensitively", () => {
    expect(extractDapoAnswer("Answer: 1\nanswer : 2")).toBe("2");
    expect(extractDapoAnswer(`Answer: 1\n${"x".repeat(300)}`)).toBeNull();
    expect(extractDapoAnswer("Answer:\n 5")).toBe("5"); // \s* crosses the newline, as in Python
    expect(extractDapoAnswer("\\boxed{5}")).toBeNull();
  });
  it("counts the 300 in code points, as Python slices", () => {
    // "Answer: 7" is 9 code points; 291 astral characters (582 UTF-16 units) still fit in 300 code points.
    const astral = "\u{1d465}".repeat(291);
    expect(extractDapoAnswer(`Answer: 7${astral}`)).toBe(`7${astral}`);
    expect(extractDapoAnswer(`Answer: 7${astral}\u{1d465}`)).toBeNull();
  });
  it("compares normalised strings; no Answer: line compares '[INVALID]'", () => {
    expect(dapoChecker.check("… Answer: $1,000$", "1000")).toEqual({ correct: true, extracted: "$1,000$" });
    expect(dapoChecker.check("Answer: 25", "025").correct).toBe(false);
    expect(dapoChecker.check("\\boxed{5}", "5")).toEqual({ correct: false, extracted: null });
    expect(dapoChecker.check("nothing", "[INVALID]").correct).toBe(true);
    expect(dapoChecker.check("Answer: 3", ["2", "3"]).correct).toBe(true);
  });
  it("exposes the normalised answer as canonical key", () => {
    expect(dapoChecker.canonicalKey?.("x = \\frac12")).toBe("\\frac{1}{2}");
    expect(dapoChecker.equivalent("$5$", "5")).toBe(true);
  });
});
