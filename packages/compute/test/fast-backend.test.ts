import { describe, expect, it } from "vitest";
import { createFastCpuBackend, createReferenceBackend, loadFastKernels, selectBackend } from "../src/index.js";
import { randomArray } from "../src/testing/index.js";

const { kernels, reason } = await loadFastKernels();

describe.skipIf(!kernels)(`fast CPU backend specifics${kernels ? "" : ` (skipped: ${reason})`}`, () => {
  const make = () => createFastCpuBackend(kernels as NonNullable<typeof kernels>);

  it("selectBackend('auto') and ('fast') give it when the kernels load", async () => {
    expect((await selectBackend("auto")).name).toBe("cpu");
    expect((await selectBackend("fast")).name).toBe("cpu");
  });

  it("a freed buffer's memory is reused zero-filled, and the old handle stays dead", () => {
    const be = make();
    const a = be.alloc(1000);
    be.fill(a, 3);
    be.free(a);
    const b = be.alloc(1000);
    expect(be.download(b).every((v) => v === 0)).toBe(true);
    expect(() => be.download(a)).toThrow(expect.objectContaining({ code: "BACKEND_BUFFER_FREED" }));
    be.fill(b, 1);
    expect(be.download(b)[999]).toBe(1);
  });

  it("rope from cached tables is bit-identical to the reference, also past the cached range", () => {
    const fast = make();
    const ref = createReferenceBackend();
    const [heads, headDim, theta] = [3, 8, 1e6];
    for (const positions of [Int32Array.from([0, 5, 17]), Int32Array.from([4000, 3, 70000]), Int32Array.from([2, 1_000_000_000, 9])]) {
      const rows = positions.length;
      const x = randomArray(rows * heads * headDim, rows, 2);
      const out = [fast, ref].map((be) => {
        const b = be.alloc(x.length);
        be.upload(b, x);
        be.ropeForward({ out: b, x: b, positions, rows, heads, headDim, theta });
        const d = be.alloc(x.length);
        be.fill(d, 0.5);
        be.ropeBackward({ dOut: b, dx: d, positions, rows, heads, headDim, theta });
        return [Array.from(be.download(b)), Array.from(be.download(d))];
      });
      expect(out[0]).toEqual(out[1]);
    }
  });

  it("buffers of another backend are rejected", () => {
    const be = make();
    const foreign = createReferenceBackend().alloc(4);
    expect(() => be.fill(foreign)).toThrow(expect.objectContaining({ code: "BACKEND_FOREIGN_BUFFER" }));
  });
});
