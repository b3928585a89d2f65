import { describe, expect, it } from "vitest";
import {
  createSymbolicChecker,
  extractSymbolicAnswer,
  parseSymbolicAnswer as parseAnswer,
} from "../src/symbolic/index.js";

const checker = createSymbolicChecker({});
const same = (a: string, b: string) => checker.equivalent(a, b) && checker.equivalent(b, a);

describe("symbolic checker: numbers (docs/contracts.md §4)", () => {
  it.each([
    ["1/1.3", "10/13"],
    ["\\frac{1}{1.3}", "\\frac{10}{13}"],
    ["27.0", "27"],
    ["025", "25"],
    ["3.83e35", "3.83 \\times 10^{35}"],
    ["3.83E+35", "3.83 \\cdot 10^{35}"],
    ["-1./3", "-\\frac{1}{3}"],
    ["\\frac12", "0.5"],
    ["\\dfrac{3}{4}", "\\tfrac34"],
    ["\\frac 59", "5/9"],
    ["\\frac9{19}", "9/19"],
    ["1\\frac{4}{5}", "9/5"],
    ["137 \\frac{1}{2}", "137.5"],
    ["-2\\frac{1}{2}", "-5/2"],
    ["10,\\!080", "10080"],
    ["1{,}008{,}016", "1008016"],
    ["58,500", "58500"],
    ["\\$32,\\!348", "32348"],
    ["\\$18.90", "18.9"],
    ["50\\%", "50"],
    ["50\\%", "0.5"],
    ["12.5%", "\\frac{1}{8}"],
    ["41.8^\\circ", "41.8"],
    ["90^{\\circ}", "90"],
    ["1950^\\circ C", "1950"],
    ["5.4 \\text{ cents}", "5.4"],
    ["864 \\mbox{ inches}^2", "864"],
    ["4.4677 \\times 10^{14} Hz", "4.4677e14"],
    ["6.43 \\times 10^{16} \\text{ cm}^{-3}", "6.43e16"],
    ["0.003^{\\prime \\prime}", "0.003"],
    ["x = 3", "3"],
    ["\\sqrt{8}", "2\\sqrt{2}"],
    ["\\sqrt[3]{27}", "3"],
    ["2^{10}", "1024"],
    ["\\frac{\\sqrt{3}}{3}", "\\frac{1}{\\sqrt{3}}"],
    ["\\sin(\\pi/6)", "0.5"],
    ["\\cos\\frac{2\\pi}{3}", "-\\frac{1}{2}"],
    ["\\tan(3\\pi/4)", "-1"],
    ["\\sin 30^\\circ", "\\frac12"],
    ["\\cos(60^{\\circ})", "0.5"],
    ["\\sin(\\pi/3)", "\\frac{\\sqrt{3}}{2}"],
    ["1+\\sqrt{3} i", "1 + i\\sqrt{3}"],
    ["(1+i)^2", "2i"],
    ["\\binom{5}{2}", "10"],
    ["5!", "120"],
    ["\\infty", "\\infty"],
    ["3.1416", "3.14159"],
    ["1.0001e5", "100010"],
  ])("%s = %s", (a, b) => {
    expect(same(a, b)).toBe(true);
  });

  it.each([
    ["\\frac{1}{3}", "0.3333"],
    ["2\\pi", "6.283185307"],
    // printed decimals (12+ digits) equal an exact value only within one unit of their last digit
    ["2\\pi", "6.283185307179606"],
    ["\\frac{\\sqrt{3}}{2}", "0.8660254037844486"],
    ["\\sin(\\pi/4)", "0.707106781186557"],
    ["\\sqrt{2}", "1.41421356"],
    ["0.264", "0.265"],
    ["100000", "100001"],
    ["25", "26"],
    ["3", "-3"],
    ["50\\%", "5"],
    ["\\frac{37}{4} m", "m"],
    ["7.6 Z", "7.6"],
    ["2", "2i"],
    ["\\infty", "-\\infty"],
    ["I(0)", "I(0)e^{-\\frac{t}{RC}}"],
    ["52_8", "42"],
  ])("%s ≠ %s", (a, b) => {
    expect(checker.equivalent(a, b)).toBe(false);
    expect(checker.equivalent(b, a)).toBe(false);
  });
});

describe("symbolic checker: expressions", () => {
  it.each([
    ["np.arcsin(10/13)", "\\arcsin{\\frac{1}{1.3}}"],
    ["\\frac{1}{2a}(\\exp{a*t} - \\exp{-a*t})", "\\frac{e^{at}-e^{-at}}{2a}"],
    ["\\arcsin{1.3 \\sin{\\theta_w}}", "\\arcsin(1.3\\sin\\theta_w)"],
    [
      "x_{0} \\cos (\\omega t)+$ $\\dot{x}_{0} \\sin (\\omega t) / \\omega",
      "x_{0} \\cos (\\omega t)+\\frac{\\dot{x}_{0}}{\\omega} \\sin (\\omega t)",
    ],
    ["\\sin^2 x + \\cos^2 x", "1"],
    ["\\sin ^{2} \\theta", "(\\sin\\theta)^2"],
    ["\\sin^{-1}(x)", "\\arcsin x"],
    ["\\log_{2} 8", "3"],
    ["\\ln(ab)", "\\ln a + \\ln b"],
    ["x^2-1", "(x-1)(x+1)"],
    ["\\frac{x^2-1}{x-1}", "x+1"],
    ["2k+2", "2(k+1)"],
    ["\\frac{1}{4} n(n+1)", "\\frac{n^2+n}{4}"],
    ["(n-2) 2^{n}+1", "n 2^n - 2^{n+1} + 1"],
    ["\\left\\lfloor\\frac{2 n}{3}\\right\\rfloor+1", "\\lfloor 2n/3 \\rfloor + 1"],
    ["y = 2x + 3", "2x + 3"],
    ["f(x)=2 x", "2x"],
    ["y^{\\prime}+r y-r x(t)=0", "y'+ry-rx(t)=0"],
    ["x' + \\frac{r}{V}x - rc = 0", "x^{\\prime}+\\frac{r}{V} x-r c=0"],
    ["5x - 7y + 11z + 4 = 0", "-10x + 14y - 22z - 8 = 0"],
    ["x > 3", "3 < x"],
    ["x \\ge 2", "2 \\le x"],
    ["\\frac{d x}{d t}=k x-a", "\\frac{dx}{dt} = kx - a"],
    [
      "\\frac{2 \\pi c^{2} R^{2}}{\\lambda^{5}\\left[e^{h c /(\\lambda k T)}-1\\right] d^{2}}",
      "\\frac{2 \\pi c^{2} R^{2}}{d^2 \\lambda^5 \\left(e^{\\frac{hc}{\\lambda k T}} - 1\\right)}",
    ],
    ["2^{1009}", "2 \\cdot 2^{1008}"],
    ["\\frac{100!}{2^{50}}", "\\frac{100!}{2^{49} \\cdot 2}"],
  ])("%s = %s", (a, b) => {
    expect(same(a, b)).toBe(true);
  });

  it.each([
    ["x^2+1", "(x+1)^2"],
    ["\\frac{e^{t}}{3}", "\\frac{e^{t}}{3}+ce^{-2t}"],
    ["(t + \\frac{1}{2} \\sin{2t}) u(t)", "(t - \\frac{1}{2}\\sin(2t))u(t)"],
    ["x > 3", "x < 3"],
    ["x \\ge 3", "x > 3"],
    ["y = 2x + 3", "x = 2y + 3"],
    ["\\sin x", "\\cos x"],
    ["\\lambda_{\\text {red}} / \\sqrt{2}", "\\frac{1}{\\sqrt{2}}c"],
    ["SRMC=LRMC", "SRAC=LRAC"],
    ["\\text{Evelyn}", "\\text{Evenly}"],
  ])("%s ≠ %s", (a, b) => {
    expect(checker.equivalent(a, b)).toBe(false);
    expect(checker.equivalent(b, a)).toBe(false);
  });
});

describe("symbolic checker: more identities and near misses", () => {
  it.each([
    ["\\frac{-1+\\sqrt{5}}{2}", "(\\sqrt5-1)/2", true],
    ["x=2 \\text{ or } x=3", "3, 2", true],
    ["e^{i\\pi}", "-1", true],
    ["\\cos(2x)", "1 - 2\\sin^2 x", true],
    ["\\log_2 x", "\\frac{\\ln x}{\\ln 2}", true],
    ["\\sin 2x", "2\\sin x\\cos x", true],
    ["\\binom{n}{2}", "\\frac{n(n-1)}{2}", true],
    ["\\sqrt[3]{-8}", "-2", true],
    ["\\sqrt{-1}", "i", true],
    ["x^{2}", "x**2", true],
    ["1,000,000", "10^6", true],
    ["5 \\mathrm{~km} \\mathrm{~s}^{-1}", "5", true],
    ["x^2+y^2=1", "y^2 + x^2 - 1 = 0", true],
    ["A", "a", false],
    ["|x-3|", "3-x", false],
    ["2\\sqrt{2}", "2.828", false],
    ["\\frac{1}{7}", "0.142857", false],
    ["\\frac{1}{54}", "\\frac{15}{4}", false],
    ["\\frac{1}{25}", "\\frac{12}{5}", false],
    ["1 2", "12", false],
    ["6.02 \\times 10^{23}", "6.03e23", false],
    ["2,3", "2.3", false],
    ["x^2+y^2=1", "x^2 + y^2 = 2", false],
    ["a = 3", "b = 3", false],
    ["(x, y) = (1, 2)", "(1,2)", true],
    ["(x, y) = (1, 2)", "(2,1)", false],
    ["164 \\pi \\mbox{ square feet}", "164\\pi", true],
    ["5 sec", "5", true],
    ["\\text{5 cm}", "5", true],
    ["2 pi", "2\\pi", true],
    ["2^n", "n^2", false],
    ["\\frac{\\pi}{3}", "60^\\circ", false],
  ])("%s vs %s → %s", (a, b, expected) => {
    expect(checker.equivalent(a, b)).toBe(expected);
    expect(checker.equivalent(b, a)).toBe(expected);
  });
});

describe("symbolic checker: tuples, intervals, sets, lists, matrices", () => {
  it.each([
    ["(1, 2)", "\\left( 1, 2 \\right)"],
    ["(3,4]", "\\left(3, 4\\right]"],
    ["[\\frac{1}{2}, 8]", "[0.5, 8]"],
    ["(-\\infty, 0]", "(-\\infty,0]"],
    ["(-\\infty, 2) \\cup (3, \\infty)", "(3, \\infty) \\cup (-\\infty, 2)"],
    ["x \\in [-2,7]", "[-2, 7]"],
    ["\\{1, 2, 3\\}", "\\{3, 1, 2\\}"],
    ["1, 2, 3", "3, 2, 1"],
    ["E_{1},E_{2}", "E_1, E_2"],
    ["2, 3, \\text{ and } 4", "4, 3, 2"],
    ["1 \\pm \\sqrt{19}", "1 - \\sqrt{19}, 1 + \\sqrt{19}"],
    ["\\{1\\pm\\sqrt{5},-2\\}", "\\{-2, 1+\\sqrt5, 1-\\sqrt5\\}"],
    ["(1,1), (3,2)", "(3,2), (1,1)"],
    ["f(x)=x$,$f(x)=2-x", "f(x)=2-x, f(x)=x"],
    [
      "\\begin{pmatrix} -1/3 \\\\ 2/3 \\end{pmatrix}",
      "\\begin{pmatrix} -\\frac{1}{3} \\\\ \\frac{2}{3} \\end{pmatrix}",
    ],
    ["\\begin{pmatrix} 1 & 0 \\\\ 0 & 1 \\end{pmatrix}", "\\begin{bmatrix} 1 & 0 \\\\ 0 & 1.0 \\end{bmatrix}"],
  ])("%s = %s", (a, b) => {
    expect(same(a, b)).toBe(true);
  });

  it.each([
    ["(1, 2)", "(2, 1)"],
    ["[1, 2]", "(1, 2]"],
    ["[1, 2)", "[1, 2]"],
    ["(1, 2)", "\\{1, 2\\}"],
    ["1, 2", "1, 2, 3"],
    ["1, 2", "1, 3"],
    ["\\begin{pmatrix} 1 & 0 \\\\ 0 & 1 \\end{pmatrix}", "\\begin{pmatrix} 0 & 1 \\\\ 1 & 0 \\end{pmatrix}"],
    ["(1,2),(3,4)", "(1,2),(4,3)"],
  ])("%s ≠ %s", (a, b) => {
    expect(checker.equivalent(a, b)).toBe(false);
    expect(checker.equivalent(b, a)).toBe(false);
  });
});

describe("symbolic checker: text answers and rejection", () => {
  it("compares what it cannot parse as normalised strings", () => {
    expect(parseAnswer("\\text{Evelyn}")).toBeNull();
    expect(same("\\text{Evelyn}", "Evelyn")).toBe(true);
    expect(same("\\text{(C)}", "(C)")).toBe(true);
    expect(checker.equivalent("\\text{(C)}", "\\text{(B)}")).toBe(false);
    expect(parseAnswer("\\frac{1}{2")).toBeNull();
    expect(parseAnswer("x^")).toBeNull();
    expect(parseAnswer("\\unknowncommand{3}")).toBeNull();
  });

  it("is bounded: long input, deep nesting and huge exponents are handled without hanging", () => {
    const deep = `${"(".repeat(500)}1${")".repeat(500)}`;
    expect(parseAnswer(deep)).toBeNull();
    expect(parseAnswer("1".repeat(5000))).toBeNull();
    expect(checker.equivalent("2^{10^{9}}", "2^{10^{9}}+1")).toBe(false);
    expect(checker.equivalent("10^{100000}", "10^{100000}")).toBe(true);
    expect(checker.equivalent("1e999999", "1e999998")).toBe(false);
    // a long sum is cut off by the tree-size bound or the per-item budget, never hangs
    expect(checker.equivalent(Array(300).fill("x^{99}").join("+"), Array(300).fill("x^{99}").join("-"))).toBe(false);
    // many unbalanced \\boxed{ are scanned in one pass
    expect(extractSymbolicAnswer("\\boxed{".repeat(20_000))).toBeNull();
  });
});

describe("symbolic checker: extraction and check", () => {
  it("reads the last \\boxed{} (nested braces), else the last Answer: line, else a final-answer sentence", () => {
    expect(extractSymbolicAnswer("so \\boxed{1} then \\boxed{\\frac{1}{2}}.")).toBe("\\frac{1}{2}");
    expect(extractSymbolicAnswer("\\fbox{x^{2}}")).toBe("x^{2}");
    expect(extractSymbolicAnswer("work\nAnswer: 42\nmore\nAnswer: $17$")).toBe("17");
    expect(extractSymbolicAnswer("Final Answer: The final answer is $\\frac{3}{4}$. I hope it is correct.")).toBe(
      "\\frac{3}{4}",
    );
    expect(extractSymbolicAnswer("I think it is 12 or 13")).toBeNull();
    expect(createSymbolicChecker({ fallback: "last-number" }).extract("I think it is 12 or 13")).toBe("13");
  });

  it("checks a response against one gold or a list of golds", () => {
    expect(checker.check("thus \\boxed{-\\frac{1}{3}}", "-1./3")).toEqual({
      correct: true,
      extracted: "-\\frac{1}{3}",
    });
    expect(checker.check("\\boxed{3.83 \\times 10^{35}}", ["1", "3.83e35"]).correct).toBe(true);
    expect(checker.check("\\boxed{2}", ["1", "3"]).correct).toBe(false);
    expect(checker.check("no answer here", "1")).toEqual({ correct: false, extracted: null });
    expect(checker.name).toBe("symbolic");
    expect(checker.canonicalKey).toBeUndefined();
  });

  it("honours rtol for decimal literals only", () => {
    const loose = createSymbolicChecker({ rtol: 1e-2 });
    expect(loose.equivalent("0.264", "0.265")).toBe(true);
    expect(loose.equivalent("\\frac{1}{3}", "0.333")).toBe(false);
    expect(() => createSymbolicChecker({ rtol: -1 })).toThrow(/rtol/);
  });
});
