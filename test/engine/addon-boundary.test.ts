// The N-API boundary of the labnative addon: every exported function checks its argument count,
// types and array lengths (against the geometry it is given) and throws a JS error naming the
// function and argument, instead of letting a kernel read or write out of bounds. Also: the op
// codes kernels/ uses are the ones the addon exports.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { loadAddon, type NativeAddon } from "../../src/engine/native/addon";
import { nativeKernels, type KernelContext } from "../../src/engine/native/kernels/index";
import { RELU_GRAD } from "../../src/engine/native/gradients";
import { registerNativeBackend, nativeKernelNames } from "../../src/engine/native/backend";

const addon = loadAddon();
const f = (n: number, fill = 0.5) => new Float32Array(n).fill(fill);
// n, h, w, cin, kh, kw, cout, oh, ow, sh, sw, pt, pl, dh, dw
const CONV = () => Int32Array.of(1, 4, 4, 2, 3, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1);  // x 32, filter 54, y 12
const POOL = () => Int32Array.of(1, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 1, 1);  // x 32, y 8

/** A valid call of every exported function, on small arrays whose sizes agree. */
const VALID: Record<string, () => unknown[]> = {
  conv2d: () => [f(32), f(54), f(3), f(12), CONV(), 1, 0.2],
  conv2dBackpropFilter: () => [f(32), f(12), f(54), CONV()],
  conv2dBackpropInput: () => [f(12), f(54), f(32), CONV()],
  maxPool: () => [f(32), f(8), POOL()],
  maxPoolGrad: () => [f(32), f(8), f(32), POOL(), f(8)],
  avgPool: () => [f(32), f(8), POOL()],
  avgPoolGrad: () => [f(8), f(32), POOL()],
  matmul: () => [f(8), f(12), f(6), Int32Array.of(1, 2, 3, 4, 0, 0, 0, 0), f(3), 0, 0.2],
  unary: () => [0, f(4), f(4), 0],
  // a [2, 3] + b [3] (broadcast along the rows)
  binary: () => [0, f(6), f(3), f(6), Int32Array.of(2, 2, 3, 3, 1, 0, 1)],
  reduce: () => [0, f(6), f(2), 2, 3, 1],
  batchNorm: () => [f(6), f(3), f(3), f(3), f(3), f(6), 1e-3, 3],
  batchNormGrad: () => [f(6), f(6), f(3), f(3), f(3), 1e-3, f(6), f(3), f(3), f(3), f(3)],
  sgdStep: () => [addon.ops.sgd.momentum, f(4), f(4), f(4), f(4), f(4), 0.1, 0.9, 1e-4],
  adamStep: () => [f(4), f(4), f(4), f(4), f(4), f(4), f(4), 1e-3, 0.9, 0.999, 1e-8, 1e-4, 0.1, 0.001],
  batchNormTrain: () => [f(6), f(3), f(3), 1e-3, f(6), f(3), f(3), 1],
  batchNormTrainGrad: () => [f(6), f(6), f(3), f(3), f(3), 1e-3, f(3), f(3), f(6), f(3), f(3), f(6)],
  dropout: () => [f(4), f(4), 0.5, 7],
  // dy [3, 3] (9 is divisible by 3 channels, not by 2 or 4: one channel more or less is an error)
  reluBiasGrad: () => [f(9), f(9), f(9), f(3)],
  tile: () => [f(3), f(6), Int32Array.of(1, 3, 2)],
  setThreads: () => [addon.threads()],
  threads: () => [],
};

const call = (name: string, args: unknown[]) =>
  (addon as unknown as Record<string, (...a: unknown[]) => unknown>)[name](...args);

/** Asserts `fn` throws `type` whose message starts with labnative.<name>: and matches `pattern`. */
function throwsNamed(fn: () => unknown, type: ErrorConstructor, name: string, pattern: RegExp, what: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof type, `${what}: ${type.name} expected, got ${String(e)}`);
    assert.ok(e.message.startsWith(`labnative.${name}: `), `${what}: message ${e.message}`);
    assert.match(e.message, pattern, what);
    return true;
  }, what);
}

test("the table covers every function the addon exports", () => {
  const exported = Object.keys(addon).filter((k) => typeof (addon as unknown as Record<string, unknown>)[k] === "function");
  assert.deepEqual(exported.sort(), Object.keys(VALID).sort());
});

test("every addon function accepts its valid call", () => {
  for (const [name, args] of Object.entries(VALID)) assert.doesNotThrow(() => call(name, args()), name);
});

test("a wrong argument count throws a TypeError naming the function", () => {
  for (const [name, args] of Object.entries(VALID)) {
    const valid = args();
    throwsNamed(() => call(name, [...valid, 0]), TypeError, name, /expected \d+ arguments/, `${name} + 1 argument`);
    if (valid.length > 0) {
      throwsNamed(() => call(name, valid.slice(0, -1)), TypeError, name, /expected \d+ arguments/, `${name} - 1 argument`);
    }
  }
});

test("a wrong argument type throws a TypeError naming the argument", () => {
  for (const [name, args] of Object.entries(VALID)) {
    const valid = args();
    valid.forEach((v, i) => {
      const wrong = v instanceof Float32Array ? new Float64Array(v.length)
        : v instanceof Int32Array ? new Float32Array(v.length)
        : "1";
      const bad = [...valid];
      bad[i] = wrong;
      throwsNamed(() => call(name, bad), TypeError, name, new RegExp(`^labnative\\.${name}: argument ${i} \\(`), `${name} argument ${i}`);
    });
  }
});

test("an array one element too long or too short throws a RangeError naming an argument", () => {
  for (const [name, args] of Object.entries(VALID)) {
    const valid = args();
    valid.forEach((v, i) => {
      if (!(v instanceof Float32Array || v instanceof Int32Array)) return;
      for (const delta of [1, -1]) {
        const bad = [...valid];
        const Ctor = v.constructor as Float32ArrayConstructor | Int32ArrayConstructor;
        bad[i] = new Ctor(v.length + delta).fill(v[0]);
        throwsNamed(() => call(name, bad), RangeError, name, /(argument \d+|channel count)/,
          `${name} argument ${i} length ${v.length + delta}`);
      }
    });
  }
});

test("invalid geometry, op codes and counts throw RangeErrors before any kernel runs", () => {
  const zeroStride = CONV();
  zeroStride[9] = 0;
  throwsNamed(() => call("conv2d", [f(32), f(54), f(3), f(12), zeroStride, 1, 0.2]), RangeError, "conv2d", /argument 4 \(geom\)/, "stride 0");
  const negative = POOL();
  negative[0] = -1;
  throwsNamed(() => call("maxPool", [f(32), f(8), negative]), RangeError, "maxPool", /argument 2 \(geom\)/, "negative batch");
  throwsNamed(() => call("conv2d", [f(32), f(54), f(3), f(12), CONV(), 99, 0.2]), RangeError, "conv2d", /argument 5 \(act\)/, "act code");
  for (const [name, count] of [["unary", Object.keys(addon.ops.unary).length], ["binary", Object.keys(addon.ops.binary).length], ["reduce", Object.keys(addon.ops.reduce).length]] as const) {
    const bad = VALID[name]();
    bad[0] = count;
    throwsNamed(() => call(name, bad), RangeError, name, /argument 0 \(op\)/, `${name} op ${count}`);
    bad[0] = 0.5;
    throwsNamed(() => call(name, bad), RangeError, name, /argument 0 \(op\)/, `${name} op 0.5`);
  }
  // Strides that read past b's end (b has 3 elements, the strides reach 6).
  throwsNamed(() => call("binary", [0, f(6), f(3), f(6), Int32Array.of(2, 2, 3, 3, 1, 3, 1)]), RangeError, "binary", /b's strides/, "b strides");
  throwsNamed(() => call("batchNorm", [f(6), f(3), f(3), f(3), f(3), f(6), 1e-3, 4]), RangeError, "batchNorm", /channel count/, "channels 4 of 6");
  throwsNamed(() => call("batchNorm", [f(6), f(3), f(3), f(3), f(3), f(6), 1e-3, 0]), RangeError, "batchNorm", /argument 7/, "channels 0");
  throwsNamed(() => call("setThreads", [0]), RangeError, "setThreads", /argument 0/, "0 threads");
  const sgd = (op: number, buf: Float32Array | null, bufOut: Float32Array | null) => () => call("sgdStep", [op, f(4), f(4), buf, f(4), bufOut, 0.1, 0.9, 0]);
  throwsNamed(sgd(3, f(4), f(4)), RangeError, "sgdStep", /argument 0 \(op\)/, "sgdStep op 3");
  throwsNamed(sgd(addon.ops.sgd.plain, f(4), f(4)), RangeError, "sgdStep", /must be null for plain SGD/, "plain SGD with buffers");
  throwsNamed(sgd(addon.ops.sgd.nesterov, null, null), RangeError, "sgdStep", /must be Float32Arrays for momentum/, "Nesterov without buffers");
  assert.doesNotThrow(sgd(addon.ops.sgd.plain, null, null), "plain SGD without buffers");
  const adam = VALID.adamStep();
  adam[12] = 0;
  throwsNamed(() => call("adamStep", adam), RangeError, "adamStep", /bias corrections/, "bias correction 0");
  throwsNamed(() => call("dropout", [f(4), f(4), 1, 7]), RangeError, "dropout", /argument 2 \(rate\)/, "dropout rate 1");
  throwsNamed(() => call("dropout", [f(4), f(4), -0.5, 7]), RangeError, "dropout", /argument 2 \(rate\)/, "dropout rate -0.5");
  throwsNamed(() => call("dropout", [f(4), f(4), 0.5, 2 ** 32]), RangeError, "dropout", /argument 3 \(seed\)/, "dropout seed 2^32");
  throwsNamed(() => call("dropout", [f(4), f(4), 0.5, 1.5]), RangeError, "dropout", /argument 3 \(seed\)/, "dropout seed 1.5");
});

test("a rejected call leaves its output untouched", () => {
  const y = f(11, 7);
  assert.throws(() => addon.unary(0, f(12), y, 0), RangeError);
  assert.ok(y.every((v) => v === 7));
});

test("the op codes are the addon's: frozen, distinct, and what the kernels pass", () => {
  assert.ok(Object.isFrozen(addon.ops));
  for (const [family, codes] of Object.entries(addon.ops)) {
    assert.ok(Object.isFrozen(codes), family);
    const values = Object.values(codes).sort((p, q) => p - q);
    assert.deepEqual(values, values.map((_, i) => i), `${family}: codes 0..${values.length - 1}`);
  }
  // The kernels take the tfjs kernel names from addon.ops, so every op is registered natively.
  registerNativeBackend();
  for (const name of [...Object.keys(addon.ops.unary), ...Object.keys(addon.ops.reduce)]) assert.ok(nativeKernelNames.includes(name), name);
  for (const name of Object.keys(addon.ops.binary)) assert.ok(nativeKernelNames.includes(name === "ReluGrad" ? RELU_GRAD : name), name);

  // With an addon whose codes differ, the kernels pass those codes: none is written down in TypeScript.
  const seen: number[] = [];
  const shifted = (codes: Readonly<Record<string, number>>) => Object.fromEntries(Object.entries(codes).map(([k, v]) => [k, v + 100]));
  const fake = {
    ...addon,
    ops: { activation: shifted(addon.ops.activation), unary: shifted(addon.ops.unary), binary: shifted(addon.ops.binary), reduce: shifted(addon.ops.reduce), sgd: shifted(addon.ops.sgd) },
    unary: (op: number) => void seen.push(op),
    binary: (op: number) => void seen.push(op),
    reduce: (op: number) => void seen.push(op),
    matmul: (_a: unknown, _b: unknown, _y: unknown, _d: unknown, _bias: unknown, act: number) => void seen.push(act),
  } as NativeAddon;
  const context: KernelContext = {
    addon: fake,
    cpu: () => { throw new Error("no fallback expected"); },
    alloc: (_backend, n) => new Float32Array(n),
    defer: () => { throw new Error("no deferral expected"); },
  };
  const kernels = nativeKernels(context);
  tf.setBackend("cpu");
  const backend = tf.backend() as MathBackendCPU;
  tf.tidy(() => {
    const x = tf.ones([2, 2]);
    kernels.Exp({ inputs: { x }, backend });
    kernels.Multiply({ inputs: { a: x, b: x }, backend });
    kernels.Mean({ inputs: { x }, backend, attrs: { axis: [1], keepDims: false } });
    kernels._FusedMatMul({ inputs: { a: x, b: x }, backend, attrs: { transposeA: false, transposeB: false, activation: "relu" } });
  });
  assert.deepEqual(seen, [addon.ops.unary.Exp + 100, addon.ops.binary.Multiply + 100, addon.ops.reduce.Mean + 100, addon.ops.activation.relu + 100]);
});
