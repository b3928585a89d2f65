import { describe, expect, it, vi } from "vitest";

// The native package is "missing" in this file: the loader reports a reason and the selection falls back.
vi.mock("../src/fast/kernels.js", () => ({
  loadFastKernels: async () => ({ kernels: null, reason: "simulated: addon not built" }),
}));

const { createDefaultBackend, selectBackend } = await import("../src/index.js");

describe("backend selection without the native kernels", () => {
  it("auto falls back to the reference with exactly one warning that says why", async () => {
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    const a = await createDefaultBackend({ warn });
    const b = await selectBackend("auto", { warn });
    expect([a.name, b.name]).toEqual(["reference", "reference"]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/fast CPU backend is unavailable \(simulated: addon not built\); using the TypeScript reference/);
  });

  it("fast throws BACKEND_UNAVAILABLE with the reason; reference needs no kernels; unknown names are coded", async () => {
    await expect(selectBackend("fast")).rejects.toMatchObject({ code: "BACKEND_UNAVAILABLE", message: expect.stringContaining("simulated: addon not built") });
    expect((await selectBackend("reference")).name).toBe("reference");
    await expect(selectBackend("gpu")).rejects.toMatchObject({ code: "BACKEND_BAD_ARGUMENT" });
  });
});
