/**
 * A README example (TypeScript, ES module syntax, top-level await allowed) as two files a user might write:
 * the example as an ES module (`.mts`), and the same code as a CommonJS module (`.cts`: imports stay at the top,
 * where TypeScript turns them into `require()`; the rest runs inside an async function, since CommonJS has no
 * top-level await).
 */
export function exampleModules(code: string): { esm: string; cjs: string } {
  const lines = code.split("\n");
  let end = 0;
  // The import block: every line up to the last one that closes an import statement.
  let inImport = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (!inImport && /^import\s/.test(line)) inImport = true;
    if (inImport && /from\s+["'][^"']+["'];?\s*$|^import\s+["'][^"']+["'];?\s*$/.test(line)) {
      inImport = false;
      end = i + 1;
    }
    if (!inImport && line.trim() !== "" && !/^import\s/.test(line) && !/^\s*\/\//.test(line) && i >= end) break;
  }
  const imports = lines.slice(0, end).join("\n");
  const body = lines.slice(end).join("\n");
  const esm = `${code}\nexport {};\n`;
  const cjs = `${imports}\n\nasync function main(): Promise<void> {\n${body}\n}\n\nmain().catch((e: unknown) => {\n  console.error(e);\n  process.exit(1);\n});\n`;
  return { esm, cjs };
}
