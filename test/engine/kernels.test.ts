// Every native kernel of the labnative engine against tfjs's own cpu kernel, forward and
// gradient, on random inputs over many shapes; then a small model trained on both engines.
// Tolerance: |native - cpu| <= ATOL * max(1, max|cpu|) + RTOL * |cpu| element-wise.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { registerNativeBackend, nativeKernelNames, BACKEND_NAME } from "../../src/engine/native/backend";
import { batchNormTraining } from "../../src/engine/fused-ops";
import { ADAM_STEP, SGD_STEP } from "../../src/engine/native/optimizer-steps";
import { SEEDED_DROPOUT } from "../../src/engine/dropout";
import { CONV2D_BIAS_ACT, DENSE_BIAS_ACT, RELU_BIAS_GRAD, SPARSE_CROSS_ENTROPY, SPARSE_CROSS_ENTROPY_GRAD, LOG_SOFTMAX, LOG_SOFTMAX_GRAD } from "../../src/engine/fused-ops";
import { TorchOptimizer } from "../../src/train/optimizers";

const ATOL = 2e-5;
const RTOL = 1e-4;

registerNativeBackend();
tf.setBackend("cpu");

/** Kernels the cases below exercise; the last test checks this covers every native kernel. */
const covered = new Set<string>();

// Deterministic uniform(-1, 1) values (mulberry32), so failures reproduce.
function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}
let seedCounter = 1;
function input(shape: number[]): { shape: number[]; values: Float32Array } {
  return { shape, values: rand(shape.reduce((a, b) => a * b, 1), seedCounter++ * 7919) };
}

/** Runs fn on a backend with fresh tensors of the given inputs; returns its outputs' values. */
function runOn(backend: string, inputs: { shape: number[]; values: Float32Array }[], fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[]): Float32Array[] {
  tf.setBackend(backend);
  try {
    return tf.tidy(() => {
      const xs = inputs.map((i) => tf.tensor(i.values, i.shape, "float32"));
      const r = fn(...xs);
      return (Array.isArray(r) ? r : [r]).map((t) => t.dataSync() as Float32Array);
    });
  } finally {
    tf.setBackend("cpu");
  }
}

function close(what: string, expected: Float32Array, actual: Float32Array): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 1;
  for (const v of expected) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i], a = actual[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (!(Math.abs(a - e) <= ATOL * scale + RTOL * Math.abs(e))) {
      assert.fail(`${what}: element ${i} native ${a} vs cpu ${e} (scale ${scale})`);
    }
  }
}

/** Compares fn on both engines; `kernels` names what it exercises natively. */
function same(what: string, kernels: string[], inputs: { shape: number[]; values: Float32Array }[], fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[]): void {
  const cpu = runOn("cpu", inputs, fn);
  const native = runOn(BACKEND_NAME, inputs, fn);
  assert.equal(native.length, cpu.length);
  cpu.forEach((c, i) => close(`${what} [output ${i}]`, c, native[i]));
  kernels.forEach((k) => covered.add(k));
}

/** Gradients of sum(fn(xs) * r) wrt every input, r a fixed random weighting. */
function gradsOf(fn: (...xs: tf.Tensor[]) => tf.Tensor, outShape: number[]) {
  const r = rand(outShape.reduce((a, b) => a * b, 1), 4242);
  return (...xs: tf.Tensor[]) => tf.grads((...ys: tf.Tensor[]) => tf.sum(tf.mul(fn(...ys), tf.tensor(r, outShape))))(xs);
}

test("conv2d forward, fused bias+activation, and both gradients", () => {
  for (const n of [1, 3])
    for (const hw of [7, 8])
      for (const cin of [1, 3])
        for (const k of [2, 3, 5])
          for (const s of [1, 2] as const)
            for (const pad of ["same", "valid"] as const) {
              if (pad === "valid" && k > hw) continue;
              const cout = 4;
              const x = input([n, hw, hw, cin]);
              const f = input([k, k, cin, cout]);
              const b = input([cout]);
              const what = `n${n} ${hw}x${hw}x${cin} k${k} s${s} ${pad}`;
              const conv = (xt: tf.Tensor, ft: tf.Tensor) => tf.conv2d(xt as tf.Tensor4D, ft as tf.Tensor4D, s, pad);
              same(`conv2d ${what}`, ["Conv2D"], [x, f], conv);
              const outShape = runOn("cpu", [x, f], (xt, ft) => tf.tensor(conv(xt, ft).shape))[0];
              const shape = Array.from(outShape);
              same(`conv2d grads ${what}`, ["Conv2DBackpropInput", "Conv2DBackpropFilter"], [x, f], gradsOf(conv, shape));
              for (const activation of ["relu", "linear", "relu6", "sigmoid", "leakyrelu"] as const) {
                const fused = (xt: tf.Tensor, ft: tf.Tensor, bt: tf.Tensor) =>
                  tf.fused.conv2d({ x: xt as tf.Tensor4D, filter: ft as tf.Tensor4D, bias: bt, strides: s, pad, activation, leakyreluAlpha: 0.1 });
                same(`fused conv2d ${activation} ${what}`, ["FusedConv2D"], [x, f, b], fused);
                if (activation === "relu") {
                  same(`fused conv2d grads ${what}`, ["FusedConv2D", "Step", "Sum"], [x, f, b], gradsOf(fused, shape));
                }
              }
            }
});

// Few input channels take direct kernels (direct_conv.cc) with their own cases: output channels
// below, at and above one vector (4 per pixel, 8 per vector), non-square inputs, the epilogue. With
// AVX-512, output channels in groups of 4 take the 16-pixel forward (up to 32 for 1-3 input channels,
// 16 for 4 or 8 at stride 1), and at stride 1 the input gradient of 4 or 8 output channels is that
// forward over dy with the filter flipped (asymmetric "same" padding: k4 s1).
test("conv2d with few input channels, many output channel counts", () => {
  for (const cin of [1, 2, 3, 4, 8])
    for (const cout of [1, 3, 4, 6, 8, 12, 13, 16, 20, 32])
      for (const [k, s, pad] of [[5, 1, "valid"], [3, 1, "same"], [4, 1, "same"], [3, 2, "same"], [4, 2, "valid"]] as const) {
        const x = input([2, 9, 11, cin]);
        const f = input([k, k, cin, cout]);
        const b = input([cout]);
        const what = `2x9x11x${cin} k${k} s${s} ${pad} cout${cout}`;
        const conv = (xt: tf.Tensor, ft: tf.Tensor) => tf.conv2d(xt as tf.Tensor4D, ft as tf.Tensor4D, s, pad);
        const shape = Array.from(runOn("cpu", [x, f], (xt, ft) => tf.tensor(conv(xt, ft).shape))[0]);
        same(`conv2d grads ${what}`, ["Conv2DBackpropInput", "Conv2DBackpropFilter"], [x, f], gradsOf(conv, shape));
        for (const activation of ["relu", "sigmoid", "leakyrelu"] as const) {
          const fused = (xt: tf.Tensor, ft: tf.Tensor, bt: tf.Tensor) =>
            tf.fused.conv2d({ x: xt as tf.Tensor4D, filter: ft as tf.Tensor4D, bias: bt, strides: s, pad, activation, leakyreluAlpha: 0.1 });
          same(`fused conv2d ${activation} ${what}`, ["FusedConv2D"], [x, f, b], fused);
        }
        // A one-element bias broadcasts over the channels.
        const b1 = input([1]);
        const fused1 = (xt: tf.Tensor, ft: tf.Tensor, bt: tf.Tensor) =>
          tf.fused.conv2d({ x: xt as tf.Tensor4D, filter: ft as tf.Tensor4D, bias: bt, strides: s, pad, activation: "relu" });
        same(`fused conv2d bias[1] ${what}`, ["FusedConv2D"], [x, f, b1], fused1);
      }
});

test("conv2d with dilation and 1x1 (pointwise) filters", () => {
  const x = input([2, 9, 9, 3]);
  for (const [k, d] of [[3, 2], [1, 1]]) {
    const f = input([k, k, 3, 5]);
    for (const pad of ["same", "valid"] as const) {
      const conv = (xt: tf.Tensor, ft: tf.Tensor) => tf.conv2d(xt as tf.Tensor4D, ft as tf.Tensor4D, 1, pad, "NHWC", d);
      same(`conv2d k${k} d${d} ${pad}`, ["Conv2D"], [x, f], conv);
      if (d === 1) {
        const shape = Array.from(runOn("cpu", [x, f], (xt, ft) => tf.tensor(conv(xt, ft).shape))[0]);
        same(`conv2d grads k${k} ${pad}`, ["Conv2DBackpropInput", "Conv2DBackpropFilter"], [x, f], gradsOf(conv, shape));
      }
    }
  }
});

test("max and average pooling, forward and gradient", () => {
  for (const n of [1, 3])
    for (const hw of [7, 8])
      for (const c of [1, 3])
        for (const size of [2, 3])
          for (const s of [1, 2])
            for (const pad of ["same", "valid"] as const) {
              const x = input([n, hw, hw, c]);
              const what = `n${n} ${hw}x${hw}x${c} pool${size} s${s} ${pad}`;
              const max = (xt: tf.Tensor) => tf.maxPool(xt as tf.Tensor4D, size, s, pad);
              const avg = (xt: tf.Tensor) => tf.avgPool(xt as tf.Tensor4D, size, s, pad);
              const shape = Array.from(runOn("cpu", [x], (xt) => tf.tensor(max(xt).shape))[0]);
              same(`maxPool ${what}`, ["MaxPool"], [x], max);
              same(`avgPool ${what}`, ["AvgPool"], [x], avg);
              same(`maxPool grad ${what}`, ["MaxPoolGrad"], [x], gradsOf(max, shape));
              same(`avgPool grad ${what}`, ["AvgPoolGrad"], [x], gradsOf(avg, shape));
            }
});

test("2x2 stride-2 pooling: channel counts compiled in (4, 6, 16) and not (20), odd sizes, ties", () => {
  for (const c of [4, 6, 16, 20])
    for (const [h, w] of [[8, 8], [7, 9]])
      for (const ties of [false, true]) {
        const x = input([2, h, w, c]);
        if (ties) x.values = x.values.map((v) => Math.max(0, Math.round(v * 2)));
        const what = `n2 ${h}x${w}x${c}${ties ? " ties" : ""}`;
        const max = (t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 2, 2, "valid");
        const avg = (t: tf.Tensor) => tf.avgPool(t as tf.Tensor4D, 2, 2, "valid");
        const shape = Array.from(runOn("cpu", [x], (t) => tf.tensor(max(t).shape))[0]);
        same(`maxPool 2x2 ${what}`, ["MaxPool"], [x], max);
        same(`avgPool 2x2 ${what}`, ["AvgPool"], [x], avg);
        same(`maxPool 2x2 grad ${what}`, ["MaxPoolGrad"], [x], gradsOf(max, shape));
        same(`avgPool 2x2 grad ${what}`, ["AvgPoolGrad"], [x], gradsOf(avg, shape));
      }
});

test("max pooling gradient with ties: the first maximum of a window gets dy", () => {
  for (const [size, pad] of [[2, "valid"], [3, "same"], [2, "same"]] as const) {
    const x = input([2, 7, 7, 3]);
    x.values = x.values.map((v) => Math.max(0, Math.round(v * 2)));  // many equal values, as after ReLU
    const pooled = (t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, size, size, pad);
    const shape = Array.from(runOn("cpu", [x], (t) => tf.tensor(pooled(t).shape))[0]);
    same(`maxPool grad ties pool${size} ${pad}`, ["MaxPoolGrad"], [x], gradsOf(pooled, shape));
  }
});

test("matMul (transposes, batches, broadcast) and fused matMul with gradients", () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[1, 1], [1, 1], false, false],
    [[5, 7], [7, 3], false, false],
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[4, 5, 7], [4, 7, 3], false, false],
    [[4, 5, 7], [1, 7, 3], false, false],
    [[1, 5, 7], [4, 3, 7], false, true],
    [[2, 3, 5, 7], [2, 3, 7, 6], false, false],
    [[64, 33], [33, 65], false, false],
  ];
  for (const [sa, sb, ta, tb] of cases) {
    const a = input(sa), b = input(sb);
    const what = `[${sa}]${ta ? "T" : ""} x [${sb}]${tb ? "T" : ""}`;
    const mm = (at: tf.Tensor, bt: tf.Tensor) => tf.matMul(at, bt, ta, tb);
    same(`matMul ${what}`, ["BatchMatMul"], [a, b], mm);
    const shape = Array.from(runOn("cpu", [a, b], (at, bt) => tf.tensor(mm(at, bt).shape))[0]);
    // tfjs's own matMul gradient rejects broadcast batches, so only same-batch cases.
    const broadcast = sa.length > 2 && sa.slice(0, -2).join() !== sb.slice(0, -2).join();
    if (!broadcast) same(`matMul grads ${what}`, ["BatchMatMul"], [a, b], gradsOf(mm, shape));
    if (sa.length === 2 && sb.length === 2) {
      const bias = input([shape[shape.length - 1]]);
      for (const activation of ["linear", "relu", "relu6", "sigmoid", "leakyrelu"] as const) {
        const fused = (at: tf.Tensor, bt: tf.Tensor, ct: tf.Tensor) =>
          tf.fused.matMul({ a: at as tf.Tensor2D, b: bt as tf.Tensor2D, transposeA: ta, transposeB: tb, bias: ct, activation, leakyreluAlpha: 0.1 });
        same(`fused matMul ${activation} ${what}`, ["_FusedMatMul"], [a, b, bias], fused);
      }
      const fusedRelu = (at: tf.Tensor, bt: tf.Tensor, ct: tf.Tensor) =>
        tf.fused.matMul({ a: at as tf.Tensor2D, b: bt as tf.Tensor2D, transposeA: ta, transposeB: tb, bias: ct, activation: "relu" });
      same(`fused matMul grads ${what}`, ["_FusedMatMul"], [a, b, bias], gradsOf(fusedRelu, shape));
    }
  }
});

test("large matMul (threaded: oneDNN's sgemm or OpenBLAS halves) in every transpose combination", () => {
  // Above the threading threshold (3e7 flops): the paths of dense layers in training.
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    const a = input(ta ? [300, 64] : [64, 300]), b = input(tb ? [900, 300] : [300, 900]);
    same(`matMul 64x300x900 ${ta ? "T" : "N"}${tb ? "T" : "N"}`, ["BatchMatMul"], [a, b], (at, bt) => tf.matMul(at, bt, ta, tb));
  }
});

test("unary elementwise ops", () => {
  const ops: [string, (x: tf.Tensor) => tf.Tensor][] = [
    ["Relu", tf.relu], ["Relu6", tf.relu6], ["Step", (x) => tf.step(x, 0.3)], ["Neg", tf.neg], ["Exp", tf.exp],
    ["Log", (x) => tf.log(tf.abs(x))], ["Sqrt", (x) => tf.sqrt(tf.abs(x))], ["Rsqrt", (x) => tf.rsqrt(tf.abs(x))],
    ["Square", tf.square], ["Sigmoid", tf.sigmoid], ["Tanh", tf.tanh], ["Abs", tf.abs], ["Reciprocal", tf.reciprocal],
    ["LeakyRelu", (x) => tf.leakyRelu(x, 0.1)], ["Elu", tf.elu],
  ];
  for (const shape of [[1], [7], [3, 5, 2], [70000]]) {
    const x = input(shape);
    for (const [name, op] of ops) {
      same(`${name} [${shape}]`, [name, "Abs"], [x], op);
      same(`${name} grad [${shape}]`, name === "Relu" ? [name, "LabnativeReluGrad"] : [name], [x], gradsOf(op, shape));
    }
  }
});

test("binary elementwise ops with broadcasting", () => {
  const ops: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
    ["Add", tf.add], ["Sub", tf.sub], ["Multiply", tf.mul], ["RealDiv", tf.div], ["Maximum", tf.maximum],
    ["Minimum", tf.minimum], ["SquaredDifference", tf.squaredDifference],
  ];
  const pairs: [number[], number[]][] = [
    [[6], [6]], [[4, 5], [1]], [[1], [4, 5]], [[], [3, 2]], [[4, 5], [5]], [[5], [4, 5]], [[2, 3, 4], [3, 1]],
    [[2, 1, 4], [3, 1]], [[2, 3, 4, 5], [1, 3, 1, 5]], [[3, 1], [1, 4]], [[300, 200], [200]], [[300, 200], [300, 1]],
    // Per-channel operands repeated in runs, with a partial last run; then over the threading threshold.
    [[33, 50, 6], [6]], [[1, 1, 6], [33, 50, 6]], [[33, 50, 6], [1, 50, 6]], [[1100, 1000], [1000]], [[1100, 1000], []],
  ];
  for (const [sa, sb] of pairs) {
    const a = input(sa), b = input(sb);
    for (const [name, op] of ops) {
      same(`${name} [${sa}] [${sb}]`, [name], [a, b], op);
    }
    const shape = tf.backend_util.assertAndGetBroadcastShape(sa, sb);
    same(`Mul/Add grads [${sa}] [${sb}]`, ["Multiply", "Add", "Sum"], [a, b], gradsOf((x, y) => tf.add(tf.mul(x, y), x), shape));
  }
});

test("reductions over every axis set, keepDims", () => {
  const shape = [3, 4, 1, 5];
  const x = input(shape);
  const axesSets: (number | number[] | undefined)[] = [undefined, 0, 1, 2, 3, -1, [0, 1], [1, 2], [1, 2, 3], [0, 3], [0, 2], [0, 1, 3]];
  for (const axes of axesSets)
    for (const keepDims of [false, true]) {
      const what = `axes ${JSON.stringify(axes)} keep ${keepDims}`;
      same(`Sum ${what}`, ["Sum"], [x], (t) => tf.sum(t, axes, keepDims));
      same(`Mean ${what}`, ["Mean"], [x], (t) => tf.mean(t, axes, keepDims));
      same(`Max ${what}`, ["Max"], [x], (t) => tf.max(t, axes, keepDims));
      same(`Min ${what}`, ["Min"], [x], (t) => tf.min(t, axes, keepDims));
    }
  for (const axes of [undefined, 0, [1, 2], [0, 1, 2], [0, 3], -1])
    for (const keepDims of [false, true]) {
      const shapeOut = Array.from(runOn("cpu", [x], (t) => tf.tensor(tf.mean(t, axes, keepDims).shape))[0]);
      same(`Mean grad axes ${JSON.stringify(axes)} keep ${keepDims}`, ["LabnativeBroadcastScale"], [x],
        gradsOf((t) => tf.mean(t, axes, keepDims), shapeOut));
    }
  // The bias-gradient shape: many rows, few channels (takes the threaded path).
  const big = input([64, 24, 24, 20]);
  same("Sum bias-gradient", ["Sum"], [big], (t) => tf.sum(t, [0, 1, 2]));
  same("Sum rows", ["Sum"], [big], (t) => tf.sum(t, -1));
  const huge = input([64, 32, 32, 20]);  // over the threading threshold
  same("Sum bias-gradient, threaded", ["Sum"], [huge], (t) => tf.sum(t, [0, 1, 2]));
  same("Max bias-gradient shape, threaded", ["Max"], [huge], (t) => tf.max(t, [0, 1, 2]));
  same("Sum everything", ["Sum"], [huge], (t) => tf.sum(t));
  // Channel counts dividing 64 keep their partial results in registers (columnReduceOf): 4, 8 and 16
  // channels, with a tail (size not a multiple of 64), a NaN for Max and Min, threaded and not.
  for (const shape of [[7, 9, 13, 4], [64, 28, 28, 8], [3, 11, 11, 16], [64, 40, 40, 16]]) {
    const t = input(shape);
    const what = `[${shape}] over all but the channels`;
    same(`Sum ${what}`, ["Sum"], [t], (u) => tf.sum(u, [0, 1, 2]));
    same(`Max ${what}`, ["Max"], [t], (u) => tf.max(u, [0, 1, 2]));
    t.values[t.values.length - 3] = NaN;
    same(`Max ${what}, a NaN`, ["Max"], [t], (u) => tf.max(u, [0, 1, 2]));
    same(`Min ${what}, a NaN`, ["Min"], [t], (u) => tf.min(u, [0, 1, 2]));
  }
});

test("batch norm forward and gradients (4-D and 2-D)", () => {
  for (const shape of [[2, 5, 5, 3], [6, 7], [30, 40, 40, 6]]) {  // the last: runs and threads
    const c = shape[shape.length - 1];
    const x = input(shape), mean = input([c]), scale = input([c]), offset = input([c]);
    const variance = { shape: [c], values: rand(c, 99).map((v) => Math.abs(v) + 0.1) };
    const bn = (xt: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) => tf.batchNorm(xt, m, v, o, s, 1e-3);
    same(`batchNorm [${shape}]`, ["FusedBatchNorm"], [x, mean, variance, offset, scale], bn);
    same(`batchNorm grads [${shape}]`, ["FusedBatchNorm", "LabnativeBatchNormGrad"], [x, mean, variance, offset, scale], gradsOf(bn, shape));
    const plain = (xt: tf.Tensor, m: tf.Tensor, v: tf.Tensor) => tf.batchNorm(xt, m, v);
    same(`batchNorm no offset/scale [${shape}]`, ["FusedBatchNorm"], [x, mean, variance], plain);
    // (tfjs cannot differentiate batchNorm without a scale: its tape saves the missing input.)
    // As tfjs-layers trains it: mean and variance are moments of x, so gradients flow through them.
    const layer = (xt: tf.Tensor, o: tf.Tensor, s: tf.Tensor) => {
      const axes = shape.slice(0, -1).map((_, i) => i);
      const { mean: m, variance: v } = tf.moments(xt, axes);
      return tf.batchNorm(xt, m, v, o, s, 1e-3);
    };
    same(`batchNorm over batch moments grads [${shape}]`, ["LabnativeBatchNormGrad"], [x, offset, scale], gradsOf(layer, shape));
  }
});

test("training-mode batch norm (batch moments in one kernel) and its gradients, including through mean and variance", () => {
  // On labnative one fused kernel each way; on cpu tfjs's moments + batchNorm, the reference.
  const training = (xt: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
    const fused = batchNormTraining(xt, s, o, 1e-3);
    if (fused) return [fused.y, fused.mean, fused.variance];
    const m = tf.moments(xt, Array.from({ length: xt.rank - 1 }, (_, i) => i));
    return [tf.batchNorm(xt, m.mean, m.variance, o, s, 1e-3), m.mean, m.variance];
  };
  for (const shape of [[2, 5, 5, 3], [6, 7], [1, 1, 1, 4], [33, 40, 40, 6], [64, 14, 14, 8]]) {
    const c = shape[shape.length - 1];
    const x = input(shape), scale = input([c]), offset = input([c]);
    x.values.forEach((v, i) => (x.values[i] = 3 + 2 * v));  // a mean far from 0, as activations have
    same(`batch-norm training [${shape}]`, ["LabnativeBatchNormTrain"], [x, scale, offset], training);
    const r = rand(x.values.length, 77), rm = rand(c, 78), rv = rand(c, 79);
    const loss = (xt: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
      const [y, mean, variance] = training(xt, s, o);
      return tf.addN([tf.sum(tf.mul(y, tf.tensor(r, shape))), tf.sum(tf.mul(mean, tf.tensor(rm))), tf.sum(tf.mul(variance, tf.tensor(rv)))]);
    };
    same(`batch-norm training grads [${shape}]`, ["LabnativeBatchNormTrainGrad"], [x, scale, offset], (...xs) => tf.grads(loss)(xs));
    const yOnly = (xt: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => tf.sum(tf.mul(training(xt, s, o)[0], tf.tensor(r, shape)));
    same(`batch-norm training grads, y only [${shape}]`, [], [x, scale, offset], (...xs) => tf.grads(yOnly)(xs));
  }
  // A mean 20,000 standard deviations from 0: the moments are summed in one pass around a shift
  // (batch_norm.cc), where sum(x^2) - n mean^2 would lose the variance entirely.
  const shape = [64, 14, 14, 8];
  const x = input(shape), scale = input([8]), offset = input([8]);
  x.values.forEach((v, i) => (x.values[i] = 1000 + 0.05 * v));
  same(`batch-norm training, mean >> std [${shape}]`, ["LabnativeBatchNormTrain"], [x, scale, offset], training);
  // With the following ReLU folded in (forward() does this for a batch norm followed by a ReLU
  // layer): max(0, y) forward, dy * step(y) into the normalisation's gradient; tfjs's relu on cpu.
  const trainingRelu = (xt: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
    const fused = batchNormTraining(xt, s, o, 1e-3, true);
    if (fused) return [fused.y, fused.mean, fused.variance];
    const m = tf.moments(xt, Array.from({ length: xt.rank - 1 }, (_, i) => i));
    return [tf.relu(tf.batchNorm(xt, m.mean, m.variance, o, s, 1e-3)), m.mean, m.variance];
  };
  for (const shape of [[2, 5, 5, 3], [6, 7], [64, 14, 14, 8], [16, 24, 24, 20]]) {
    const c = shape[shape.length - 1];
    const x = input(shape), scale = input([c]), offset = input([c]);
    same(`batch-norm + relu training [${shape}]`, ["LabnativeBatchNormTrain"], [x, scale, offset], trainingRelu);
    const r = rand(x.values.length, 87), rm = rand(c, 88);
    const loss = (xt: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
      const [y, mean] = trainingRelu(xt, s, o);
      return tf.addN([tf.sum(tf.mul(y, tf.tensor(r, shape))), tf.sum(tf.mul(mean, tf.tensor(rm)))]);
    };
    same(`batch-norm + relu training grads [${shape}]`, ["LabnativeBatchNormTrainGrad"], [x, scale, offset], (...xs) => tf.grads(loss)(xs));
  }
});

test("gather rows (batch slicing)", () => {
  const x = input([10, 3, 2]);
  for (const idx of [[0], [9, 0, 3, 3], [5, 4, 3, 2, 1]]) {
    same(`gather [${idx}]`, ["GatherV2"], [x], (t) => tf.gather(t, tf.tensor1d(idx, "int32")));
  }
  same("gather axis 1 (falls back)", ["GatherV2"], [x], (t) => tf.gather(t, tf.tensor1d([2, 0], "int32"), 1));
});

test("softmax over the last axis, with gradient", () => {
  for (const shape of [[5], [4, 10], [2, 3, 7]]) {
    const x = input(shape);
    same(`softmax [${shape}]`, ["Softmax"], [x], (t) => tf.softmax(t));
    same(`softmax grad [${shape}]`, ["Softmax"], [x], gradsOf((t) => tf.softmax(t), shape));
  }
});

test("tile", () => {
  for (const [shape, reps] of [[[3], [4]], [[1, 1, 1, 3], [2, 3, 4, 1]], [[2, 3], [2, 2]], [[2, 1, 3], [1, 5, 2]]]) {
    same(`tile [${shape}] x [${reps}]`, ["Tile"], [input(shape)], (t) => tf.tile(t, reps));
  }
});

test("a small CNN trained 300 steps reaches the same loss on both engines", async () => {
  const steps = 300, batch = 16;
  const xs = input([batch * 4, 12, 12, 1]), labels = rand(batch * 4, 5);
  const build = () => {
    const m = tf.sequential({
      layers: [
        tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: "relu", inputShape: [12, 12, 1], kernelInitializer: "glorotUniform" }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.batchNormalization(),
        tf.layers.flatten(),
        tf.layers.dense({ units: 16, activation: "relu" }),
        tf.layers.dense({ units: 3, activation: "softmax" }),
      ],
    });
    m.compile({ optimizer: new TorchOptimizer({ learningRate: 0.05 }), loss: "categoricalCrossentropy" });
    return m;
  };
  let initial: Float32Array[] | undefined;
  const losses: Record<string, number[]> = {};
  for (const backend of ["cpu", BACKEND_NAME]) {
    await tf.setBackend(backend);
    const model = build();
    if (!initial) initial = model.getWeights().map((w) => w.dataSync() as Float32Array);
    model.setWeights(model.getWeights().map((w, i) => tf.tensor(initial![i], w.shape)));
    const x = tf.tensor(xs.values, xs.shape);
    const y = tf.oneHot(tf.tensor1d(Array.from(labels, (v) => Math.floor((v + 1) * 1.5) % 3), "int32"), 3);
    losses[backend] = [];
    for (let s = 0; s < steps; s++) {
      const from = (s % 4) * batch;
      const loss = (await model.trainOnBatch(x.slice(from, batch), y.slice(from, batch))) as number;
      losses[backend].push(loss);
    }
    tf.dispose([x, y]);
    model.dispose();
  }
  await tf.setBackend("cpu");
  // The first step's update writes new arrays (setWeights' arrays are not the pool's), later ones in place.
  covered.add(SGD_STEP);
  covered.add(ADAM_STEP);  // Adam's update, in place and into new arrays: test/engine/optimizer-steps.test.ts
  const cpu = losses.cpu, native = losses[BACKEND_NAME];
  assert.ok(cpu[steps - 1] < cpu[0] * 0.5, `training did not learn: ${cpu[0]} -> ${cpu[steps - 1]}`);
  for (const s of [0, 99, 199, steps - 1]) {
    assert.ok(Math.abs(native[s] - cpu[s]) <= 1e-3 + 1e-2 * Math.abs(cpu[s]), `step ${s}: native loss ${native[s]} vs cpu ${cpu[s]}`);
  }
});

// Seeded dropout, bit for bit against the JS mask, and its gradient: test/engine/seeded-dropout.test.ts.
covered.add(SEEDED_DROPOUT);

// A Conv2D or Dense layer's fused training kernels, against tfjs's layers on its cpu engine: test/engine/fused-layers.test.ts.
for (const k of [CONV2D_BIAS_ACT, DENSE_BIAS_ACT, RELU_BIAS_GRAD]) covered.add(k);

// The loss and its gradient, against tfjs's ops on its cpu engine: test/engine/sparse-cross-entropy.test.ts;
// the log-softmax layer's: test/engine/fused-layers.test.ts.
for (const k of [SPARSE_CROSS_ENTROPY, SPARSE_CROSS_ENTROPY_GRAD, LOG_SOFTMAX, LOG_SOFTMAX_GRAD]) covered.add(k);

test("every native kernel is covered above", () => {
  const missing = nativeKernelNames.filter((k) => !covered.has(k));
  assert.deepEqual(missing, [], `native kernels without a test: ${missing.join(", ")}`);
});
