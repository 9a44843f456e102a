// forward(): a Sequential chain's layers called in order must give model.apply's outputs and
// gradients bit for bit, and anything that needs tfjs-layers' executor must still go through it.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { registerNativeBackend, BACKEND_NAME } from "../../src/engine/native/backend";
import { convNet, mlp, smallCnn } from "../../src/models/architectures";
import { forward } from "../../src/models/forward";
import { lossFunction } from "../../src/train/losses";

registerNativeBackend();

function sameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: lengths`);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${what}: element ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

/** Counts the model's apply() calls (the executor path) while keeping its behaviour. */
function countApplies(model: tf.LayersModel): { count: number } {
  const counter = { count: 0 };
  const apply = model.apply.bind(model);
  model.apply = ((...args: Parameters<typeof apply>) => {
    counter.count++;
    return apply(...args);
  }) as typeof model.apply;
  return counter;
}

// Two models built from the same seed: one trains through model.apply, the other through forward.
const twins: Array<[string, () => tf.Sequential, number[]]> = [
  ["seed 002's CNN with batch norm", () => smallCnn({ batchNorm: true, seed: 3 }), [16, 28, 28, 1]],
  ["seed 003's ConvNet (log-softmax output)", () => convNet({ seed: 4 }), [2, 28, 28, 1]],
  ["an MLP with seeded dropout", () => mlp({ hidden: [40, 20], dropout: 0.5, seed: 5 }), [16, 28, 28, 1]],
  // Batch norm followed by a ReLU layer: forward() runs the pair as one call (one kernel each way on
  // labnative), model.apply as two layers.
  ["seed 004's ConvNet with batch norm (batch norm + ReLU folded)", () => convNet({ batchNorm: true, seed: 6 }), [4, 28, 28, 1]],
  ["an MLP with batch norm before the ReLU (folded)", () => mlp({ hidden: [30], batchNorm: "beforeRelu", seed: 7 }), [16, 28, 28, 1]],
];

for (const backend of ["cpu", BACKEND_NAME]) {
  for (const [what, build, shape] of twins) {
    test(`forward on ${backend}: ${what} gives model.apply's outputs, loss and gradients bit for bit, without the executor`, async () => {
      await tf.setBackend(backend);
      const viaApply = build();
      const viaForward = build();
      const applies = countApplies(viaForward);
      const loss = lossFunction(viaApply.layers.at(-1)!.getClassName() === "Activation" ? "nll" : "crossEntropy");
      const x = tf.randomNormal(shape, 0, 1, "float32", 7);
      const y = tf.randomUniform([shape[0]], 0, 10, "int32", 8);
      // Two training steps' gradients (dropout draws a new mask each call, on both twins alike),
      // then inference.
      for (let step = 0; step < 2; step++) {
        const variables = (m: tf.LayersModel) => m.trainableWeights.map((w) => w.read() as tf.Variable);
        const a = tf.variableGrads(() => loss(viaApply.apply(x, { training: true }) as tf.Tensor, y), variables(viaApply));
        const b = tf.variableGrads(() => loss(forward(viaForward, x, true), y), variables(viaForward));
        sameBits(b.value.dataSync(), a.value.dataSync(), `${what}: loss, step ${step}`);
        const names = Object.keys(a.grads);
        assert.equal(Object.keys(b.grads).length, names.length, `${what}: gradient count`);
        viaForward.trainableWeights.forEach((w, i) => {
          const va = viaApply.trainableWeights[i].read();
          sameBits(b.grads[(w.read() as tf.Variable).name].dataSync(), a.grads[(va as tf.Variable).name].dataSync(), `${what}: gradient of ${w.name}`);
        });
        tf.dispose([a.value, b.value, Object.values(a.grads), Object.values(b.grads)]);
      }
      // Batch norm's moving statistics were updated alike by both paths.
      viaForward.getWeights().forEach((w, i) => sameBits(w.dataSync(), viaApply.getWeights()[i].dataSync(), `${what}: weight ${i}`));
      const inference = [viaApply.apply(x, { training: false }) as tf.Tensor, forward(viaForward, x, false)];
      sameBits(inference[1].dataSync(), inference[0].dataSync(), `${what}: inference output`);
      assert.equal(applies.count, 0, "forward went through model.apply");
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        forward(viaForward, x, true);
      });
      assert.equal(tf.memory().numTensors, before, "forward inside tf.tidy left tensors behind");
      tf.dispose([x, y, inference]);
      viaApply.dispose();
      viaForward.dispose();
    });
  }
}

test("forward: models the executor must run go through model.apply, with its results and errors", async () => {
  await tf.setBackend(BACKEND_NAME);
  // A functional model (two branches added).
  const input = tf.input({ shape: [6] });
  const left = tf.layers.dense({ units: 3, kernelInitializer: "ones" }).apply(input) as tf.SymbolicTensor;
  const right = tf.layers.dense({ units: 3, kernelInitializer: "ones" }).apply(input) as tf.SymbolicTensor;
  const functional = tf.model({ inputs: input, outputs: tf.layers.add().apply([left, right]) as tf.SymbolicTensor });
  // A Sequential with a masking layer (the executor carries its mask).
  const masked = tf.sequential({ layers: [tf.layers.masking({ maskValue: 0, inputShape: [4, 6] }), tf.layers.flatten()] });
  const x = tf.ones([2, 6]);
  for (const [what, model, input] of [["functional", functional, x], ["masking", masked, tf.ones([2, 4, 6])]] as const) {
    const applies = countApplies(model);
    const out = forward(model, input, false);
    assert.equal(applies.count, 1, `${what}: model.apply was not used`);
    sameBits(out.dataSync(), (model.apply(input, { training: false }) as tf.Tensor).dataSync(), what);
  }
  // The wrong input shape: model.apply's own error, not a kernel's.
  const chain = mlp({ hidden: [5], seed: 1 });
  assert.throws(() => forward(chain, tf.ones([2, 27, 28, 1]), false), /expected .*shape|input/i);
  assert.throws(() => forward(chain, tf.ones([2, 784]), false), /expected .*ndim|input/i);
});

test("forward on labnative: a batch norm followed by a ReLU layer runs as one kernel each way, no Relu", async () => {
  await tf.setBackend(BACKEND_NAME);
  const model = convNet({ batchNorm: true, seed: 8 });
  const x = tf.randomNormal([4, 28, 28, 1], 0, 1, "float32", 9);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const profile = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => tf.mean(forward(model, x, true)) as tf.Scalar, variables);
    tf.dispose([value, Object.values(grads)]);
  });
  const names = profile.kernels.map((k) => k.name);
  const count = (name: string) => names.filter((n) => n === name).length;
  assert.equal(count("Relu"), 0, `kernels: ${names.join(", ")}`);
  // Three batch norms (two convolutions, the hidden dense layer), each with its ReLU folded in.
  assert.equal(count("LabnativeBatchNormTrain"), 3);
  assert.equal(count("LabnativeBatchNormTrainGrad"), 3);
  tf.dispose(x);
  model.dispose();
});
