import { describe, expect, it } from "vitest";
import { createSymbolicChecker, parseSymbolicAnswer } from "../src/symbolic/index.js";
import { HAVE_BENCH } from "../../core/test/shared-data.js";
import { loadGolds } from "./symbolic-golds.js";

const checker = createSymbolicChecker({});

/** Seeds: a built-in list, plus every benchmark gold when the shared folder is present. */
const BUILT_IN = [
  "\\frac{14}{3}",
  "3\\sqrt{13}",
  "6 - 5i",
  "x^5 - x^4 + x^3 - x^2 + x - 1",
  "(6,31,-1)",
  "(3,4]",
  "[\\frac{1}{2}, 8]",
  "(-\\infty, 2) \\cup (3, \\infty)",
  "3.83e35",
  "np.arcsin(10/13)",
  "\\frac{1}{2a}(\\exp{a*t} - \\exp{-a*t})",
  "-2+2 \\sqrt{3} i",
  "\\left(\\frac{3}{5},\\frac{8}{3}\\right]",
  "1 \\pm \\sqrt{19}",
  "2^{1009}",
  "\\frac{n(n+1)(2 n+1)}{6}",
  "025",
  "62.5%",
];
const seeds = [
  ...new Set([...BUILT_IN, ...(HAVE_BENCH ? Object.values(loadGolds()).flat() : [])].map((g) => g.trim())),
];

/** Deterministic pseudo-random index. */
const pick = (k: number, n: number) => (Math.imul(k + 1, 2654435761) >>> 0) % n;

function changeFirstDigit(g: string): string | null {
  const m = /\d/.exec(g);
  if (!m) return null;
  const d = Number(m[0]);
  return `${g.slice(0, m.index)}${(d + 1) % 10}${g.slice(m.index + 1)}`;
}

/** Top-level `( … )` / `[ … ]` tuple or interval → its opening char, items and closing char (null if not one). */
function splitTuple(g: string): { open: string; items: string[]; close: string } | null {
  const s = g.replace(/\\left|\\right/g, "").trim();
  if (!/^[([]/.test(s) || !/[)\]]$/.test(s)) return null;
  const inner = s.slice(1, -1);
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let k = 0; k < inner.length; k++) {
    const ch = inner[k];
    if (ch === "(" || ch === "[" || ch === "{") depth++;
    else if (ch === ")" || ch === "]" || ch === "}") depth--;
    if (depth < 0) return null;
    if (ch === "," && depth === 0) {
      items.push(inner.slice(start, k));
      start = k + 1;
    }
  }
  items.push(inner.slice(start));
  return items.length >= 2 && depth === 0 ? { open: s[0] as string, items, close: s.at(-1) as string } : null;
}

describe(`symbolic checker properties over ${seeds.length} seed answers${HAVE_BENCH ? "" : " (built-in seeds only: shared benchmarks absent)"}`, () => {
  it("symmetry: equivalent(a, b) === equivalent(b, a) on pairs of seeds and on near-miss pairs", () => {
    const asym: string[] = [];
    for (let k = 0; k < seeds.length; k++) {
      const a = seeds[k] as string;
      const b = seeds[pick(k, seeds.length)] as string;
      for (const [x, y] of [
        [a, b],
        [a, changeFirstDigit(a) ?? a],
      ] as const) {
        if (checker.equivalent(x, y) !== checker.equivalent(y, x)) asym.push(`${x} | ${y}`);
      }
    }
    expect(asym).toEqual([]);
  });

  it("a changed digit is never merged", () => {
    const merged: string[] = [];
    for (const g of seeds) {
      const m = changeFirstDigit(g);
      if (m !== null && checker.equivalent(g, m)) merged.push(`${g} ~ ${m}`);
    }
    expect(merged).toEqual([]);
  });

  it("a flipped sign is never merged (non-zero scalars)", () => {
    const merged: string[] = [];
    let tried = 0;
    for (const g of seeds) {
      const e = parseSymbolicAnswer(g);
      if (
        e === null ||
        ["list", "set", "seq", "union", "matrix", "rel"].includes(e.kind) ||
        checker.equivalent(g, "0") ||
        /\\pm|\\mp/.test(g)
      )
        continue;
      tried++;
      const flipped = `-(${g})`;
      if (checker.equivalent(g, flipped)) merged.push(`${g} ~ ${flipped}`);
    }
    expect(tried).toBeGreaterThan(10);
    expect(merged).toEqual([]);
  });

  it("swapped tuple elements and a changed interval end are never merged", () => {
    const merged: string[] = [];
    let tuples = 0;
    for (const g of seeds) {
      const t = splitTuple(g);
      if (t === null) continue;
      const [a, b, ...rest] = t.items as [string, string, ...string[]];
      if (!checker.equivalent(a, b)) {
        tuples++;
        const swapped = `${t.open}${[b, a, ...rest].join(",")}${t.close}`;
        if (checker.equivalent(g, swapped)) merged.push(`${g} ~ ${swapped}`);
      }
      if (t.items.length === 2) {
        const flipOpen = `${t.open === "(" ? "[" : "("}${t.items.join(",")}${t.close}`;
        const flipClose = `${t.open}${t.items.join(",")}${t.close === ")" ? "]" : ")"}`;
        for (const m of [flipOpen, flipClose]) if (checker.equivalent(g, m)) merged.push(`${g} ~ ${m}`);
      }
    }
    expect(tuples).toBeGreaterThan(3);
    expect(merged).toEqual([]);
  });
});
