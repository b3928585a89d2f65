import { readFile, stat } from "node:fs/promises";
import { extname } from "node:path";
import { parseDocument } from "yaml";
import { SentrlError } from "@sentrl/core";
import { jsonTooDeepAt, tooDeepMessage } from "./json-depth.js";

/**
 * Reads a run configuration file: JSON (`.json`) or YAML (`.yaml`, `.yml`; any other extension is tried as YAML,
 * a superset of JSON). Returns the parsed value, unvalidated. `CONFIG_NOT_FOUND` when the file is missing,
 * `CONFIG_PARSE` (with the line) when it is not valid JSON/YAML, `CONFIG_BAD_FIELD` when it is not an object.
 *
 * @example
 * ```ts
 * import { readConfigFile } from "./io/config-file.js";
 * const raw = await readConfigFile("run.yaml"); // { preset: "sent", totalSteps: 200, ... }
 * ```
 */
export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  // A FIFO or device would block or never end: only regular files are read (docs/contracts.md §1).
  const st = await stat(path).catch(() => null);
  if (st && !st.isFile())
    throw new SentrlError(
      "CONFIG_NOT_REGULAR_FILE",
      `config file ${path} is ${st.isDirectory() ? "a directory" : "not a regular file (a FIFO or device)"}; pass a .json or .yaml file`,
    );
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new SentrlError("CONFIG_NOT_FOUND", `config file ${path} does not exist or cannot be read`, { cause: e });
  }
  let value: unknown;
  const deep = jsonTooDeepAt(text);
  if (deep >= 0) throw new SentrlError("CONFIG_PARSE", tooDeepMessage(path, deep));
  if (extname(path).toLowerCase() === ".json") {
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new SentrlError("CONFIG_PARSE", `${path} is not valid JSON: ${(e as Error).message}`);
    }
  } else {
    const doc = parseDocument(text, { prettyErrors: true });
    if (doc.errors.length > 0) {
      const err = doc.errors[0];
      const line = err.linePos?.[0].line;
      throw new SentrlError(
        "CONFIG_PARSE",
        `${path}${line ? `:${line}` : ""} is not valid YAML: ${err.message.split("\n")[0]}`,
      );
    }
    try {
      // An alias bomb (aliases of aliases expanding to billions of nodes) stops at yaml's alias budget.
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      throw new SentrlError(
        "CONFIG_PARSE",
        `${path} is not a usable YAML document: ${(e as Error).message.split("\n")[0]}; write the values out instead of nesting aliases`,
      );
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new SentrlError("CONFIG_BAD_FIELD", `config: expected an object (a mapping of fields) in ${path}`);
  }
  return value as Record<string, unknown>;
}
