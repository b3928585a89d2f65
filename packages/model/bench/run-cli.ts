// Runs the sentrl CLI from its TypeScript sources (the score benchmark's launcher when the CLI is not built).
import { main } from "../../../apps/sentrl/src/cli.js";

process.exitCode = await main(process.argv.slice(2));
