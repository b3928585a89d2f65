import { join } from "node:path";
import { expect, it } from "vitest";
import { runReadmeExample } from "../../core/test/readme-examples.js";

it("README example trains the toy policy and prints what its `// →` comments say", async () => {
  const { printed, expected } = await runReadmeExample(join(__dirname, "..", "README.md"));
  expect(expected).toEqual([6, true]);
  expect(printed).toEqual(expected);
});
