// How close a model's training step comes to this machine's matrix-product peak: the step's
// multiply-add count, from the model's own layers, against an sgemm timed here in the same run.
import * as tf from "@tensorflow/tfjs";
import { loadAddon } from "../src/engine/native/addon.js";

/**
 * Floating-point operations (2 per multiply-add) of one training sample through the model's
 * convolutions and dense layers: the forward product, the weights' gradient (as many) and the
 * input's gradient (as many, except for the first layer, whose input needs none). Element-wise
 * work (bias, activation, pooling, loss) is not counted.
 */
export function trainingFlopsPerSample(model: tf.LayersModel): number {
  let flops = 0;
  let first = true;
  for (const layer of model.layers) {
    const type = layer.getClassName();
    if (type !== "Conv2D" && type !== "Dense") continue;
    const kernel = layer.getWeights()[0].shape;
    // Multiply-adds per output value: the kernel's fan-in (kh * kw * cin, or the input width).
    const fanIn = kernel.slice(0, -1).reduce((n, d) => n * d, 1);
    const outputs = (layer.outputShape as number[]).slice(1).reduce((n, d) => n * d, 1);
    const forward = 2 * fanIn * outputs;
    flops += forward * (first ? 2 : 3);
    first = false;
  }
  return flops;
}

/** GFLOP/s of a 1024 x 1024 x 1024 sgemm on the engine's threads, best of 10 (its peak here). */
export function sgemmPeakGflops(threads: number): number {
  const addon = loadAddon();
  addon.setThreads(threads);
  const n = 1024;
  const a = new Float32Array(n * n).fill(0.5), b = new Float32Array(n * n).fill(0.25), y = new Float32Array(n * n);
  const dims = Int32Array.of(1, n, n, n, 0, 0, 0, 0);
  let best = Infinity;
  for (let i = 0; i < 12; i++) {
    const t = process.hrtime.bigint();
    addon.matmul(a, b, y, dims, null, 0, 0);
    if (i >= 2) best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
  }
  return (2 * n * n * n) / best / 1e9;
}
