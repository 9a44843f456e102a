// Loading a folder of photographs (Kaggle's "Dogs vs. Cats" and the like) into the library's
// ImageDataset: decode with sharp (libvips), resize to one size, RGB bytes, seeded
// train/validation/test split. Two layouts are understood:
//   flat:        dir/cat.0.jpg, dir/dog.12.jpg, …  (class = the name before the first ".")
//   per class:   dir/cat/xxx.jpg, dir/dog/yyy.png, … (class = the sub-folder's name)
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ImageDataset, imageDataset, Normalization } from "./dataset.js";
import { permutation } from "./random.js";

/**
 * File endings read as images (anything else in the folder is ignored).
 *
 * @example
 * IMAGE_EXTENSIONS.includes(path.extname("cat.0.jpg")); // true
 */
export const IMAGE_EXTENSIONS = [".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".bmp"];

/**
 * How to get the data a missing folder was meant to hold.
 *
 * @example
 * if (!fs.existsSync(dir)) throw new Error(`no images in ${dir}: ${DOGS_VS_CATS_HELP}`);
 */
export const DOGS_VS_CATS_HELP =
  'download "Dogs vs. Cats" from Kaggle (https://www.kaggle.com/c/dogs-vs-cats/data), unzip train.zip ' +
  "and pass its folder (files named cat.0.jpg, dog.0.jpg, …), or use one sub-folder of images per class";

/**
 * How loadImageFolder decodes, resizes and splits a folder of images.
 *
 * @example
 * const { train, validation, test } = await loadImageFolder("data/dogs-vs-cats/train",
 *   { size: 64, validation: 0.1, test: 0.1, seed: 1, cache: "data/cats-64.bin" });
 */
export interface ImageFolderOptions {
  /** Output size in pixels: [height, width] or one number for a square (default 64, seed 004). */
  size?: number | [number, number];
  /** 3 for RGB (default) or 1 for grey. */
  channels?: 1 | 3;
  /** How the picture is fitted to the size: "fill" stretches (default), "cover" crops the centre. */
  fit?: "fill" | "cover";
  /** Share (0..1) or number of images held out for validation (default 0.1). */
  validation?: number;
  /** Share (0..1) or number of images held out for testing (default 0.1). */
  test?: number;
  /** Seed of the split (default 0). */
  seed?: number;
  /** Keep at most this many images per class (the first in file-name order), for quick runs. */
  limitPerClass?: number;
  /** Normalisation applied at batching (default null: pixels / 255). */
  normalization?: Normalization | null;
  /** Images decoded at once (default 16). */
  concurrency?: number;
  /** Name of the dataset (default the folder's name). */
  name?: string;
  /**
   * A file keeping the decoded pixels: later loads with the same files (names, sizes, times) and
   * options read it instead of decoding again (25,000 photos take minutes to decode).
   */
  cache?: string;
}

/**
 * The three splits of an image folder, plus everything together (in file order).
 *
 * @example
 * const splits = await loadImageFolder(dir);
 * splits.train.indices.length + splits.validation.indices.length + splits.test.indices.length; // = splits.all.indices.length
 */
export interface ImageFolderSplits {
  all: ImageDataset;
  train: ImageDataset;
  validation: ImageDataset;
  test: ImageDataset;
  /** The file of every image of `all`, by position in the underlying collection. */
  files: string[];
}

/**
 * One image file with its class.
 *
 * @example
 * listImageFolder(dir)[0]; // { file: "/data/train/cat.0.jpg", className: "cat" }
 */
export interface LabelledFile {
  file: string;
  className: string;
}

/**
 * The labelled image files of a folder, in a stable order (classes sorted, files in natural order).
 * Throws one clear error when the folder is missing or holds no labelled images.
 *
 * @example
 * listImageFolder("data/dogs-vs-cats/train"); // [{ file: ".../cat.0.jpg", className: "cat" }, …]
 */
export function listImageFolder(dir: string, help = DOGS_VS_CATS_HELP): LabelledFile[] {
  const where = path.resolve(dir);
  if (!fs.existsSync(where)) throw new Error(`image folder not found: ${where}; ${help}`);
  if (!fs.statSync(where).isDirectory()) throw new Error(`not a folder: ${where}; ${help}`);
  const entries = fs.readdirSync(where, { withFileTypes: true });
  const isImage = (name: string) => IMAGE_EXTENSIONS.includes(path.extname(name).toLowerCase());
  const naturalOrder = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });
  const topImages = entries.filter((e) => e.isFile() && isImage(e.name)).map((e) => e.name).sort(naturalOrder);
  const found: LabelledFile[] = [];
  if (topImages.length > 0) {
    for (const name of topImages) {
      const dot = name.indexOf(".");
      const className = name.slice(0, dot);
      // "cat.12.jpg" has a class; "IMG_0001.jpg" has none.
      if (dot <= 0 || name.indexOf(".", dot + 1) < 0) continue;
      found.push({ file: path.join(where, name), className });
    }
    if (found.length === 0) {
      throw new Error(`${where} holds ${topImages.length} image(s) but none named <class>.<id>.<ext> (e.g. cat.0.jpg); ${help}`);
    }
  } else {
    const classes = entries.filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => e.name).sort(naturalOrder);
    for (const className of classes) {
      const files = fs.readdirSync(path.join(where, className)).filter(isImage).sort(naturalOrder);
      for (const name of files) found.push({ file: path.join(where, className, name), className });
    }
    if (found.length === 0) throw new Error(`no images in ${where} (nor in sub-folders of it); ${help}`);
  }
  const classCount = new Set(found.map((f) => f.className)).size;
  if (classCount < 2) {
    throw new Error(`${where} has images of only one class (${found[0].className}); a classifier needs two or more; ${help}`);
  }
  return found;
}

/**
 * Decodes one image file into `channels` bytes per pixel at [height, width] (row-major, HWC).
 *
 * @example
 * const bytes = await decodeImage("cat.0.jpg", [64, 64]); // Uint8Array of 64*64*3
 */
export async function decodeImage(
  file: string,
  size: [number, number],
  options: { channels?: 1 | 3; fit?: "fill" | "cover" } = {},
): Promise<Uint8Array> {
  const sharp = loadSharp();
  const channels = options.channels ?? 3;
  try {
    let pipeline = sharp(file, { failOn: "error" }).rotate().resize(size[1], size[0], { fit: options.fit ?? "fill" });
    pipeline = channels === 1 ? pipeline.grayscale() : pipeline.removeAlpha().toColourspace("srgb");
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== channels || info.width !== size[1] || info.height !== size[0]) {
      throw new Error(`decoded to ${info.width}x${info.height}x${info.channels}, expected ${size[1]}x${size[0]}x${channels}`);
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } catch (err) {
    throw new Error(`cannot decode image ${file}: ${(err as Error).message.split("\n")[0]}`);
  }
}

/**
 * Loads a folder of labelled images, resized to one size, and splits it (seeded) into
 * train/validation/test views that share one pixel buffer.
 *
 * @example
 * const { train, validation, test } = await loadImageFolder("data/dogs-vs-cats/train", { size: 64, seed: 1 });
 * // train.imageShape = [64, 64, 3], train.classNames = ["cat", "dog"]
 */
export async function loadImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<ImageFolderSplits> {
  const size: [number, number] = typeof options.size === "number" || options.size === undefined
    ? [options.size ?? 64, options.size ?? 64]
    : options.size;
  if (!size.every((s) => Number.isInteger(s) && s > 0)) throw new Error(`invalid image size: ${JSON.stringify(options.size)}`);
  const channels = options.channels ?? 3;
  if (channels !== 1 && channels !== 3) throw new Error(`invalid channels: ${channels} (use 1 or 3)`);
  let files = listImageFolder(dir);
  const classNames = [...new Set(files.map((f) => f.className))].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  if (classNames.length > 255) throw new Error(`${dir} has ${classNames.length} classes; at most 255 are supported`);
  if (options.limitPerClass !== undefined) {
    const limit = options.limitPerClass;
    const seen = new Map<string, number>();
    files = files.filter((f) => {
      const n = seen.get(f.className) ?? 0;
      seen.set(f.className, n + 1);
      return n < limit;
    });
  }
  const imageSize = size[0] * size[1] * channels;
  const fingerprint = options.cache ? folderFingerprint(files, { size, channels, fit: options.fit ?? "fill" }) : "";
  const cached = options.cache ? readPixelCache(options.cache, fingerprint, files.length * imageSize, files.length) : null;
  const pixels = cached?.pixels ?? new Uint8Array(files.length * imageSize);
  const labels = cached?.labels ?? new Uint8Array(files.length);
  if (!cached) {
    const concurrency = Math.max(1, options.concurrency ?? 16);
    let next = 0;
    const worker = async () => {
      while (next < files.length) {
        const i = next++;
        pixels.set(await decodeImage(files[i].file, size, { channels, fit: options.fit }), i * imageSize);
        labels[i] = classNames.indexOf(files[i].className);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
    if (options.cache) writePixelCache(options.cache, fingerprint, pixels, labels);
  }
  const name = options.name ?? path.basename(path.resolve(dir));
  const all = imageDataset(name, pixels, labels, [size[0], size[1], channels], classNames.length, {
    classNames,
    normalization: options.normalization ?? null,
  });
  return { all, ...splitThreeWays(all, options), files: files.map((f) => f.file) };
}

/**
 * Seeded split of a dataset into train/validation/test views (shares or counts of images).
 *
 * @example
 * const { train, validation, test } = splitThreeWays(all, { validation: 0.1, test: 0.1, seed: 1 });
 */
export function splitThreeWays(
  ds: ImageDataset,
  options: { validation?: number; test?: number; seed?: number } = {},
): { train: ImageDataset; validation: ImageDataset; test: ImageDataset } {
  const n = ds.indices.length;
  const count = (value: number | undefined, what: string) => {
    const v = value ?? 0.1;
    const c = v > 0 && v < 1 ? Math.round(v * n) : v;
    if (!Number.isInteger(c) || c < 0) throw new Error(`invalid ${what} size: ${value} (a share in (0, 1) or a count)`);
    return c;
  };
  const nVal = count(options.validation, "validation");
  const nTest = count(options.test, "test");
  if (nVal + nTest >= n) throw new Error(`cannot hold out ${nVal} validation and ${nTest} test images of ${n}: nothing left to train on`);
  const order = permutation(n, options.seed ?? 0);
  const pick = (from: number, to: number) => {
    const indices = new Uint32Array(to - from);
    for (let i = from; i < to; i++) indices[i - from] = ds.indices[order[i]];
    return indices;
  };
  const nTrain = n - nVal - nTest;
  return {
    train: { ...ds, name: `${ds.name} (training)`, indices: pick(0, nTrain) },
    validation: { ...ds, name: `${ds.name} (validation)`, indices: pick(nTrain, nTrain + nVal) },
    test: { ...ds, name: `${ds.name} (test)`, indices: pick(nTrain + nVal, n) },
  };
}

/** A hash of the files (name, size, modification time, class) and the decoding options. */
function folderFingerprint(files: LabelledFile[], decoding: object): string {
  const hash = crypto.createHash("sha256").update(JSON.stringify(decoding));
  for (const f of files) {
    const stat = fs.statSync(f.file);
    hash.update(`${f.file}\0${f.className}\0${stat.size}\0${stat.mtimeMs}\n`);
  }
  return hash.digest("hex");
}

// Cache file: "LRIMG1\n", the fingerprint (64 hex characters), "\n", then pixels, then labels.
const CACHE_MAGIC = "LRIMG1\n";

function readPixelCache(file: string, fingerprint: string, pixelBytes: number, labelCount: number): { pixels: Uint8Array; labels: Uint8Array } | null {
  if (!fs.existsSync(file)) return null;
  const bytes = fs.readFileSync(file);
  const head = CACHE_MAGIC.length + fingerprint.length + 1;
  if (bytes.subarray(0, CACHE_MAGIC.length).toString("latin1") !== CACHE_MAGIC) {
    throw new Error(`${path.resolve(file)} is not an image cache of labreport; delete it or pass another cache file`);
  }
  // Other files or options: decode again (and overwrite the cache).
  if (bytes.subarray(CACHE_MAGIC.length, head - 1).toString("latin1") !== fingerprint) return null;
  if (bytes.length - head - pixelBytes !== labelCount) return null;
  const data = new Uint8Array(bytes.buffer, bytes.byteOffset + head, bytes.length - head).slice();
  return { pixels: data.subarray(0, pixelBytes), labels: data.subarray(pixelBytes) };
}

function writePixelCache(file: string, fingerprint: string, pixels: Uint8Array, labels: Uint8Array): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.concat([Buffer.from(`${CACHE_MAGIC}${fingerprint}\n`, "latin1"), pixels, labels]));
  fs.renameSync(tmp, file);
}

type SharpModule = typeof import("sharp");

let sharpModule: SharpModule | undefined;

/** sharp, loaded on first use so that notebooks without images never need it. */
function loadSharp(): SharpModule {
  if (sharpModule) return sharpModule;
  try {
    sharpModule = require("sharp") as SharpModule;
    return sharpModule;
  } catch (err) {
    throw new Error(`the image library sharp is not available (${(err as Error).message.split("\n")[0]}); install it with: npm install sharp@0.35.5`);
  }
}
