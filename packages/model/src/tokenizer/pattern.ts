import { ModelError } from "../errors.js";

/**
 * Unicode White_Space as the Rust `regex` crate (Hugging Face tokenizers) understands `\s`; JavaScript's `\s` differs
 * (it adds U+FEFF and lacks U+0085), so patterns are rewritten to this explicit class.
 */
const WHITE_SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/** Length of the escape starting at `p[i] === "\\"` (`\p{..}`, `\u{..}` and `\uXXXX` are one escape). */
function escapeLength(p: string, i: number): number {
  const c = p[i + 1];
  if ((c === "p" || c === "P") && p[i + 2] === "{") return p.indexOf("}", i) - i + 1;
  if (c === "u" && p[i + 2] === "{") return p.indexOf("}", i) - i + 1;
  if (c === "u") return 6;
  if (c === "x") return 4;
  return 2;
}

/** Makes every ASCII letter outside character classes case-insensitive (`s` → `[sS]`). */
function caseless(p: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === "\\") {
      const n = escapeLength(p, i);
      out += p.slice(i, i + n);
      i += n - 1;
    } else if (inClass) {
      if (c === "]") inClass = false;
      if (/[a-zA-Z]/.test(c)) out += c.toLowerCase() + c.toUpperCase();
      else out += c;
    } else if (c === "[") {
      inClass = true;
      out += c;
    } else if (/[a-zA-Z]/.test(c)) out += `[${c.toLowerCase()}${c.toUpperCase()}]`;
    else out += c;
  }
  return out;
}

/** Index of the `)` closing the group opened at `p[open] === "("`. */
function closingParen(p: string, open: number): number {
  let depth = 0;
  let inClass = false;
  for (let i = open; i < p.length; i++) {
    const c = p[i];
    if (c === "\\") i += escapeLength(p, i) - 1;
    else if (inClass) inClass = c !== "]";
    else if (c === "[") inClass = true;
    else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return i;
  }
  return -1;
}

/**
 * Rewrites a Hugging Face tokenizers (Rust/Oniguruma) split pattern as a JavaScript `u`-flag RegExp: inline
 * case-insensitive groups `(?i:...)` become explicit letter classes and `\s`/`\S` the Rust White_Space set.
 *
 * @example
 * ```ts
 * compileSplitPattern("(?i:'s|'t)|\\s+").source; // "(?:'[sS]|'[tT])|[\\t\\n...]+"
 * ```
 */
export function compileSplitPattern(pattern: string): RegExp {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      const n = escapeLength(pattern, i);
      const esc = pattern.slice(i, i + n);
      if (esc === "\\s") out += inClass ? WHITE_SPACE : `[${WHITE_SPACE}]`;
      else if (esc === "\\S" && !inClass) out += `[^${WHITE_SPACE}]`;
      else out += esc;
      i += n - 1;
    } else if (inClass) {
      if (c === "]") inClass = false;
      out += c;
    } else if (c === "[") {
      inClass = true;
      out += c;
    } else if (pattern.startsWith("(?i:", i)) {
      const end = closingParen(pattern, i);
      if (end < 0)
        throw new ModelError("TOKENIZER_INVALID", `unbalanced (?i: group in split pattern ${JSON.stringify(pattern)}`);
      out += `(?:${compileSplitPattern(caseless(pattern.slice(i + 4, end))).source})`;
      i = end;
    } else out += c;
  }
  try {
    return new RegExp(out, "gu");
  } catch (e) {
    throw new ModelError(
      "TOKENIZER_INVALID",
      `split pattern ${JSON.stringify(pattern)} is not supported: ${(e as Error).message}`,
    );
  }
}

/** The GPT-2 pre-tokenisation pattern (a `ByteLevel` pre-tokenizer with `use_regex: true`). */
export const GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
