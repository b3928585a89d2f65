import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { ModelError } from "../errors.js";
import { encodeFloats, type FloatDtype } from "./dtype.js";

/** A tensor to write: float32 values, a shape whose product is `data.length`, and the dtype to store. */
export interface TensorToWrite {
  data: Float32Array;
  shape: number[];
  dtype?: FloatDtype;
}

/**
 * Writes a safetensors file atomically (a temporary file beside `path`, fsync, rename): tensors in name order,
 * header padded with spaces to a multiple of 8 bytes. Values are rounded to nearest even for F16/BF16.
 *
 * @example
 * ```ts
 * import { writeSafetensors } from "@sentrl/model";
 * writeSafetensors("out/model.safetensors", { "model.norm.weight": { data: new Float32Array([1, 1]), shape: [2], dtype: "BF16" } }, { format: "pt" });
 * ```
 */
export function writeSafetensors(path: string, tensors: Record<string, TensorToWrite>, metadata?: Record<string, string>, defaultDtype: FloatDtype = "F32"): void {
  const header: Record<string, unknown> = {};
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const name of Object.keys(tensors).sort()) {
    if (name === "__metadata__") throw new ModelError("SAFETENSORS_WRITE", "`__metadata__` is reserved and cannot be a tensor name");
    const t = tensors[name];
    const elements = t.shape.reduce((a, d) => a * d, 1);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0) || elements !== t.data.length) {
      throw new ModelError("SAFETENSORS_WRITE", `tensor \`${name}\`: shape [${t.shape.join(", ")}] does not match ${t.data.length} values`);
    }
    const dtype = t.dtype ?? defaultDtype;
    const bytes = encodeFloats(t.data, dtype);
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    blobs.push(bytes);
    offset += bytes.length;
  }
  if (metadata) header.__metadata__ = metadata;
  let json = JSON.stringify(header);
  const raw = Buffer.from(json, "utf8");
  json += " ".repeat((8 - (raw.length % 8)) % 8);
  const headerBytes = Buffer.from(json, "utf8");
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(headerBytes.length));
  writeFileAtomic(path, [len, headerBytes, ...blobs]);
}

/** Writes `chunks` to `path` through a temporary file in the same folder, fsync and rename. */
export function writeFileAtomic(path: string, chunks: Uint8Array[]): void {
  const tmp = `${path}.tmp-${process.pid}-${Date.now().toString(36)}`;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "w");
    for (const c of chunks) {
      let done = 0;
      while (done < c.length) done += writeSync(fd, c, done, c.length - done);
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw new ModelError("SAFETENSORS_WRITE", `cannot write ${path}: ${(e as Error).message}`, { cause: e });
  }
}
