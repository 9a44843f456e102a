// Layers where tfjs's own differ from PyTorch's in ways the assignments can see:
// - dropout whose masks come from a seeded stream (tf.layers.dropout with a seed repeats the same
//   mask every step; without one it uses Math.random), drawn in one loop (dropoutMask);
// - batch normalisation whose moving variance averages the unbiased batch variance, as PyTorch's.
import * as tf from "@tensorflow/tfjs";
import { Random } from "../data/random.js";
import { batchNormTraining } from "../engine/fused-ops.js";

/**
 * An inverted-dropout mask: each of `size` values is 0 with probability `rate`, else 1 / (1 - rate).
 * The same seed gives the same mask on every machine: value i is kept when the i-th draw of
 * `new Random(seed)` (mulberry32) is >= rate.
 *
 * @example
 * dropoutMask(4, 0.5, 7); // e.g. Float32Array [2, 0, 0, 2], always the same for seed 7
 */
export function dropoutMask(size: number, rate: number, seed: number): Float32Array {
  if (!(rate >= 0 && rate < 1)) throw new Error(`invalid dropout rate: ${rate} (expected 0 <= rate < 1)`);
  if (!(Number.isInteger(size) && size >= 0)) throw new Error(`invalid dropout mask size: ${size} (expected an integer >= 0)`);
  const out = new Float32Array(size);
  const scale = 1 / (1 - rate);
  // draw / 2^32 >= rate exactly when draw >= rate * 2^32 (scaling by a power of two is exact).
  const threshold = rate * 4294967296;
  // Random.next inlined: tfjs's seeded randomUniform draws element by element through a slower
  // generator (about 90 ms per 800,000 values), which made dropout training 2-3 times slower.
  let state = new Random(seed).state;
  for (let i = 0; i < size; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    if (((t ^ (t >>> 14)) >>> 0) >= threshold) out[i] = scale;
  }
  return out;
}

/**
 * Dropout (inverted, as PyTorch's nn.Dropout) with a new, seeded mask at every training step.
 *
 * @example
 * model.add(new SeededDropout({ rate: 0.5, seed: 1 }));
 */
export class SeededDropout extends tf.layers.Layer {
  static className = "SeededDropout";
  readonly rate: number;
  readonly seed: number;
  /** The stream of mask seeds (its `state` is what a checkpoint saves). */
  readonly random: Random;

  constructor(args: { rate: number; seed: number; name?: string }) {
    super({ name: args.name });
    if (!(args.rate >= 0 && args.rate < 1)) throw new Error(`invalid dropout rate: ${args.rate} (expected 0 <= rate < 1)`);
    this.rate = args.rate;
    this.seed = args.seed;
    this.random = new Random(args.seed);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs.training || this.rate === 0) return x;
    const seed = this.random.seed();
    return tf.tidy(() => x.mul(tf.tensor(dropoutMask(x.size, this.rate, seed), x.shape, "float32")));
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
tf.serialization.registerClass(SeededDropout);

// tfjs exports a factory, not the class; the class is what a subclass needs.
const BatchNormalizationBase = tf.layers.batchNormalization({}).constructor as unknown as new (args: {
  axis?: number;
  momentum?: number;
  epsilon?: number;
  name?: string;
}) => tf.layers.Layer;

interface BatchNormalizationFields {
  gamma: tf.LayerVariable;
  beta: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
  epsilon: number;
  momentum: number;
}

/**
 * Batch normalisation over the last axis exactly as PyTorch's BatchNorm1d/2d: momentum 0.1 and
 * eps 1e-5 by default, batch statistics in training (biased variance for normalising), and moving
 * statistics updated with the unbiased variance, so evaluation matches PyTorch's model.eval().
 *
 * @example
 * model.add(new PyTorchBatchNorm({}));
 */
export class PyTorchBatchNorm extends BatchNormalizationBase {
  static className = "PyTorchBatchNorm";

  constructor(args: { momentum?: number; epsilon?: number; name?: string } = {}) {
    // tfjs's momentum is the share kept (PyTorch's 0.1 is tfjs's 0.9).
    super({ axis: -1, momentum: 1 - (args.momentum ?? 0.1), epsilon: args.epsilon ?? 1e-5, name: args.name });
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor | tf.Tensor[] {
    if (!kwargs.training) return super.call(inputs, kwargs);
    const self = this as unknown as BatchNormalizationFields;
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      // One native kernel each way on the labnative engine; moments + batchNorm elsewhere.
      const fused = batchNormTraining(x, self.gamma.read(), self.beta.read(), self.epsilon);
      const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
      const { mean, variance } = fused ?? tf.moments(x, axes);
      const out = fused?.y ?? tf.batchNorm(x, mean, variance, self.beta.read(), self.gamma.read(), self.epsilon);
      const count = x.size / x.shape[x.rank - 1];
      const unbiased = count > 1 ? variance.mul(count / (count - 1)) : variance;
      const keep = self.momentum;
      self.movingMean.write(self.movingMean.read().mul(keep).add(mean.mul(1 - keep)));
      self.movingVariance.write(self.movingVariance.read().mul(keep).add(unbiased.mul(1 - keep)));
      return out;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    // Saved with PyTorch's meaning of momentum, which the constructor reads.
    const self = this as unknown as BatchNormalizationFields;
    return { ...super.getConfig(), momentum: 1 - self.momentum, epsilon: self.epsilon };
  }
}
tf.serialization.registerClass(PyTorchBatchNorm as unknown as tf.serialization.SerializableConstructor<tf.layers.Layer>);
