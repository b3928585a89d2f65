import { ParseError } from "./errors.js";

/** A token of a (pre-processed) final answer. */
export type Token =
  | { t: "num"; v: string; exp: number; sci: boolean }
  | { t: "word"; v: string }
  | { t: "cmd"; v: string }
  | { t: "sub"; v: string }
  | { t: "op"; v: string };

const OPS = new Set([
  "+",
  "-",
  "*",
  "/",
  "^",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  ",",
  ";",
  "!",
  "'",
  "=",
  "<",
  ">",
  "|",
  "&",
  "%",
  ":",
]);

/** Normalises the raw text of a subscript into part of a symbol name (`{\text {red}}` → `red`). */
function subscriptName(raw: string): string {
  return raw.replace(/\\(?:text|mathrm|textrm|mathit|mathbf|operatorname|rm)\s*/g, "").replace(/[\s{}\\]/g, "");
}

/** Splits a pre-processed answer into tokens; throws ParseError on characters it does not know. */
export function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = s.length;
  while (i < n) {
    const ch = s[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (/[0-9.]/.test(ch)) {
      const m = /^(\d+\.?\d*|\.\d+)/.exec(s.slice(i));
      if (!m) throw new ParseError(`stray '.' at ${i}`);
      let v = m[0];
      i += v.length;
      let exp = 0;
      let sci = false;
      const e = /^[eE]([+-]?\d{1,6})(?![\d.])/.exec(s.slice(i));
      if (e) {
        exp = Number(e[1]);
        sci = true;
        i += e[0].length;
      }
      if (v.endsWith(".") && v.length > 1) v = v.slice(0, -1) + ".";
      out.push({ t: "num", v, exp, sci });
      continue;
    }
    if (/[a-zA-Z]/.test(ch)) {
      const m = /^[a-zA-Z]+/.exec(s.slice(i)) as RegExpExecArray;
      out.push({ t: "word", v: m[0] });
      i += m[0].length;
      continue;
    }
    if (ch === "\\") {
      const next = s[i + 1];
      if (next === undefined) throw new ParseError("trailing backslash");
      if (/[a-zA-Z]/.test(next)) {
        const m = /^[a-zA-Z]+/.exec(s.slice(i + 1)) as RegExpExecArray;
        out.push({ t: "cmd", v: m[0] });
        i += 1 + m[0].length;
        continue;
      }
      if (next === "{" || next === "}") out.push({ t: "op", v: next === "{" ? "\\{" : "\\}" });
      else if (next === "\\") out.push({ t: "op", v: "\\\\" });
      else if (next === "|") out.push({ t: "op", v: "|" });
      else if (next === "%") out.push({ t: "op", v: "%" });
      else if (/[,;:! ]/.test(next)) {
        // thin spaces
      } else throw new ParseError(`unknown escape \\${next}`);
      i += 2;
      continue;
    }
    if (ch === "_") {
      i++;
      while (i < n && /\s/.test(s[i] as string)) i++;
      if (s[i] === "{") {
        let depth = 0;
        const start = i;
        for (; i < n; i++) {
          if (s[i] === "{") depth++;
          else if (s[i] === "}") {
            depth--;
            if (depth === 0) break;
          }
        }
        if (depth !== 0) throw new ParseError("unbalanced subscript braces");
        const name = subscriptName(s.slice(start + 1, i));
        if (!/^[A-Za-z0-9',+-]+$/.test(name)) throw new ParseError(`subscript '${name}' is not a name`);
        out.push({ t: "sub", v: name });
        i++;
      } else if (s[i] === "\\") {
        const m = /^\\[a-zA-Z]+/.exec(s.slice(i));
        if (!m) throw new ParseError("bad subscript");
        out.push({ t: "sub", v: m[0].slice(1) });
        i += m[0].length;
      } else if (i < n && /[A-Za-z0-9]/.test(s[i] as string)) {
        out.push({ t: "sub", v: s[i] as string });
        i++;
      } else throw new ParseError("empty subscript");
      continue;
    }
    if (ch === "*" && s[i + 1] === "*") {
      out.push({ t: "op", v: "^" });
      i += 2;
      continue;
    }
    if ((ch === "<" || ch === ">" || ch === "!") && s[i + 1] === "=") {
      out.push({ t: "op", v: ch === "!" ? "!=" : `${ch}=` });
      i += 2;
      continue;
    }
    if (OPS.has(ch)) {
      out.push({ t: "op", v: ch });
      i++;
      continue;
    }
    throw new ParseError(`unexpected character '${ch}'`);
  }
  return out;
}
