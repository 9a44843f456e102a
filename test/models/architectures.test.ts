import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  mlp, mlpWithHidden, convNet, leNetStyleNet, twoConvSixteenFourNet, smallCnn, vggStyleNet, VGG_VARIANTS,
  countParameters, summarizeModel, SequentialBuilder,
} from "../../src/models/index.js";

// Parameter counts as PyTorch's sum(p.numel() for p in model.parameters()) prints them in the seeds.
test("MLP 784-200-10 has 159,010 parameters; seed 002's MLP(50/100/200)", () => {
  assert.equal(countParameters(mlp({ hidden: [200] })), 159010);
  assert.equal(countParameters(mlpWithHidden(50)), 39760);
  assert.equal(countParameters(mlpWithHidden(100)), 79510);
  assert.equal(countParameters(mlpWithHidden(200)), 159010);
});

test("seed 003 ConvNet has 431,080 parameters", () => {
  assert.equal(countParameters(convNet()), 431080);
});

test("seed 000, 001 and 002 CNNs", () => {
  assert.equal(countParameters(leNetStyleNet()), 19370);
  assert.equal(countParameters(twoConvSixteenFourNet()), 2710);
  assert.equal(countParameters(smallCnn()), 4266);
  // CNNBN adds BatchNorm2d(4) and BatchNorm2d(8): 2·4 + 2·8 trainable parameters.
  assert.equal(countParameters(smallCnn({ batchNorm: true })), 4266 + 24);
});

test("batch norm counts gamma and beta, not the moving statistics", () => {
  // MLPBN(30): Linear(784,30) + BatchNorm1d(30) + Linear(30,10) = 23,550 + 60 + 310.
  assert.equal(countParameters(mlp({ hidden: [30], batchNorm: "afterRelu" })), 23920);
  assert.equal(countParameters(mlp({ hidden: [30], batchNorm: "beforeRelu" })), 23920);
  const layers = mlp({ hidden: [30], batchNorm: "beforeRelu" }).layers.map((l) => l.getClassName());
  assert.ok(layers.indexOf("PyTorchBatchNorm") < layers.indexOf("ReLU"));
  const after = mlp({ hidden: [30], batchNorm: "afterRelu" }).layers.map((l) => l.getClassName());
  assert.ok(after.indexOf("PyTorchBatchNorm") > after.indexOf("ReLU"));
});

test("seed 004: MLP 784-800-800-10 and the three VGG-style variants at 64x64x3", () => {
  assert.equal(countParameters(mlp({ hidden: [800, 800] })), 1276810);
  assert.equal(countParameters(vggStyleNet({ blocks: VGG_VARIANTS.shallow })), 5274882);
  assert.equal(countParameters(vggStyleNet({ blocks: VGG_VARIANTS.shallowAndFat })), 9539074);
  assert.equal(countParameters(vggStyleNet({ blocks: VGG_VARIANTS.deep })), 1373986);
  assert.equal(countParameters(convNet({ dropout: 0.5 })), 431080);
});

test("output shapes: log-softmax rows sum to one in probability; logits do not", () => {
  const x = tf.randomNormal([3, 28, 28, 1], 0, 1, "float32", 1);
  for (const model of [convNet(), leNetStyleNet(), twoConvSixteenFourNet()]) {
    const out = model.predict(x) as tf.Tensor;
    assert.deepEqual(out.shape, [3, 10]);
    const sums = out.exp().sum(1).dataSync();
    for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-4);
  }
  const logits = smallCnn().predict(x) as tf.Tensor;
  assert.ok(Math.abs(logits.exp().sum(1).dataSync()[0] - 1) > 1e-3);
});

test("same seed gives the same initial weights; another seed different ones", () => {
  const weights = (seed: number) => convNet({ seed }).getWeights().map((w) => Array.from(w.dataSync().slice(0, 20)));
  assert.deepEqual(weights(5), weights(5));
  assert.notDeepEqual(weights(5), weights(6));
});

const firstDense = (model: tf.LayersModel) => model.layers.find((l) => l.getClassName() === "Dense")!;

test("PyTorch-default initialisation bounds; zeros and normal schemes", () => {
  const [kernel, bias] = firstDense(mlp({ hidden: [200], seed: 1 })).getWeights();
  const limit = 1 / Math.sqrt(784);
  assert.ok(kernel.abs().max().dataSync()[0] <= limit + 1e-7);
  assert.ok(kernel.abs().max().dataSync()[0] > 0.9 * limit);
  assert.ok(bias.abs().max().dataSync()[0] <= limit + 1e-7);
  const zero = mlp({ hidden: [30], init: "zeros" });
  for (const w of zero.getWeights()) assert.equal(w.abs().sum().dataSync()[0], 0);
  const weightsOnly = firstDense(mlp({ hidden: [30], init: { weights: "zeros" } })).getWeights();
  assert.equal(weightsOnly[0].abs().sum().dataSync()[0], 0);
  assert.ok(weightsOnly[1].abs().sum().dataSync()[0] > 0);
  const normal = firstDense(mlp({ hidden: [800], init: "normal", seed: 2 })).getWeights()[0];
  const { variance } = tf.moments(normal);
  assert.ok(Math.abs(Math.sqrt(variance.dataSync()[0]) - 1) < 0.01);
  assert.throws(() => mlp({ hidden: [30], init: "uniformish" as any }), /invalid weight initialisation: uniformish/);
  // Seed 004: Glorot with the ReLU gain √2, uniform and normal.
  const glorot = firstDense(mlp({ hidden: [800], init: { weights: "glorot", gain: Math.SQRT2 }, seed: 3 })).getWeights()[0];
  const bound = Math.SQRT2 * Math.sqrt(6 / (784 + 800));
  assert.ok(glorot.abs().max().dataSync()[0] <= bound + 1e-6 && glorot.abs().max().dataSync()[0] > 0.99 * bound);
  const glorotNormal = firstDense(mlp({ hidden: [800], init: { weights: "glorotNormal", gain: Math.SQRT2 }, seed: 3 })).getWeights()[0];
  const sd = Math.sqrt(tf.moments(glorotNormal).variance.dataSync()[0]);
  assert.ok(Math.abs(sd - Math.SQRT2 * Math.sqrt(2 / (784 + 800))) < 1e-3, `std ${sd}`);
});

test("summarizeModel lists layers with their parameters", () => {
  const rows = summarizeModel(leNetStyleNet());
  assert.equal(rows.reduce((s, r) => s + r.parameters, 0), 19370);
  assert.equal(rows[0].type, "Conv2D");
  assert.equal(rows[0].output, "[N,24,24,6]");
});

test("models with the custom layers survive a save/load round trip", async () => {
  const model = convNet({ batchNorm: true, dropout: 0.5, seed: 9 });
  const artifacts: tf.io.ModelArtifacts[] = [];
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts.push(a);
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
  }));
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts[0]));
  const classes = loaded.layers.map((l) => l.getClassName());
  assert.ok(classes.includes("PyTorchBatchNorm") && classes.includes("SeededDropout"));
  const bn = loaded.layers.find((l) => l.getClassName() === "PyTorchBatchNorm")!;
  assert.equal((bn.getConfig() as { momentum: number }).momentum.toFixed(6), "0.100000");
  const x = tf.randomNormal([2, 28, 28, 1], 0, 1, "float32", 3);
  const a = (model.predict(x) as tf.Tensor).dataSync();
  const b = (loaded.predict(x) as tf.Tensor).dataSync();
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-5));
  assert.equal(countParameters(loaded), countParameters(model));
});

test("layers carry the seeds' readable names (seed 003: conv1, conv2, fc_layer1, fc_layer2), not tfjs's generated ones; ReLUs fuse into the layer before", () => {
  const names = (m: tf.LayersModel) => summarizeModel(m).map((r) => r.layer);
  // A ReLU right after a convolution or dense layer is that layer's activation (one fused op).
  assert.deepEqual(names(convNet()), ["conv1", "pool1", "conv2", "pool2", "flatten", "fc_layer1", "fc_layer2", "log_softmax"]);
  assert.deepEqual(summarizeModel(convNet()).map((r) => r.type), [
    "Conv2D + ReLU", "MaxPooling2D", "Conv2D + ReLU", "MaxPooling2D", "Flatten", "Dense + ReLU", "Dense", "Activation",
  ]);
  assert.deepEqual(names(convNet({ batchNorm: true, dropout: 0.5 })), [
    "conv1", "bn1", "relu1", "pool1", "conv2", "bn2", "relu2", "pool2", "flatten", "dropout1",
    "fc_layer1", "bn3", "relu3", "dropout2", "fc_layer2", "log_softmax",
  ]);
  // Seed 000's Net: conv1..conv3, fc1, fc2.
  assert.deepEqual(names(leNetStyleNet()).filter((n) => /^(conv|fc)/.test(n)), ["conv1", "conv2", "conv3", "fc1", "fc2"]);
  // Seed 001 / 002: conv1, conv2, fc; seed 002's CNNBN bn1, bn2; MLP(BN): layer1, bn, layer2.
  assert.deepEqual(names(twoConvSixteenFourNet()).filter((n) => /^(conv|fc)/.test(n)), ["conv1", "conv2", "fc"]);
  assert.deepEqual(names(smallCnn({ batchNorm: true })).filter((n) => /^(conv|fc|bn)/.test(n)), ["conv1", "bn1", "conv2", "bn2", "fc"]);
  assert.deepEqual(names(mlp({ hidden: [30], batchNorm: "afterRelu" })), ["flatten", "layer1", "bn", "layer2"]);
  assert.deepEqual(names(mlp({ hidden: [8, 8] })), ["flatten", "layer1", "layer2", "layer3"]);
  for (const m of [convNet(), vggStyleNet({ blocks: VGG_VARIANTS.deep }), smallCnn(), mlp({ hidden: [4, 4], batchNorm: "beforeRelu", dropout: 0.1 })]) {
    const all = names(m);
    assert.equal(new Set(all).size, all.length, `unique names in ${m.name}: ${all}`);
    assert.ok(all.every((n) => !/_[A-Z]/.test(n)), `no generated names in ${m.name}: ${all}`);
  }
});

test("two models with the same layer names live in one process: separate weights, both train and predict", async () => {
  const { trainModel } = await import("../../src/train/index.js");
  const { loadMnist } = await import("../../src/data/index.js");
  const a = convNet({ seed: 1 });
  const b = convNet({ seed: 2 });
  assert.deepEqual(a.layers.map((l) => l.name), b.layers.map((l) => l.name));
  // Their variables are distinct (tfjs renames the second model's apart).
  const variablesA = a.trainableWeights.map((w) => w.read().id);
  const variablesB = new Set(b.trainableWeights.map((w) => w.read().id));
  assert.ok(variablesA.every((id) => !variablesB.has(id)));
  const data = loadMnist({ limit: 4 });
  const before = b.getWeights().map((w) => Array.from(w.dataSync()));
  await trainModel(a, data, { epochs: 1, batchSize: 4, progress: false });
  // Training the first leaves the second untouched.
  b.getWeights().forEach((w, i) => assert.deepEqual(Array.from(w.dataSync()), before[i]));
  await trainModel(b, data, { epochs: 1, batchSize: 4, progress: false });
  const x = tf.zeros([1, 28, 28, 1]);
  assert.notDeepEqual(Array.from((a.predict(x) as tf.Tensor).dataSync()), Array.from((b.predict(x) as tf.Tensor).dataSync()));
  assert.throws(() => new SequentialBuilder([4], {}).dense(2, "out").dense(2, "out"), /duplicate layer name: out/);
  assert.throws(() => new SequentialBuilder([4], {}).dense(2, "bad name"), /invalid layer name/);
});
