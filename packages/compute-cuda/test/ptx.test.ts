// The committed PTX must be built from the committed kernel sources. nvcc's output is byte-stable for one nvcc
// version but not across versions, so the record beside the PTX (ptx/SOURCES.json) holds the SHA-256 of the sources
// and flags: this test fails whenever a kernel changed without `npm run build` where nvcc exists, with or without
// nvcc here. Where the recorded nvcc version is installed, one file is also recompiled and compared byte for byte.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kernelNames, kernelSources, NVCC_FLAGS, sourcesHash } from "../scripts/kernel-sources.mjs";

const root = join(import.meta.dirname, "..");
const record = JSON.parse(readFileSync(join(root, "ptx", "SOURCES.json"), "utf8")) as {
  sha256: string;
  nvcc: string;
  flags: string;
  files: string[];
};
const nvcc = spawnSync("nvcc", ["--version"], { encoding: "utf8" });
const nvccVersion = nvcc.status === 0 ? (/release \S+, V\S+/.exec(nvcc.stdout)?.[0] ?? "") : "";

describe("committed PTX", () => {
  it("was built from the current kernels/ sources and flags (else: npm run build -w @sentrl/compute-cuda with nvcc, commit ptx/)", () => {
    expect(record.flags).toBe(NVCC_FLAGS.join(" "));
    expect(
      record.sha256,
      "ptx/ is STALE against kernels/: rebuild it with nvcc (npm run build -w @sentrl/compute-cuda) and commit ptx/",
    ).toBe(sourcesHash(root));
  });

  it("has one PTX per .cu with exactly the kernels the sources declare", () => {
    const sources = kernelSources(root);
    expect(
      readdirSync(join(root, "ptx"))
        .filter((f) => f.endsWith(".ptx"))
        .sort(),
    ).toEqual(sources.map((s) => `${s.name}.ptx`));
    for (const s of sources) {
      const ptx = readFileSync(join(root, "ptx", `${s.name}.ptx`), "utf8");
      const entries = [...ptx.matchAll(/\.entry\s+(\w+)\s*\(/g)].map((m) => m[1]).sort();
      expect(entries, s.name).toEqual(kernelNames(s.text).sort());
    }
  });

  it.skipIf(nvccVersion !== record.nvcc)(
    `recompiles byte for byte with ${record.nvcc}${nvccVersion === record.nvcc ? "" : ` (skipped: nvcc here is ${nvccVersion || "absent"})`}`,
    () => {
      const out = join(mkdtempSync(join(tmpdir(), "ptx-")), "embedding.ptx");
      execFileSync("nvcc", [...NVCC_FLAGS, "-o", out, join(root, "kernels", "embedding.cu")]);
      expect(readFileSync(out, "utf8")).toBe(readFileSync(join(root, "ptx", "embedding.ptx"), "utf8"));
    },
  );
});
