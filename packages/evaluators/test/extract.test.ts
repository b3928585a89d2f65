import { describe, expect, it } from "vitest";
import { extractAnswer, extractFinalAnswerSentence, extractGsm8kAnswer, getChecker } from "../src/index.js";

describe("extraction, separate from equivalence", () => {
  it("reports which rule found the answer", () => {
    expect(extractAnswer("x \\boxed{\\frac{1}{2}} y")).toEqual({ kind: "boxed", text: "\\frac{1}{2}" });
    expect(extractAnswer("work\nAnswer: 12")).toEqual({ kind: "answer-line", text: "12" });
    expect(extractAnswer("So the final answer is 7.")).toEqual({ kind: "final-answer", text: "7" });
    expect(extractAnswer("She has 3 left.\n#### 3", ["gsm8k"])).toEqual({ kind: "gsm8k", text: "3" });
    expect(extractAnswer("nothing")).toBeNull();
  });
  it("final-answer sentences and GSM8K ####", () => {
    expect(extractFinalAnswerSentence("The answer is: 42.\nThe final answer is 43.")).toBe("43");
    expect(extractGsm8kAnswer("…\n#### 1,000")).toBe("1,000");
    expect(extractGsm8kAnswer("no marker")).toBeNull();
  });
  it("getChecker knows the three names and rejects others with a code", () => {
    expect(getChecker("dapo").name).toBe("dapo");
    expect(getChecker("opencompass-v2").name).toBe("opencompass-v2");
    expect(() => getChecker("lm-eval")).toThrow(expect.objectContaining({ code: "CHECKER_UNKNOWN" }));
  });
});
