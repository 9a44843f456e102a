// The models, losses and optimisers against PyTorch itself (Debian's python3-torch), where it is
// installed: same weights and batch in, same losses and updated weights out.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as tf from "@tensorflow/tfjs";
import { loadMnist, imageValues, labelsOf } from "../../src/data/index.js";
import { mlp, smallCnn, leNetStyleNet, twoConvSixteenFourNet, convNet } from "../../src/models/index.js";
import { trainModel, OptimizerConfig } from "../../src/train/index.js";

const PYTHON = "/usr/bin/python3";
const torchAvailable = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" }).status === 0;

// PyTorch is the reference these tests compare with; scripts/setup.sh installs it (python3-torch),
// so its absence is a failure that says how to fix it, not a skip.
test("PyTorch is installed for the parity tests", () => {
  assert.ok(torchAvailable, `${PYTHON} cannot import torch: run bash scripts/setup.sh (it installs Debian's python3-torch)`);
});

// Builds the same network in PyTorch from a layer list, runs `steps` optimiser steps on one batch,
// and prints the losses and the final parameters (in tfjs layout).
const SCRIPT = String.raw`
import json, sys, torch, torch.nn.functional as F
spec = json.load(sys.stdin)
torch.set_default_dtype(torch.float64)
params = []
def t(values, shape): 
    p = torch.tensor(values, dtype=torch.float64).reshape(shape).requires_grad_(True)
    return p
layers = []
for L in spec["layers"]:
    if L["type"] == "conv":
        w = t(L["kernel"], L["kernelShape"]).permute(3, 2, 0, 1).detach().clone().requires_grad_(True)
        b = t(L["bias"], [len(L["bias"])])
        params += [w, b]; L["w"], L["b"] = w, b
    elif L["type"] == "dense":
        w = t(L["kernel"], L["kernelShape"]).t().detach().clone().requires_grad_(True)
        b = t(L["bias"], [len(L["bias"])])
        params += [w, b]; L["w"], L["b"] = w, b
    elif L["type"] == "bn":
        g = t(L["gamma"], [len(L["gamma"])]); b = t(L["beta"], [len(L["beta"])])
        params += [g, b]; L["g"], L["b"] = g, b
        L["rm"] = torch.zeros(len(L["gamma"])); L["rv"] = torch.ones(len(L["gamma"]))
    layers.append(L)
x0 = torch.tensor(spec["x"]).reshape(spec["xShape"]).permute(0, 3, 1, 2)
y = torch.tensor(spec["y"], dtype=torch.long)
def forward(x, training=True):
    for L in layers:
        k = L["type"]
        if k == "conv": x = F.conv2d(x, L["w"], L["b"], stride=L["stride"], padding=L["padding"])
        elif k == "pad": x = F.pad(x, (L["padding"],) * 4)
        elif k == "relu": x = F.relu(x)
        elif k == "maxpool": x = F.max_pool2d(x, L["size"], L["stride"])
        elif k == "bn":
            x = F.batch_norm(x, L["rm"], L["rv"], L["g"], L["b"], training=training, momentum=0.1, eps=1e-5)
        elif k == "flatten": x = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)
        elif k == "dense": x = F.linear(x, L["w"], L["b"])
        elif k == "logsoftmax": x = F.log_softmax(x, dim=1)
    return x
o = spec["optimizer"]
if o.get("name") == "adam":
    opt = torch.optim.Adam(params, lr=o["learningRate"], weight_decay=o.get("weightDecay", 0))
else:
    opt = torch.optim.SGD(params, lr=o["learningRate"], momentum=o.get("momentum", 0), nesterov=o.get("nesterov", False), weight_decay=o.get("weightDecay", 0))
losses = []
for step in range(spec["steps"]):
    opt.zero_grad()
    out = forward(x0)
    loss = F.nll_loss(out, y) if spec["loss"] == "nll" else F.cross_entropy(out, y)
    loss.backward(); opt.step(); losses.append(loss.item())
with torch.no_grad():
    evaluation = forward(x0, training=False).reshape(-1).tolist()
final = []
for L in layers:
    if L["type"] == "conv": final += [L["w"].permute(2, 3, 1, 0).reshape(-1).tolist(), L["b"].tolist()]
    elif L["type"] == "dense": final += [L["w"].t().reshape(-1).tolist(), L["b"].tolist()]
    elif L["type"] == "bn": final += [L["g"].tolist(), L["b"].tolist()]
print(json.dumps({"losses": losses, "weights": final, "evaluation": evaluation}))
`;

/** The model as the layer list the script understands. */
function describe(model: tf.LayersModel): object[] {
  const out: object[] = [];
  for (const layer of model.layers) {
    const kind = layer.getClassName();
    const config = layer.getConfig() as Record<string, any>;
    const w = layer.getWeights();
    // The builder folds a ReLU that follows a convolution or dense layer into that layer.
    const fusedRelu = config.activation === "relu" ? [{ type: "relu" }] : [];
    if (kind === "Conv2D") {
      const kernel = w[0];
      const k = kernel.shape[0];
      const stride = config.strides[0];
      const padding = config.padding === "same" ? (k - 1) / 2 : 0;
      out.push({ type: "conv", kernel: Array.from(kernel.dataSync()), kernelShape: kernel.shape, bias: Array.from(w[1].dataSync()), stride, padding }, ...fusedRelu);
    } else if (kind === "ZeroPadding2D") out.push({ type: "pad", padding: config.padding[0][0] });
    else if (kind === "ReLU") out.push({ type: "relu" });
    else if (kind === "MaxPooling2D") out.push({ type: "maxpool", size: config.poolSize[0], stride: config.strides[0] });
    else if (kind === "PyTorchBatchNorm") out.push({ type: "bn", gamma: Array.from(w[0].dataSync()), beta: Array.from(w[1].dataSync()) });
    else if (kind === "Flatten") out.push({ type: "flatten" });
    else if (kind === "Dense") out.push({ type: "dense", kernel: Array.from(w[0].dataSync()), kernelShape: w[0].shape, bias: Array.from(w[1].dataSync()) }, ...fusedRelu);
    else if (kind === "Activation" && config.activation === "logSoftmax") out.push({ type: "logsoftmax" });
    else if (kind !== "InputLayer") throw new Error(`no PyTorch counterpart written for ${kind}`);
  }
  return out;
}

async function compare(name: string, model: tf.LayersModel, optimizer: OptimizerConfig, steps = 2): Promise<void> {
  const batch = loadMnist({ limit: 16 });
  const x = Array.from(imageValues(batch));
  const y = Array.from(labelsOf(batch));
  const loss = model.layers[model.layers.length - 1].getClassName() === "Activation" ? "nll" : "crossEntropy";
  const spec = { layers: describe(model), x, xShape: [16, 28, 28, 1], y, optimizer, steps, loss };
  const py = spawnSync(PYTHON, ["-c", SCRIPT], { input: JSON.stringify(spec), encoding: "utf8", maxBuffer: 1 << 28 });
  assert.equal(py.status, 0, py.stderr);
  const torch = JSON.parse(py.stdout) as { losses: number[]; weights: number[][]; evaluation: number[] };
  const history = await trainModel(model, batch, { epochs: steps, batchSize: 16, shuffle: false, optimizer, progress: false });
  history.batchLoss.forEach((l, i) => assert.ok(Math.abs(l - torch.losses[i]) < 1e-4, `${name}: loss ${i} ${l} vs PyTorch ${torch.losses[i]}`));
  const ours = model.trainableWeights.map((w) => Array.from(w.read().dataSync()));
  assert.equal(ours.length, torch.weights.length);
  ours.forEach((values, i) => {
    const worst = values.reduce((m, v, j) => Math.max(m, Math.abs(v - torch.weights[i][j])), 0);
    assert.ok(worst < 2e-4, `${name}: parameter ${i} differs from PyTorch by ${worst}`);
  });
  // Inference mode after training: batch norm on its moving statistics, as PyTorch's model.eval().
  const evaluation = tf.tidy(() => Array.from((model.predict(tf.tensor4d(x, [16, 28, 28, 1])) as tf.Tensor).dataSync()));
  const worst = evaluation.reduce((m, v, j) => Math.max(m, Math.abs(v - torch.evaluation[j])), 0);
  assert.ok(worst < 2e-3, `${name}: inference outputs differ from PyTorch's by ${worst}`);
}

const sgd: OptimizerConfig = { learningRate: 0.1, momentum: 0.9, weightDecay: 0.01 };

test("PyTorch parity: seed 002 MLP with batch norm before ReLU (SGD, momentum, weight decay)", async () => {
  await compare("MLPBNBeforeReLu", mlp({ hidden: [20], batchNorm: "beforeRelu", seed: 1 }), sgd);
});

test("PyTorch parity: seed 002 CNN with batch norm (Nesterov) and seed 001 CNN (Adam, weight decay)", async () => {
  await compare("CNNBN", smallCnn({ batchNorm: true, seed: 2 }), { learningRate: 0.05, momentum: 0.9, nesterov: true });
  await compare("seed 001 CNN", twoConvSixteenFourNet({ seed: 3 }), { name: "adam", learningRate: 0.01, weightDecay: 0.001 }, 3);
});

test("PyTorch parity: seed 000 LeNet-style net and seed 003 ConvNet (plain SGD)", async () => {
  await compare("LeNet-style", leNetStyleNet({ seed: 4 }), { learningRate: 0.05, momentum: 0.5 });
  await compare("ConvNet", convNet({ seed: 5 }), { learningRate: 0.01 }, 1);
});
