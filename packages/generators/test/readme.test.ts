import { join } from "node:path";
import { expect, it } from "vitest";
import { runReadmeExample } from "../../core/test/readme-examples.js";

it("README example runs and prints what its `// →` comments say", async () => {
  const { printed, expected } = await runReadmeExample(join(__dirname, "..", "README.md"));
  expect(expected.length).toBe(3);
  expect(printed).toEqual(expected);
});
