// Data augmentation as torchvision's RandomCrop(size, padding) and RandomHorizontalFlip do it,
// seeded per epoch. The augmented images live in a copy of the training set whose pixels are
// rewritten at the start of every epoch (a training callback), so trainModel needs no change.
import type { TrainingCallbacks } from "../train/callbacks.js";
import { ImageDataset } from "./dataset.js";
import { deriveSeed, Random } from "./random.js";

/**
 * Seed 004's augmentation: torchvision's RandomCrop(size, padding) and RandomHorizontalFlip.
 *
 * @example
 * const { dataset, callback } = withAugmentation(train, { padding: 4, flip: true, seed: 1 });
 */
export interface AugmentOptions {
  /** Zero padding on every side before a random crop back to the original size (0 = no crop). Default 4. */
  padding?: number;
  /** Mirror left-right with probability 0.5 (default true). */
  flip?: boolean;
  /** Seed of the random crops and flips (default 0); epoch e uses deriveSeed(seed, e). */
  seed?: number;
}

/**
 * One image, randomly shifted (zero-padded crop) and maybe mirrored; `out` gets the result.
 *
 * @example
 * augmentImage(src, out, [64, 64, 3], { padding: 4, flip: true }, new Random(1));
 */
export function augmentImage(
  src: Uint8Array,
  out: Uint8Array,
  shape: [number, number, number],
  options: { padding: number; flip: boolean },
  random: Random,
): void {
  const [h, w, c] = shape;
  const pad = options.padding;
  // Offset of the crop window in the padded image, 0..2·pad, as torchvision draws it.
  const dy = pad > 0 ? random.int(2 * pad + 1) - pad : 0;
  const dx = pad > 0 ? random.int(2 * pad + 1) - pad : 0;
  const mirror = options.flip && random.next() < 0.5;
  for (let y = 0; y < h; y++) {
    const sy = y + dy;
    for (let x = 0; x < w; x++) {
      const sx = (mirror ? w - 1 - x : x) + dx;
      const o = (y * w + x) * c;
      if (sy < 0 || sy >= h || sx < 0 || sx >= w) {
        for (let k = 0; k < c; k++) out[o + k] = 0;
      } else {
        const s = (sy * w + sx) * c;
        for (let k = 0; k < c; k++) out[o + k] = src[s + k];
      }
    }
  }
}

/**
 * A training set whose images are re-augmented every epoch, and the callback that does it.
 * Pass both to trainModel. Same seed and epoch give the same images.
 *
 * @example
 * const augmented = withAugmentation(train, { padding: 4, flip: true, seed: 1 });
 * await trainModel(model, augmented.dataset, { epochs: 25, callbacks: [augmented.callback] });
 */
export function withAugmentation(
  ds: ImageDataset,
  options: AugmentOptions = {},
): { dataset: ImageDataset; callback: TrainingCallbacks; augmentEpoch(epoch: number): void } {
  const padding = options.padding ?? 4;
  const flip = options.flip ?? true;
  if (!(Number.isInteger(padding) && padding >= 0)) throw new Error(`invalid padding: ${padding} (expected an integer >= 0)`);
  const [h, w, c] = ds.imageShape;
  if (padding >= Math.max(h, w)) throw new Error(`padding ${padding} is not smaller than the image (${h}x${w})`);
  const imageSize = h * w * c;
  const n = ds.indices.length;
  // The originals, compacted to this view's images, and the buffer the batches read.
  const originals = new Uint8Array(n * imageSize);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const from = ds.indices[i] * imageSize;
    originals.set(ds.pixels.subarray(from, from + imageSize), i * imageSize);
    labels[i] = ds.labels[ds.indices[i]];
  }
  const pixels = originals.slice();
  const indices = new Uint32Array(n);
  for (let i = 0; i < n; i++) indices[i] = i;
  const dataset: ImageDataset = { ...ds, name: `${ds.name} (augmented)`, pixels, labels, indices };
  const augmentEpoch = (epoch: number) => {
    const random = new Random(deriveSeed(options.seed ?? 0, epoch));
    for (let i = 0; i < n; i++) {
      augmentImage(
        originals.subarray(i * imageSize, (i + 1) * imageSize),
        pixels.subarray(i * imageSize, (i + 1) * imageSize),
        [h, w, c],
        { padding, flip },
        random,
      );
    }
  };
  return {
    dataset,
    augmentEpoch,
    callback: { onEpochBegin: (epoch: number) => augmentEpoch(epoch) },
  };
}
