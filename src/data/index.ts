// Datasets: reading, subsetting, shuffling, normalising and batching images.
export { Random, permutation, deriveSeed } from "./random.js";
export { readIdx } from "./idx.js";
export type { IdxArray } from "./idx.js";
export {
  imageDataset, datasetSize, takeFirst, splitTrainValidation, shuffled, withNormalization, labelsOf,
  pixelStatistics, imageValues, MNIST_NORMALIZATION,
} from "./dataset.js";
export type { ImageDataset, Normalization } from "./dataset.js";
export { batches, batchCount, batchTensors } from "./batches.js";
export type { Batch, BatchOptions } from "./batches.js";
export {
  loadMnist, loadFashionMnist, loadIdxDataset, mnistDir, FASHION_MNIST_DIR, FASHION_MNIST_NORMALIZATION,
} from "./sources.js";
export type { LoadOptions, Split } from "./sources.js";
