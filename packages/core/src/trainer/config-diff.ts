import { createHash } from "node:crypto";
import { SentrlError } from "../errors.js";

// Resume checks its configuration: the checkpoint keeps the resolved config and its hash; a
// resumed run with a different config is refused with the differing fields, except the ones that cannot change the
// training already done (`totalSteps`, ...) when the caller allows changes. Generic: any JSON-like config object.

/** JSON with object keys sorted at every level and `undefined` members dropped: equal configs give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

/** sha256 (hex) of {@link canonicalJson}. */
export function configHash(config: unknown): string {
  return createHash("sha256")
    .update(canonicalJson(config) ?? "undefined")
    .digest("hex");
}

/** One field that differs: its dotted path and the two values (`undefined` when absent on one side). */
export interface ConfigDifference {
  path: string;
  before: unknown;
  after: unknown;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The leaf fields that differ between two configs (objects are compared member by member, arrays and scalars as
 * canonical JSON), in sorted path order.
 *
 * @example
 * ```ts
 * diffConfigs({ optimizer: { lr: 0.001 }, totalSteps: 10 }, { optimizer: { lr: 0.5 }, totalSteps: 10 });
 * // [{ path: "optimizer.lr", before: 0.001, after: 0.5 }]
 * ```
 */
export function diffConfigs(before: unknown, after: unknown): ConfigDifference[] {
  const out: ConfigDifference[] = [];
  const stack: [unknown, unknown, string][] = [[before, after, ""]];
  while (stack.length > 0) {
    const [a, b, path] = stack.pop() as [unknown, unknown, string];
    if (isPlainObject(a) && isPlainObject(b)) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().reverse();
      for (const k of keys) stack.push([a[k], b[k], path ? `${path}.${k}` : k]);
    } else if (canonicalJson(a) !== canonicalJson(b)) out.push({ path: path || "(config)", before: a, after: b });
  }
  return out;
}

/** A config value for a message: JSON, at most 60 characters. */
function show(v: unknown): string {
  if (v === undefined) return "(unset)";
  const s = canonicalJson(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

export interface ResumeConfigCheck {
  /** The fields that may differ when `allowChanges` (top-level names or dotted paths). */
  safeFields: readonly string[];
  /** `--resume-with-changes`: accept differences in `safeFields`. */
  allowChanges?: boolean;
  /** Where the saved config comes from, for the message (e.g. a checkpoint directory). */
  source: string;
  /** The flag that allows safe changes, named in the message. Default `--resume-with-changes`. */
  flag?: string;
}

/**
 * Throws `RESUME_CONFIG_MISMATCH` when `current` differs from `saved` in a field that is not allowed to change;
 * returns the differences that were accepted (safe fields with `allowChanges`).
 *
 * @example
 * ```ts
 * checkResumeConfig({ lr: 0.1, totalSteps: 10 }, { lr: 0.1, totalSteps: 20 },
 *   { safeFields: ["totalSteps"], allowChanges: true, source: "runs/a" }); // [{ path: "totalSteps", ... }]
 * ```
 */
export function checkResumeConfig(saved: unknown, current: unknown, check: ResumeConfigCheck): ConfigDifference[] {
  const diffs = diffConfigs(saved, current);
  if (diffs.length === 0) return [];
  const isSafe = (d: ConfigDifference) => check.safeFields.some((f) => d.path === f || d.path.startsWith(`${f}.`));
  const blocking = check.allowChanges ? diffs.filter((d) => !isSafe(d)) : diffs;
  if (blocking.length === 0) return diffs;
  const shown = blocking.slice(0, 8).map((d) => `${d.path}: ${show(d.before)} → ${show(d.after)}`);
  if (blocking.length > 8) shown.push(`and ${blocking.length - 8} more`);
  const flag = check.flag ?? "--resume-with-changes";
  const safe = check.safeFields.join(", ");
  throw new SentrlError(
    "RESUME_CONFIG_MISMATCH",
    `the configuration differs from the one ${check.source} was trained with (${shown.join("; ")}); resume with the ` +
      `original configuration, or start a new run in another output folder` +
      (check.allowChanges ? ` (${flag} only allows changes to ${safe})` : `; ${flag} allows changes to ${safe} only`),
  );
}
