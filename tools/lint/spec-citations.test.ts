/**
 * Comments and READMEs cite the repository's own notes (`docs/algorithms.md §x.y`, `docs/contracts.md §n`), never the
 * specification files that lived beside the repository, and every cited section exists in the page it names.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SELF = "tools/lint/spec-citations.test.ts";
const CHECKED = /\.(ts|mts|cts|js|mjs|cjs|py|rs|c|h|cu|sh|md)$/;

/** The repository's files as git sees them (tracked, plus new ones it does not ignore): no build output. */
function files(): string[] {
  const out = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  return out
    .split("\0")
    .filter((p) => CHECKED.test(p) && !p.startsWith("docs/") && !/(^|\/)CHANGELOG/.test(p) && p !== SELF);
}

function readIfPresent(path: string): string {
  try {
    return readFileSync(join(ROOT, path), "utf8");
  } catch {
    return ""; // listed by git but deleted in the working tree
  }
}

/** Section numbers (`5`, `5.6`) that a docs page defines with its `##`/`###` headings. */
function sections(page: string): Set<string> {
  const text = readFileSync(join(ROOT, "docs", page), "utf8");
  return new Set([...text.matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.? /gm)].map((m) => m[1] as string));
}

/** Citations of the old, external specification files: their names as words, or a path into ../shared. */
function externalCitations(text: string): string[] {
  return [...text.matchAll(/\b(?:ALGORITHMS|CONTRACTS)(?:\.md)?\b|shared\/(?:ALGORITHMS|CONTRACTS)\.md/g)].map(
    (m) => m[0],
  );
}

/** `docs/<page>.md §x.y` citations in a text (the first section after the page name). */
function docsCitations(text: string): { page: string; section: string }[] {
  return [...text.matchAll(/docs\/(algorithms|contracts)\.md §(\d+(?:\.\d+)?)/g)].map((m) => ({
    page: `${m[1]}.md`,
    section: m[2] as string,
  }));
}

describe("spec citations", () => {
  it("finds old citations and reads docs citations (the checker itself)", () => {
    expect(externalCitations("see ALGORITHMS §5.6 and ../shared/CONTRACTS.md")).toEqual([
      "ALGORITHMS",
      "shared/CONTRACTS.md",
    ]);
    expect(externalCitations("see docs/algorithms.md §5.6")).toEqual([]);
    expect(docsCitations("(docs/algorithms.md §5.6.) and docs/contracts.md §2")).toEqual([
      { page: "algorithms.md", section: "5.6" },
      { page: "contracts.md", section: "2" },
    ]);
  });

  const all = files().map((path) => ({ path, text: readIfPresent(path) }));

  it("no source file or README cites ALGORITHMS / CONTRACTS outside docs/", () => {
    const offenders = all.flatMap(({ path, text }) =>
      text
        .split("\n")
        .map((line, i) => (externalCitations(line).length > 0 ? `${path}:${i + 1}: ${line.trim()}` : ""))
        .filter(Boolean),
    );
    expect(offenders).toEqual([]);
  });

  it("every docs/ citation names a section that exists", () => {
    const known = { "algorithms.md": sections("algorithms.md"), "contracts.md": sections("contracts.md") };
    expect(known["algorithms.md"].has("5.6")).toBe(true);
    expect(known["contracts.md"].has("12")).toBe(true);
    const missing = all.flatMap(({ path, text }) =>
      docsCitations(text)
        .filter((c) => !known[c.page as keyof typeof known].has(c.section))
        .map((c) => `${path}: docs/${c.page} §${c.section}`),
    );
    expect(missing).toEqual([]);
  });
});
