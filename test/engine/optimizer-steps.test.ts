// The library's optimiser (TorchOptimizer) updates each variable with one engine op: on labnative
// one native pass (in place where only the variable and its buffers see their arrays, else into new
// arrays), elsewhere tf ops. Both must give what tfjs's own tf.train.* optimisers give (weight decay
// added to their gradients by hand), never change what a user holds, and keep tfjs's state layout.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { registerNativeBackend, BACKEND_NAME } from "../../src/engine/native/backend";
import { TorchOptimizer, type OptimizerConfig } from "../../src/train/optimizers";

registerNativeBackend();

// 1,054,720 elements: above the addon's threshold for splitting a pass over threads.
const SHAPES = [[64, 48], [48], [1030, 1024]];
const STEPS = 5;

function closeTo(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  for (let i = 0; i < a.length; i++) {
    if (!(Math.abs(a[i] - b[i]) <= 1e-5 * Math.max(1, Math.abs(b[i])))) assert.fail(`${what}: element ${i}: ${a[i]} vs ${b[i]}`);
  }
}

const initial = (shape: number[], i: number) => tf.randomNormal(shape, 0, 1, "float32", 10 + i);
/** A variable holding `initial`, its only holder (as a layer's weight is). */
function fresh(shape: number[], i: number): tf.Variable {
  const t = initial(shape, i);
  const v = tf.variable(t);
  t.dispose();
  return v;
}
const gradient = (shape: number[], i: number, step: number) => tf.randomNormal(shape, 0, 1, "float32", 1000 + 17 * step + i);

/**
 * A copy of v's values read without handing out v's own array (dataSync would: the backend then
 * never overwrites that array, and the next update writes a new one).
 */
function valuesOf(v: tf.Tensor): Float32Array {
  const copy = tf.tidy(() => v.mul(1));
  const values = copy.dataSync() as Float32Array;
  copy.dispose();
  return values;
}

/** tfjs's own optimiser for a config (weight decay is added to its gradients by the caller). */
function tfjsOptimizer(c: OptimizerConfig): tf.Optimizer {
  if (c.name === "adam") return tf.train.adam(c.learningRate, c.beta1 ?? 0.9, c.beta2 ?? 0.999, c.epsilon ?? 1e-8);
  return c.momentum ? tf.train.momentum(c.learningRate, c.momentum, c.nesterov ?? false) : tf.train.sgd(c.learningRate);
}

/** Values of every variable after each step, by tfjs's optimiser on the cpu backend. */
async function reference(config: OptimizerConfig, shapes: number[][], steps: number): Promise<Float32Array[][]> {
  await tf.setBackend("cpu");
  const vars = shapes.map((s, i) => fresh(s, i));
  const opt = tfjsOptimizer(config);
  const after: Float32Array[][] = [];
  for (let step = 0; step < steps; step++) {
    tf.tidy(() => {
      const grads = vars.map((v, i) => ({ name: v.name, tensor: gradient(shapes[i], i, step).add(v.mul(config.weightDecay ?? 0)) }));
      opt.applyGradients(grads);
    });
    after.push(vars.map((v) => Float32Array.from(v.dataSync())));
  }
  opt.dispose();
  tf.dispose(vars);
  return after;
}

/** The same with TorchOptimizer on `backend`; also whether each step kept the variables' arrays (in place). */
async function ours(config: OptimizerConfig, shapes: number[][], steps: number, backend: string) {
  await tf.setBackend(backend);
  const vars = shapes.map((s, i) => fresh(s, i));
  const opt = new TorchOptimizer(config);
  const after: Float32Array[][] = [];
  const inPlace: boolean[] = [];
  for (let step = 0; step < steps; step++) {
    const ids = vars.map((v) => v.dataId);
    tf.tidy(() => opt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: gradient(shapes[i], i, step) }))));
    inPlace.push(vars.every((v, i) => v.dataId === ids[i]));
    after.push(vars.map(valuesOf));
  }
  opt.dispose();
  tf.dispose(vars);
  return { after, inPlace };
}

const CONFIGS: OptimizerConfig[] = [];
for (const weightDecay of [0, 0.01]) {
  CONFIGS.push(
    { learningRate: 0.1, weightDecay },
    { learningRate: 0.05, momentum: 0.9, weightDecay },
    { learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay },
    { name: "adam", learningRate: 0.01, weightDecay },
    { name: "adam", learningRate: 0.003, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay },
  );
}

for (const config of CONFIGS) {
  test(`native and tf-ops updates give tfjs's values: ${JSON.stringify(config)}`, async () => {
    // dataSync would make the reference read the arrays: copies are taken, so this is fair to both.
    const want = await reference(config, SHAPES, STEPS);
    const native = await ours(config, SHAPES, STEPS, BACKEND_NAME);
    const fallback = await ours(config, SHAPES.slice(0, 2), STEPS, "cpu");
    for (let s = 0; s < STEPS; s++) {
      SHAPES.forEach((_, i) => closeTo(native.after[s][i], want[s][i], `labnative step ${s} variable ${i}`));
      [0, 1].forEach((i) => closeTo(fallback.after[s][i], want[s][i], `cpu step ${s} variable ${i}`));
    }
    // The first step writes new arrays (the variables' came from tf.variable, not the pool); later ones in place.
    assert.deepEqual(native.inPlace, [false, true, true, true, true], "labnative: new arrays, then in place");
    assert.ok(fallback.inPlace.every((k) => !k), "cpu: tf ops assign new arrays");
    await tf.setBackend("cpu");
  });
}

test("setMomentum mid-run: the following steps use the new momentum, buffers kept (against a fresh tfjs optimiser)", async () => {
  const shapes = SHAPES.slice(0, 2);
  for (const backend of [BACKEND_NAME, "cpu"]) {
    for (const nesterov of [false, true]) {
      // Reference: 3 steps of tfjs momentum 0.9, then its buffers moved into a fresh one with 0.5.
      await tf.setBackend("cpu");
      const ref = shapes.map((s, i) => fresh(s, i));
      let refOpt = tf.train.momentum(0.05, 0.9, nesterov);
      const grads = (vars: tf.Variable[], step: number) => vars.map((v, i) => ({ name: v.name, tensor: gradient(shapes[i], i, step) }));
      for (let step = 0; step < 6; step++) {
        if (step === 3) {
          const fresh = tf.train.momentum(0.05, 0.5, nesterov);
          await fresh.setWeights(await refOpt.getWeights());
          refOpt = fresh;
        }
        tf.tidy(() => refOpt.applyGradients(grads(ref, step)));
      }
      const want = ref.map((v) => Float32Array.from(v.dataSync()));

      await tf.setBackend(backend);
      const vars = shapes.map((s, i) => fresh(s, i));
      const opt = new TorchOptimizer({ learningRate: 0.05, momentum: 0.9, nesterov });
      for (let step = 0; step < 6; step++) {
        if (step === 3) opt.setMomentum(0.5);
        tf.tidy(() => opt.applyGradients(grads(vars, step)));
      }
      vars.forEach((v, i) => closeTo(v.dataSync(), want[i], `${backend} ${nesterov ? "Nesterov" : "momentum"} variable ${i}`));
      opt.dispose();
      tf.dispose([...vars, ...ref]);
    }
  }
  await tf.setBackend("cpu");
});

test("state is kept as tfjs keeps it: getWeights names and order; setWeights continues the run exactly", async () => {
  await tf.setBackend(BACKEND_NAME);
  for (const config of [{ learningRate: 0.1, momentum: 0.5 }, { name: "adam", learningRate: 0.01 }] as OptimizerConfig[]) {
    const vars = SHAPES.slice(0, 2).map((s, i) => fresh(s, i));
    const step = (opt: tf.Optimizer, on: tf.Variable[], s: number) =>
      tf.tidy(() => opt.applyGradients(on.map((v, i) => ({ name: v.name, tensor: gradient(v.shape, i, s) }))));
    const twin = SHAPES.slice(0, 2).map((s, i) => fresh(s, i));
    const ours = new TorchOptimizer(config), theirs = tfjsOptimizer(config);
    step(ours, vars, 0);
    step(theirs, twin, 0);
    const mine = await ours.getWeights(), tfjs = await theirs.getWeights();
    // tfjs's layout: iter, then per variable <name>/momentum, or <name>/m for each, then <name>/v for each.
    const layout = (on: tf.Variable[]) => ["iter", ...(config.name === "adam" ? ["m", "v"] : ["momentum"]).flatMap((k) => on.map((v) => `${v.name}/${k}`))];
    assert.deepEqual(tfjs.map((w) => w.name), layout(twin), "tfjs's own layout (what checkpoints hold)");
    assert.deepEqual(mine.map((w) => w.name), layout(vars));
    assert.deepEqual(mine.map((w) => w.tensor.shape), tfjs.map((w) => w.tensor.shape));
    mine.slice(1).forEach((w, i) => closeTo(w.tensor.dataSync(), tfjs[i + 1].tensor.dataSync(), `state ${w.name}`));
    assert.equal(mine[0].name, "iter");
    assert.equal(mine[0].tensor.dataSync()[0], 1);

    // A copy of the optimiser made from its weights continues exactly as the original does.
    const copy = new TorchOptimizer(config);
    await copy.setWeights(mine.map((w) => ({ name: w.name, tensor: w.tensor.clone() })));
    const copyVars = vars.map((v) => tf.variable(v.clone()));
    for (let s = 1; s < 4; s++) {
      step(ours, vars, s);
      step(copy, copyVars, s);
    }
    vars.forEach((v, i) => assert.deepEqual(Array.from(copyVars[i].dataSync()), Array.from(v.dataSync()), `variable ${i}`));
    tf.dispose(mine[0].tensor);
    tf.dispose(tfjs[0].tensor);
    for (const o of [ours, theirs, copy]) o.dispose();
    tf.dispose([...vars, ...twin, ...copyVars]);
  }
  await assert.rejects(new TorchOptimizer({ learningRate: 0.1 }).setWeights([{ name: "iter", tensor: tf.scalar(1, "int32") }, { name: "x", tensor: tf.zeros([2]) }]),
    /plain SGD keeps no state/);
  await tf.setBackend("cpu");
});

test("in-place updates never change what a user holds: clones, read-out arrays, earlier reads", async () => {
  await tf.setBackend(BACKEND_NAME);
  for (const config of [{ learningRate: 0.1, momentum: 0.9 }, { name: "adam", learningRate: 0.01 }] as OptimizerConfig[]) {
    const v = fresh([100, 100], 0);
    const opt = new TorchOptimizer(config);
    const held: { clone: tf.Tensor; copy: Float32Array; read: Float32Array }[] = [];
    for (let s = 0; s < 10; s++) {
      if (s % 3 === 2) {
        const read = v.dataSync() as Float32Array;  // the backend's own array, handed out
        held.push({ clone: v.clone(), copy: Float32Array.from(read), read });
      }
      tf.tidy(() => opt.applyGradients({ [v.name]: gradient([100, 100], 0, s) }));
    }
    assert.equal(held.length, 3);
    for (const [i, h] of held.entries()) {
      closeTo(h.clone.dataSync(), h.copy, `clone ${i}`);
      closeTo(h.read, h.copy, `read-out array ${i}`);
      h.clone.dispose();
    }
    opt.dispose();
    v.dispose();
  }
  await tf.setBackend("cpu");
});

test("gradients the native pass cannot take (another size) go to tf ops; an unknown variable is named", async () => {
  await tf.setBackend(BACKEND_NAME);
  const v = tf.variable(tf.ones([4]));
  const opt = new TorchOptimizer({ learningRate: 0.1 });
  // A [1] gradient broadcasts in tf ops: every element moves by 0.1 * 2.
  tf.tidy(() => opt.applyGradients({ [v.name]: tf.tensor1d([2]) }));
  closeTo(v.dataSync(), [0.8, 0.8, 0.8, 0.8], "broadcast gradient");
  assert.throws(() => opt.applyGradients({ nonexistent: tf.ones([4]) }), /no variable named nonexistent/);
  opt.dispose();
  v.dispose();
  await tf.setBackend("cpu");
});

for (const config of [{ learningRate: 0.05, momentum: 0.5 }, { name: "adam", learningRate: 0.01, weightDecay: 1e-4 }] as OptimizerConfig[]) {
  test(`model.fit with TorchOptimizer (${config.name ?? "sgd"}) on labnative learns, updates in place and leaks nothing`, async () => {
    await tf.setBackend(BACKEND_NAME);
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [80], units: 80 }), tf.layers.dense({ units: 4 })] });
    model.compile({ optimizer: new TorchOptimizer(config), loss: "meanSquaredError" });
    const x = tf.randomNormal([64, 80], 0, 1, "float32", 1), y = tf.randomNormal([64, 4], 0, 1, "float32", 2);
    await model.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0 });
    const kernel = model.layers[0].getWeights()[0];
    const idBefore = kernel.dataId;
    const buffers = tf.memory().numDataBuffers;
    const h = await model.fit(x, y, { epochs: 4, batchSize: 16, verbose: 0 });
    assert.equal(model.layers[0].getWeights()[0].dataId, idBefore, "the 80x80 kernel kept its array: updated in place");
    assert.equal(tf.memory().numDataBuffers, buffers);
    const loss = h.history.loss as number[];
    assert.ok(loss[3] < loss[0] * 0.9, `loss goes down: ${loss.join(", ")}`);
    tf.dispose([x, y]);
    model.dispose();
    await tf.setBackend("cpu");
  });
}
