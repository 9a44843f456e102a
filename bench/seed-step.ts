// The training step every benchmark times, in one place: a seed row's model, softmax cross-entropy on
// its logits, gradients and the row's optimiser (what trainModel does per batch, without its metrics),
// on random data of the architecture's input shape. bench/run.ts times it; bench/profile.ts profiles it.
import * as tf from "@tensorflow/tfjs";
import { forward } from "../src/models/forward.js";
import { lossFunction } from "../src/train/losses.js";
import { createOptimizer } from "../src/train/optimizers.js";
import type { Arch } from "./models";
import type { SeedRow } from "./seeds";

/** Random data of the architecture's input shape with integer labels, held in memory as float tensors (as on the PyTorch side). */
export function randomData(arch: Arch, n: number): [tf.Tensor, tf.Tensor] {
  return tf.tidy(() => [
    tf.randomNormal([n, ...arch.inputShape], 0, 1, "float32", 1),
    tf.randomUniform([n], 0, arch.classes, "int32", 2),
  ]);
}

export interface SeedStep {
  /** One optimiser step on batch i of (x, y); returns the batch's loss. */
  step(x: tf.Tensor, y: tf.Tensor, i: number): tf.Tensor;
  dispose(): void;
}

/** A fresh model and optimiser for the row, and its training step. */
export function seedStep(row: SeedRow): SeedStep {
  const model = row.arch.build();
  const optimizer = createOptimizer(row.optimizer);
  const loss = lossFunction("crossEntropy");
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  return {
    step: (x, y, i) =>
      tf.tidy(() => {
        const xb = x.slice(i * row.batch, row.batch);
        const yb = y.slice(i * row.batch, row.batch);
        const { value, grads } = tf.variableGrads(() => loss(forward(model, xb, true), yb), variables);
        optimizer.step(grads, variables);
        return value;
      }),
    dispose: () => {
      optimizer.dispose();
      model.dispose();
    },
  };
}
