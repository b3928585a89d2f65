import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createSymbolicChecker } from "../src/symbolic/index.js";
import { BENCH_DIR, HAVE_BENCH } from "../../core/test/shared-data.js";
import { lastBoxedOf } from "./symbolic-golds.js";

interface Pair {
  index: number;
  idx: number;
  gold: string;
  alternatives: string[];
  identical: boolean;
  expected: boolean;
  reason: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(readFileSync(path.join(here, "fixtures/minerva-pairs.json"), "utf8")) as { pairs: Pair[] };
const checker = createSymbolicChecker({});

describe("symbolic checker on the two Minerva gold copies (hand-classified pairs)", () => {
  it("the fixture covers all 272 problems: 146 identical strings, the rest classified by hand", () => {
    expect(fixture.pairs).toHaveLength(272);
    expect(fixture.pairs.filter((p) => p.identical)).toHaveLength(146);
    const differing = fixture.pairs.filter((p) => !p.identical);
    expect(differing.filter((p) => p.expected).length).toBeGreaterThan(80);
    expect(differing.filter((p) => !p.expected).length).toBeGreaterThan(30);
  });

  it("judges every pair as classified (gold equivalent to any alternative), in both directions; equal pairs share a cluster key", () => {
    const wrong: string[] = [];
    for (const p of fixture.pairs) {
      const forward = p.alternatives.some((a) => checker.equivalent(p.gold, a));
      const backward = p.alternatives.some((a) => checker.equivalent(a, p.gold));
      if (forward !== p.expected || backward !== p.expected)
        wrong.push(`#${p.index} ${p.gold} vs ${p.alternatives.join(" | ")}: ${p.reason}`);
      for (const a of p.alternatives) {
        const ka = checker.clusterKeys(a);
        const kg = checker.clusterKeys(p.gold);
        if (checker.equivalent(p.gold, a) && ka !== null && kg !== null && !ka.some((k) => kg.includes(k)))
          wrong.push(`#${p.index} cluster keys: ${p.gold} vs ${a}`);
      }
      const alt0 = (p.alternatives[0] ?? "").trim();
      const viaCheck = checker.check(`so the answer is \\boxed{${alt0}}.`, p.gold);
      if (viaCheck.extracted !== alt0 || viaCheck.correct !== checker.equivalent(alt0, p.gold))
        wrong.push(`#${p.index} check(): ${alt0}`);
    }
    expect(wrong).toEqual([]);
  });

  it.skipIf(!HAVE_BENCH)(
    `the fixture matches the shared benchmark files (${HAVE_BENCH ? "present" : `skipped: ${BENCH_DIR} is absent`})`,
    () => {
      const rows = (f: string) =>
        readFileSync(path.join(BENCH_DIR, f), "utf8")
          .split("\n")
          .filter((l) => l.trim() !== "")
          .map((l) => JSON.parse(l) as { solution: string; idx: number; answer?: string[] });
      const qwen = rows("minerva_math/test.jsonl");
      const alt = new Map(rows("minerva_math_rllm_alt/test.jsonl").map((r) => [r.idx, r.answer ?? []]));
      let identical = 0;
      for (const p of fixture.pairs) {
        const row = qwen[p.index];
        expect(row?.idx).toBe(p.idx);
        expect(lastBoxedOf(row?.solution ?? "")).toBe(p.gold);
        expect(alt.get(p.idx)).toEqual(p.alternatives);
        if (p.alternatives.map((a) => a.trim()).includes(p.gold.trim())) identical++;
      }
      expect(identical).toBe(146);
    },
  );
});
