import { SentrlError } from "../errors.js";

/**
 * Named float tensors in the safetensors layout (8-byte little-endian header length, JSON header with `dtype`,
 * `shape`, `data_offsets`, optional string `__metadata__`, then the raw little-endian data), 1-D shapes, F32/F64.
 * Used for policy and optimiser state in checkpoints.
 */
export function encodeTensors(
  tensors: Record<string, Float32Array | Float64Array>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  const names = Object.keys(tensors).sort();
  for (const name of names) {
    const t = tensors[name];
    const dtype = t instanceof Float64Array ? "F64" : t instanceof Float32Array ? "F32" : null;
    if (!dtype) throw new SentrlError("CHECKPOINT_BAD_TENSOR", `tensor ${name} must be a Float32Array or Float64Array`);
    header[name] = { dtype, shape: [t.length], data_offsets: [offset, offset + t.byteLength] };
    offset += t.byteLength;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    const t = tensors[name];
    out.set(new Uint8Array(t.buffer, t.byteOffset, t.byteLength), pos);
    pos += t.byteLength;
  }
  return out;
}

/** Reads what {@link encodeTensors} wrote (copies the data, so alignment never matters). */
export function decodeTensors(bytes: Uint8Array): {
  tensors: Record<string, Float32Array | Float64Array>;
  metadata: Record<string, string>;
} {
  const fail = (why: string): never => {
    throw new SentrlError("CHECKPOINT_CORRUPT", `tensor file is corrupt: ${why}`);
  };
  if (bytes.length < 8) fail("shorter than its header");
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true));
  if (8 + n > bytes.length) fail("header longer than the file");
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch {
    return fail("header is not JSON");
  }
  const data = bytes.subarray(8 + n);
  const tensors: Record<string, Float32Array | Float64Array> = {};
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") {
      metadata = info as unknown as Record<string, string>;
      continue;
    }
    const [a, b] = info.data_offsets;
    if (!(a >= 0 && b >= a && b <= data.length)) fail(`bad offsets for ${name}`);
    const slice = new Uint8Array(b - a); // a copy (Buffer#slice would share a pooled buffer)
    slice.set(data.subarray(a, b));
    if (info.dtype === "F64") tensors[name] = new Float64Array(slice.buffer, 0, (b - a) / 8);
    else if (info.dtype === "F32") tensors[name] = new Float32Array(slice.buffer, 0, (b - a) / 4);
    else fail(`unsupported dtype ${info.dtype} for ${name}`);
  }
  return { tensors, metadata };
}
