// Seed 000's baseline: a linear multiclass SVM (linearSvm + the hinge loss, nn.MultiMarginLoss),
// by hand, against PyTorch where python3-torch is installed, and in a short training run.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as tf from "@tensorflow/tfjs";
import { loadMnist, splitTrainValidation, imageValues, labelsOf, takeFirst } from "../../src/data/index.js";
import { linearSvm, countParameters, summarizeModel } from "../../src/models/index.js";
import { multiMarginLoss, trainModel, evaluate, oneCycle } from "../../src/train/index.js";
import { lossFunction, lossForModel } from "../../src/train/losses.js";

const PYTHON = "/usr/bin/python3";
const torchAvailable = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" }).status === 0;

const close = (a: number, b: number, tolerance: number, what: string) => assert.ok(Math.abs(a - b) < tolerance, `${what}: ${a} vs ${b}`);

test("hinge loss by hand: PyTorch's documented example, the label's own term left out, mean over classes and batch", () => {
  // nn.MultiMarginLoss docs: x = [0.1, 0.2, 0.4, 0.8], y = 3 → (0.3 + 0.4 + 0.6) / 4 = 0.325.
  close(multiMarginLoss(tf.tensor2d([[0.1, 0.2, 0.4, 0.8]]), tf.tensor1d([3], "int32")).dataSync()[0], 0.325, 1e-6, "docs example");
  // Two examples, three classes. Row 1 (y=0): max(0,1-2+1)=0, max(0,1-2-1)=0 → 0.
  // Row 2 (y=2): max(0,1-0.5+1)=1.5, max(0,1-0.5+0.7)=1.2 → 2.7 / 3 = 0.9. Mean over the batch: 0.45.
  const scores = tf.tensor2d([[2, 1, -1], [1, 0.7, 0.5]]);
  const labels = tf.tensor1d([0, 2], "int32");
  close(multiMarginLoss(scores, labels).dataSync()[0], 0.45, 1e-6, "two rows");
  close(lossFunction("hinge")(scores, labels).dataSync()[0], 0.45, 1e-6, "lossFunction('hinge')");
  // Margin 2: row 1: max(0,2-1)=1, max(0,2-3)=0 → 1/3; row 2: 2.5 + 2.2 = 4.7/3 → mean (1 + 4.7) / 6 = 0.95.
  close(multiMarginLoss(scores, labels, 2).dataSync()[0], 0.95, 1e-6, "margin 2");
  // Gradient of the mean: each violated class i gets +1/(n·C), the label −(violations)/(n·C).
  const grad = tf.grad((s: tf.Tensor) => multiMarginLoss(s, labels))(scores).arraySync() as number[][];
  const expected = [[0, 0, 0], [1 / 6, 1 / 6, -2 / 6]];
  grad.forEach((row, i) => row.forEach((g, j) => close(g, expected[i][j], 1e-6, `d/dx[${i}][${j}]`)));
  assert.throws(() => lossFunction("svm" as any), /invalid loss: svm .*"hinge"/);
});

test("linearSvm: one dense layer on flattened pixels, 7,850 parameters on MNIST; hinge is its default loss", () => {
  const svm = linearSvm({ seed: 1 });
  assert.equal(countParameters(svm), 784 * 10 + 10);
  assert.deepEqual(summarizeModel(svm).map((r) => [r.layer, r.type]), [["flatten", "Flatten"], ["fc", "Dense"]]);
  assert.equal((svm.layers.at(-1)!.getConfig() as { activation: string }).activation, "linear");
  assert.equal(lossForModel(svm), "hinge");
  assert.equal(countParameters(linearSvm({ inputShape: [64, 64, 3], classes: 2 })), 64 * 64 * 3 * 2 + 2);
});

const SCRIPT = String.raw`
import json, sys, torch
spec = json.load(sys.stdin)
torch.set_default_dtype(torch.float64)
s = torch.tensor(spec["scores"]).reshape(len(spec["labels"]), -1).requires_grad_(True)
y = torch.tensor(spec["labels"], dtype=torch.long)
loss = torch.nn.MultiMarginLoss()(s, y); loss.backward()
loss2 = torch.nn.MultiMarginLoss(margin=2.0)(s.detach(), y)
# Training: a linear layer from the given weights, SGD with momentum under OneCycleLR (momentum cycled).
x = torch.tensor(spec["x"]).reshape(-1, 784)
t = torch.tensor(spec["y"], dtype=torch.long)
w = torch.tensor(spec["kernel"]).reshape(784, 10).t().clone().requires_grad_(True)
b = torch.tensor(spec["bias"]).clone().requires_grad_(True)
opt = torch.optim.SGD([w, b], lr=0.01, momentum=0.9)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=spec["steps"])
losses, momenta = [], []
n = spec["batch"]
for step in range(spec["steps"]):
    i = (step * n) % x.shape[0]
    opt.zero_grad()
    l = torch.nn.MultiMarginLoss()(torch.nn.functional.linear(x[i:i+n], w, b), t[i:i+n])
    momenta.append(opt.param_groups[0]["momentum"])
    l.backward(); opt.step(); sched.step(); losses.append(l.item())
print(json.dumps({"loss": loss.item(), "loss2": loss2.item(), "grad": s.grad.reshape(-1).tolist(),
  "losses": losses, "momenta": momenta, "kernel": w.t().reshape(-1).tolist(), "bias": b.tolist()}))
`;

test("hinge loss and a momentum-cycled SVM run match PyTorch (MultiMarginLoss, SGD, OneCycleLR)", { skip: !torchAvailable }, async () => {
  const n = 32;
  const classes = 10;
  const scores = Array.from({ length: n * classes }, (_, i) => Math.sin(i * 1.7) * 2);
  const labels = Array.from({ length: n }, (_, i) => (i * 7) % classes);
  const data = loadMnist({ limit: 60 });
  const svm = linearSvm({ seed: 5 });
  const [kernel, bias] = svm.getWeights().map((w) => Array.from(w.dataSync()));
  const batch = 20;
  const steps = 6; // two epochs of three batches
  const spec = { scores, labels, x: Array.from(imageValues(data)), y: Array.from(labelsOf(data)), kernel, bias, batch, steps };
  const py = spawnSync(PYTHON, ["-c", SCRIPT], { input: JSON.stringify(spec), encoding: "utf8", maxBuffer: 1 << 28 });
  assert.equal(py.status, 0, py.stderr);
  const torch = JSON.parse(py.stdout) as { loss: number; loss2: number; grad: number[]; losses: number[]; momenta: number[]; kernel: number[]; bias: number[] };

  const s = tf.tensor2d(scores, [n, classes]);
  const y = tf.tensor1d(labels, "int32");
  close(multiMarginLoss(s, y).dataSync()[0], torch.loss, 1e-6, "loss");
  close(multiMarginLoss(s, y, 2).dataSync()[0], torch.loss2, 1e-6, "loss, margin 2");
  const grad = tf.grad((v: tf.Tensor) => multiMarginLoss(v, y))(s).dataSync();
  torch.grad.forEach((g, i) => close(grad[i], g, 1e-7, `gradient ${i}`));

  const momenta: number[] = [];
  const history = await trainModel(svm, data, {
    epochs: 2, batchSize: batch, shuffle: false, progress: false,
    optimizer: { learningRate: 0.01, momentum: 0.9 },
    schedule: oneCycle({ maxRate: 0.05, totalSteps: steps }),
    callbacks: [{ onBatchEnd: (b) => { momenta.push(b.momentum!); } }],
  });
  momenta.forEach((m, i) => close(m, torch.momenta[i], 1e-12, `momentum ${i}`));
  history.batchLoss.forEach((l, i) => close(l, torch.losses[i], 1e-4, `batch loss ${i}`));
  const [k, b] = svm.getWeights().map((w) => Array.from(w.dataSync()));
  const worst = Math.max(...k.map((v, i) => Math.abs(v - torch.kernel[i])), ...b.map((v, i) => Math.abs(v - torch.bias[i])));
  assert.ok(worst < 1e-4, `weights differ from PyTorch's by ${worst}`);
});

test("a short linear SVM run learns: hinge loss falls, accuracy far above chance", async () => {
  const [train, validation] = splitTrainValidation(loadMnist({ limit: 1500 }), 1000);
  const svm = linearSvm({ seed: 2 });
  const history = await trainModel(svm, train, {
    epochs: 3, batchSize: 32, optimizer: { learningRate: 0.01, momentum: 0.5, weightDecay: 1e-4 }, validation, seed: 2, progress: false,
  });
  assert.ok(history.trainLoss[2] < history.trainLoss[0], `loss ${history.trainLoss}`);
  assert.ok(history.valAccuracy[2] > 0.8, `validation accuracy ${history.valAccuracy}`);
  // Evaluation defaults to the SVM's own loss: the same as the run's validation loss.
  close(evaluate(svm, validation).loss, history.valLoss[2], 1e-9, "evaluate's hinge loss");
  close(evaluate(svm, takeFirst(validation, 10), { loss: "hinge" }).loss, evaluate(svm, takeFirst(validation, 10)).loss, 1e-12, "explicit hinge");
});
