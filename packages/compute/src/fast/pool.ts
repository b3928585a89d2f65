/**
 * Recycles freed Float32Arrays by exact length, so a training loop that allocates the same activation buffers
 * every step reuses last step's memory instead of asking the allocator (and the GC) for hundreds of MB.
 * At most `maxBytes` of idle arrays are kept.
 */
export class ArrayPool {
  private readonly idle = new Map<number, Float32Array[]>();
  private idleBytes = 0;

  constructor(private readonly maxBytes: number) {}

  /**
   * An array of `length` values: a recycled one (old contents, `zeroed: false`: the caller zero-fills it when it
   * needs to) or a new zero-filled one.
   */
  take(length: number): { data: Float32Array; zeroed: boolean } {
    const list = this.idle.get(length);
    const a = list?.pop();
    if (a) {
      this.idleBytes -= a.byteLength;
      return { data: a, zeroed: false };
    }
    return { data: new Float32Array(length), zeroed: true };
  }

  /** Gives an array back for reuse (dropped when the pool is full). */
  give(a: Float32Array): void {
    if (a.length === 0 || this.idleBytes + a.byteLength > this.maxBytes) return;
    let list = this.idle.get(a.length);
    if (!list) {
      list = [];
      this.idle.set(a.length, list);
    }
    list.push(a);
    this.idleBytes += a.byteLength;
  }

  /** Drops every idle array. */
  clear(): void {
    this.idle.clear();
    this.idleBytes = 0;
  }

  /** Bytes held by idle arrays. */
  get bytes(): number {
    return this.idleBytes;
  }
}

/** Named scratch arrays that grow to the largest size asked for and are reused call after call. */
export class Scratch {
  private readonly arrays = new Map<string, Float32Array>();

  /** A scratch array of at least `length` values, contents unspecified. */
  get(name: string, length: number): Float32Array {
    let a = this.arrays.get(name);
    if (!a || a.length < length) {
      a = new Float32Array(length);
      this.arrays.set(name, a);
    }
    return a.length === length ? a : a.subarray(0, length);
  }

  clear(): void {
    this.arrays.clear();
  }
}
