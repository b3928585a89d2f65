/**
 * A small configuration schema: each field declared once with its documentation, default and check, from which
 * come the TypeScript type ({@link Infer}), the validator ({@link Field.parse}, errors `CONFIG_BAD_FIELD` /
 * `CONFIG_UNKNOWN_FIELD` naming the field's path) and the help text ({@link describeFields}).
 *
 * @example
 * ```ts
 * import { configFields, describeFields, type Infer, int, oneOf } from "@sentrl/core";
 * const schema = configFields({
 *   steps: int({ doc: "steps to train", min: 1, default: 10 }),
 *   mode: oneOf(["fast", "exact"] as const, { doc: "how to train", default: "exact" }),
 * });
 * type Settings = Infer<typeof schema>; // { steps: number; mode: "fast" | "exact" }
 * const s: Settings = schema.parse({ steps: 3 }, "config");
 * console.log(s); // → {"steps":3,"mode":"exact"}
 * console.log(describeFields(schema)[0]); // → "steps  integer ≥ 1 (default 10)  steps to train"
 * ```
 */
import { SentrlError } from "../errors.js";

/** A bad config value: `path` (e.g. `config.loss.options.klCovRatio`) and what it must be. */
export class ConfigFieldError extends SentrlError {
  readonly path: string;
  readonly reason: string;
  constructor(path: string, reason: string, code = "CONFIG_BAD_FIELD", options?: { cause?: unknown }) {
    super(code, `${path}: ${reason}`, options);
    this.name = "ConfigFieldError";
    this.path = path;
    this.reason = reason;
  }
}

const shown = (v: unknown) => JSON.stringify(v) ?? String(v);

/** Throws `CONFIG_BAD_FIELD`: `<path>: expected <what>, got <value>`. */
export function badField(path: string, what: string, got?: unknown): never {
  throw new ConfigFieldError(path, `expected ${what}${got === undefined ? "" : `, got ${shown(got)}`}`);
}

/** One declared field: its documentation, a human-readable type, its default and its check. */
export interface Field<T> {
  readonly doc: string;
  /** What a value must be, as the help and the errors say it (`integer ≥ 1`, `"a" | "b"`). */
  readonly type: string;
  /** Absent (or null) → this value (deep-copied). */
  readonly default?: T;
  readonly hasDefault: boolean;
  /** May stay absent after resolution (its type then includes `undefined`). */
  readonly optional: boolean;
  /** The fields of an object field (for the help text and nested paths). */
  readonly fields?: Readonly<Record<string, Field<unknown>>>;
  /** Variants of a tagged object (`{ kind: ... }`), by tag value, and the tag's key. */
  readonly variants?: Readonly<Record<string, Field<unknown>>>;
  readonly tag?: string;
  /** Validates a present value at `path`; returns it resolved (defaults of nested fields filled in). */
  parse(value: unknown, path: string): T;
}

/** The TypeScript type of a field's resolved value. */
export type Infer<F> = F extends Field<infer T> ? T : never;

type Common<T> = { doc: string; default?: T };

function field<T>(spec: {
  doc: string;
  type: string;
  default?: T;
  hasDefault?: boolean;
  optional?: boolean;
  fields?: Record<string, Field<unknown>>;
  variants?: Record<string, Field<unknown>>;
  tag?: string;
  parse(value: unknown, path: string): T;
}): Field<T> {
  return {
    ...spec,
    hasDefault: spec.hasDefault ?? spec.default !== undefined,
    optional: spec.optional ?? false,
  };
}

/** An integer ≥ `min` (default 0). */
export function int(o: Common<number> & { min?: number }): Field<number> {
  const min = o.min ?? 0;
  const type = `integer ≥ ${min}`;
  return field({
    ...o,
    type,
    parse: (v, path) =>
      typeof v === "number" && Number.isInteger(v) && v >= min ? v : badField(path, `an ${type}`, v),
  });
}

/** A number; `check` (with `what`, e.g. `> 0`) narrows it; `finite` (default true) rejects ±Infinity. */
export function num(
  o: Common<number> & { check?: (x: number) => boolean; what?: string; finite?: boolean },
): Field<number> {
  const type = o.what ? `number ${o.what}` : "number";
  const finite = o.finite ?? true;
  return field({
    ...o,
    type,
    parse: (v, path) =>
      typeof v === "number" && !Number.isNaN(v) && (!finite || Number.isFinite(v)) && (o.check?.(v) ?? true)
        ? v
        : badField(path, `a ${type}`, v),
  });
}

export function bool(o: Common<boolean>): Field<boolean> {
  return field({
    ...o,
    type: "true | false",
    parse: (v, path) => (typeof v === "boolean" ? v : badField(path, "true or false", v)),
  });
}

/** A non-empty string (`what` names it in errors, e.g. `a strategy name`). */
export function str(o: Common<string> & { what?: string }): Field<string> {
  const what = o.what ?? "a non-empty string";
  return field({
    ...o,
    type: "string",
    parse: (v, path) => (typeof v === "string" && v.length > 0 ? v : badField(path, what, v)),
  });
}

/** One of the given strings. */
export function oneOf<const V extends string>(values: readonly V[], o: Common<V>): Field<V> {
  const type = values.map((v) => `"${v}"`).join(" | ");
  return field({
    ...o,
    type,
    parse: (v, path) =>
      values.includes(v as V) ? (v as V) : badField(path, `one of ${values.map((x) => `"${x}"`).join(", ")}`, v),
  });
}

/** A free-form JSON object, checked elsewhere (a strategy's own options). */
export function record(o: Common<Record<string, unknown>>): Field<Record<string, unknown>> {
  return field({
    ...o,
    type: "object",
    parse: (v, path) => (isObject(v) ? structuredClone(v) : badField(path, "an object", v)),
  });
}

/** A list of `item`s (at least `min`, default 1; exactly `length` when given). */
export function list<T>(item: Field<T>, o: Common<T[]> & { min?: number; length?: number; what?: string }): Field<T[]> {
  const min = o.min ?? 1;
  const what = o.what ?? (o.length !== undefined ? `a list of ${o.length} ${item.type}` : `a list of ${item.type}`);
  return field({
    ...o,
    type: o.length !== undefined ? `[${Array(o.length).fill(item.type).join(", ")}]` : `${item.type}[]`,
    parse: (v, path) => {
      if (!Array.isArray(v) || v.length < min || (o.length !== undefined && v.length !== o.length))
        return badField(path, what, v);
      return v.map((x, i) => item.parse(x, `${path}[${i}]`));
    },
  });
}

/** A value of any type checked by `check` (with its own errors); `type` says what it must be. */
export function custom<T>(o: Common<T> & { type: string; check(v: unknown, path: string): T }): Field<T> {
  return field({ ...o, parse: (v, path) => o.check(v, path) });
}

/** May be absent: resolves to `undefined` (its default is none). */
export function optional<T>(f: Field<T>, doc?: string): Field<T | undefined> {
  return { ...f, doc: doc ?? f.doc, default: undefined, hasDefault: false, optional: true };
}

/** The same field with another default (or doc). */
export function withDefault<T>(f: Field<T>, value: T, doc?: string): Field<T> {
  return { ...f, doc: doc ?? f.doc, default: value, hasDefault: true, optional: false };
}

export type Fields = Record<string, Field<unknown>>;
/** Fields that may be absent (their type includes undefined) are optional keys, so a partial object type-checks. */
type OptionalKeys<F extends Fields> = { [K in keyof F]: undefined extends Infer<F[K]> ? K : never }[keyof F];
export type InferFields<F extends Fields> = { [K in Exclude<keyof F, OptionalKeys<F>>]: Infer<F[K]> } & {
  [K in OptionalKeys<F>]?: Infer<F[K]>;
};

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function parseFields<F extends Fields>(fields: F, v: unknown, path: string): InferFields<F> {
  if (!isObject(v)) return badField(path, "an object", v);
  const valid = Object.keys(fields);
  for (const key of Object.keys(v)) {
    if (!valid.includes(key))
      throw new ConfigFieldError(
        `${path}.${key}`,
        `unknown field; valid fields: ${valid.join(", ")}`,
        "CONFIG_UNKNOWN_FIELD",
      );
  }
  const out: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(fields)) {
    const given = v[key];
    const p = `${path}.${key}`;
    if (given === undefined || given === null) {
      if (f.hasDefault) out[key] = f.parse(structuredClone(f.default), p);
      else if (f.fields && !f.optional) out[key] = f.parse({}, p);
      else if (!f.optional) badField(p, "a value");
      continue;
    }
    out[key] = f.parse(given, p);
  }
  return out as InferFields<F>;
}

/** An object of declared fields: unknown keys are `CONFIG_UNKNOWN_FIELD` listing the valid ones. */
export function object<F extends Fields>(fields: F, o: { doc: string }): Field<InferFields<F>> {
  return field({ doc: o.doc, type: "object", fields, parse: (v, path) => parseFields(fields, v, path) });
}

/** A top-level set of fields (a whole configuration). */
export function configFields<F extends Fields>(fields: F): Field<InferFields<F>> & { readonly fields: F } {
  return object(fields, { doc: "" }) as Field<InferFields<F>> & { readonly fields: F };
}

/** An object tagged by `kind`: one variant's fields per tag value. */
export function tagged<V extends Record<string, Field<unknown>>>(
  variants: V,
  o: { doc: string; tag?: string },
): Field<{ [K in keyof V]: Infer<V[K]> }[keyof V]> {
  const tag = o.tag ?? "kind";
  const tags = Object.keys(variants);
  return field({
    doc: o.doc,
    type: tags.map((t) => `{${tag}: ${t}, …}`).join(" | "),
    variants,
    tag,
    parse: (v, path) => {
      if (!isObject(v)) return badField(path, "an object", v);
      const t = v[tag];
      if (typeof t !== "string" || !tags.includes(t))
        return badField(`${path}.${tag}`, `one of ${tags.map((x) => `"${x}"`).join(", ")}`, t);
      return variants[t].parse(v, path) as { [K in keyof V]: Infer<V[K]> }[keyof V];
    },
  });
}

/** The dotted path of every declared field (objects' fields included, variants merged), in declaration order. */
export function fieldPaths(f: Field<unknown>, prefix = ""): string[] {
  const out: string[] = [];
  const add = (fields: Readonly<Record<string, Field<unknown>>>) => {
    for (const [key, sub] of Object.entries(fields)) {
      const p = prefix ? `${prefix}.${key}` : key;
      if (out.includes(p)) continue;
      out.push(p);
      for (const q of fieldPaths(sub, p)) if (!out.includes(q)) out.push(q);
    }
  };
  if (f.fields) add(f.fields);
  if (f.variants) for (const v of Object.values(f.variants)) if (v.fields) add(v.fields);
  return out;
}

function defaultText(f: Field<unknown>): string {
  if (f.optional) return " (optional)";
  if (!f.hasDefault) return f.fields ? "" : " (required)";
  if (f.fields) return "";
  return ` (default ${shown(f.default)})`;
}

/**
 * One help line per declared field, `path  type (default)  doc`, nested fields indented under their object; a
 * tagged object lists each variant's fields.
 */
export function describeFields(f: Field<unknown>, prefix = "", indent = ""): string[] {
  const lines: string[] = [];
  const add = (fields: Readonly<Record<string, Field<unknown>>>, seen: Set<string>) => {
    for (const [key, sub] of Object.entries(fields)) {
      if (seen.has(key)) continue;
      seen.add(key);
      const p = prefix ? `${prefix}.${key}` : key;
      const type = sub.fields && !sub.variants ? "object" : sub.type;
      lines.push(`${indent}${p}  ${type}${defaultText(sub)}  ${sub.doc}`.trimEnd());
      lines.push(...describeFields(sub, p, `${indent}  `));
    }
  };
  if (f.fields) add(f.fields, new Set());
  if (f.variants) {
    const tag = f.tag ?? "kind";
    const tags = Object.keys(f.variants);
    lines.push(
      `${indent}${prefix}.${tag}  ${tags.map((t) => `"${t}"`).join(" | ")} (required)  which of the variants below`,
    );
    const seen = new Set<string>([tag]);
    for (const [t, v] of Object.entries(f.variants)) {
      const before = lines.length;
      if (v.fields) add(v.fields, seen);
      for (let i = before; i < lines.length; i++) lines[i] = `${lines[i]} [${tag}: ${t}]`;
    }
  }
  return lines;
}
