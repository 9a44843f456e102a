import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import {
  loadMnist, loadFashionMnist, labelsOf, pixelStatistics, datasetSize, takeFirst, splitTrainValidation,
  shuffled, withNormalization, batches, batchCount, imageValues, imageDataset, MNIST_NORMALIZATION, FASHION_MNIST_DIR,
} from "../../src/data/index.js";

const train = loadMnist({ normalize: false });

test("MNIST: 60,000 training and 10,000 test images; first labels 5 0 4 1 9", () => {
  assert.equal(datasetSize(train), 60000);
  assert.deepEqual(train.imageShape, [28, 28, 1]);
  assert.deepEqual(Array.from(labelsOf(train).subarray(0, 5)), [5, 0, 4, 1, 9]);
  assert.equal(datasetSize(loadMnist({ split: "test" })), 10000);
});

test("MNIST training set pixel statistics are the standard 0.1307 / 0.3081", () => {
  const { mean, std } = pixelStatistics(train);
  assert.ok(Math.abs(mean - 0.1307) < 5e-5, `mean ${mean}`);
  assert.ok(Math.abs(std - 0.3081) < 5e-5, `std ${std}`);
});

test("normalisation on and off", () => {
  const on = loadMnist({ limit: 1000 });
  assert.deepEqual(on.normalization, MNIST_NORMALIZATION);
  const values = imageValues(on);
  let sum = 0;
  for (const v of values) sum += v;
  const raw = imageValues(withNormalization(on, null));
  assert.ok(Math.abs(raw[0] - 0) < 1e-7);
  assert.ok(Math.abs(values[0] - -0.1307 / 0.3081) < 1e-6);
  assert.ok(Math.abs(sum / values.length) < 0.1, "normalised mean near 0");
  assert.equal(loadMnist({ normalize: false, limit: 1 }).normalization, null);
});

test("imageValues: every pixel of any image size, in the view's order, through the normalisation", () => {
  // 3x3x1 and 1x5x1 images leave a remainder after the four-pixel steps; 2x2x3 and 28x28x1 do not.
  for (const shape of [[3, 3, 1], [1, 5, 1], [2, 2, 3], [28, 28, 1]] as Array<[number, number, number]>) {
    const size = shape[0] * shape[1] * shape[2];
    const count = 5;
    const pixels = Uint8Array.from({ length: count * size }, (_, i) => (i * 37 + 11) % 256);
    const base = imageDataset("toy", pixels, new Uint8Array(count), shape, 1, { normalization: { mean: 0.2, std: 0.7 } });
    const view = { ...base, indices: Uint32Array.of(4, 0, 2) };
    const values = imageValues(view, 1, 3);
    assert.equal(values.length, 2 * size);
    [0, 2].forEach((image, k) => {
      for (let p = 0; p < size; p++) {
        const expected = Math.fround((pixels[image * size + p] / 255 - 0.2) / 0.7);
        assert.equal(values[k * size + p], expected, `[${shape}] image ${image} pixel ${p}`);
      }
    });
  }
});

test("first-N subsets and train/validation splits (seed 002: first 2500, 2000/500)", () => {
  const first = takeFirst(train, 2500);
  assert.equal(datasetSize(first), 2500);
  const [tr, va] = splitTrainValidation(first, 2000);
  assert.equal(datasetSize(tr), 2000);
  assert.equal(datasetSize(va), 500);
  assert.equal(va.indices[0], 2000);
  const [a, b] = splitTrainValidation(first, 0.8);
  assert.equal(datasetSize(a), 2000);
  assert.equal(datasetSize(b), 500);
  assert.throws(() => splitTrainValidation(first, 3000), /invalid training size: 3000/);
});

test("seeded shuffling: same seed same order, different seed different order, same multiset", () => {
  const first = takeFirst(train, 100);
  const a = shuffled(first, 7);
  const b = shuffled(first, 7);
  const c = shuffled(first, 8);
  assert.deepEqual(Array.from(a.indices), Array.from(b.indices));
  assert.notDeepEqual(Array.from(a.indices), Array.from(c.indices));
  assert.deepEqual(Array.from(a.indices).sort((x, y) => x - y), Array.from(first.indices));
});

test("batches are [N,28,28,1] float tensors with int32 labels; shuffle on/off", () => {
  const first = takeFirst(loadMnist(), 150);
  assert.equal(batchCount(first, 64), 3);
  const sizes: number[] = [];
  let firstLabels: number[] = [];
  for (const batch of batches(first, 64)) {
    assert.deepEqual(batch.xs.shape.slice(1), [28, 28, 1]);
    assert.equal(batch.ys.dtype, "int32");
    if (sizes.length === 0) firstLabels = Array.from(batch.ys.dataSync()).slice(0, 5);
    sizes.push(batch.size);
    tf.dispose([batch.xs, batch.ys]);
  }
  assert.deepEqual(sizes, [64, 64, 22]);
  assert.deepEqual(firstLabels, [5, 0, 4, 1, 9]);
  const order = (epoch: number) => {
    const [batch] = batches(first, 150, { shuffle: true, seed: 3, epoch });
    const ys = Array.from(batch.ys.dataSync());
    tf.dispose([batch.xs, batch.ys]);
    return ys;
  };
  assert.deepEqual(order(0), order(0));
  assert.notDeepEqual(order(0), order(1));
  assert.equal(Array.from(batches(first, 64, { dropLast: true })).length, 2);
});

test("missing data: one clear error naming the path and how to get it", () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-empty-"));
  assert.throws(
    () => loadMnist({ dir: empty }),
    (err: Error) => err.message.includes(path.join(empty, "train-images-idx3-ubyte")) && /not found/.test(err.message),
  );
});

test("Fashion-MNIST from Debian's dataset folder", { skip: !fs.existsSync(FASHION_MNIST_DIR) }, () => {
  const fashion = loadFashionMnist({ split: "test" });
  assert.equal(datasetSize(fashion), 10000);
  assert.equal(fashion.classNames?.[9], "Ankle boot");
  assert.deepEqual(fashion.imageShape, [28, 28, 1]);
});
