// A workspace package.json as it is published: what only the monorepo needs is removed.

/** Scripts a user's install still runs (the native addon's build-or-use-prebuild step). */
const KEPT_SCRIPTS = new Set(["install"]);

export function publishedManifest(manifest) {
  const out = structuredClone(manifest);
  if (out.exports) out.exports = withoutSource(out.exports);
  delete out.devDependencies;
  delete out.nx;
  if (out.scripts) {
    out.scripts = Object.fromEntries(Object.entries(out.scripts).filter(([k]) => KEPT_SCRIPTS.has(k)));
    if (Object.keys(out.scripts).length === 0) delete out.scripts;
  }
  return out;
}

/** The exports map without any `source` condition, at any depth. */
export function withoutSource(exports) {
  if (Array.isArray(exports)) return exports.map(withoutSource);
  if (exports === null || typeof exports !== "object") return exports;
  const out = {};
  for (const [key, value] of Object.entries(exports)) if (key !== "source") out[key] = withoutSource(value);
  return out;
}
