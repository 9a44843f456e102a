// tf.train.sgd's and tf.train.momentum's updates on labnative: one native pass per variable (and
// per momentum buffer), in place where nothing but the variable can see its array. tfjs's own
// updates (value + c * gradient, then assign; momentum: two more) make two full-size passes and two
// new arrays per variable; for the 800x800 layers of seed 004's MLP that traffic cost about as much
// as one of its matrix products. Nesterov momentum keeps tfjs's own update.
import * as tf from "@tensorflow/tfjs";

/** Kernel: y = alpha * a + beta * b (a and b of one size). */
export const SCALED_ADD = "LabnativeScaledAdd";

/** variable = alpha * variable + beta * other in place; false when that cannot be done in place (nothing changed). */
export type InPlaceUpdate = (variable: tf.Variable, alpha: number, other: tf.Tensor, beta: number) => boolean;

type VariableGradients = tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[];

interface SgdInternals {
  learningRate: number;
  incrementIterations(): void;
  applyGradients(variableGradients: VariableGradients): void;
}

interface MomentumInternals extends SgdInternals {
  m: tf.Scalar;
  useNesterov: boolean;
  accumulations: ({ originalName: string; variable: tf.Variable } | undefined)[];
}

let installed = false;

/** Routes SGD and momentum updates through the native pass while `backendName` is the active backend. */
export function installFusedUpdates(backendName: string, inPlace: InPlaceUpdate): void {
  if (installed) return;
  installed = true;

  const fits = (a: tf.Tensor, b: tf.Tensor) => a.dtype === "float32" && b.dtype === "float32" && a.size === b.size;
  // variable = alpha * variable + beta * other: in place, else one native pass into a new array.
  const update = (variable: tf.Variable, alpha: number, other: tf.Tensor, beta: number) => {
    if (inPlace(variable, alpha, other, beta)) return;
    tf.tidy(() => variable.assign(tf.engine().runKernel(SCALED_ADD, { a: variable, b: other }, { alpha, beta }) as tf.Tensor));
  };
  const entries = (g: VariableGradients) =>
    Array.isArray(g) ? g.map((v) => [v.name, v.tensor] as const) : Object.entries(g);

  const sgd = tf.SGDOptimizer.prototype as unknown as SgdInternals;
  const sgdOriginal = sgd.applyGradients;
  sgd.applyGradients = function (this: SgdInternals, variableGradients: VariableGradients) {
    const list = entries(variableGradients);
    const variables = tf.engine().registeredVariables;
    const native = tf.getBackend() === backendName && list.every(([n, g]) => g == null || fits(variables[n], g));
    if (!native) return sgdOriginal.call(this, variableGradients);
    for (const [name, gradient] of list) if (gradient != null) update(variables[name], 1, gradient, -this.learningRate);
    this.incrementIterations();
  };

  const momentum = tf.MomentumOptimizer.prototype as unknown as MomentumInternals;
  const momentumOriginal = momentum.applyGradients;
  momentum.applyGradients = function (this: MomentumInternals, variableGradients: VariableGradients) {
    const list = entries(variableGradients);
    const variables = tf.engine().registeredVariables;
    const native = tf.getBackend() === backendName && !this.useNesterov &&
      list.every(([n, g]) => g == null || fits(variables[n], g));
    if (!native) return momentumOriginal.call(this, variableGradients);
    // The momentum its steps use is the scalar m (what the library's setMomentum replaces).
    const m = this.m.dataSync()[0];
    list.forEach(([name, gradient], i) => {
      const value = variables[name];
      // Buffers created as tfjs creates them, so getWeights/setWeights (checkpoints) see the same.
      this.accumulations[i] ??= { originalName: `${name}/momentum`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      if (gradient == null) return;
      const accumulation = this.accumulations[i]!.variable;
      update(accumulation, m, gradient, 1);  // acc = m * acc + g
      update(value, 1, accumulation, -this.learningRate);  // value -= lr * acc
    });
    this.incrementIterations();
  };
}
