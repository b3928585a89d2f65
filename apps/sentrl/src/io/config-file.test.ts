import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readConfigFile } from "./config-file.js";

describe("readConfigFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "sentrl-config-file-"));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it("reads JSON and YAML into the same object", async () => {
    const json = await readConfigFile(file("a.json", '{"preset":"sent","optimizer":{"lr":0.1}}'));
    const yaml = await readConfigFile(file("a.yaml", "preset: sent\noptimizer:\n  lr: 0.1\n"));
    expect(yaml).toEqual(json);
  });

  it("names the file, the line and the problem", async () => {
    await expect(readConfigFile(join(dir, "none.yaml"))).rejects.toMatchObject({ code: "CONFIG_NOT_FOUND" });
    await expect(readConfigFile(file("b.json", "{ nope"))).rejects.toMatchObject({
      code: "CONFIG_PARSE",
      message: expect.stringContaining("b.json is not valid JSON"),
    });
    await expect(readConfigFile(file("c.yaml", "a: 1\nb: [1, 2\n"))).rejects.toMatchObject({
      code: "CONFIG_PARSE",
      message: expect.stringMatching(/c\.yaml:\d+ is not valid YAML/),
    });
    await expect(readConfigFile(file("d.yaml", "- 1\n- 2\n"))).rejects.toMatchObject({ code: "CONFIG_BAD_FIELD" });
  });
});
