import type { DatasetRow } from "../contracts/dataset.js";
import { SentrlError } from "../errors.js";
import { deriveSeed } from "../rng/derive-seed.js";
import { Rng } from "../rng/xoshiro.js";

/** Where the sampler stands: checkpointed so a resumed run sees the same prompts. */
export interface SamplerPosition {
  epoch: number;
  /** Index into the epoch's order of the next prompt. */
  cursor: number;
}

/**
 * verl's train loader: each epoch a permutation of the rows (`shuffle`, seeded by
 * `deriveSeed(seed, epoch, "data-shuffle")`, Fisher–Yates) or the source order, cut into batches of `batchSize`;
 * the last incomplete batch is dropped (`drop_last=True`).
 *
 * @example
 * ```ts
 * import { PromptSampler } from "@sentrl/core";
 * const sampler = new PromptSampler(rows, { batchSize: 4, seed: 1, shuffle: true });
 * const batch = sampler.next();
 * ```
 */
export class PromptSampler {
  private readonly rows: readonly DatasetRow[];
  private readonly batchSize: number;
  private readonly seed: number;
  private readonly shuffle: boolean;
  private position: SamplerPosition = { epoch: 0, cursor: 0 };
  private order: Int32Array | null = null;
  private orderEpoch = -1;

  constructor(rows: readonly DatasetRow[], options: { batchSize: number; seed: number; shuffle: boolean }) {
    if (rows.length < options.batchSize) {
      throw new SentrlError(
        "TRAINER_BAD_OPTION",
        `the dataset has ${rows.length} rows, fewer than promptsPerStep (${options.batchSize}); lower promptsPerStep`,
      );
    }
    this.rows = rows;
    this.batchSize = options.batchSize;
    this.seed = options.seed;
    this.shuffle = options.shuffle;
  }

  get state(): SamplerPosition {
    return { ...this.position };
  }

  set state(position: SamplerPosition) {
    if (
      !(
        Number.isInteger(position?.epoch) &&
        Number.isInteger(position?.cursor) &&
        position.epoch >= 0 &&
        position.cursor >= 0
      )
    ) {
      throw new SentrlError("TRAINER_BAD_CHECKPOINT", `bad sampler position ${JSON.stringify(position)}`);
    }
    this.position = { ...position };
  }

  private orderOf(epoch: number): Int32Array {
    if (this.orderEpoch !== epoch || !this.order) {
      const order = Int32Array.from({ length: this.rows.length }, (_, i) => i);
      if (this.shuffle) new Rng(deriveSeed(this.seed, epoch, "data-shuffle")).shuffle(order);
      this.order = order;
      this.orderEpoch = epoch;
    }
    return this.order;
  }

  /** The next batch of rows (moving to the next epoch when fewer than a batch are left). */
  next(): DatasetRow[] {
    if (this.position.cursor + this.batchSize > this.rows.length)
      this.position = { epoch: this.position.epoch + 1, cursor: 0 };
    const order = this.orderOf(this.position.epoch);
    const out: DatasetRow[] = [];
    for (let i = 0; i < this.batchSize; i++) out.push(this.rows[order[this.position.cursor + i]]);
    this.position = { epoch: this.position.epoch, cursor: this.position.cursor + this.batchSize };
    return out;
  }
}
