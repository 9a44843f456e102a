import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import sharp from "sharp";
import { batchTensors, labelsOf } from "../../src/data/index.js";
import { loadImageFolder, listImageFolder, decodeImage, splitThreeWays } from "../../src/data/image-folder.js";
import { withAugmentation, augmentImage } from "../../src/data/augment.js";
import { Random } from "../../src/data/random.js";
import { mlp } from "../../src/models/index.js";
import { trainModel } from "../../src/train/index.js";

/** A w×h picture: cats are red on the left half, dogs blue; plus some noise per image. */
async function writePicture(file: string, kind: "cat" | "dog", i: number, format: "jpeg" | "png", w: number, h: number, extra: { alpha?: boolean; grey?: boolean } = {}) {
  const channels = extra.alpha ? 4 : 3;
  const raw = Buffer.alloc(w * h * channels);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * channels;
      const left = x < w / 2;
      const strong = 200 + ((i * 7 + x + y) % 40);
      raw[o] = kind === "cat" && left ? strong : 30;
      raw[o + 1] = 40;
      raw[o + 2] = kind === "dog" && left ? strong : 30;
      if (extra.alpha) raw[o + 3] = 255;
    }
  }
  let img = sharp(raw, { raw: { width: w, height: h, channels } });
  if (extra.grey) img = img.grayscale();
  await (format === "jpeg" ? img.jpeg({ quality: 95 }) : img.png()).toFile(file);
}

async function makeFlatFolder(perClass: number): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-cats-dogs-"));
  for (let i = 0; i < perClass; i++) {
    for (const kind of ["cat", "dog"] as const) {
      const format = i % 3 === 0 ? "png" : "jpeg";
      await writePicture(path.join(dir, `${kind}.${i}.${format === "png" ? "png" : "jpg"}`), kind, i, format, 40 + (i % 4) * 10, 30 + (i % 5) * 8, { alpha: format === "png" && i % 2 === 0 });
    }
  }
  fs.writeFileSync(path.join(dir, "README.txt"), "not an image");
  return dir;
}

test("flat Kaggle layout: decode, resize, RGB, labels, seeded split sizes", async () => {
  const dir = await makeFlatFolder(15);
  const listed = listImageFolder(dir);
  assert.equal(listed.length, 30);
  assert.deepEqual(listed.slice(0, 3).map((f) => path.basename(f.file)), ["cat.0.png", "cat.1.jpg", "cat.2.jpg"]);
  const { all, train, validation, test: testSet, files } = await loadImageFolder(dir, { size: 16, validation: 0.2, test: 6, seed: 3 });
  assert.deepEqual(all.imageShape, [16, 16, 3]);
  assert.deepEqual(all.classNames, ["cat", "dog"]);
  assert.equal(all.numClasses, 2);
  assert.equal(all.pixels.length, 30 * 16 * 16 * 3);
  assert.deepEqual([train.indices.length, validation.indices.length, testSet.indices.length], [18, 6, 6]);
  const union = [...train.indices, ...validation.indices, ...testSet.indices].sort((a, b) => a - b);
  assert.deepEqual(union, Array.from({ length: 30 }, (_, i) => i), "the splits are disjoint and cover everything");
  // Each label agrees with its file name and with the picture (red left half = cat, blue = dog).
  for (let i = 0; i < 30; i++) {
    assert.equal(all.classNames![all.labels[i]], path.basename(files[i]).split(".")[0]);
    const o = (8 * 16 + 2) * 3; // row 8, column 2: in the left half
    const [r, , b] = all.pixels.subarray(i * 768 + o, i * 768 + o + 3);
    assert.equal(r > b ? "cat" : "dog", all.classNames![all.labels[i]], `image ${files[i]}: r ${r} b ${b}`);
  }
  // The same seed splits the same way; another seed differently.
  const again = splitThreeWays(all, { validation: 0.2, test: 6, seed: 3 });
  assert.deepEqual(again.train.indices, train.indices);
  assert.notDeepEqual(splitThreeWays(all, { validation: 0.2, test: 6, seed: 4 }).train.indices, train.indices);
  // Batches come out as the core library makes them: [n, 16, 16, 3] in 0..1.
  const { xs, ys } = batchTensors(train, 0, 4);
  assert.deepEqual(xs.shape, [4, 16, 16, 3]);
  assert.deepEqual(Array.from(ys.dataSync()), Array.from(labelsOf(train).slice(0, 4)));
  assert.ok(xs.max().dataSync()[0] <= 1 && xs.min().dataSync()[0] >= 0);
});

test("one sub-folder per class, grey JPEGs become RGB, 64×64 by default", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-classes-"));
  for (const kind of ["dog", "cat"] as const) {
    fs.mkdirSync(path.join(dir, kind));
    for (let i = 0; i < 3; i++) await writePicture(path.join(dir, kind, `img${i}.jpg`), kind, i, "jpeg", 70, 50, { grey: i === 0 });
  }
  const { all } = await loadImageFolder(dir, { validation: 1, test: 1 });
  assert.deepEqual(all.imageShape, [64, 64, 3]);
  assert.deepEqual(all.classNames, ["cat", "dog"]);
  assert.deepEqual(Array.from(all.labels), [0, 0, 0, 1, 1, 1]);
  const grey = await decodeImage(path.join(dir, "cat", "img0.jpg"), [8, 8]);
  assert.equal(grey.length, 8 * 8 * 3);
  assert.ok(grey[0] === grey[1] && grey[1] === grey[2], "a grey picture has equal R, G, B");
  const greyOne = await loadImageFolder(dir, { size: [10, 12], channels: 1, validation: 0, test: 0 });
  assert.deepEqual(greyOne.all.imageShape, [10, 12, 1]);
});

test("a missing, empty or corrupt folder is one clear error naming the path and the data", async () => {
  const missing = path.join(os.tmpdir(), "labreport-no-such-folder");
  await assert.rejects(loadImageFolder(missing), (err: Error) => err.message.includes(missing) && /Kaggle/.test(err.message) && /Dogs vs\. Cats/.test(err.message));
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-empty-"));
  await assert.rejects(loadImageFolder(empty), new RegExp(`no images in ${empty}`));
  const corrupt = await makeFlatFolder(2);
  fs.writeFileSync(path.join(corrupt, "dog.99.jpg"), "this is not a jpeg");
  await assert.rejects(loadImageFolder(corrupt, { size: 8 }), /cannot decode image .*dog\.99\.jpg/);
  const oneClass = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-one-"));
  await writePicture(path.join(oneClass, "cat.1.jpg"), "cat", 1, "jpeg", 20, 20);
  await assert.rejects(loadImageFolder(oneClass), /only one class/);
});

test("a pixel cache is read back for the same files and options, and refreshed when a file changes", async () => {
  const dir = await makeFlatFolder(3);
  const cache = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "labreport-cache-")), "cats.bin");
  const first = await loadImageFolder(dir, { size: 8, validation: 1, test: 1, cache });
  assert.ok(fs.existsSync(cache));
  // Mark the cached pixels: a second load must return the marks, proving it did not decode.
  const bytes = fs.readFileSync(cache);
  const start = bytes.length - first.all.labels.length - first.all.pixels.length;
  bytes.fill(7, start, start + first.all.pixels.length);
  fs.writeFileSync(cache, bytes);
  const second = await loadImageFolder(dir, { size: 8, validation: 1, test: 1, cache });
  assert.ok(second.all.pixels.every((v) => v === 7));
  assert.deepEqual(second.all.labels, first.all.labels);
  // Other options, or a changed file, decode again.
  const other = await loadImageFolder(dir, { size: 9, validation: 1, test: 1, cache });
  assert.equal(other.all.pixels.length, 6 * 9 * 9 * 3);
  const later = new Date(Date.now() + 5000);
  fs.utimesSync(path.join(dir, "cat.0.png"), later, later);
  const third = await loadImageFolder(dir, { size: 8, validation: 1, test: 1, cache });
  assert.deepEqual(third.all.pixels, first.all.pixels);
});

test("augmentation: seeded per epoch, crops shift with zero padding, flips mirror", async () => {
  const dir = await makeFlatFolder(6);
  const { train } = await loadImageFolder(dir, { size: 12, validation: 2, test: 2, seed: 1 });
  const a = withAugmentation(train, { padding: 2, flip: true, seed: 9 });
  const b = withAugmentation(train, { padding: 2, flip: true, seed: 9 });
  a.augmentEpoch(1);
  b.augmentEpoch(1);
  assert.deepEqual(a.dataset.pixels, b.dataset.pixels, "same seed and epoch, same images");
  const epoch1 = a.dataset.pixels.slice();
  a.augmentEpoch(2);
  assert.notDeepEqual(a.dataset.pixels, epoch1, "a new epoch draws new crops");
  assert.deepEqual(Array.from(labelsOf(a.dataset)), Array.from(labelsOf(train)), "labels follow their images");

  // Hand-checked cases on a 2×3 grey image.
  const src = Uint8Array.from([1, 2, 3, 4, 5, 6]);
  const out = new Uint8Array(6);
  const flips = new Set<string>();
  for (let s = 0; s < 20; s++) {
    augmentImage(src, out, [2, 3, 1], { padding: 0, flip: true }, new Random(s));
    flips.add(Array.from(out).join(","));
  }
  assert.deepEqual([...flips].sort(), ["1,2,3,4,5,6", "3,2,1,6,5,4"]);
  const shifts = new Set<string>();
  for (let s = 0; s < 200; s++) {
    augmentImage(src, out, [2, 3, 1], { padding: 1, flip: false }, new Random(s));
    shifts.add(Array.from(out).join(","));
  }
  assert.equal(shifts.size, 9, "3 × 3 offsets");
  assert.ok(shifts.has("0,0,0,1,2,3") && shifts.has("5,6,0,0,0,0") && shifts.has("1,2,3,4,5,6"));

  // End to end: trainModel runs on the augmented set with the callback, deterministically.
  const run = async () => {
    const aug = withAugmentation(train, { padding: 2, seed: 2 });
    const model = mlp({ hidden: [8], inputShape: [12, 12, 3], classes: 2, seed: 1 });
    return (await trainModel(model, aug.dataset, { epochs: 2, batchSize: 4, progress: false, seed: 1, callbacks: [aug.callback] })).batchLoss;
  };
  assert.deepEqual(await run(), await run());
});
