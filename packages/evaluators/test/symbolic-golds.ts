/** Helpers for the symbolic tests and bench: every benchmark's gold answers (from the shared folder, see shared.ts). */
import { readFileSync } from "node:fs";
import path from "node:path";
import { BENCH_DIR } from "../../core/test/shared-data.js";

function rows(rel: string): Record<string, unknown>[] {
  return readFileSync(path.join(BENCH_DIR, rel), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Contents of the last `\boxed{…}` of a solution (nested braces). */
export function lastBoxedOf(s: string): string {
  const i = s.lastIndexOf("\\boxed");
  const j = s.indexOf("{", i);
  let depth = 0;
  for (let k = j; k < s.length; k++) {
    if (s[k] === "{") depth++;
    else if (s[k] === "}" && --depth === 0) return s.slice(j + 1, k);
  }
  throw new Error("unbalanced \\boxed");
}

/** Gold answers per benchmark, as SOURCES.md's field map says (strings, as written). */
export function loadGolds(): Record<string, string[]> {
  return {
    math500: rows("math500/test.jsonl").map((r) => String(r.answer)),
    aime24: rows("aime24/test.jsonl").map((r) => String(r.answer)),
    aime25: rows("aime25/test.jsonl").map((r) => String(r.answer)),
    amc23: rows("amc23/test.jsonl").map((r) => String(r.answer)),
    olympiadbench: rows("olympiadbench/test.jsonl").map((r) =>
      String((r.final_answer as string[])[0]).replace(/^\$+|\$+$/g, ""),
    ),
    minerva_math: rows("minerva_math/test.jsonl").map((r) => lastBoxedOf(String(r.solution))),
    minerva_math_rllm_alt: rows("minerva_math_rllm_alt/test.jsonl").flatMap((r) => r.answer as string[]),
    gsm8k: rows("gsm8k/test.jsonl").map((r) => String(r.answer).split("####").at(-1)?.trim() ?? ""),
    math_train: rows("math_train_deepscaler/train.jsonl").map((r) => String(r.answer)),
  };
}

/** A re-rendered form of a gold: `\frac{a}{b}` → `(a)/(b)`, `27` ↔ `27.0`, `\dfrac` → `\frac`, added spacing. */
export function rerender(gold: string): string {
  let s = gold.trim();
  if (/^-?\d+$/.test(s)) return `${s}.0`;
  if (/^-?\d+\.0$/.test(s)) return s.slice(0, -2);
  s = s.replace(/\\dfrac/g, "\\frac");
  if (/\\[a-zA-Z]+\s*\\frac/.test(s)) return s.replace(/,(?!\\!|\}|\d{3}(?!\d))/g, ", "); // `\\sec \\frac{1}{2} \\theta`: keep the frac
  // not after a digit: `1\\frac{4}{5}` is a mixed number
  for (let k = 0; k < 3; k++) s = s.replace(/(^|[^\d\s])(\s*)\\frac\{([^{}]+)\}\{([^{}]+)\}/g, "$1$2((($3))/($4))");
  // spacing after list commas (not thousands separators such as `1{,}000` or `20,\\!000`)
  s = s.replace(/,(?!\\!|\}|\d{3}(?!\d))/g, ", ");
  return s.replace(/\+/g, " + ").replace(/=/g, " = ");
}
