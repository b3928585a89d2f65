import { describe, expect, it } from "vitest";
import {
  extractBoxedAnswer,
  fixASlashB,
  fixFracs,
  isEquivV2,
  lastBoxedOnlyString,
  mathPostprocessV2,
  normalizeFinalAnswerOC,
  OC_REMOVED_EXPRESSIONS,
  OC_SUBSTITUTIONS,
  opencompassV2Checker,
  removeBoxed,
  stripStringV2,
} from "../src/index.js";

describe("OpenCompass math_postprocess_v2 extraction (docs/algorithms.md §10.2)", () => {
  it("last_boxed_only_string: last \\boxed, else last \\fbox, brace matching, null when unbalanced", () => {
    expect(lastBoxedOnlyString("\\boxed{1} then \\boxed{\\frac{1}{2}}.")).toBe("\\boxed{\\frac{1}{2}}");
    expect(lastBoxedOnlyString("\\fbox{3}")).toBe("\\fbox{3}");
    expect(lastBoxedOnlyString("\\boxed{3")).toBeNull();
    expect(lastBoxedOnlyString("\\boxed 5 and {x}")).toBe("\\boxed 5 and {x}");
    expect(lastBoxedOnlyString("no box")).toBeNull();
  });
  it("remove_boxed needs '\\boxed{' … '}' (so \\fbox yields nothing)", () => {
    expect(removeBoxed("\\boxed{42}")).toBe("42");
    expect(removeBoxed("\\fbox{42}")).toBeNull();
    expect(removeBoxed("\\boxed 5 and {x}")).toBeNull();
  });
  it("strips one outer brace pair", () => {
    expect(extractBoxedAnswer("\\boxed{{5}}", true)).toBe("5");
    expect(extractBoxedAnswer("\\boxed{{a}{b}}", true)).toBe("a}{b");
  });
  it("falls back to the first 'final answer'/'answer is' sentence, else the first sentence, normalised", () => {
    expect(mathPostprocessV2("Hi. The answer is $5$. Final answer: 6")).toBe("5");
    expect(mathPostprocessV2("x = 3. So 4")).toBe("x=3");
    expect(mathPostprocessV2("\\boxed{}")).toBe(""); // empty box: falls through to the first sentence, normalised
    expect(mathPostprocessV2("\\fbox{7}")).toBe("\\fbox{7}");
  });
});

describe("OpenCompass normalize_final_answer, rule by rule", () => {
  it("does not split on '='", () => {
    expect(normalizeFinalAnswerOC("x = 5")).toBe("x=5");
  });
  it("substitutions: verl's plus \\le → <", () => {
    expect(OC_SUBSTITUTIONS.at(-1)).toEqual(["\\le", "<"]);
    expect(normalizeFinalAnswerOC("x \\le 3")).toBe("x<3");
    expect(normalizeFinalAnswerOC("\\left(1\\right)")).toBe("<(1\\right)"); // \le hits \left; 'ft' is then removed
  });
  it("removals: adds ft, \\n, \\r, \\f", () => {
    expect(OC_REMOVED_EXPRESSIONS.slice(-3)).toEqual(["\n", "\r", "\f"]);
    expect(normalizeFinalAnswerOC("5 ft")).toBe("5");
    expect(normalizeFinalAnswerOC("1\n2\r3\f4")).toBe("1234");
  });
  it("\\text{(…)} before \\text{…}, then \\textbf, \\overline, greedy \\boxed", () => {
    expect(normalizeFinalAnswerOC("\\text{(B)}")).toBe("B");
    expect(normalizeFinalAnswerOC("\\text{B}")).toBe("B");
    expect(normalizeFinalAnswerOC("\\boxed{\\frac{1}{2}}")).toBe("\\frac{1}{2}");
  });
  it("then the last finalansweris / answer?is:? / oxed{…} / $…$ capture", () => {
    expect(normalizeFinalAnswerOC("The final answer is 7")).toBe("7");
    expect(normalizeFinalAnswerOC("my answeis: 8")).toBe("8");
    expect(normalizeFinalAnswerOC("foxed{9}x")).toBe("9");
    expect(normalizeFinalAnswerOC("is $1$ or $2$")).toBe("2");
  });
  it("rac → \\frac when \\frac is absent, shorthand fixes, $ removal, comma digits", () => {
    expect(normalizeFinalAnswerOC("rac12")).toBe("\\frac{1}{2}");
    expect(normalizeFinalAnswerOC("\\sqrt2")).toBe("\\sqrt{2}");
    expect(normalizeFinalAnswerOC("1,000")).toBe("1000");
  });
});

describe("OpenCompass _strip_string_v2, rule by rule", () => {
  it("1. strip, newlines, trailing dots", () => {
    expect(stripStringV2("  5.. ")).toBe("5");
    expect(stripStringV2("1\n2")).toBe("12");
  });
  it("2. \\! and '\\ ' removed, \\\\ → \\ twice", () => {
    expect(stripStringV2("1\\!000")).toBe("1000");
    expect(stripStringV2("\\\\\\\\frac12")).toBe("\\frac{1}{2}");
  });
  it("3. tfrac/dfrac → frac, \\left/\\right removed", () => {
    expect(stripStringV2("\\dfrac{1}{2}")).toBe("\\frac{1}{2}");
    expect(stripStringV2("\\left(1,2\\right)")).toBe("(1,2)");
  });
  it("4. a trailing \\text{} unit is removed unless nothing would remain", () => {
    expect(stripStringV2("5\\text{ cm}")).toBe("5");
    expect(stripStringV2("\\text{cm}")).toBe("{cm}");
  });
  it("5. degrees, dollars, \\text, x\\in, percent", () => {
    expect(stripStringV2("90^\\circ")).toBe("90");
    expect(stripStringV2("\\$5")).toBe("5");
    expect(stripStringV2("x\\in[1,2]")).toBe("[1,2]");
    expect(stripStringV2("10\\%")).toBe("10");
  });
  it("6. ' .' → ' 0.', '{.' → '{0.', \\cdot removed", () => {
    expect(stripStringV2("\\frac{.5}{2}")).toBe("\\frac{0.5}{2}");
    expect(stripStringV2("2\\cdot3")).toBe("23");
  });
  it("7. infinity", () => {
    expect(stripStringV2("infinity")).toBe("\\infty");
    expect(stripStringV2("inf")).toBe("\\infty");
  });
  it("8. every 'and' substring, \\mathbf, \\mbox{…}", () => {
    expect(stripStringV2("1 and 2")).toBe("12");
    expect(stripStringV2("candy")).toBe("cy");
    expect(stripStringV2("5\\mbox{ cm}")).toBe("5");
  });
  it("9. quotes are NOT stripped (the reference discards the result)", () => {
    expect(stripStringV2("'5'")).toBe("'5'");
  });
  it("10. j → i only when there is no i", () => {
    expect(stripStringV2("3+2j")).toBe("3+2i");
    expect(stripStringV2("ij")).toBe("ij");
  });
  it("11. trailing zero decimals", () => {
    expect(stripStringV2("27.0")).toBe("27");
    expect(stripStringV2("3.00x")).toBe("3x");
    expect(stripStringV2("3.05")).toBe("3.05");
  });
  it("12. leading '.' gets a 0", () => {
    expect(stripStringV2(".5")).toBe("0.5");
  });
  it("13. 'k = …' with a left side of at most 2 characters", () => {
    expect(stripStringV2("k = 3")).toBe("3");
    expect(stripStringV2("abc = 3")).toBe("abc=3");
  });
  it("14-15. \\sqrt word shorthand, spaces removed", () => {
    expect(stripStringV2("\\sqrt 2")).toBe("\\sqrt2");
    expect(stripStringV2("\\sqrt2x")).toBe("\\sqrt{2x}");
  });
  it("16. _fix_fracs", () => {
    expect(fixFracs("\\frac12")).toBe("\\frac{1}{2}");
    expect(fixFracs("\\frac1{72}")).toBe("\\frac{1}{72}");
    expect(fixFracs("\\frac1")).toBe("\\frac1");
  });
  it("17. _fix_a_slash_b, and the ValueError the reference lets escape", () => {
    expect(fixASlashB("1/2")).toBe("\\frac{1}{2}");
    expect(fixASlashB("01/2")).toBe("01/2");
    expect(() => fixASlashB("x/2")).toThrow(/int\(\)/);
    expect(() => stripStringV2("\\pi/2")).toThrow();
  });
});

describe("MATHEvaluator(version='v2').is_equiv and the checker", () => {
  it("null handling", () => {
    expect(isEquivV2(null, null)).toBe(true);
    expect(isEquivV2("1", null)).toBe(false);
  });
  it("strip_v2 equality, then normalised equality, then raw", () => {
    expect(isEquivV2("\\dfrac12", "\\frac{1}{2}")).toBe(true);
    expect(isEquivV2("1/2", "\\frac{1}{2}")).toBe(true);
    expect(isEquivV2("\\pi/2", "\\frac{\\pi}{2}")).toBe(false); // strip raises; normalised forms differ
    expect(isEquivV2("x/2", "x/2")).toBe(true); // strip raises; the later tests still match
    expect(isEquivV2("1,000", "1000")).toBe(true);
    expect(isEquivV2("25", "025")).toBe(false);
  });
  it("checks responses against unnormalised golds", () => {
    expect(opencompassV2Checker.check("… \\boxed{\\dfrac{1}{2}}", "\\frac{1}{2}")).toEqual({
      correct: true,
      extracted: "\\dfrac{1}{2}",
    });
    expect(opencompassV2Checker.check("The answer is 27.", "27.0").correct).toBe(true);
    expect(opencompassV2Checker.check("\\boxed{3}", ["1", "3"]).correct).toBe(true);
    expect(opencompassV2Checker.canonicalKey).toBeUndefined();
  });
});
