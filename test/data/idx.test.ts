import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { encodeIdx, parseIdx } from "../../src/data/idx.js";
import { readIdx, loadIdxDataset, datasetSize, labelsOf, imageValues } from "../../src/data/index.js";

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "labreport-idx-"));
}

const images = Uint8Array.from({ length: 3 * 2 * 2 }, (_, i) => i * 20);
const labels = Uint8Array.of(2, 0, 1);

test("reads a raw IDX file", () => {
  const dir = tempDir();
  const file = path.join(dir, "x-images-idx3-ubyte");
  fs.writeFileSync(file, encodeIdx([3, 2, 2], images));
  const idx = readIdx(file);
  assert.deepEqual(idx.dims, [3, 2, 2]);
  assert.deepEqual(Array.from(idx.data), Array.from(images));
});

test("reads a gzip-compressed IDX file", () => {
  const dir = tempDir();
  const file = path.join(dir, "x-labels-idx1-ubyte.gz");
  fs.writeFileSync(file, zlib.gzipSync(encodeIdx([3], labels)));
  const idx = readIdx(file);
  assert.deepEqual(idx.dims, [3]);
  assert.deepEqual(Array.from(idx.data), [2, 0, 1]);
});

test("decodes big-endian int32 IDX data", () => {
  const bytes = Buffer.from([0, 0, 0x0c, 1, 0, 0, 0, 2, 0, 0, 1, 0, 0xff, 0xff, 0xff, 0xfe]);
  assert.deepEqual(Array.from(parseIdx(bytes).data), [256, -2]);
});

test("rejects a truncated IDX file, naming it", () => {
  const dir = tempDir();
  const file = path.join(dir, "short-images-idx3-ubyte");
  fs.writeFileSync(file, encodeIdx([3, 2, 2], images).subarray(0, 20));
  assert.throws(() => readIdx(file), (err: Error) => err.message.includes(file) && /truncated/.test(err.message));
  const header = path.join(dir, "header-only");
  fs.writeFileSync(header, Buffer.from([0, 0, 8, 3, 0, 0]));
  assert.throws(() => readIdx(header), /truncated IDX header/);
});

test("rejects a file with the wrong magic bytes, naming it", () => {
  const dir = tempDir();
  const file = path.join(dir, "not-idx.bin");
  fs.writeFileSync(file, Buffer.from("PK\x03\x04 definitely not idx"));
  assert.throws(() => readIdx(file), (err: Error) => err.message.includes(file) && /not an IDX file/.test(err.message));
});

test("rejects a corrupt .gz file, naming it", () => {
  const dir = tempDir();
  const file = path.join(dir, "broken.gz");
  fs.writeFileSync(file, Buffer.from([0x1f, 0x8b, 1, 2, 3]));
  assert.throws(() => readIdx(file), (err: Error) => err.message.includes(file));
});

test("loads any folder of MNIST-format IDX files, raw or gz", () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, "train-images-idx3-ubyte.gz"), zlib.gzipSync(encodeIdx([3, 2, 2], images)));
  fs.writeFileSync(path.join(dir, "train-labels-idx1-ubyte"), encodeIdx([3], labels));
  const ds = loadIdxDataset(dir, { normalize: false, name: "toy" });
  assert.equal(datasetSize(ds), 3);
  assert.deepEqual(ds.imageShape, [2, 2, 1]);
  assert.equal(ds.numClasses, 3);
  assert.deepEqual(Array.from(labelsOf(ds)), [2, 0, 1]);
  assert.ok(Math.abs(imageValues(ds, 1, 2)[0] - 80 / 255) < 1e-6);
  assert.throws(
    () => loadIdxDataset(dir, { split: "test", name: "toy" }),
    (err: Error) => err.message.includes(path.join(dir, "t10k-images-idx3-ubyte")),
  );
});
