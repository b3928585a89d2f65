/** Longest response scanned for an answer (the tail is kept: answers come last). */
export const MAX_RESPONSE_LENGTH = 200_000;

/** Contents of the last `\boxed{…}` / `\fbox{…}` (nested braces matched; `\boxed 5` also read), or null. O(n). */
export function lastBoxed(text: string): string | null {
  // Matching close brace of every open brace, in one pass (escaped braces `\{` are not counted).
  const close = new Map<number, number>();
  const stack: number[] = [];
  for (let k = 0; k < text.length; k++) {
    const ch = text[k];
    if (ch === "\\") {
      if (text[k + 1] === "{" || text[k + 1] === "}") k++;
      continue;
    }
    if (ch === "{") stack.push(k);
    else if (ch === "}") {
      const open = stack.pop();
      if (open !== undefined) close.set(open, k);
    }
  }
  let best: string | null = null;
  const re = /\\(?:boxed|fbox)\s*/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const start = m.index + m[0].length;
    if (text[start] === "{") {
      const end = close.get(start);
      if (end !== undefined) best = text.slice(start + 1, end);
    } else if (/^\\boxed\s/.test(m[0])) {
      const rest = /^[^$\n]+/.exec(text.slice(start, start + 1000));
      if (rest) best = rest[0].trim();
    }
  }
  return best;
}

/** The `symbolic` extraction (docs/contracts.md §4): last `\boxed{}`/`\fbox{}`, else last `Answer:` line, else "final answer is …". */
export function extractSymbolicAnswer(response: string, fallback: "none" | "last-number" = "none"): string | null {
  const text = response.length > MAX_RESPONSE_LENGTH ? response.slice(-MAX_RESPONSE_LENGTH) : response;
  const boxed = lastBoxed(text);
  if (boxed !== null && boxed.trim() !== "") return boxed.trim();
  const lines = [...text.matchAll(/(?:^|\n)[ \t*#>]*(?:\*\*)?Answer(?:\*\*)?\s*:(?:\*\*)?[ \t]*([^\n]*)/gi)];
  const line = lines.at(-1)?.[1]?.trim();
  if (line) return stripMath(line);
  const fin = [...text.matchAll(/final answer is[:\s]*([^\n]*)/gi)].at(-1)?.[1];
  if (fin !== undefined) {
    const s = stripMath(fin.replace(/\.\s*(?:I hope[^\n]*)?$/i, ""));
    if (s !== "") return s;
  }
  if (fallback === "last-number") {
    const nums = text.match(/-?\d[\d,]*(?:\.\d+)?(?:[eE][+-]?\d+)?/g);
    const last = nums?.at(-1);
    if (last !== undefined) return last.replace(/,/g, "");
  }
  return null;
}

function stripMath(s: string): string {
  let t = s.trim();
  t = t
    .replace(/^\$+|\$+$/g, "")
    .replace(/^\\\(|\\\)$/g, "")
    .replace(/^\\\[|\\\]$/g, "");
  return t.replace(/[.\s]+$/, "").trim();
}
