import { describe, expect, it } from "vitest";
import { createSymbolicChecker, parseSymbolicAnswer } from "../src/symbolic/index.js";
import { BENCH_DIR, HAVE_BENCH } from "../../core/test/shared-data.js";
import { loadGolds, rerender } from "./symbolic-golds.js";

const checker = createSymbolicChecker({});

describe.skipIf(!HAVE_BENCH)(
  `every benchmark gold against itself and a re-rendered form (${HAVE_BENCH ? "shared data present" : `skipped: ${BENCH_DIR} is absent`})`,
  () => {
    const golds = HAVE_BENCH ? loadGolds() : {};
    const names = [
      "math500",
      "aime24",
      "aime25",
      "amc23",
      "olympiadbench",
      "minerva_math",
      "minerva_math_rllm_alt",
      "gsm8k",
      "math_train",
    ];
    it.each(names)("%s", (name) => {
      expect(golds[name]?.length ?? 0).toBeGreaterThan(0);
      const failures: string[] = [];
      for (const g of golds[name] ?? []) {
        if (!checker.equivalent(g, g)) failures.push(`self: ${g}`);
        // Unparsed golds (text answers) are re-rendered with spacing only; parsed ones also with a/b, 27.0, …
        const parsed = parseSymbolicAnswer(g) !== null;
        const r = parsed ? rerender(g) : g.replace(/,/g, ", ");
        if (!checker.equivalent(g, r) || !checker.equivalent(r, g)) failures.push(`re-rendered: ${g} -> ${r}`);
        // equivalent answers share a cluster key (or one has none)
        const kg = checker.clusterKeys(g);
        const kr = checker.clusterKeys(r);
        if (kg !== null && kr !== null && !kg.some((k) => kr.includes(k))) failures.push(`cluster keys: ${g} -> ${r}`);
      }
      expect(failures).toEqual([]);
    });
  },
);

describe("re-rendering used above", () => {
  it("rewrites fractions, integers and spacing", () => {
    expect(rerender("\\frac{3}{4}")).toBe("(((3))/(4))");
    expect(rerender("27")).toBe("27.0");
    expect(rerender("27.0")).toBe("27");
    expect(rerender("1\\frac{4}{5}")).toBe("1\\frac{4}{5}");
    expect(rerender("(1,2)")).toBe("(1, 2)");
    expect(rerender("1{,}000")).toBe("1{,}000");
  });
});
