// Each seed report's training as its notebook configures it: architecture, optimiser (with momentum,
// Nesterov, Adam, weight decay), batch size, dropout and batch norm. bench/torch_bench.py builds the
// same row (same `arch` key, same optimiser settings) in PyTorch.
import type { OptimizerConfig } from "../src/train/optimizers.js";
import { ARCHS, type Arch } from "./models";

export interface SeedRow {
  /** Key of the row, also sent to torch_bench.py. */
  name: string;
  /** Which seed report trains it, for the table. */
  seed: string;
  /** The architecture (a key of ARCHS, shared with torch_bench.py). */
  arch: Arch;
  batch: number;
  optimizer: OptimizerConfig;
  /** What the row trains, in the table's words. */
  setting: string;
  /** Samples per timed run: 1-2 s each on this machine's 2 cores. */
  samples: number;
}

const arch = (name: string): Arch => {
  const found = ARCHS.find((a) => a.name === name);
  if (!found) throw new Error(`bench/seeds.ts: no architecture ${name} in bench/models.ts`);
  return found;
};

/** The rows, in seed order. Seed 004's weight decay is its notebook's λ/m = 2.5 / 50,000. */
export const SEED_ROWS: SeedRow[] = [
  { name: "seed000", seed: "000", arch: arch("seed000_lenet"), batch: 64, samples: 25600,
    optimizer: { name: "sgd", learningRate: 0.01, momentum: 0.5 }, setting: "SGD lr 0.01, momentum 0.5" },
  { name: "seed001", seed: "001", arch: arch("seed001_cnn"), batch: 16, samples: 6400,
    optimizer: { name: "adam", learningRate: 1e-4 }, setting: "Adam lr 1e-4" },
  { name: "seed002_sgd", seed: "002", arch: arch("seed002_cnn"), batch: 64, samples: 25600,
    optimizer: { name: "sgd", learningRate: 0.1, momentum: 0.9 }, setting: "SGD lr 0.1, momentum 0.9" },
  { name: "seed002_adam", seed: "002", arch: arch("seed002_cnn"), batch: 64, samples: 25600,
    optimizer: { name: "adam", learningRate: 0.005 }, setting: "Adam lr 0.005" },
  { name: "seed002_bn", seed: "002", arch: arch("seed002_cnn_bn"), batch: 64, samples: 19200,
    optimizer: { name: "sgd", learningRate: 0.1, momentum: 0.9 }, setting: "SGD lr 0.1, momentum 0.9" },
  { name: "seed002_mlp_bn", seed: "002", arch: arch("seed002_mlp30_bn"), batch: 64, samples: 25600,
    optimizer: { name: "sgd", learningRate: 0.1, momentum: 0.9 }, setting: "SGD lr 0.1, momentum 0.9" },
  { name: "seed003", seed: "003", arch: arch("seed003_convnet"), batch: 64, samples: 6400,
    optimizer: { name: "sgd", learningRate: 0.01 }, setting: "SGD lr 0.01" },
  { name: "seed004_decay", seed: "004", arch: arch("seed004_mlp"), batch: 64, samples: 12800,
    optimizer: { name: "sgd", learningRate: 0.02, weightDecay: 2.5 / 50000 }, setting: "SGD lr 0.02, weight decay 5e-5" },
  { name: "seed004_dropout", seed: "004", arch: arch("seed004_mlp_dropout"), batch: 64, samples: 12800,
    optimizer: { name: "sgd", learningRate: 0.02 }, setting: "SGD lr 0.02" },
  { name: "seed004_cnn_dropout", seed: "004", arch: arch("seed004_convnet_dropout"), batch: 64, samples: 6400,
    optimizer: { name: "sgd", learningRate: 0.02 }, setting: "SGD lr 0.02" },
  { name: "seed004_cnn_bn", seed: "004", arch: arch("seed004_convnet_bn"), batch: 64, samples: 6400,
    optimizer: { name: "sgd", learningRate: 0.02 }, setting: "SGD lr 0.02" },
  { name: "seed004_vgg", seed: "004", arch: arch("vgg64"), batch: 64, samples: 1280,
    optimizer: { name: "adam", learningRate: 1e-3 }, setting: "Adam lr 1e-3 (the grid search's optimiser)" },
];

const row = (name: string): SeedRow => {
  const found = SEED_ROWS.find((r) => r.name === name);
  if (!found) throw new Error(`bench/seeds.ts: no row ${name}`);
  return found;
};

/** One full epoch of a notebook's loop, training a row of SEED_ROWS: its data, shuffling, running metrics and validation. */
export interface EpochRow {
  name: string;
  /** The row whose architecture, batch size and optimiser the epoch trains. */
  steps: SeedRow;
  /** MNIST training images used (the first ones), and the validation images (MNIST test, or held-out train). */
  trainSize: number;
  validation: { split: "test" | "train"; from: number; size: number };
  /** The data, in the table's words. */
  data: string;
}

export const EPOCH_ROWS: EpochRow[] = [
  { name: "seed000", steps: row("seed000"), trainSize: 60000, validation: { split: "test", from: 0, size: 10000 }, data: "60,000 train, 10,000 test" },
  { name: "seed001", steps: row("seed001"), trainSize: 60000, validation: { split: "test", from: 0, size: 10000 }, data: "60,000 train, 10,000 test" },
  { name: "seed002", steps: row("seed002_bn"), trainSize: 2000, validation: { split: "train", from: 2000, size: 500 }, data: "2,000 train, 500 validation" },
  { name: "seed003", steps: row("seed003"), trainSize: 60000, validation: { split: "test", from: 0, size: 10000 }, data: "60,000 train, 10,000 test" },
  { name: "seed004", steps: row("seed004_decay"), trainSize: 50000, validation: { split: "train", from: 50000, size: 10000 }, data: "50,000 train, 10,000 validation" },
];
