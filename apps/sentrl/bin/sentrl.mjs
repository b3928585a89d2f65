#!/usr/bin/env node
// Committed launcher (docs/contracts.md §1): npm links a workspace bin only if its target exists at install time,
// so the bin points here and this file loads the built CLI.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const cli = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "cli.js");
if (!existsSync(cli)) {
  process.stderr.write("sentrl is not built: run npm run build\n");
  process.exit(1);
}
const { main } = await import(pathToFileURL(cli).href);
process.exitCode = await main(process.argv.slice(2));
