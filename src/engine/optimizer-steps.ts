// Optimiser updates as engine ops: one call updates one variable (and its state buffers) from its
// gradient, as torch.optim defines SGD (momentum, Nesterov) and Adam, weight decay added to the
// gradient. A backend may register its own implementation (labnative: one native pass, in place
// where safe); otherwise, or when it declines the arrays, the update is made with tf ops.
import * as tf from "@tensorflow/tfjs";

/** One SGD step's settings (torch.optim.SGD's lr, momentum, nesterov, weight_decay; dampening 0). */
export interface SgdStepOptions {
  learningRate: number;
  /** 0: plain SGD, the buffer (if any) is left alone, as PyTorch does. */
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
}

/** One Adam step's settings (torch.optim.Adam's); `step` counts from 1 (the bias corrections' t). */
export interface AdamStepOptions {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  step: number;
}

/** A backend's own updates; each returns false, having changed nothing, when it cannot take the arrays. */
export interface StepImplementation {
  sgd(variable: tf.Variable, gradient: tf.Tensor, buffer: tf.Variable | null, options: SgdStepOptions): boolean;
  adam(variable: tf.Variable, gradient: tf.Tensor, m: tf.Variable, v: tf.Variable, options: AdamStepOptions): boolean;
}

const implementations = new Map<string, StepImplementation>();

/** Routes the updates through `implementation` while `backendName` is tfjs's active backend. */
export function registerStepImplementation(backendName: string, implementation: StepImplementation): void {
  implementations.set(backendName, implementation);
}

/**
 * One SGD update of `variable` from `gradient`: d = g + weightDecay·w; with momentum,
 * buffer = momentum·buffer + d and w -= lr·buffer (Nesterov: w -= lr·(d + momentum·buffer)); else w -= lr·d.
 *
 * @example
 * sgdStep(w, g, buffer, { learningRate: 0.01, momentum: 0.5, nesterov: false, weightDecay: 0 });
 */
export function sgdStep(variable: tf.Variable, gradient: tf.Tensor, buffer: tf.Variable | null, options: SgdStepOptions): void {
  if (implementations.get(tf.getBackend())?.sgd(variable, gradient, buffer, options)) return;
  const { learningRate, momentum, nesterov, weightDecay } = options;
  tf.tidy(() => {
    const d = weightDecay !== 0 ? gradient.add(variable.mul(weightDecay)) : gradient;
    let direction = d;
    if (buffer && momentum !== 0) {
      const b = buffer.mul(momentum).add(d);
      buffer.assign(b);
      direction = nesterov ? d.add(b.mul(momentum)) : b;
    }
    variable.assign(variable.sub(direction.mul(learningRate)));
  });
}

/**
 * One Adam update: d = g + weightDecay·w, m = β1·m + (1-β1)·d, v = β2·v + (1-β2)·d²,
 * w -= lr·(m / (1-β1^t)) / (sqrt(v / (1-β2^t)) + ε), t = options.step.
 *
 * @example
 * adamStep(w, g, m, v, { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, step: 1 });
 */
export function adamStep(variable: tf.Variable, gradient: tf.Tensor, m: tf.Variable, v: tf.Variable, options: AdamStepOptions): void {
  if (!(options.step >= 1)) throw new Error(`adamStep: step must count from 1, got ${options.step}`);
  if (implementations.get(tf.getBackend())?.adam(variable, gradient, m, v, options)) return;
  const { learningRate, beta1, beta2, epsilon, weightDecay } = options;
  const [bc1, bc2] = adamBiasCorrections(options);
  tf.tidy(() => {
    const d = weightDecay !== 0 ? gradient.add(variable.mul(weightDecay)) : gradient;
    const m2 = m.mul(beta1).add(d.mul(1 - beta1));
    const v2 = v.mul(beta2).add(d.square().mul(1 - beta2));
    m.assign(m2);
    v.assign(v2);
    variable.assign(variable.sub(m2.div(bc1).div(v2.div(bc2).sqrt().add(epsilon)).mul(learningRate)));
  });
}

/** 1 - β1^t and 1 - β2^t in double precision, as PyTorch computes them. */
export function adamBiasCorrections(options: AdamStepOptions): [number, number] {
  return [1 - options.beta1 ** options.step, 1 - options.beta2 ** options.step];
}
