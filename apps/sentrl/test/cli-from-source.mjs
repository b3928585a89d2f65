// Runs the CLI from its TypeScript sources (with `node --conditions=source --import tsx`), for subprocess tests
// that must not depend on a build.
const { main } = await import("../src/cli.ts");
process.exitCode = await main(process.argv.slice(2));
