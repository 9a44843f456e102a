// Plain SGD's update on labnative: one native pass per variable, in place where nothing but the
// variable can see its array. tfjs's own update (value + c * gradient, then assign) makes two
// full-size passes and two new arrays per variable; for the 800x800 layers of seed 004's MLP that
// traffic cost about as much as one of its matrix products.
import * as tf from "@tensorflow/tfjs";

/** Kernel: y = alpha * a + beta * b (a and b of one size). */
export const SCALED_ADD = "LabnativeScaledAdd";

/** variable += scale * gradient in place; false when it cannot be done in place (then nothing changed). */
export type InPlaceUpdate = (variable: tf.Variable, gradient: tf.Tensor, scale: number) => boolean;

interface SgdInternals {
  learningRate: number;
  c: tf.Scalar;
  incrementIterations(): void;
  applyGradients(variableGradients: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]): void;
}

let installed = false;

/** Routes tf.train.sgd's updates through the native pass while `backendName` is the active backend. */
export function installFusedSgd(backendName: string, inPlace: InPlaceUpdate): void {
  if (installed) return;
  installed = true;
  const proto = tf.SGDOptimizer.prototype as unknown as SgdInternals;
  const original = proto.applyGradients;
  proto.applyGradients = function (this: SgdInternals, variableGradients: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]) {
    if (tf.getBackend() !== backendName) return original.call(this, variableGradients);
    const list = Array.isArray(variableGradients)
      ? variableGradients.map((v) => [v.name, v.tensor] as const)
      : Object.entries(variableGradients);
    for (const [name, gradient] of list) {
      if (gradient == null) continue;
      const value = tf.engine().registeredVariables[name];
      const scale = -this.learningRate;
      const fits = value.dtype === "float32" && gradient.dtype === "float32" && value.size === gradient.size;
      if (fits && inPlace(value, gradient, scale)) continue;
      tf.tidy(() => {
        const next = fits
          ? (tf.engine().runKernel(SCALED_ADD, { a: value, b: gradient }, { alpha: 1, beta: scale }) as tf.Tensor)
          : tf.add(tf.mul(this.c, gradient), value);
        value.assign(next);
      });
    }
    this.incrementIterations();
  };
}
