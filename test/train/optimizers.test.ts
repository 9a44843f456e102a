import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createOptimizer, OptimizerConfig, stepDecay, exponentialDecay, cosineAnnealing, oneCycle, constantRate, nllLoss, crossEntropyLoss } from "../../src/train/index.js";

/** Runs `steps` updates of w on f(w) = ½·Σ(c·w²) (gradient c·w), returning w after each step. */
function run(config: OptimizerConfig, steps: number): number[][] {
  const w = tf.variable(tf.tensor1d([1, -2]));
  const c = tf.tensor1d([1, 0.5]);
  const opt = createOptimizer(config);
  const out: number[][] = [];
  for (let i = 0; i < steps; i++) {
    const { grads } = tf.variableGrads(() => w.square().mul(c).sum().mul(0.5) as tf.Scalar, [w]);
    opt.step(grads, [w]);
    out.push(Array.from(w.dataSync()));
  }
  return out;
}

/** The same updates written out as torch.optim documents them. */
function reference(config: OptimizerConfig, steps: number): number[][] {
  const w = [1, -2];
  const c = [1, 0.5];
  const lr = config.learningRate;
  const mu = config.momentum ?? 0;
  const wd = config.weightDecay ?? 0;
  const [b1, b2, eps] = [config.beta1 ?? 0.9, config.beta2 ?? 0.999, config.epsilon ?? 1e-8];
  const buf = [0, 0];
  const m = [0, 0];
  const v = [0, 0];
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    for (let i = 0; i < 2; i++) {
      let g = c[i] * w[i] + wd * w[i];
      if (config.name === "adam") {
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        w[i] -= (lr * (m[i] / (1 - b1 ** t))) / (Math.sqrt(v[i] / (1 - b2 ** t)) + eps);
        continue;
      }
      if (mu > 0) {
        buf[i] = t === 1 ? g : mu * buf[i] + g;
        g = config.nesterov ? g + mu * buf[i] : buf[i];
      }
      w[i] -= lr * g;
    }
    out.push(w.slice());
  }
  return out;
}

const close = (a: number[][], b: number[][]) =>
  a.every((row, i) => row.every((x, j) => Math.abs(x - b[i][j]) < 1e-5 * Math.max(1, Math.abs(b[i][j]))));

for (const config of [
  { learningRate: 0.1 },
  { learningRate: 0.1, momentum: 0.9 },
  { learningRate: 0.1, momentum: 0.9, nesterov: true },
  { learningRate: 0.1, momentum: 0.5, weightDecay: 0.01 },
  { name: "adam", learningRate: 0.01 },
  { name: "adam", learningRate: 0.01, weightDecay: 0.1 },
] as OptimizerConfig[]) {
  test(`optimizer matches torch.optim: ${JSON.stringify(config)}`, () => {
    const got = run(config, 5);
    const want = reference(config, 5);
    assert.ok(close(got, want), `got ${JSON.stringify(got)}\nwant ${JSON.stringify(want)}`);
  });
}

test("setLearningRate changes the following steps (SGD, momentum and Adam)", () => {
  for (const name of ["sgd", "adam"] as const) {
    const opt = createOptimizer({ name, learningRate: 0.1, momentum: name === "sgd" ? 0.9 : undefined });
    opt.setLearningRate(0);
    assert.equal(opt.learningRate, 0);
    const w = tf.variable(tf.scalar(3));
    const { grads } = tf.variableGrads(() => w.square() as tf.Scalar, [w]);
    opt.step(grads, [w]);
    assert.equal(w.dataSync()[0], 3);
  }
  assert.throws(() => createOptimizer({ learningRate: -1 }), /invalid learning rate: -1/);
  assert.throws(() => createOptimizer({ learningRate: 0.1, nesterov: true }), /Nesterov momentum requires momentum > 0/);
});

test("setMomentum changes the following steps' momentum (tfjs's own setMomentum does not), buffers kept", () => {
  // One weight with gradient 1 at every step (loss = w), lr 1: buf = m·buf + 1, w -= buf.
  const opt = createOptimizer({ learningRate: 1, momentum: 0.9 });
  assert.equal(opt.hasMomentum, true);
  assert.equal(opt.momentum, 0.9);
  const w = tf.variable(tf.scalar(0));
  const step = () => opt.step(tf.variableGrads(() => w.sum() as tf.Scalar, [w]).grads, [w]);
  step(); // buf = 1, w = -1
  opt.setMomentum(0.5);
  assert.equal(opt.momentum, 0.5);
  step(); // buf = 0.5 + 1 = 1.5, w = -2.5 (with the old 0.9 it would be -2.9)
  assert.ok(Math.abs(w.dataSync()[0] + 2.5) < 1e-6, `w = ${w.dataSync()[0]}`);
  assert.throws(() => opt.setMomentum(1), /invalid momentum: 1/);
  for (const config of [{ learningRate: 0.1 }, { name: "adam", learningRate: 0.1 }] as OptimizerConfig[]) {
    const plain = createOptimizer(config);
    assert.equal(plain.hasMomentum, false);
    assert.equal(plain.momentum, 0);
    assert.throws(() => plain.setMomentum(0.9), /has no momentum to set/);
  }
});

test("trainModel: one-cycle cycles SGD's momentum per batch; without it the configured momentum is put back", async () => {
  const { trainModel } = await import("../../src/train/index.js");
  const { mlpWithHidden } = await import("../../src/models/index.js");
  const { loadMnist } = await import("../../src/data/index.js");
  const data = loadMnist({ limit: 40 });
  const model = mlpWithHidden(4, { seed: 1 });
  const opt = createOptimizer({ learningRate: 0.01, momentum: 0.9 });
  const seen: number[] = [];
  const record = { onBatchEnd: (b: { momentum?: number }) => { seen.push(b.momentum!); } };
  const schedule = oneCycle({ maxRate: 0.05, totalSteps: 4 });
  await trainModel(model, data, { epochs: 1, batchSize: 10, optimizer: opt, schedule, progress: false, callbacks: [record] });
  assert.deepEqual(seen, [0, 1, 2, 3].map((s) => schedule.momentum!(s, 0.9)));
  assert.equal(seen[0], 0.95);
  assert.ok(seen[1] < 0.95 && seen[1] >= 0.85);
  seen.length = 0;
  await trainModel(model, data, { epochs: 1, batchSize: 10, optimizer: opt, progress: false, callbacks: [record] });
  assert.deepEqual(seen, [0.9, 0.9, 0.9, 0.9]);
  // cycleMomentum: false leaves momentum alone; plain SGD is not given momentum.
  assert.equal(oneCycle({ maxRate: 0.1, totalSteps: 10, cycleMomentum: false }).momentum, undefined);
  seen.length = 0;
  await trainModel(model, data, { epochs: 1, batchSize: 10, optimizer: { learningRate: 0.01 }, schedule, progress: false, callbacks: [record] });
  assert.deepEqual(seen, [0, 0, 0, 0]);
  assert.throws(() => oneCycle({ maxRate: 0.1, totalSteps: 10, baseMomentum: 0.96 }), /invalid one-cycle momentum/);
  // Any schedule may set momentum, also per epoch: here it rises by 0.1 each epoch from the configured 0.5.
  seen.length = 0;
  const rising = { name: "rising momentum", per: "epoch" as const, rate: (_: number, base: number) => base, momentum: (epoch: number, base: number) => base + 0.1 * epoch };
  await trainModel(model, data, { epochs: 3, batchSize: 20, optimizer: { learningRate: 0.01, momentum: 0.5 }, schedule: rising, progress: false, callbacks: [record] });
  assert.deepEqual(seen.map((m) => m.toFixed(3)), ["0.500", "0.500", "0.600", "0.600", "0.700", "0.700"]);
  opt.dispose();
});

test("schedules follow torch.optim.lr_scheduler", () => {
  const near = (a: number, b: number) => Math.abs(a - b) < 1e-12 * Math.max(1, Math.abs(b)) || Math.abs(a - b) < 1e-15;
  const step = stepDecay({ stepSize: 10, gamma: 0.1 });
  assert.ok(near(step.rate(9, 0.1), 0.1) && near(step.rate(10, 0.1), 0.01) && near(step.rate(25, 0.1), 0.001));
  assert.ok(near(exponentialDecay({ gamma: 0.9 }).rate(2, 1), 0.81));
  const cosine = cosineAnnealing({ periodEpochs: 10, minRate: 0.001 });
  assert.ok(near(cosine.rate(0, 0.1), 0.1) && near(cosine.rate(5, 0.1), 0.0505) && near(cosine.rate(10, 0.1), 0.001));
  const cycle = oneCycle({ maxRate: 0.1, totalSteps: 100 });
  assert.equal(cycle.per, "batch");
  assert.ok(near(cycle.rate(0, 0), 0.004));
  assert.ok(near(cycle.rate(29, 0), 0.1));
  assert.ok(near(cycle.rate(99, 0), 0.004 / 1e4));
  assert.ok(cycle.rate(15, 0) > 0.004 && cycle.rate(15, 0) < 0.1);
  assert.throws(() => cycle.rate(100, 0), /past totalSteps/);
  assert.equal(constantRate().rate(7, 0.3), 0.3);
});

test("losses: NLL of log-probabilities and cross-entropy of logits, averaged", () => {
  const labels = tf.tensor1d([0, 1], "int32");
  const logits = tf.tensor2d([[2, 0], [0, 3]]);
  const expected = (Math.log(1 + Math.exp(-2)) + Math.log(1 + Math.exp(-3))) / 2;
  assert.ok(Math.abs(crossEntropyLoss(logits, labels).dataSync()[0] - expected) < 1e-6);
  assert.ok(Math.abs(nllLoss(tf.logSoftmax(logits), labels).dataSync()[0] - expected) < 1e-6);
});

test("the loss is chosen from the model's output; a softmax output is refused with advice", async () => {
  const { lossForModel } = await import("../../src/train/losses.js");
  const { convNet, mlpWithHidden } = await import("../../src/models/index.js");
  assert.equal(lossForModel(convNet()), "nll");
  assert.equal(lossForModel(mlpWithHidden(4)), "crossEntropy");
  const softmax = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2], activation: "softmax" })] });
  assert.throws(() => lossForModel(softmax), /ends in softmax .* end it in logSoftmax/);
});
