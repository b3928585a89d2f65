import { describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import { fakeIO as io } from "./fake-io.js";

const lines = (s: string) =>
  s
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));

describe("sentrl se (docs/contracts.md §5)", () => {
  it("scores JSONL in order with the defaults (dapo, lengthNormalized, singleton)", async () => {
    // docs/algorithms.md §4.3 vector: clusters [0,0,0,0,0,1,1,2] with these mean token log-liks
    const means = [-0.2, -0.25, -0.3, -0.22, -0.28, -0.6, -0.55, -0.9];
    const lengths = [10, 20, 30, 40, 50, 60, 70, 80];
    const answers = ["4", "$4$", "4", "4", "4", "5", "5", "6"];
    const q1 = {
      id: "q1",
      responses: answers.map((a) => `work\nAnswer: ${a}`),
      logLik: means.map((m, i) => m * lengths[i]),
      lengths,
    };
    const q2 = { id: 7, responses: ["Answer: 1", "no answer", "also none"], logLik: [-1, -1, -1], lengths: [1, 1, 1] };
    const c = io(`${JSON.stringify(q1)}\n\n${JSON.stringify(q2)}\n`);
    expect(await main(["se"], c)).toBe(0);
    const out = lines(c.out());
    expect(out).toHaveLength(2);
    expect(out[0].id).toBe("q1");
    expect(out[0].semanticEntropy).toBeCloseTo(0.7583633828422663, 12);
    expect(out[0].clusterIds).toEqual([0, 0, 0, 0, 0, 1, 1, 2]);
    expect(out[1]).toEqual({ id: 7, semanticEntropy: expect.any(Number), clusterIds: [0, 1, 2] });
    expect(out[1].semanticEntropy).toBeCloseTo(Math.log(3), 12);
    expect(c.err()).toBe("");
  });

  it("discrete needs no likelihoods; --invalid shared puts answerless responses together", async () => {
    const rec = { id: "a", responses: ["Answer: 1", "none", "Answer: 1", "nothing", "\\boxed{1}"] };
    const c = io(JSON.stringify(rec));
    expect(await main(["se", "--estimator", "discrete", "--invalid", "shared"], c)).toBe(0);
    expect(lines(c.out())[0]).toEqual({ id: "a", semanticEntropy: expect.any(Number), clusterIds: [0, 1, 0, 1, 0] });
    expect(lines(c.out())[0].semanticEntropy).toBeCloseTo(-(0.6 * Math.log(0.6) + 0.4 * Math.log(0.4)), 12);
    const d = io(JSON.stringify(rec));
    expect(await main(["se", "--estimator", "discrete", "--checker", "symbolic"], d)).toBe(0);
    expect(lines(d.out())[0].clusterIds).toEqual([0, 1, 0, 2, 0]);
  });

  it("likelihood estimators without logLik/lengths are coded errors; bad options are usage errors", async () => {
    const c = io('{"id":"a","responses":["Answer: 1"]}\n');
    expect(await main(["se"], c)).toBe(1);
    expect(c.err()).toMatch(/^sentrl: SE_LOGLIK_REQUIRED: stdin line 1: /);
    const k = io('{"id":"a","responses":["Answer: 1"],"logLik":[-1]}\n');
    expect(await main(["se", "--estimator", "kuhn"], k)).toBe(1);
    expect(k.err()).toMatch(/^sentrl: SE_LENGTHS_REQUIRED: /);
    const r = io('{"id":"a","responses":["Answer: 1","Answer: 2"],"logLik":[-1,-2]}\n');
    expect(await main(["se", "--estimator", "raw"], r)).toBe(0);
    const b = io('{"id":"a","responses":"x"}\n');
    expect(await main(["se", "--estimator", "discrete"], b)).toBe(1);
    expect(b.err()).toMatch(/^sentrl: SE_BAD_INPUT: /);
    const u = io("");
    expect(await main(["se", "--estimator", "bogus"], u)).toBe(2);
    expect(u.err()).toMatch(/^sentrl: USAGE: unknown --estimator `bogus`/);
    expect(await main(["se", "--clustering", "nli"], io(""))).toBe(2);
    expect(await main(["se", "--checker", "nope"], io(""))).toBe(2);
  });

  it("has --help", async () => {
    const c = io("");
    expect(await main(["se", "--help"], c)).toBe(0);
    expect(c.out()).toContain("--estimator");
  });
});

describe("sentrl se on a bad line", () => {
  it("writes the lines scored before it, then fails with the line number", async () => {
    const c = io('{"id":"a","responses":["Answer: 1"]}\n{"id":"b","responses":[1]}\n');
    expect(await main(["se", "--estimator", "discrete"], c)).toBe(1);
    expect(lines(c.out())).toEqual([{ id: "a", semanticEntropy: 0, clusterIds: [0] }]);
    expect(c.err()).toMatch(/^sentrl: SE_BAD_INPUT: stdin line 2/);
  });
});
