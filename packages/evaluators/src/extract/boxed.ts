/**
 * `\boxed{}` extraction exactly as OpenCompass `math.py` (and Hendrycks MATH) do it (docs/algorithms.md §10.2).
 */

/**
 * The last `\boxed…` (else the last `\fbox…`) up to its matching closing brace, or null when the braces never
 * balance. Braces are counted from the command on, so `\boxed 5 {x}` yields `\boxed 5 {x}` (which `removeBoxed`
 * then rejects).
 *
 * @example
 * ```ts
 * lastBoxedOnlyString("so \\boxed{\\frac{1}{2}}."); // "\\boxed{\\frac{1}{2}}"
 * ```
 */
export function lastBoxedOnlyString(s: string): string | null {
  let idx = s.lastIndexOf("\\boxed");
  if (idx < 0) {
    idx = s.lastIndexOf("\\fbox");
    if (idx < 0) return null;
  }
  let open = 0;
  for (let i = idx; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x7b) open++;
    else if (c === 0x7d) {
      open--;
      if (open === 0) return s.slice(idx, i + 1);
    }
  }
  return null;
}

/**
 * The inside of `\boxed{…}`; null unless `s` starts with `\boxed{` and ends with `}` (so `\fbox{…}` gives null,
 * as in the reference).
 *
 * @example
 * ```ts
 * removeBoxed("\\boxed{42}"); // "42"
 * ```
 */
export function removeBoxed(s: string | null): string | null {
  if (s === null || !s.startsWith("\\boxed{") || !s.endsWith("}") || s.length < 8) return null;
  return s.slice(7, -1);
}

/**
 * OpenCompass `extract_boxed_answer(text, strip_double_curly_brace)`: `removeBoxed(lastBoxedOnlyString(text))`,
 * then, if asked, one outer `{…}` pair is removed (`re.match('^\{(.*)\}$')`, where `.` stops at "\n" and `$` may
 * precede one final "\n").
 */
export function extractBoxedAnswer(text: string, stripDoubleCurlyBrace = false): string | null {
  const answer = removeBoxed(lastBoxedOnlyString(text));
  if (answer === null || !stripDoubleCurlyBrace) return answer;
  const m = /^\{([^\n]*)\}\n?$/.exec(answer);
  return m ? (m[1] as string) : answer;
}
