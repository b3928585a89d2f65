import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./fake-io.js";

// The root README's "Using one plugin" commands, run in-process: each `... | npx sentrl <args>` line with the
// single-quoted JSON it pipes, checked against the `# → ...` line under it (exactly, or up to the first `…`).
const readme = readFileSync(join(__dirname, "..", "..", "..", "README.md"), "utf8");
const section = readme.split("## Using one plugin")[1]?.split("\n## ")[0] ?? "";
const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
const lines = block.replace(/\\\n\s*/g, " ").split("\n");

interface Example {
  command: string;
  stdin: string;
  argv: string[];
  expected: string;
}

function examples(): Example[] {
  const out: Example[] = [];
  lines.forEach((line, i) => {
    const m = /^(.*)\|\s*npx sentrl (.*)$/.exec(line);
    if (!m) return;
    const quoted = [...m[1].matchAll(/'([^']*)'/g)].map((q) => q[1]);
    const argv = [...m[2].matchAll(/'([^']*)'|(\S+)/g)].map((a) => a[1] ?? a[2]);
    const expected = lines[i + 1]?.startsWith("# → ") ? lines[i + 1].slice(4) : "";
    out.push({ command: line, stdin: `${quoted.at(-1)}\n`, argv, expected });
  });
  return out;
}

describe("root README: Using one plugin", () => {
  const cases = examples();
  it("has the loss, advantages, grade and se examples, each with its output", () => {
    expect(cases.map((c) => c.argv[0])).toEqual(["loss", "advantages", "grade", "se"]);
    for (const c of cases) expect(c.expected, c.command).not.toBe("");
  });
  it.each(cases.map((c) => [c.argv[0], c] as const))("sentrl %s prints what the README says", async (_name, c) => {
    const r = await runCli(c.argv, c.stdin);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    if (c.expected.includes("…")) expect(r.stdout.startsWith(c.expected.split("…")[0])).toBe(true);
    else expect(JSON.parse(r.stdout)).toEqual(JSON.parse(c.expected));
  });
});
