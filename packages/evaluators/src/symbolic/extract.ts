import { parseAnswer } from "./equivalence.js";

/** Longest response scanned for an answer (the tail is kept: answers come last). */
export const MAX_RESPONSE_LENGTH = 200_000;

/** A `\boxed{…}` / `\fbox{…}` found in a response: its contents and where the command starts and ends. */
export interface BoxedSpan {
  text: string;
  start: number;
  end: number;
}

/** Every `\boxed{…}` / `\fbox{…}` in order (nested braces matched; `\boxed 5` also read). O(n). */
export function allBoxed(text: string): BoxedSpan[] {
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
  const out: BoxedSpan[] = [];
  const re = /\\(?:boxed|fbox)\s*/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const start = m.index + m[0].length;
    if (text[start] === "{") {
      const end = close.get(start);
      if (end !== undefined) out.push({ text: text.slice(start + 1, end), start: m.index, end: end + 1 });
    } else if (/^\\boxed\s/.test(m[0])) {
      const rest = /^[^$\n]+/.exec(text.slice(start, start + 1000));
      if (rest) out.push({ text: rest[0].trim(), start: m.index, end: start + rest[0].length });
    }
  }
  return out;
}

/** Contents of the last `\boxed{…}` / `\fbox{…}` (nested braces matched; `\boxed 5` also read), or null. O(n). */
export function lastBoxed(text: string): string | null {
  return allBoxed(text).at(-1)?.text ?? null;
}

/**
 * What may stand between two boxes of one answer: separators only (commas, semicolons, "and", "or", math
 * delimiters, spacing), so `\boxed{1}, \boxed{2} and \boxed{3}` is one answer and `\boxed{1} … so \boxed{2}` is not.
 */
const BOX_JOINER =
  /^(?:[\s,;.$&]|\\[,;:! ]|\\(?:quad|qquad|text\s*\{\s*(?:,?\s*(?:and|or)\s*)?\})|\\[()[\]]|\b(?:and|or)\b)*$/i;

/**
 * The last run of adjacent boxes, joined as one list answer (`\boxed{(2,2)} and \boxed{(6,2)}` → `(2,2), (6,2)`), with
 * where the run ends; null when there is no box.
 */
export function lastBoxedGroup(text: string): { text: string; end: number } | null {
  const boxes = allBoxed(text);
  let k = boxes.length - 1;
  while (k >= 0 && (boxes[k] as BoxedSpan).text.trim() === "") k--;
  if (k < 0) return null;
  const last = boxes[k] as BoxedSpan;
  const parts = [last.text.trim()];
  for (let j = k - 1; j >= 0; j--) {
    const b = boxes[j] as BoxedSpan;
    const between = text.slice(b.end, (boxes[j + 1] as BoxedSpan).start);
    if (b.text.trim() === "" || !BOX_JOINER.test(between)) break;
    if (b.text.trim() !== parts[0]) parts.unshift(b.text.trim()); // `\boxed{5}, \boxed{5}` is one answer
  }
  return { text: parts.join(", "), end: last.end };
}

/**
 * The `symbolic` extraction (docs/contracts.md §4, extended in the README): the last run of adjacent boxes, unless an
 * `Answer:` line or a "final answer is …" sentence comes after it; else the last `Answer:` line, else the last
 * "final answer is …" sentence.
 */
export function extractSymbolicAnswer(response: string, fallback: "none" | "last-number" = "none"): string | null {
  const text = response.length > MAX_RESPONSE_LENGTH ? response.slice(-MAX_RESPONSE_LENGTH) : response;
  const boxed = lastBoxedGroup(text);
  const after = boxed === null ? 0 : boxed.end;
  const tail = text.slice(after);
  // After a box, a later statement replaces it only when it reads as mathematics ("the final answer is correct" does not).
  const usable = (s: string) => s !== "" && (boxed === null || parseAnswer(s) !== null);
  const lines = [...tail.matchAll(/(?:^|\n)[ \t*#>]*(?:\*\*)?Answer(?:\*\*)?\s*:(?:\*\*)?[ \t]*([^\n]*)/gi)];
  const line = lines.at(-1)?.[1]?.trim();
  if (line) {
    const s = stripMath(line);
    if (usable(s)) return s;
  }
  const fin = [...tail.matchAll(/final answer is[:\s]*([^\n]*)/gi)].at(-1)?.[1];
  if (fin !== undefined) {
    const s = stripMath(fin.replace(/\.\s*(?:I hope[^\n]*)?$/i, ""));
    if (usable(s)) return s;
  }
  if (boxed !== null) return boxed.text;
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
