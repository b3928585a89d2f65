/**
 * Linear-time scanners that reproduce specific Python `re` calls of the reference checkers exactly (global
 * `re.sub`/`re.findall`, `.` matching anything but "\n", code-point semantics) without a backtracking regex. Each
 * function names the Python pattern it stands for.
 */
import { cpWidth, isPyDigitCodePoint } from "./python.js";

const DECIMAL = /^\p{Nd}$/u;

function isDecimalAt(s: string, i: number): number {
  // Returns the width of the Unicode decimal digit (`\d` in a Python str pattern) at i, or 0.
  const w = cpWidth(s, i);
  if (w === 0) return 0;
  const c = s.charCodeAt(i);
  if (c >= 0x30 && c <= 0x39) return 1;
  if (c < 0x80) return 0;
  return DECIMAL.test(s.slice(i, i + w)) ? w : 0;
}

function lineEnd(s: string, from: number): number {
  const nl = s.indexOf("\n", from);
  return nl < 0 ? s.length : nl;
}

/**
 * The matches of `OPEN(.*?)CLOSE` with literal OPEN/CLOSE (CLOSE without "\n"), left to right: each OPEN is closed by
 * the first CLOSE on the same line; `onMatch` gets the index of OPEN, of the body, and of CLOSE.
 */
function scanLazyPairs(
  s: string,
  open: string,
  close: string,
  onMatch: (start: number, body: number, end: number) => void,
): void {
  let from = 0;
  let eol = -1;
  let q = -2;
  for (;;) {
    const p = s.indexOf(open, from);
    if (p < 0) break;
    const body = p + open.length;
    // Cached forward searches keep the whole scan linear.
    if (eol < body) eol = lineEnd(s, body);
    if (q !== -1 && q < body) q = s.indexOf(close, body);
    if (q === -1) break;
    if (q + close.length <= eol) {
      onMatch(p, body, q);
      from = q + close.length;
    } else {
      if (eol >= s.length) break;
      from = eol + 1;
    }
  }
}

/**
 * `re.sub(r'(OPEN)(.*?)(CLOSE)', replace(\2), s)` with literal OPEN/CLOSE (CLOSE without "\n"): each OPEN is closed
 * by the first CLOSE on the same line.
 */
export function subLazyPair(s: string, open: string, close: string, replace: (inner: string) => string): string {
  let out = "";
  let pos = 0;
  scanLazyPairs(s, open, close, (p, body, q) => {
    out += s.slice(pos, p) + replace(s.slice(body, q));
    pos = q + close.length;
  });
  return pos === 0 ? s : out + s.slice(pos);
}

/** `re.sub(r'(OPEN)(.*)(CLOSE)', '\\2', s)`: greedy, so each OPEN pairs with the last CLOSE of its line. */
export function subGreedyLine(s: string, open: string, close: string): string {
  let out = "";
  let pos = 0;
  let from = 0;
  for (;;) {
    const p = s.indexOf(open, from);
    if (p < 0) break;
    const body = p + open.length;
    const eol = lineEnd(s, body);
    const q = eol - close.length >= body ? s.lastIndexOf(close, eol - close.length) : -1;
    if (q >= body) {
      out += s.slice(pos, p) + s.slice(body, q);
      pos = q + close.length;
      from = pos;
    } else {
      if (eol >= s.length) break;
      from = eol + 1;
    }
  }
  return pos === 0 ? s : out + s.slice(pos);
}

/** verl `re.sub(r"(.*?)(\$)(.*?)(\$)(.*)", "$\\3$", s)`: every line with two `$` becomes `$<between the first two>$`. */
export function subFirstDollarPair(s: string): string {
  if (s.indexOf("$") < 0) return s;
  const lines = s.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const a = line.indexOf("$");
    if (a < 0) continue;
    const b = line.indexOf("$", a + 1);
    if (b < 0) continue;
    lines[i] = `$${line.slice(a + 1, b)}$`;
  }
  return lines.join("\n");
}

/**
 * `re.sub` of a literal `word` followed by a pattern, left to right: `rewrite(at)` looks at the text after a `word`
 * ending at `at` and gives the end of the match and its replacement (including `word`), or null for no match there.
 */
function subAfterWord(s: string, word: string, rewrite: (at: number) => [end: number, text: string] | null): string {
  let out = "";
  let pos = 0;
  let from = 0;
  for (;;) {
    const p = s.indexOf(word, from);
    if (p < 0) break;
    const m = rewrite(p + word.length);
    if (m !== null) {
      out += s.slice(pos, p) + m[1];
      pos = m[0];
      from = pos;
    } else from = p + 1;
  }
  return pos === 0 ? s : out + s.slice(pos);
}

/** `re.sub(r"(frac)([^{])(.)", "frac{\\2}{\\3}", s)` (one code point each; `[^{]` matches "\n", `.` does not). */
export function subFracShorthand(s: string): string {
  return subAfterWord(s, "frac", (i1) => {
    const w1 = cpWidth(s, i1);
    const i2 = i1 + w1;
    const w2 = cpWidth(s, i2);
    if (w1 === 0 || s[i1] === "{" || w2 === 0 || s[i2] === "\n") return null;
    return [i2 + w2, `frac{${s.slice(i1, i2)}}{${s.slice(i2, i2 + w2)}}`];
  });
}

/** `re.sub(r"(sqrt)([^{])", "sqrt{\\2}", s)`. */
export function subSqrtShorthand(s: string): string {
  return subAfterWord(s, "sqrt", (i1) => {
    const w1 = cpWidth(s, i1);
    if (w1 === 0 || s[i1] === "{") return null;
    return [i1 + w1, `sqrt{${s.slice(i1, i1 + w1)}}`];
  });
}

/** `re.findall(r'OPEN(.*?)CLOSE', s)[-1]` (null when there is no match). */
export function findLastLazyPair(s: string, open: string, close: string): string | null {
  let last: string | null = null;
  scanLazyPairs(s, open, close, (_p, body, q) => {
    last = s.slice(body, q);
  });
  return last;
}

/** `re.findall(r'finalansweris(.*)', s)[-1]`: the rest of the line after the first occurrence on the last such line. */
export function findLastFinalAnswerIs(s: string): string | null {
  return findLastRestOfLine(s, (from) => {
    const p = s.indexOf("finalansweris", from);
    return p < 0 ? null : [p, p + 13];
  });
}

/** `re.findall(r'answer?is:?(.*)', s)[-1]`. */
export function findLastAnswerIs(s: string): string | null {
  return findLastRestOfLine(s, (from) => {
    let p = s.indexOf("answe", from);
    while (p >= 0) {
      let end = -1;
      if (s.startsWith("ris", p + 5)) end = p + 8;
      else if (s.startsWith("is", p + 5)) end = p + 7;
      if (end >= 0) {
        if (s[end] === ":") end++;
        return [p, end];
      }
      p = s.indexOf("answe", p + 1);
    }
    return null;
  });
}

function findLastRestOfLine(s: string, next: (from: number) => [number, number] | null): string | null {
  let last: string | null = null;
  let from = 0;
  while (from <= s.length) {
    const m = next(from);
    if (!m) break;
    const eol = lineEnd(s, m[1]);
    last = s.slice(m[1], eol);
    from = eol + 1;
  }
  return last;
}

/**
 * OpenCompass `re.sub(r'\\text{.*?}$', '', s)`: removes from the first `\text{` of the last line through a `}` that
 * ends the string (Python `$` also matches before one final "\n").
 */
export function subTrailingText(s: string): string {
  let q: number;
  if (s.endsWith("}")) q = s.length - 1;
  else if (s.endsWith("}\n")) q = s.length - 2;
  else return s;
  const lineStart = s.lastIndexOf("\n", q) + 1;
  const p = s.indexOf("\\text{", lineStart);
  if (p < 0 || p + 6 > q) return s;
  return s.slice(0, p) + s.slice(q + 1);
}

/** `re.sub(r'(\d+)\.0+([^\d])', r'\1\2', s)` (`\d` = Unicode decimal digit). */
export function subTrailingZerosBeforeNonDigit(s: string): string {
  let out = "";
  let pos = 0;
  let i = 0;
  const n = s.length;
  while (i < n) {
    const w = isDecimalAt(s, i);
    if (w === 0) {
      i++;
      continue;
    }
    // maximal run of decimal digits starting at i
    let j = i;
    for (let wj = w; wj > 0; wj = isDecimalAt(s, j)) j += wj;
    if (s[j] === "." && s[j + 1] === "0") {
      let k = j + 1;
      while (s[k] === "0") k++;
      const wk = cpWidth(s, k);
      if (wk > 0 && isDecimalAt(s, k) === 0) {
        out += s.slice(pos, j) + s.slice(k, k + wk);
        pos = k + wk;
        i = pos;
        continue;
      }
    }
    i = j;
  }
  return pos === 0 ? s : out + s.slice(pos);
}

/** `re.sub(r'(\d+)\.0+$', r'\1', s)` (Python `$`: end, or before a final "\n"). */
export function subTrailingZerosAtEnd(s: string): string {
  const end = s.endsWith("\n") ? s.length - 1 : s.length;
  let k = end;
  while (k > 0 && s[k - 1] === "0") k--;
  if (k === end || k === 0 || s[k - 1] !== ".") {
    // With a final "\n" Python also tries `$` at the very end, which cannot follow a 0 there.
    return s;
  }
  const dot = k - 1;
  if (dot === 0) return s;
  const c = s.charCodeAt(dot - 1);
  const digitBefore =
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0xdc00 && c <= 0xdfff && dot >= 2 ? isDecimalAt(s, dot - 2) === 2 : isDecimalAt(s, dot - 1) === 1);
  if (!digitBefore) return s;
  return s.slice(0, dot) + s.slice(end);
}

/** Python `str.isdigit()` over a string given as code points; re-exported for callers of this module. */
export { isPyDigitCodePoint };
