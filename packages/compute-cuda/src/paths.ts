import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** This module's file in the ESM build (import.meta.url) and in the CJS build (where import.meta is empty). */
export function moduleFile(): string {
  const url = (import.meta as { url?: string }).url;
  return url ? fileURLToPath(url) : __filename;
}

/** The package folder (one level above src/ and dist/). */
export function packageRoot(): string {
  return join(dirname(moduleFile()), "..");
}
