import {
  cpLength,
  cpWidth,
  isCanonicalPyInt,
  PyValueError,
  pyIntParses,
  pyStrip,
  pyStripChars,
  replaceAllLiteral,
} from "../text/python.js";
import { subLazyPair, subTrailingText, subTrailingZerosAtEnd, subTrailingZerosBeforeNonDigit } from "../text/scan.js";

const drop = () => "";

/** `\\sqrt(\w+)` → `\\sqrt{\1}`; Python's Unicode `\w` is letters, numbers and `_`. */
const SQRT_WORD = /\\sqrt([\p{L}\p{N}_]+)/gu;

/**
 * OpenCompass `MATHEvaluator._fix_fracs`: `\fracab` → `\frac{a}{b}`, `\fraca{b}` → `\frac{a}{b}`; returns the input
 * unchanged when a `\frac` is followed by fewer than two characters (code points, as Python counts).
 */
export function fixFracs(s: string): string {
  const parts = s.split("\\frac");
  if (parts.length === 1) return s;
  let out = parts[0] as string;
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i] as string;
    out += "\\frac";
    if (p.length > 0 && p[0] === "{") {
      out += p;
      continue;
    }
    const wa = cpWidth(p, 0);
    const wb = cpWidth(p, wa);
    if (wa === 0 || wb === 0) return s;
    const a = p.slice(0, wa);
    const b = p.slice(wa, wa + wb);
    const rest = p.slice(wa + wb);
    out += b !== "{" ? `{${a}}{${b}}${rest}` : `{${a}}${b}${rest}`;
  }
  return out;
}

/**
 * OpenCompass `MATHEvaluator._fix_a_slash_b`: `a/b` with canonical integers → `\frac{a}{b}`. Like the reference,
 * throws (Python `ValueError` from `int()`) when a side is not an integer at all; `is_equiv` catches that.
 */
export function fixASlashB(s: string): string {
  const parts = s.split("/");
  if (parts.length !== 2) return s;
  const [a, b] = parts as [string, string];
  if (!pyIntParses(a)) throw new PyValueError(`invalid literal for int() with base 10: '${a}'`);
  if (!pyIntParses(b)) throw new PyValueError(`invalid literal for int() with base 10: '${b}'`);
  if (!isCanonicalPyInt(a) || !isCanonicalPyInt(b)) return s;
  return `\\frac{${a}}{${b}}`;
}

/**
 * OpenCompass `MATHEvaluator._strip_string_v2` (docs/algorithms.md §10.2 steps 1-17), rule by rule. May throw
 * {@link PyValueError} exactly where the reference raises.
 *
 * @example
 * ```ts
 * stripStringV2("\\dfrac{1}{2}"); // "\\frac{1}{2}"
 * stripStringV2("10\\%"); // "10"
 * ```
 */
export function stripStringV2(input: string): string {
  // 1. strip, linebreaks, trailing dots
  let s = pyStrip(input);
  s = s.replaceAll("\n", "");
  s = pyStripChars(s, ".", "right");
  // 2. inverse spaces, double backslashes
  s = s.replaceAll("\\!", "");
  s = s.replaceAll("\\ ", "");
  s = replaceAllLiteral(s, "\\\\", "\\");
  s = replaceAllLiteral(s, "\\\\", "\\");
  // 3. tfrac/dfrac, \left/\right
  s = s.replaceAll("tfrac", "frac");
  s = s.replaceAll("dfrac", "frac");
  s = s.replaceAll("\\left", "");
  s = s.replaceAll("\\right", "");
  // 4. a trailing \text{…} unit, unless that empties the string
  const t = pyStrip(subTrailingText(s));
  if (t !== "" && t !== s) s = t;
  // 5. degrees, dollars, \text, x\in, percent
  s = s.replaceAll("^{\\circ}", "");
  s = s.replaceAll("^\\circ", "");
  s = s.replaceAll("\\$", "");
  s = s.replaceAll("$", "");
  s = s.replaceAll("\\text", "");
  s = s.replaceAll("x\\in", "");
  s = s.replaceAll("\\%", "");
  s = s.replaceAll("%", "");
  // 6. leading zeros of decimals, \cdot
  s = s.replaceAll(" .", " 0.");
  s = s.replaceAll("{.", "{0.");
  s = s.replaceAll("\\cdot", "");
  // 7. infinity
  s = s.replaceAll("infinity", "\\infty");
  if (!s.includes("\\infty")) s = s.replaceAll("inf", "\\infty");
  s = s.replaceAll("+\\inity", "\\infty");
  // 8. "and" (any substring), \mathbf, \mbox{…}
  s = s.replaceAll("and", "");
  s = s.replaceAll("\\mathbf", "");
  s = subLazyPair(s, "\\mbox{", "}", drop);
  // 9. (the reference's quote removal discards its result: nothing to do)
  // 10. j → i when there is no i
  if (s.includes("j") && !s.includes("i")) s = s.replaceAll("j", "i");
  // 11. trailing zero decimals
  s = subTrailingZerosBeforeNonDigit(s);
  s = subTrailingZerosAtEnd(s);
  // 12. empty, leading dot
  if (s.length === 0) return s;
  if (s[0] === ".") s = `0${s}`;
  // 13. "k = …" with a short left side
  const eq = s.split("=");
  if (eq.length === 2 && cpLength(eq[0] as string) <= 2) s = eq[1] as string;
  // 14. \sqrt shorthand, 15. spaces
  s = s.replace(SQRT_WORD, (_m, w: string) => `\\sqrt{${w}}`);
  s = s.replaceAll(" ", "");
  // 16-17. fractions
  s = fixFracs(s);
  s = fixASlashB(s);
  return s;
}
