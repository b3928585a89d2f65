import { Readable } from "node:stream";
import { expect, it } from "vitest";
import { main } from "../src/cli.js";
import type { CliIO } from "../src/command.js";

/** A CliIO over a string stdin that captures stdout and stderr, for in-process command tests. */
export interface FakeIO extends CliIO {
  out(): string;
  err(): string;
}

export function fakeIO(stdin = "", env: Record<string, string> = {}): FakeIO {
  let out = "";
  let err = "";
  return {
    stdin: Readable.from([Buffer.from(stdin)]),
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env,
    out: () => out,
    err: () => err,
  };
}

/** Runs `sentrl <argv>` in-process with `stdin` as input; returns the exit code and the captured streams. */
export async function runCli(
  argv: string[],
  stdin = "",
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = fakeIO(stdin, env);
  const code = await main(argv, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

/** An error case of a command: what it tests, argv, stdin, and the expected code (`USAGE` means exit 2). */
export type CliErrorCase = [what: string, argv: string[], stdin: string, code: string];

/** One test per case: nothing on stdout, exit 2 for `USAGE` else 1, and `sentrl: <CODE>: <message>` on stderr. */
export function itFailsWithCodes(cases: CliErrorCase[]): void {
  for (const [what, argv, stdin, code] of cases) {
    it(`error: ${what} → ${code}`, async () => {
      const r = await runCli(argv, stdin);
      expect(r.stdout).toBe("");
      expect(r.code).toBe(code === "USAGE" ? 2 : 1);
      expect(r.stderr).toMatch(new RegExp(`^sentrl: ${code}: \\S`));
    });
  }
}
