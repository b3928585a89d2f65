// Shared pieces of the reliability suite: the built CLI as a child process (where the process boundary matters:
// kill -9, closed pipes, full disks, concurrent writers) and a tiny tabular training config that runs in ~0.5 s.
import { type ChildProcess, spawn, type StdioOptions } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(__dirname, "../../../..");
export const BIN = join(ROOT, "apps/sentrl/bin/sentrl.mjs");
/** The process-boundary tests run the built CLI (CI builds before testing); without it they skip, saying why. */
export const BUILT = existsSync(join(ROOT, "apps/sentrl/dist/cli.js"));
export const NOT_BUILT_REASON = "apps/sentrl/dist is missing: run `npm run build` first (CI does)";

export function scratch(tag: string): string {
  return mkdtempSync(join(tmpdir(), `sentrl-rel-${tag}-`));
}

/** The toy run: grpo on the tabular policy, a checkpoint every step (kills land inside checkpoint writes). */
export function toyConfig(dir: string, fields: Record<string, string> = {}, name = "toy.yaml"): string {
  const path = join(dir, name);
  const all: Record<string, string> = {
    preset: "grpo",
    policy: "{ kind: tabular }",
    totalSteps: "12",
    checkpointEvery: "1",
    ...fields,
  };
  writeFileSync(
    path,
    `${Object.entries(all)
      .map(([k, v]) => `${k}: ${v}`)
      .join("\n")}\n`,
  );
  return path;
}

export function spawnCli(
  args: string[],
  options: { env?: Record<string, string>; stdio?: StdioOptions } = {},
): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: options.stdio ?? ["pipe", "pipe", "pipe"],
  });
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI to the end with `stdin` as input. */
export function runBuilt(args: string[], stdin = "", env: Record<string, string> = {}): Promise<Finished> {
  const child = spawnCli(args, { env });
  return finish(child, stdin);
}

export function finish(child: ChildProcess, stdin?: string): Promise<Finished> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => (stdout += d));
  child.stderr?.on("data", (d) => (stderr += d));
  child.stdin?.on("error", () => {});
  if (stdin !== undefined) child.stdin?.end(stdin);
  return new Promise((res) => child.on("close", (code, signal) => res({ code, signal, stdout, stderr })));
}

/** Files whose names mark an interrupted write, anywhere under `dir`. */
export function leftovers(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (/\.tmp$|^\.trash\./.test(e.name)) out.push(join(d, e.name));
      if (e.isDirectory()) walk(join(d, e.name));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** One stderr line per error, never a stack trace. */
export function oneLineError(stderr: string): boolean {
  const lines = stderr
    .trimEnd()
    .split("\n")
    .filter((l) => l.startsWith("sentrl: ") && !l.startsWith("sentrl train"));
  return lines.length === 1 && !/\n\s+at /.test(stderr);
}
