// The benchmarked architectures, one per seed report, as tfjs-layers models. bench/torch_bench.py
// builds the same layers in PyTorch (same names, same shapes, same parameter counts).
import * as tf from "@tensorflow/tfjs";

export interface Arch {
  /** Key shared with torch_bench.py. */
  name: string;
  /** What it is, for the table. */
  label: string;
  inputShape: [number, number, number] | [number];
  classes: number;
  build(): tf.Sequential;
  /** Pure-JS tfjs is too slow for big nets: samples it gets (0 = skip). */
  cpuSamples: number;
}

const conv = (filters: number, kernelSize: number, opts: Record<string, unknown> = {}) =>
  tf.layers.conv2d({ filters, kernelSize, activation: "relu", ...opts });
const pool = () => tf.layers.maxPooling2d({ poolSize: 2, strides: 2 });

export const ARCHS: Arch[] = [
  {
    name: "seed000_lenet",
    label: "seed 000 LeNet-style (conv 6@5, 16@2/2, 120@2/2, fc 84)",
    inputShape: [28, 28, 1],
    classes: 10,
    cpuSamples: 640,
    build: () =>
      tf.sequential({
        layers: [
          conv(6, 5, { inputShape: [28, 28, 1] }), pool(),
          conv(16, 2, { strides: 2 }), pool(),
          conv(120, 2, { strides: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 84, activation: "relu" }),
          tf.layers.dense({ units: 10, activation: "softmax" }),
        ],
      }),
  },
  {
    name: "seed001_cnn",
    label: "seed 001 CNN (conv 16@3 same, conv 4@3 same, fc 10)",
    inputShape: [28, 28, 1],
    classes: 10,
    cpuSamples: 128,
    build: () =>
      tf.sequential({
        layers: [
          conv(16, 3, { padding: "same", inputShape: [28, 28, 1] }), pool(),
          conv(4, 3, { padding: "same" }), pool(),
          tf.layers.flatten(),
          tf.layers.dense({ units: 10, activation: "softmax" }),
        ],
      }),
  },
  {
    name: "seed002_cnn",
    label: "seed 002 small CNN (conv 4@3, conv 8@3, fc 10)",
    inputShape: [28, 28, 1],
    classes: 10,
    cpuSamples: 256,
    build: () =>
      tf.sequential({
        layers: [
          conv(4, 3, { padding: "same", inputShape: [28, 28, 1] }), pool(),
          conv(8, 3, { padding: "same" }), pool(),
          tf.layers.flatten(),
          tf.layers.dense({ units: 10, activation: "softmax" }),
        ],
      }),
  },
  {
    name: "seed002_cnn_bn",
    label: "seed 002 small CNN + batch norm",
    inputShape: [28, 28, 1],
    classes: 10,
    cpuSamples: 256,
    build: () =>
      tf.sequential({
        layers: [
          conv(4, 3, { padding: "same", inputShape: [28, 28, 1] }), tf.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9 }), pool(),
          conv(8, 3, { padding: "same" }), tf.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9 }), pool(),
          tf.layers.flatten(),
          tf.layers.dense({ units: 10, activation: "softmax" }),
        ],
      }),
  },
  {
    name: "seed003_convnet",
    label: "seed 003 ConvNet (conv 20@5, conv 50@5, fc 500; 431,080 params)",
    inputShape: [28, 28, 1],
    classes: 10,
    cpuSamples: 64,
    build: () =>
      tf.sequential({
        layers: [
          conv(20, 5, { inputShape: [28, 28, 1] }), pool(),
          conv(50, 5), pool(),
          tf.layers.flatten(),
          tf.layers.dense({ units: 500, activation: "relu" }),
          tf.layers.dense({ units: 10, activation: "softmax" }),
        ],
      }),
  },
  {
    name: "seed004_mlp",
    label: "seed 004 MLP 784-800-800-10",
    inputShape: [784],
    classes: 10,
    cpuSamples: 640,
    build: () =>
      tf.sequential({
        layers: [
          tf.layers.dense({ units: 800, activation: "relu", inputShape: [784] }),
          tf.layers.dense({ units: 800, activation: "relu" }),
          tf.layers.dense({ units: 10, activation: "softmax" }),
        ],
      }),
  },
  {
    name: "vgg64",
    label: "VGG-style 64x64x3 (conv 16/32/64@3 + BN, fc 1024-1024 + BN, 2 classes)",
    inputShape: [64, 64, 3],
    classes: 2,
    cpuSamples: 0,
    build: () => {
      const layers: tf.layers.Layer[] = [];
      [16, 32, 64].forEach((filters, i) => {
        layers.push(tf.layers.conv2d({
          filters, kernelSize: 3, padding: "same", ...(i === 0 ? { inputShape: [64, 64, 3] } : {}),
        }));
        layers.push(tf.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9 }), tf.layers.reLU(), pool());
      });
      layers.push(tf.layers.flatten());
      for (let i = 0; i < 2; i++) {
        layers.push(tf.layers.dense({ units: 1024 }), tf.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9 }), tf.layers.reLU());
      }
      layers.push(tf.layers.dense({ units: 2, activation: "softmax" }));
      return tf.sequential({ layers });
    },
  },
];
