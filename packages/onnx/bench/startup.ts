/**
 * Start-up cost of the optional ONNX packages (docs/contracts.md §1): wall time of `sentrl se` (answer clustering)
 * and `sentrl loss` from the built CLI, with the packages installed and with them made unresolvable (as on an install
 * without them; test hook apps/sentrl/test/without-onnx.mjs; the installed side runs a pass-through hook so both pay
 * for Node's hooks thread), interleaved, median of 9; beside the time
 * `import("@huggingface/transformers")` alone takes (what a command would pay if it loaded them). Needs
 * `npm run build`. Prints JSON lines.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..", "..");
const bin = join(root, "apps", "sentrl", "bin", "sentrl.mjs");
const hook = join(root, "apps", "sentrl", "test", "without-onnx.mjs");
// The same loader-hook machinery with a pass-through resolve, so both sides pay for the hooks thread.
const noop = join(mkdtempSync(join(tmpdir(), "sentrl-startup-")), "noop-hook.mjs");
writeFileSync(
  noop,
  `import { register } from "node:module";\nregister("data:text/javascript," + encodeURIComponent("export async function resolve(s, c, n) { return n(s, c); }"));\n`,
);
if (!existsSync(join(root, "apps", "sentrl", "dist", "cli.js"))) {
  console.log(JSON.stringify({ bench: "startup", skipped: "apps/sentrl is not built: run npm run build" }));
  process.exit(0);
}

const cases: Record<string, { args: string[]; input: string }> = {
  "se (answer)": {
    args: ["se", "--estimator", "discrete"],
    input: '{"id":"a","responses":["Answer: 4","Answer: 5"]}\n',
  },
  loss: {
    args: ["loss", "--name", "grpo"],
    input: JSON.stringify({ logp: [[-1, -2]], oldLogp: [[-1, -2]], advantages: [[1, 1]], mask: [[1, 1]] }),
  },
};

function ms(nodeArgs: string[], input: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, nodeArgs, { input, encoding: "utf8", cwd: root });
  const t = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${nodeArgs.join(" ")} failed: ${r.stderr}`);
  return t;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const [name, c] of Object.entries(cases)) {
  const withPkgs: number[] = [];
  const without: number[] = [];
  for (let i = 0; i < 9; i++) {
    withPkgs.push(ms(["--import", noop, bin, ...c.args], c.input));
    without.push(ms(["--import", hook, bin, ...c.args], c.input));
  }
  console.log(
    JSON.stringify({
      bench: "startup",
      command: name,
      installedMs: median(withPkgs),
      withoutOptionalMs: median(without),
    }),
  );
}
const imp: number[] = [];
for (let i = 0; i < 5; i++)
  imp.push(ms(["--input-type=module", "-e", 'await import("@huggingface/transformers")'], ""));
console.log(
  JSON.stringify({ bench: "startup", command: 'node -e import("@huggingface/transformers")', ms: median(imp) }),
);
