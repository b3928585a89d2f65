// `--backend cuda` / SENTRL_BACKEND=cuda go through @sentrl/compute's selectBackend, which loads this package only
// when asked; without a GPU that is a coded BACKEND_UNAVAILABLE error with the probe's reason, never a crash.
import { BACKEND_CHOICES, selectBackend } from "@sentrl/compute";
import { describe, expect, it } from "vitest";
import { probeCuda } from "../src/index.js";

describe("selecting the CUDA backend", () => {
  it("is one of the backend choices; auto stays on the CPU", async () => {
    expect(BACKEND_CHOICES).toContain("cuda");
    expect((await selectBackend("auto", { warn: () => {} })).name).not.toBe("cuda");
  });

  it.skipIf(probeCuda().available)("without a GPU, `cuda` is BACKEND_UNAVAILABLE with the reason", async () => {
    const err = await selectBackend("cuda").then(
      () => undefined,
      (e: { code?: string; message: string }) => e,
    );
    expect(err?.code).toBe("BACKEND_UNAVAILABLE");
    expect(err?.message).toMatch(/backend `cuda` is unavailable: .*(driver|GPU)/);
  });
});
