// The benchmarked architectures, one per seed report. bench/torch_bench.py builds the same layers
// in PyTorch (same names, same shapes, same parameter counts).
import * as tf from "@tensorflow/tfjs";
import { VGG_VARIANTS, convNet, leNetStyleNet, mlp, mlpWithHidden, smallCnn, twoConvSixteenFourNet, vggStyleNet } from "../src/models/index.js";

export interface Arch {
  /** Key shared with torch_bench.py. */
  name: string;
  /** What it is, for the table. */
  label: string;
  inputShape: [number, number, number];
  classes: number;
  build(): tf.Sequential;
  /** Pure-JS tfjs is too slow for big nets: samples it gets (0 = skip). */
  cpuSamples: number;
}

// The models are the library's own (what notebooks train), with logits out: the runner adds
// softmax cross-entropy, as PyTorch's CrossEntropyLoss does on the other side.
const logits = { output: "logits" as const };

export const ARCHS: Arch[] = [
  {
    name: "seed000_lenet",
    label: "seed 000 LeNet-style (conv 6@5, 16@2/2, 120@2/2, fc 84)",
    inputShape: [28, 28, 1],
    classes: 10,
    cpuSamples: 640,
    build: () => leNetStyleNet(logits),
  },
  {
    name: "seed001_cnn",
    label: "seed 001 CNN (conv 16@3 same, conv 4@3 same, fc 10)",
    inputShape: [28, 28, 1],
    classes: 10,
    cpuSamples: 128,
    build: () => twoConvSixteenFourNet(logits),
  },
  {
    name: "seed002_cnn",
    label: "seed 002 small CNN (conv 4@3, conv 8@3, fc 10)",
    inputShape: [28, 28, 1],
    classes: 10,
    cpuSamples: 256,
    build: () => smallCnn(logits),
  },
  {
    name: "seed002_cnn_bn",
    label: "seed 002 small CNN + batch norm",
    inputShape: [28, 28, 1],
    classes: 10,
    cpuSamples: 256,
    build: () => smallCnn({ ...logits, batchNorm: true }),
  },
  {
    name: "seed002_mlp30_bn",
    label: "seed 002 MLPBN(30) (fc 30, ReLU, batch norm, fc 10)",
    inputShape: [28, 28, 1],
    classes: 10,
    cpuSamples: 640,
    build: () => mlpWithHidden(30, { ...logits, batchNorm: "afterRelu" }),
  },
  {
    name: "seed003_convnet",
    label: "seed 003 ConvNet (conv 20@5, conv 50@5, fc 500; 431,080 params)",
    inputShape: [28, 28, 1],
    classes: 10,
    cpuSamples: 64,
    build: () => convNet(logits),
  },
  {
    name: "seed004_mlp",
    label: "seed 004 MLP 784-800-800-10",
    inputShape: [28, 28, 1],
    classes: 10,
    cpuSamples: 640,
    build: () => mlp({ ...logits, hidden: [800, 800] }),
  },
  {
    name: "seed004_mlp_dropout",
    label: "seed 004 MLP 784-800-800-10 + dropout 0.5 (after each hidden layer)",
    inputShape: [28, 28, 1],
    classes: 10,
    cpuSamples: 640,
    build: () => mlp({ ...logits, hidden: [800, 800], dropout: 0.5 }),
  },
  {
    name: "seed004_convnet_dropout",
    label: "seed 004 ConvNet + dropout 0.5 (before each fully connected layer)",
    inputShape: [28, 28, 1],
    classes: 10,
    cpuSamples: 64,
    build: () => convNet({ ...logits, dropout: 0.5 }),
  },
  {
    name: "seed004_convnet_bn",
    label: "seed 004 ConvNet + batch norm (after each conv and fc 500)",
    inputShape: [28, 28, 1],
    classes: 10,
    cpuSamples: 64,
    build: () => convNet({ ...logits, batchNorm: true }),
  },
  {
    name: "vgg64",
    label: "VGG-style 64x64x3 (conv 16/32/64@3 + BN, fc 1024-1024 + BN, 2 classes)",
    inputShape: [64, 64, 3],
    classes: 2,
    cpuSamples: 0,
    build: () => vggStyleNet({ ...logits, blocks: VGG_VARIANTS.shallow, inputShape: [64, 64, 3], classes: 2 }),
  },
];
