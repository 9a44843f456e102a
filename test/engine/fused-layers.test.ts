// Conv2D and Dense layers (a ReLU or no activation) train through one fused kernel each way on labnative
// (src/models/fused-layers.ts, src/engine/fused-ops.ts). Their outputs and every gradient
// (input, kernel, bias) must match what tfjs's own layers compute on its cpu engine, the layers must
// stay Conv2D / Dense to summaries and serialisation, and the training step must really run the
// fused kernels (not the add, relu, step and sum that tfjs runs otherwise).
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { registerNativeBackend, BACKEND_NAME } from "../../src/engine/native/backend";
import { CONV2D_BIAS_ACT, DENSE_BIAS_ACT, LOG_SOFTMAX, LOG_SOFTMAX_GRAD, RELU_BIAS_GRAD, SPARSE_CROSS_ENTROPY, SPARSE_CROSS_ENTROPY_GRAD } from "../../src/engine/fused-ops";
import { nllLoss } from "../../src/train/losses";
import { FusedBiasConv2D, FusedBiasDense, FusedLogSoftmax } from "../../src/models/fused-layers";
import { convNet, leNetStyleNet, mlp } from "../../src/models/architectures";

registerNativeBackend();

function close(actual: tf.Tensor, expected: tf.Tensor, what: string, tolerance = 1e-4): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  // Sums of ~37,000 products (a kernel's gradient) round differently by order: errors are measured
  // against the largest value.
  const a = actual.dataSync(), e = expected.dataSync();
  let worst = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i] - e[i]);
    if (!(err <= worst)) worst = Number.isNaN(err) ? Infinity : err;
    scale = Math.max(scale, Math.abs(e[i]));
  }
  assert.ok(scale > 0, `${what}: all zero`);
  assert.ok(worst <= tolerance * scale, `${what}: worst error ${worst} > ${tolerance} x ${scale}`);
}

/** Output and gradients of sum(layer(x) * weights) for x and every trainable weight. */
function outputAndGradients(layer: tf.layers.Layer, x: tf.Tensor, weights: tf.Tensor): { y: tf.Tensor; grads: tf.Tensor[] } {
  const y = layer.apply(x) as tf.Tensor;
  const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  // The layer reads its variables itself; their gradients come from the tape.
  const f = (xi: tf.Tensor) => tf.sum(tf.mul(layer.apply(xi) as tf.Tensor, weights)) as tf.Scalar;
  const { grads } = tf.variableGrads(() => f(x), vars);
  const dx = tf.grad((xi: tf.Tensor) => f(xi))(x);
  return { y, grads: [dx, ...vars.map((v) => grads[v.name])] };
}

// Seeded weights (tfjs's default initialisers draw from Math.random) and a bias that moves the ReLU's edge.
const SEEDED = { kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }), biasInitializer: tf.initializers.randomNormal({ stddev: 0.5, seed: 2 }) };

const CASES: { name: string; make: () => tf.layers.Layer; input: number[] }[] = [
  // conv1 of seed 003 at batch 128 (1.5 million outputs: the gradient pass splits over threads
  // above 2^20), a strided "same" convolution, a dense shape the seeds use and a tiny one; then
  // the same kernels without an activation: LeNet's strided convolution and a logits layer.
  { name: "conv 5x5 valid, 20 filters, batch 128", input: [128, 28, 28, 1],
    make: () => new FusedBiasConv2D({ filters: 20, kernelSize: 5, activation: "relu", ...SEEDED }) },
  { name: "conv 3x3 same stride 2, 7 filters", input: [3, 9, 9, 4],
    make: () => new FusedBiasConv2D({ filters: 7, kernelSize: 3, strides: 2, padding: "same", activation: "relu", ...SEEDED }) },
  { name: "dense 784 -> 800", input: [64, 784],
    make: () => new FusedBiasDense({ units: 800, activation: "relu", ...SEEDED }) },
  { name: "dense 5 -> 3, batch 16", input: [16, 5],
    make: () => new FusedBiasDense({ units: 3, activation: "relu", ...SEEDED }) },
  { name: "conv 2x2 stride 2, 16 filters, no activation", input: [8, 12, 12, 6],
    make: () => new FusedBiasConv2D({ filters: 16, kernelSize: 2, strides: 2, ...SEEDED }) },
  { name: "dense 84 -> 10, no activation", input: [64, 84],
    make: () => new FusedBiasDense({ units: 10, activation: "linear", ...SEEDED }) },
];

for (const c of CASES) {
  test(`${c.name}: output and gradients on labnative match tfjs's cpu engine`, async () => {
    await tf.setBackend("cpu");
    const layer = c.make();
    const x = tf.randomNormal(c.input, 0, 1, "float32", 3);
    const outShape = (layer.apply(x) as tf.Tensor).shape;  // also builds the weights
    const weights = tf.randomNormal(outShape, 0, 1, "float32", 4);
    const reference = outputAndGradients(layer, x, weights);
    const initial = layer.getWeights().map((w) => w.dataSync().slice());

    await tf.setBackend(BACKEND_NAME);
    const onNative = c.make();
    const xn = tf.tensor(x.dataSync(), x.shape), wn = tf.tensor(weights.dataSync(), weights.shape);
    onNative.apply(xn);
    onNative.setWeights(initial.map((v, i) => tf.tensor(v, layer.getWeights()[i].shape)));
    const native = outputAndGradients(onNative, xn, wn);
    // A ReLU zeroes part of the output: the comparison covers both sides of it (and a linear layer's output has both signs).
    const positive = (native.y.dataSync() as Float32Array).filter((v) => v > 0).length / native.y.size;
    assert.ok(positive > 0.2 && positive < 0.8, `half the outputs should be positive, got ${positive}`);
    close(native.y, reference.y, "output");
    ["x", "kernel", "bias"].forEach((what, i) => close(native.grads[i], reference.grads[i], `gradient of ${what}`));
  });
}

test("the fused layers are Conv2D and Dense to summaries and serialisation, with tfjs's config", () => {
  const conv = new FusedBiasConv2D({ filters: 4, kernelSize: 3, activation: "relu", name: "c" });
  const dense = new FusedBiasDense({ units: 5, activation: "relu", name: "d" });
  assert.equal(conv.getClassName(), "Conv2D");
  assert.equal(dense.getClassName(), "Dense");
  assert.deepEqual(conv.getConfig(), tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: "relu", name: "c" }).getConfig());
  const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [6, 6, 1] }), conv, tf.layers.flatten(), dense] });
  const json = JSON.stringify(model.toJSON(null, false));
  assert.match(json, /"class_name":"Conv2D"/);
  assert.match(json, /"class_name":"Dense"/);
});

test("a training step of seed 000's LeNet, seed 003's ConvNet and seed 004's MLP runs the fused kernels on labnative: no add, relu or step, no unneeded gradient", async () => {
  await tf.setBackend(BACKEND_NAME);
  // Per model: its fused kernels, with and without a ReLU, the ReLUs of its own (LeNet pools
  // before its ReLUs) and the products a step needs (none for the first layer's input, a whole product).
  const expected = [
    { model: leNetStyleNet({ seed: 1, output: "logits" }), convs: 3, denses: 2, reluGrads: 2, relus: 2, biasSums: 2, batchMatMuls: 4, backpropInputs: 2 },
    { model: convNet({ seed: 1 }), convs: 2, denses: 2, reluGrads: 3, relus: 0, biasSums: 0, batchMatMuls: 4, backpropInputs: 1 },
    { model: mlp({ hidden: [800, 800], seed: 1 }), convs: 0, denses: 3, reluGrads: 2, relus: 0, biasSums: 0, batchMatMuls: 5, backpropInputs: 0 },
  ];
  for (const e of expected) {
    const x = tf.randomNormal([8, 28, 28, 1], 0, 1, "float32", 1);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], "int32"), 10);
    const info = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, e.model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
      Object.values(grads).forEach((g) => g.dispose());
      return value;
    });
    const kernels = info.kernels.map((k) => k.name);
    const count = (name: string) => kernels.filter((k) => k === name).length;
    const what = `${e.model.name}: ${kernels.join(" ")}`;
    assert.equal(count(CONV2D_BIAS_ACT), e.convs, what);
    assert.equal(count(DENSE_BIAS_ACT), e.denses, what);
    assert.equal(count(RELU_BIAS_GRAD), e.reluGrads, what);
    assert.equal(count("BatchMatMul"), e.batchMatMuls, what);
    assert.equal(count("Conv2DBackpropInput"), e.backpropInputs, what);
    assert.equal(count("Relu"), e.relus, what);
    for (const unfused of ["Step", "Conv2D", "FusedConv2D", "_FusedMatMul"]) assert.equal(count(unfused), 0, `${unfused} in ${what}`);
    // The loss adds and sums too, over [8, 10] at most. Over a hidden activation, only the bias
    // gradient of a layer without a ReLU sums (the ReLU's pass makes it otherwise).
    const overActivations = info.kernels.filter((k) => (k.name === "Add" || k.name === "Sum") &&
      k.inputShapes.some((s) => s !== undefined && s.reduce((n, d) => n * d, 1) > 8 * 10));
    assert.equal(overActivations.filter((k) => k.name === "Add").length, 0, what);
    assert.equal(overActivations.length, e.biasSums, overActivations.map((k) => `${k.name} ${JSON.stringify(k.inputShapes)}`).join(", "));
  }
});

test("the log-softmax layer: output and gradient on labnative match tfjs's Activation layer on the cpu engine, large logits included", async () => {
  const logits = tf.tidy(() => tf.randomNormal([64, 10], 0, 4, "float32", 5).concat(tf.tensor2d([[900, 0, -900, 1, 2, 3, 4, 5, 6, 7]])));
  const weights = tf.randomNormal([65, 10], 0, 1, "float32", 6);
  const run = () => {
    const layer = new FusedLogSoftmax({ name: "out" });
    const y = layer.apply(logits) as tf.Tensor;
    const dx = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, weights)))(logits);
    return { y, dx };
  };
  await tf.setBackend("cpu");
  const reference = run();
  await tf.setBackend(BACKEND_NAME);
  const native = run();
  assert.ok((reference.y.dataSync() as Float32Array).every(Number.isFinite), "tfjs's log-softmax is finite");
  close(native.y, reference.y, "log-softmax", 1e-6);
  close(native.dx, reference.dx, "its gradient", 1e-6);
});

test("the log-softmax layer is tfjs's Activation layer to summaries and serialisation", () => {
  const fused = new FusedLogSoftmax({ name: "log_softmax" });
  assert.equal(fused.getClassName(), "Activation");
  assert.deepEqual(fused.getConfig(), tf.layers.activation({ activation: "logSoftmax" as never, name: "log_softmax" }).getConfig());
});

test("seed 000's LeNet with its log-softmax output and the NLL loss trains its output in four kernels on labnative", async () => {
  await tf.setBackend(BACKEND_NAME);
  const model = leNetStyleNet({ seed: 1 });
  const x = tf.randomNormal([8, 28, 28, 1], 0, 1, "float32", 1);
  const labels = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], "int32");
  const info = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => nllLoss(model.apply(x, { training: true }) as tf.Tensor, labels));
    Object.values(grads).forEach((g) => g.dispose());
    return value;
  });
  const kernels = info.kernels.map((k) => k.name);
  for (const k of [LOG_SOFTMAX, LOG_SOFTMAX_GRAD, SPARSE_CROSS_ENTROPY, SPARSE_CROSS_ENTROPY_GRAD]) {
    assert.equal(kernels.filter((n) => n === k).length, 1, `${k} in ${kernels.join(" ")}`);
  }
  for (const composite of ["Exp", "Log", "Max", "OneHot", "Multiply"]) assert.ok(!kernels.includes(composite), `${composite} in ${kernels.join(" ")}`);
});
