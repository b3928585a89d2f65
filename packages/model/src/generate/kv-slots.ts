import type { Backend, DeviceBuffer } from "@sentrl/compute";
import type { ModelConfig } from "../config.js";

/**
 * The KV cache of a generation engine, on the backend (docs/contracts.md §9): per layer one key and one value buffer
 * of `slots · capacity · kvHeads·headDim` floats, laid out `[slot, position, width]` as the Backend's `kvCacheWrite`
 * and `cachedAttention` kernels expect. A decoding sequence owns one slot; `acquire`/`release` hand slots out and
 * back. `ensureCapacity` grows every slot (device-to-device copies of the live slots) when a longer sequence comes.
 */
export class KvSlots {
  readonly keys: DeviceBuffer[] = [];
  readonly values: DeviceBuffer[] = [];
  readonly width: number;
  private free: number[];
  private cap: number;

  constructor(
    private readonly be: Backend,
    private readonly cfg: ModelConfig,
    readonly slots: number,
    capacity: number,
  ) {
    this.width = cfg.numKvHeads * cfg.headDim;
    this.cap = Math.max(1, capacity);
    for (let l = 0; l < cfg.numLayers; l++) {
      this.keys.push(be.alloc(slots * this.cap * this.width));
      this.values.push(be.alloc(slots * this.cap * this.width));
    }
    // Lowest slot first, so runs are easy to read in a debugger.
    this.free = Array.from({ length: slots }, (_, i) => slots - 1 - i);
  }

  /** Positions each slot holds. */
  get capacity(): number {
    return this.cap;
  }

  /** Free slots. */
  get available(): number {
    return this.free.length;
  }

  /** Takes a free slot (the caller checked `available`). */
  acquire(): number {
    const s = this.free.pop();
    if (s === undefined) throw new Error("no free KV slot (internal error)");
    return s;
  }

  /** Gives a slot back; its contents are overwritten by the next owner. */
  release(slot: number): void {
    this.free.push(slot);
  }

  /**
   * Makes every slot hold at least `positions` positions: new buffers (capacity doubled until it fits), the first
   * `used[s]` positions of each slot copied over.
   */
  ensureCapacity(positions: number, used: ReadonlyMap<number, number>): void {
    if (positions <= this.cap) return;
    let cap = this.cap;
    while (cap < positions) cap *= 2;
    const w = this.width;
    for (const list of [this.keys, this.values]) {
      for (let l = 0; l < list.length; l++) {
        const old = list[l];
        const next = this.be.alloc(this.slots * cap * w);
        for (const [slot, n] of used) {
          if (n > 0) this.be.copy({ dst: next, src: old, length: n * w, dstOffset: slot * cap * w, srcOffset: slot * this.cap * w });
        }
        this.be.free(old);
        list[l] = next;
      }
    }
    this.cap = cap;
  }

  /** Frees the cache buffers. */
  dispose(): void {
    for (const b of [...this.keys, ...this.values]) this.be.free(b);
    this.keys.length = 0;
    this.values.length = 0;
  }
}
