import { describe, expect, it } from "vitest";
import { cpLength, lastCodePoints, pyIsDigit, pyStrip } from "../src/index.js";
import {
  findLastLazyPair,
  subFracShorthand,
  subGreedyLine,
  subLazyPair,
  subTrailingZerosBeforeNonDigit,
} from "../src/text/scan.js";
import { dapoChecker, opencompassV2Checker } from "../src/index.js";

describe("Python string semantics", () => {
  it("strip uses Python whitespace", () => {
    expect(pyStrip("\u001c\u0085 x \u00a0")).toBe("x");
    expect(pyStrip("\ufeffx")).toBe("\ufeffx");
  });
  it("isdigit accepts Unicode digits and rejects the empty string", () => {
    expect(pyIsDigit("12\u00b2\u2460\u0663")).toBe(true);
    expect(pyIsDigit("")).toBe(false);
    expect(pyIsDigit("\u00bd")).toBe(false); // ½ is numeric, not a digit
  });
  it("lengths and tails in code points", () => {
    expect(cpLength("a\u{1d465}b")).toBe(3);
    expect(lastCodePoints("ab\u{1d465}", 1)).toBe("\u{1d465}");
  });
});

describe("scanners behave like the Python regexes they replace", () => {
  it("lazy pairs stop at newlines and pair with the first close", () => {
    expect(subLazyPair("\\text{a}\\text{b\n}c}", "\\text{", "}", (x) => x)).toBe("a\\text{b\n}c}");
    expect(findLastLazyPair("$1$ $2\n$ $3$", "$", "$")).toBe(" "); // Python: ["1", " "]
  });
  it("greedy \\boxed pairs with the last brace of its line", () => {
    expect(subGreedyLine("\\boxed{a}b}\nc}", "\\boxed{", "}")).toBe("a}b\nc}");
  });
  it("frac shorthand takes whole code points", () => {
    expect(subFracShorthand("frac\u{1d465}2")).toBe("frac{\u{1d465}}{2}");
    expect(subFracShorthand("frac1\n")).toBe("frac1\n");
  });
  it("trailing zeros: a failed match restarts inside the number", () => {
    expect(subTrailingZerosBeforeNonDigit("1.005.0x")).toBe("1.005x");
  });
});

describe("bounded work on adversarial inputs (linear scanners, no backtracking)", () => {
  it("grades 1 MB pathological responses", () => {
    const big = [
      "\\text{".repeat(150_000),
      "$".concat("x".repeat(1_000_000)),
      "\\boxed{".repeat(100_000),
      "frac".repeat(250_000),
      "1".repeat(500_000).concat(".0"),
      `${"answer ".repeat(100_000)}`,
    ];
    for (const s of big) {
      expect(typeof opencompassV2Checker.check(s, "1").correct).toBe("boolean");
      expect(typeof dapoChecker.check(s, "1").correct).toBe("boolean");
    }
  });
});
