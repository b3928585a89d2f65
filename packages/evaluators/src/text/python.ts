/**
 * Python `str` semantics the reference checkers rely on, written for JS strings (UTF-16). Python indexes by code
 * point, `str.strip()`/`\s` use Python's whitespace set, `str.isdigit()` accepts Unicode Numeric_Type Digit and
 * Decimal, `int()` accepts Unicode decimal digits and `_` separators. Tables generated from CPython 3.11
 * (Unicode 14.0).
 */

/** Python `str.isspace()` characters (also what `\s` matches in a `str` pattern). */
export const PY_WHITESPACE =
  "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

const PY_WS_SET = new Set<number>([
  0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004,
  0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

/** True when the UTF-16 unit is a Python whitespace character (all of them are in the BMP). */
export function isPyWhitespace(code: number): boolean {
  return PY_WS_SET.has(code);
}

/** Python `s.strip()` (no argument): strips Python whitespace, which differs from `String.prototype.trim`. */
export function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && PY_WS_SET.has(s.charCodeAt(a))) a++;
  while (b > a && PY_WS_SET.has(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Python `s.strip(chars)` / `rstrip(chars)` for a set of BMP characters. */
export function pyStripChars(s: string, chars: string, side: "both" | "right" = "both"): string {
  let a = 0;
  let b = s.length;
  if (side === "both") while (a < b && chars.includes(s[a] as string)) a++;
  while (b > a && chars.includes(s[b - 1] as string)) b--;
  return s.slice(a, b);
}

/** Code points with Numeric_Type=Digit (not Decimal): `isdigit()` is true for them, `\p{Nd}` is not. */
const DIGIT_NOT_DECIMAL: ReadonlyArray<readonly [number, number]> = [
  [0xb2, 0xb3],
  [0xb9, 0xb9],
  [0x1369, 0x1371],
  [0x19da, 0x19da],
  [0x2070, 0x2070],
  [0x2074, 0x2079],
  [0x2080, 0x2089],
  [0x2460, 0x2468],
  [0x2474, 0x247c],
  [0x2488, 0x2490],
  [0x24ea, 0x24ea],
  [0x24f5, 0x24fd],
  [0x24ff, 0x24ff],
  [0x2776, 0x277e],
  [0x2780, 0x2788],
  [0x278a, 0x2792],
  [0x10a40, 0x10a43],
  [0x10e60, 0x10e68],
  [0x11052, 0x1105a],
  [0x1f100, 0x1f10a],
];

const DECIMAL = /^\p{Nd}$/u;

/** Python `str.isdigit()` for one code point. */
export function isPyDigitCodePoint(cp: number): boolean {
  if (cp >= 0x30 && cp <= 0x39) return true;
  if (cp < 0xb2) return false;
  for (const [lo, hi] of DIGIT_NOT_DECIMAL) if (cp >= lo && cp <= hi) return true;
  return DECIMAL.test(String.fromCodePoint(cp));
}

/** Python `s.isdigit()`: false for "", true when every code point is a Unicode digit (so `²` and `①` count). */
export function pyIsDigit(s: string): boolean {
  if (s.length === 0) return false;
  for (const ch of s) if (!isPyDigitCodePoint(ch.codePointAt(0) as number)) return false;
  return true;
}

/** Python `len(s)`: number of code points. */
export function cpLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** Width in UTF-16 units of the code point starting at `i` (1 or 2); 0 at the end. */
export function cpWidth(s: string, i: number): number {
  if (i >= s.length) return 0;
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}

/** Python `s[-n:]`: the last `n` code points (O(n), no copy of the rest). */
export function lastCodePoints(s: string, n: number): string {
  let i = s.length;
  let count = 0;
  while (i > 0 && count < n) {
    const c = s.charCodeAt(i - 1);
    if (c >= 0xdc00 && c <= 0xdfff && i >= 2) {
      const h = s.charCodeAt(i - 2);
      if (h >= 0xd800 && h <= 0xdbff) i--;
    }
    i--;
    count++;
  }
  return i === 0 ? s : s.slice(i);
}

/** Python `int(s)` accepts: surrounding whitespace, a sign, Unicode decimal digits with single `_` between them. */
const PY_INT = /^[+-]?\p{Nd}+(?:_\p{Nd}+)*$/u;

/** Whether Python `int(s)` would succeed (base 10). */
export function pyIntParses(s: string): boolean {
  return PY_INT.test(pyStrip(s));
}

/** Whether `s` is exactly what Python prints for `int(s)` (`str(int(s)) == s`): ASCII, no sign `+`, no leading 0. */
export function isCanonicalPyInt(s: string): boolean {
  return /^(?:0|-?[1-9][0-9]*)$/.test(s);
}

/** Python's `ValueError` from `int()`: the reference code lets it escape `_fix_a_slash_b`. */
export class PyValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PyValueError";
  }
}

/** Python `s.replace(old, new)`: every occurrence, `new` taken literally (no JS `$&`/`$$` replacement patterns). */
export function replaceAllLiteral(s: string, before: string, after: string): string {
  return s.includes(before) ? s.split(before).join(after) : s;
}
