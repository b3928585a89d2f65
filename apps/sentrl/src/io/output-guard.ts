import { SentrlError } from "@sentrl/core";
import type { CliIO } from "../command.js";

// The one output guard (docs/contracts.md §1): every JSON result a command prints goes through `writeJsonLine`, which
// refuses NaN and ±Infinity anywhere in it (JSON.stringify would print them as `null`, a number that is not one).

/** Path of the first non-finite number in `value` (`advantages[1]`, `summary.accuracy`), or null. Non-recursive. */
export function findNonFinite(value: unknown, root = ""): { path: string; value: number } | null {
  const stack: [unknown, string][] = [[value, root]];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const [v, path] = stack.pop() as [unknown, string];
    if (typeof v === "number") {
      if (!Number.isFinite(v)) return { path, value: v };
    } else if (v !== null && typeof v === "object") {
      if (seen.has(v)) continue;
      seen.add(v);
      if (Array.isArray(v) || ArrayBuffer.isView(v)) {
        const a = v as ArrayLike<unknown>;
        for (let i = a.length - 1; i >= 0; i--) stack.push([a[i], `${path}[${i}]`]);
      } else {
        const keys = Object.keys(v);
        for (let i = keys.length - 1; i >= 0; i--) {
          const k = keys[i];
          const name = /^[A-Za-z_$][\w$]*$/.test(k)
            ? path === ""
              ? k
              : `${path}.${k}`
            : `${path}[${JSON.stringify(k)}]`;
          stack.push([(v as Record<string, unknown>)[k], name]);
        }
      }
    }
  }
  return null;
}

/** Throws `OUTPUT_NOT_FINITE` naming the first NaN/±Infinity in `value` (`where` prefixes it: `stdin line 3`). */
export function assertFiniteOutput(value: unknown, where?: string): void {
  const bad = findNonFinite(value);
  if (bad)
    throw new SentrlError(
      "OUTPUT_NOT_FINITE",
      `${where ? `${where}: ` : ""}${bad.path || "the result"} is ${bad.value} (not a finite number), so no result is printed; the inputs overflow or divide by zero here (check their range, or a positive epsilon)`,
    );
}

/**
 * Prints `value` as one JSON line on stdout after checking that every number in it is finite.
 *
 * @example
 * ```ts
 * writeJsonLine(io, { advantages: [0.5, -0.5] }); // {"advantages":[0.5,-0.5]}
 * writeJsonLine(io, { advantages: [Number.NaN] }); // throws OUTPUT_NOT_FINITE: advantages[0] is NaN ...
 * ```
 */
export function writeJsonLine(io: Pick<CliIO, "stdout">, value: unknown, where?: string): void {
  assertFiniteOutput(value, where);
  io.stdout.write(`${JSON.stringify(value)}\n`);
}

/** The JSON line text of `value` after the same check (for commands that batch lines before writing). */
export function jsonLine(value: unknown, where?: string): string {
  assertFiniteOutput(value, where);
  return `${JSON.stringify(value)}\n`;
}
