import { SentrlError } from "@sentrl/core";

/**
 * The Parquet reader and writer (hyparquet, hyparquet-writer), loaded on first use with a dynamic `import()`.
 * Both are ES modules only: a static import would make this package's CommonJS build `require()` them, which
 * fails on Node versions without require(esm). JSONL users never load them.
 */
export interface ParquetCodec {
  parquetMetadata: typeof import("hyparquet").parquetMetadata;
  parquetReadObjects: typeof import("hyparquet").parquetReadObjects;
  parquetWriteBuffer: typeof import("hyparquet-writer").parquetWriteBuffer;
}

let codec: ParquetCodec | undefined;

/**
 * Loads the Parquet codec (once). `readDataset` calls it for Parquet files, so a dataset read that way can be
 * written back synchronously; call it yourself before encoding a Parquet `Dataset` you built by hand.
 *
 * @example
 * await loadParquetCodec();
 */
export async function loadParquetCodec(): Promise<ParquetCodec> {
  if (!codec) {
    const [reader, writer] = await Promise.all([import("hyparquet"), import("hyparquet-writer")]);
    codec = {
      parquetMetadata: reader.parquetMetadata,
      parquetReadObjects: reader.parquetReadObjects,
      parquetWriteBuffer: writer.parquetWriteBuffer,
    };
  }
  return codec;
}

/** The codec if already loaded; a coded error saying what to call otherwise. */
export function loadedParquetCodec(): ParquetCodec {
  if (!codec)
    throw new SentrlError(
      "DATASET_PARQUET_NOT_LOADED",
      "the Parquet codec is not loaded: read the dataset with readDataset, or `await loadParquetCodec()` first",
    );
  return codec;
}
