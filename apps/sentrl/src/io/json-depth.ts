// JSON nested deeper than any real input (a 100,000-level array) is refused before it is parsed, so no validator or
// serialiser further on can exhaust the call stack (docs/contracts.md §1).

/** Deepest array/object nesting accepted in JSON inputs. */
export const MAX_JSON_DEPTH = 512;

/**
 * The 0-based character offset where `text` first nests deeper than `limit` arrays/objects (strings are skipped,
 * escapes honoured), or -1 when it never does. One pass, no allocation.
 *
 * @example
 * ```ts
 * jsonTooDeepAt("[[[1]]]", 2); // 2
 * jsonTooDeepAt('["[[[["]', 2); // -1
 * ```
 */
export function jsonTooDeepAt(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > limit) return i;
    } else if (c === 93 || c === 125) depth--;
  }
  return -1;
}

/** The message for {@link jsonTooDeepAt}'s hit: where, and the limit. */
export function tooDeepMessage(what: string, at: number, limit = MAX_JSON_DEPTH): string {
  return `${what} nests arrays/objects more than ${limit} levels deep (at character ${at + 1}); flatten the input`;
}
