/**
 * Answer extraction for clustering (ALGORITHMS §4.2, CONTRACTS §5): the last `Answer:` line in the last 300
 * characters (the `math_dapo` reader), else the content of the last `\boxed{}` (nested braces matched).
 */

const ANSWER_LINE = /Answer\s*:\s*([^\n]+)/gi;

/** The last `Answer:` line's text within the last 300 characters (UTF-16 units, like `slice(-300)`), or null. */
export function extractAnswerLine(response: string): string | null {
  const tail = response.length > 300 ? response.slice(-300) : response;
  let last: string | null = null;
  ANSWER_LINE.lastIndex = 0;
  for (let m = ANSWER_LINE.exec(tail); m !== null; m = ANSWER_LINE.exec(tail)) last = m[1];
  return last;
}

/**
 * The content of the last `\boxed{...}` (or `\fbox{...}`, or `\boxed x` up to `$`), nested braces matched; null when
 * there is none or its braces never close.
 */
export function extractLastBoxed(response: string): string | null {
  let idx = response.lastIndexOf("\\boxed");
  let cmdLen = 6;
  if (idx < 0) {
    idx = response.lastIndexOf("\\fbox");
    cmdLen = 5;
    if (idx < 0) return null;
  }
  let i = idx + cmdLen;
  if (response[i] === " ") {
    // `\boxed 5$`: verl's form without braces.
    const rest = response.slice(i + 1);
    const end = rest.indexOf("$");
    const v = (end < 0 ? rest : rest.slice(0, end)).trim();
    return v.length > 0 ? v : null;
  }
  while (i < response.length && response[i] !== "{") {
    if (!/\s/.test(response[i])) return null;
    i++;
  }
  if (i >= response.length) return null;
  let depth = 0;
  for (let j = i; j < response.length; j++) {
    const ch = response[j];
    if (ch === "{") depth++;
    else if (ch === "}") {
      depth--;
      if (depth === 0) return response.slice(i + 1, j);
    }
  }
  return null;
}

/**
 * The raw final answer used for clustering: the `Answer:` line, else the last boxed content, else null (invalid).
 *
 * @example
 * extractClusterAnswer("... so x = 4.\nAnswer: 4"); // "4"
 * extractClusterAnswer("the result is \\boxed{\\frac{1}{2}}"); // "\\frac{1}{2}"
 */
export function extractClusterAnswer(response: string): string | null {
  const a = extractAnswerLine(response);
  if (a !== null) return a;
  return extractLastBoxed(response);
}
