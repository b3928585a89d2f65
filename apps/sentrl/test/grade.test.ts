import { describe, expect, it } from "vitest";
import { runCli } from "./fake-io.js";

async function cli(args: string[], stdin = "") {
  const { code, stdout: out, stderr: err } = await runCli(args, stdin);
  const lines = () =>
    out
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  return {
    code,
    out,
    err,
    get lines() {
      return lines();
    },
  };
}

const jsonl = (items: unknown[]) => `${items.map((x) => JSON.stringify(x)).join("\n")}\n`;

describe("sentrl grade (docs/contracts.md §4)", () => {
  const items = [
    { response: "Let me think.\nAnswer: $1,000$", gold: "1000" },
    { response: "so \\boxed{\\dfrac{1}{2}}", gold: "\\frac{1}{2}" },
    { response: "The answer is 7.", gold: ["6", "7"] },
    { response: "nothing here", gold: "3" },
  ];

  it("dapo: one verdict per line, in order, reading only the Answer: line", async () => {
    const r = await cli(["grade", "--checker", "dapo"], jsonl(items));
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([
      { correct: true, extracted: "$1,000$" },
      { correct: false, extracted: null },
      { correct: false, extracted: null },
      { correct: false, extracted: null },
    ]);
  });

  it("opencompass-v2: boxed answer, else the 'answer is' sentence, else the first sentence", async () => {
    const r = await cli(["grade", "--checker", "opencompass-v2"], jsonl(items));
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([
      { correct: false, extracted: "Letmethink" },
      { correct: true, extracted: "\\dfrac{1}{2}" },
      { correct: true, extracted: "7" },
      { correct: false, extracted: "nothinghere" },
    ]);
  });

  it("symbolic is wired through getChecker and accepts --rtol/--fallback", async () => {
    const r = await cli(
      ["grade", "--checker", "symbolic", "--rtol", "1e-4"],
      jsonl([{ response: "\\boxed{0.5}", gold: "\\frac{1}{2}" }]),
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(1);
    expect(typeof r.lines[0].correct).toBe("boolean");
  });

  it("usage errors exit 2; bad input lines exit 1 with a code", async () => {
    expect((await cli(["grade"], "")).code).toBe(2);
    expect((await cli(["grade", "--checker", "nope"], "")).code).toBe(2);
    expect((await cli(["grade", "--checker", "dapo", "--rtol", "0.1"], "")).code).toBe(2);
    const bad = await cli(["grade", "--checker", "dapo"], `${JSON.stringify(items[0])}\n{oops\n`);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^sentrl: GRADE_BAD_INPUT: stdin line 2/);
    expect(bad.lines).toHaveLength(1); // the good line before it was already answered
    const noGold = await cli(["grade", "--checker", "dapo"], `${JSON.stringify({ response: "x" })}\n`);
    expect(noGold.err).toMatch(/GRADE_BAD_INPUT: stdin line 1: "gold"/);
  });

  it("--help describes the formats", async () => {
    const r = await cli(["grade", "--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('{"correct": bool, "extracted": string | null}');
  });
});
