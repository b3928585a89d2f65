/**
 * The answer kinds of issue 19, each with equal cases and near misses that must stay unequal (README, "symbolic").
 */
import { describe, expect, it } from "vitest";
import { createSymbolicChecker, extractSymbolicAnswer } from "../src/symbolic/index.js";

const checker = createSymbolicChecker({});
const judge = (a: string, b: string) => {
  const ab = checker.equivalent(a, b);
  expect(checker.equivalent(b, a)).toBe(ab); // symmetric
  return ab;
};

function kind(name: string, equal: [string, string][], unequal: [string, string][]): void {
  describe(`symbolic checker: ${name}`, () => {
    it.each(equal)("%s = %s", (a, b) => expect(judge(a, b)).toBe(true));
    it.each(unequal)("%s ≠ %s", (a, b) => expect(judge(a, b)).toBe(false));
  });
}

describe("symbolic extraction: several boxes, and an answer after the last box", () => {
  it.each([
    ["so \\boxed{(2,2)} and \\boxed{(6,2)}.", "(2,2), (6,2)"],
    ["$\\boxed{1}$, $\\boxed{2}$, $\\boxed{3}$", "1, 2, 3"],
    ["\\boxed{1},\\boxed{2} \\text{ or } \\boxed{3}", "1, 2, 3"],
    ["\\boxed{x=2}\\quad\\boxed{x=3}", "x=2, x=3"],
    // prose between boxes: only the last counts
    ["first \\boxed{1}, then we correct it: \\boxed{2}", "2"],
    ["\\boxed{1} is wrong, so \\boxed{2}", "2"],
    // an empty box does not join
    ["\\boxed{} and \\boxed{5}", "5"],
    // a final-answer sentence or an Answer: line after the last box wins
    ["\\boxed{3}. Wait, recheck. The final answer is $4$.", "4"],
    ["We get \\boxed{3}.\nAnswer: 5", "5"],
    ["The final answer is $\\boxed{7}$. I hope it is correct.", "7"],
    ["Answer: \\boxed{8}", "8"],
    ["\\boxed{5}. The final answer is correct.", "5"], // a later sentence counts only if it is mathematics
    ["\\boxed{5}\nAnswer: see above", "5"],
    ["$\\boxed{5}$ $\\boxed{5}$", "5"],
  ])("%s → %s", (response, expected) => {
    expect(extractSymbolicAnswer(response)).toBe(expected);
  });

  it("checks several boxes against a gold that lists them all, in any order, and not against one of them", () => {
    expect(checker.check("\\boxed{(2,2)} and \\boxed{(6,2)}", "(6,2), (2,2)").correct).toBe(true);
    expect(checker.check("\\boxed{1},\\boxed{2},\\boxed{3}", "\\{1, 2, 3\\}").correct).toBe(true);
    expect(checker.check("\\boxed{(2,2)} and \\boxed{(6,2)}", "(2,2)").correct).toBe(false);
    expect(checker.check("\\boxed{1},\\boxed{2}", "1, 2, 3").correct).toBe(false);
    expect(checker.check("\\boxed{1} then fixed: \\boxed{2}", "1, 2").correct).toBe(false);
  });
});

kind(
  "labelled equations",
  [
    ["AB=4, CD=5", "4, 5"],
    ["|AB|=1", "1"],
    ["V_1:V_2=11:21", "11:21"],
    ["x = 11", "11"],
    ["p=5,q=2; p=7,q=2", "(5,2),(7,2)"],
    ["p=7,q=2; p=5,q=2", "(5,2),(7,2)"],
    ["x=1, y=2", "(1,2)"],
    ["BC = \\frac{1}{2}", "0.5"],
    ["a:b = 2:3", "2:3"],
  ],
  [
    ["AB=4, CD=5", "4, 6"],
    ["|AB|=1", "2"],
    ["V_1:V_2=11:21", "21:11"],
    ["11:21", "11/21"],
    ["p=5,q=2; p=7,q=2", "(2,5),(7,2)"],
    ["x=1, y=2", "(2,1)"],
    ["x=1, x=2", "(1,2)"], // the same label twice is not a tuple
    ["x + y = 3", "3"], // not a label
    ["2x = 6", "6"],
    ["ab = 4", "4"], // a lowercase product is an expression, not a segment name
  ],
);

kind(
  "chains and approximations",
  [
    ["x = 5+5+1 = 11", "11"],
    ["x = 5+5+1 = 11", "x = 11"],
    ["5+5+1 = 11", "11"],
    ["0.56 = 56\\%", "56\\%"],
    ["x \\approx 11", "11"],
    ["\\frac{\\sqrt{3}}{3} \\approx 0.577", "\\frac{1}{\\sqrt{3}}"],
    ["x = \\frac{\\sqrt{3}}{3} \\approx 0.577", "\\frac{\\sqrt 3}{3}"],
    ["\\pi \\approx 3.14", "\\pi"],
  ],
  [
    ["x = 5+5+1 = 11", "12"],
    ["\\frac{\\sqrt{3}}{3} \\approx 0.577", "0.577"], // the exact value is the answer
    ["x \\approx 0.577", "\\frac{\\sqrt{3}}{3}"], // three digits are not the exact value
    ["x + 1 = 5 + 1 = 6", "6"], // no label, not constants
    ["x = 2 = 3", "2"],
    ["1.56 = 56\\%", "56\\%"], // an arithmetic chain counts only when its members are equal
  ],
);

kind(
  "inequalities and intervals",
  [
    ["0<f(x)<1", "(0,1)"],
    ["1 \\le |z| \\le 3/2", "[1, \\frac{3}{2}]"],
    ["x > 2", "(2, \\infty)"],
    ["x \\le 3", "(-\\infty, 3]"],
    ["1 > x > 0", "(0, 1)"],
    ["-1 \\leq t < \\sqrt{2}", "[-1, \\sqrt 2)"],
  ],
  [
    ["0<f(x)<1", "[0,1]"],
    ["0 \\le x < 1", "(0,1)"],
    ["0 < 2x < 1", "(0,1)"], // the middle is not a label
    ["x > 2", "[2, \\infty)"],
    ["x < 2", "(2, \\infty)"],
    ["0 < x < 1", "(0, 2)"],
  ],
);

kind(
  "printed decimals against exact values (12+ significant digits, within one unit of the last)",
  [
    ["0.0833333333333333", "\\frac{1}{12}"],
    ["4.123105625617661", "\\sqrt{17}"],
    ["-0.577350269189626", "-\\frac{\\sqrt3}{3}"],
    ["3.14159265358979", "\\pi"],
    ["0.666666666666667", "\\frac{2}{3}"],
  ],
  [
    ["0.0833333333334333", "\\frac{1}{12}"],
    ["4.123105625617671", "\\sqrt{17}"],
    ["0.08333", "\\frac{1}{12}"], // few digits: a rounded answer, not the exact value (docs/contracts.md §4)
    ["6.283185307", "2\\pi"],
    ["3.14159265358979", "\\frac{22}{7}"],
    ["1.41421356237310", "\\sqrt{3}"],
  ],
);

kind(
  "notation",
  [
    ["\\cfrac{1}{2}", "1/2"],
    ["1 000", "1000"],
    ["1\\,000\\,000", "10^6"],
    ["1{,}000", "1000"],
    ["(0;0;0)", "(0,0,0)"],
    ["(1; -2)", "(1, -2)"],
    ["{1,3}", "\\{1,3\\}"],
    ["20 000 \\text{ km}", "20000"],
  ],
  [
    ["(0;0;1)", "(0,0,0)"],
    ["(0,5; 1)", "(0.5, 1)"], // commas and semicolons together: not read as a tuple
    ["12 3456", "123456"],
    ["1 00", "100"],
    ["0.5 000", "0.5"],
    ["{1,3}", "\\{1,4\\}"],
  ],
);

kind(
  "lists of tuples in another order",
  [
    ["(2,2) \\text{ or } (6,2)", "(6,2),(2,2)"],
    ["(1,2) and (3,4)", "(3,4), (1,2)"],
    ["(1,2), (3,4) \\text{ and } (5,6)", "(5,6), (1,2), (3,4)"],
  ],
  [
    ["(2,2) or (6,2)", "(2,2),(2,6)"],
    ["(2,2) or (6,2)", "(2,2)"],
    ["(1,2) and (3,4)", "(1,2), (3,4), (5,6)"],
  ],
);

kind(
  "thousands separators",
  [
    ["32,349", "32349"],
    ["1,000,000", "1000000"],
    ["-4,500.25", "-4500.25"],
  ],
  [
    ["32349", "32, 349"],
    ["32349", "32,34,9"],
    ["12,3456", "123456"],
    ["1,00", "100"],
  ],
);

kind(
  "large magnitudes: no tolerance swallows a term",
  [
    ["e^{100}(1+e^{-100})", "e^{100}+1"],
    ["\\frac{e^{100}+e}{e}", "e^{99}+1"],
    ["\\pi^{50}+1", "1+\\pi^{50}"],
    ["2^{200}+1", "1+2^{200}"],
    ["x^2+y^2+10^{-20}=1", "2x^2+2y^2+2 \\cdot 10^{-20}=2"],
    ["(a+b+c+d+f+g+h+j+k+l)^{40}+1", "1+(a+b+c+d+f+g+h+j+k+l)^{40}"],
  ],
  [
    ["e^{100}+1", "e^{100}"],
    ["\\pi^{50}+1", "\\pi^{50}"],
    ["(a+b+c+d+e+f+g+h+i+j+k+l)^{40}+1", "(a+b+c+d+e+f+g+h+i+j+k+l)^{40}"],
    ["2^{200}+1", "2^{200}"],
    ["\\sqrt{2}^{100}+1", "\\sqrt{2}^{100}"],
    ["e^{40}\\sqrt{3}+1", "e^{40}\\sqrt{3}"],
    ["10^{30}x + 1", "10^{30}x"],
    ["x^2+y^2+10^{-20}=1", "x^2+y^2=1"], // equations are proportional only exactly, where exact applies
    ["e^{40}x = 1", "e^{40}x + 1 = 1"],
    // equal, but beyond what float64 can show: judged unequal rather than merged (README: recall traded)
    ["\\sqrt{3}^{60}+1", "3^{30}+1"],
  ],
);

describe("symbolic cluster keys", () => {
  const pool = [
    "\\frac{1}{2}",
    "0.5",
    "50\\%",
    "50",
    "x = 0.5",
    "(1, 2)",
    "(2, 1)",
    "x=1, y=2",
    "1, 2",
    "\\{2, 1\\}",
    "0 < x < 1",
    "(0, 1)",
    "x > 2",
    "(2, \\infty)",
    "\\sqrt{17}",
    "4.123105625617661",
    "(x+1)^2",
    "x^2+2x+1",
    "3.83e35",
    "3.83 \\times 10^{35}",
    "3.8301e35",
    "0",
    "x - x",
    "\\text{East}",
    "east",
    "2x = 6",
    "x = 3",
    "3",
    "\\infty",
    "-\\infty",
    "V_1:V_2=11:21",
    "11:21",
    "\\begin{pmatrix} 1 & 2 \\end{pmatrix}",
    "\\sin^2 x + \\cos^2 x",
    "1",
    "e^{100}(1+e^{-100})",
    "e^{100}+1",
    "p=5,q=2; p=7,q=2",
    "(5,2),(7,2)",
    "32,349",
    "32349",
    "1 000",
    "1000",
  ];

  it("equivalent answers always share a key (or one of them has none)", () => {
    const keys = pool.map((a) => checker.clusterKeys(a));
    const missed: string[] = [];
    let shared = 0;
    for (let i = 0; i < pool.length; i++)
      for (let j = 0; j < pool.length; j++) {
        if (i === j || !checker.equivalent(pool[i] as string, pool[j] as string)) continue;
        const a = keys[i];
        const b = keys[j];
        if (a === null || b === null) continue;
        if (a.some((k) => b.includes(k))) shared++;
        else missed.push(`${pool[i]} ~ ${pool[j]}`);
      }
    expect(missed).toEqual([]);
    expect(shared).toBeGreaterThan(20);
  });

  it("keys most answers, and separates distinct numbers", () => {
    const keyed = pool.filter((a) => checker.clusterKeys(a) !== null);
    expect(keyed.length).toBeGreaterThan(pool.length - 6);
    const k1 = checker.clusterKeys("1000") ?? [];
    const k2 = checker.clusterKeys("1001") ?? [];
    expect(k1.some((k) => k2.includes(k))).toBe(false);
    // the documented example
    expect(checker.clusterKeys("\\frac{1}{2}")?.some((k) => checker.clusterKeys("0.5")?.includes(k))).toBe(true);
  });

  it("widens the cells with rtol so that decimals within rtol still share a key", () => {
    const loose = createSymbolicChecker({ rtol: 0.05 });
    expect(loose.equivalent("3.14", "3.2")).toBe(true);
    const a = loose.clusterKeys("3.14") ?? [];
    expect(loose.clusterKeys("3.2")?.some((k) => a.includes(k))).toBe(true);
  });
});
