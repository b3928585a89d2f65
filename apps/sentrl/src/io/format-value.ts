// Values quoted in error messages: bounded and non-recursive, so a 20 MB string or a 100,000-level nested array
// costs at most `max` characters of output and never the call stack (docs/contracts.md §1: one-line errors).

/** Longest quoted value, in characters, before it is cut with `…`. */
export const MAX_QUOTED_CHARS = 200;

type Frame =
  | { kind: "array"; items: readonly unknown[]; i: number }
  | { kind: "object"; keys: string[]; obj: Record<string, unknown>; i: number };

function scalar(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > MAX_QUOTED_CHARS ? v.slice(0, MAX_QUOTED_CHARS) : v);
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : String(v); // NaN, Infinity stay readable
  if (typeof v === "bigint") return `${v}n`;
  if (v === undefined) return "undefined";
  if (typeof v === "function") return "[function]";
  if (typeof v === "symbol") return v.toString();
  return String(v);
}

/**
 * A value as JSON-like text, at most `max` characters (cut with `…`): walks the value with an explicit stack (no
 * recursion), stops as soon as the text is long enough, shows NaN/Infinity as such and cycles as `[cycle]`.
 *
 * @example
 * ```ts
 * formatValue({ rewards: [1, Number.NaN] }); // '{"rewards":[1,NaN]}'
 * formatValue("x".repeat(1e6)).length; // 201
 * ```
 */
export function formatValue(value: unknown, max = MAX_QUOTED_CHARS): string {
  let out = "";
  const stack: Frame[] = [];
  const seen = new Set<object>();
  let next: { v: unknown } | null = { v: value };
  while (out.length <= max) {
    if (next) {
      const v = next.v;
      next = null;
      if (v !== null && typeof v === "object") {
        if (seen.has(v)) out += "[cycle]";
        else if (Array.isArray(v)) {
          seen.add(v);
          out += "[";
          stack.push({ kind: "array", items: v, i: 0 });
        } else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
          seen.add(v);
          out += "[";
          stack.push({ kind: "array", items: Array.prototype.slice.call(v, 0, max) as unknown[], i: 0 });
        } else {
          seen.add(v);
          out += "{";
          stack.push({ kind: "object", keys: Object.keys(v), obj: v as Record<string, unknown>, i: 0 });
        }
      } else out += scalar(v);
      continue;
    }
    const top = stack.at(-1);
    if (!top) break;
    if (top.kind === "array") {
      if (top.i >= top.items.length) {
        out += "]";
        stack.pop();
        continue;
      }
      if (top.i > 0) out += ",";
      next = { v: top.items[top.i++] };
    } else {
      if (top.i >= top.keys.length) {
        out += "}";
        stack.pop();
        continue;
      }
      const key = top.keys[top.i++];
      out += `${top.i > 1 ? "," : ""}${JSON.stringify(key.length > max ? key.slice(0, max) : key)}:`;
      next = { v: top.obj[key] };
    }
  }
  return out.length > max ? `${out.slice(0, max)}…` : out;
}

/** Cuts a message to `max` characters, saying how many were left out. */
export function boundMessage(text: string, max = 2000): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
