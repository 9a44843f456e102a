// Layers where tfjs's own differ from PyTorch's in ways the assignments can see:
// - dropout whose masks come from a seeded stream (tf.layers.dropout with a seed repeats the same
//   mask every step; without one it uses Math.random), the engine's seededDropout (one native pass
//   on labnative, the mask drawn in JS by dropoutMask elsewhere);
// - batch normalisation whose moving variance averages the unbiased batch variance, as PyTorch's.
import * as tf from "@tensorflow/tfjs";
import { Random } from "../data/random.js";
import { seededDropout } from "../engine/dropout.js";
import { batchNormTraining } from "../engine/fused-ops.js";

// The mask the layer applies, kept importable from here where the layer lives.
export { dropoutMask } from "../engine/dropout.js";

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
    return seededDropout(x, this.rate, seed);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
tf.serialization.registerClass(SeededDropout);

/**
 * keep·moving + (1 − keep)·(factor·batch), element-wise, rounded as tf ops on float32 tensors round
 * it (each product and the sum to float32, the numbers as float32 scalars), so it equals
 * `moving.mul(keep).add(batch.mul(factor).mul(1 - keep))` bit for bit (factor 1: no multiply).
 *
 * @example
 * movingAverage(Float32Array.of(0), Float32Array.of(1), 0.9, 1); // Float32Array [0.1]
 */
export function movingAverage(moving: Float32Array, batch: Float32Array, keep: number, factor: number): Float32Array {
  const k = Math.fround(keep), rest = Math.fround(1 - keep), f = Math.fround(factor);
  const out = new Float32Array(moving.length);
  for (let i = 0; i < out.length; i++) {
    const b = factor === 1 ? batch[i] : Math.fround(batch[i] * f);
    // A float32 sum or product computed in double and rounded once is the correctly rounded float32 result.
    out[i] = Math.fround(moving[i] * k) + Math.fround(b * rest);
  }
  return out;
}

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

  /**
   * kwargs.relu: also apply the ReLU layer that follows (forward() passes it, then skips that
   * layer): the same values, in the normalisation's own kernel each way on labnative.
   */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean; relu?: boolean }): tf.Tensor | tf.Tensor[] {
    const relu = kwargs.relu === true;
    if (!kwargs.training) {
      const y = super.call(inputs, kwargs) as tf.Tensor;
      return relu ? tf.tidy(() => tf.relu(y)) : y;
    }
    const self = this as unknown as BatchNormalizationFields;
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      // One native kernel each way on the labnative engine; moments + batchNorm elsewhere.
      const fused = batchNormTraining(x, self.gamma.read(), self.beta.read(), self.epsilon, relu);
      const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
      const { mean, variance } = fused ?? tf.moments(x, axes);
      const normalized = fused?.y ?? tf.batchNorm(x, mean, variance, self.beta.read(), self.gamma.read(), self.epsilon);
      const out = relu && !fused ? tf.relu(normalized) : normalized;
      const count = x.size / x.shape[x.rank - 1];
      const correction = count > 1 ? count / (count - 1) : 1;
      const keep = self.momentum;
      if (fused) {
        // labnative: the batch moments are arrays in memory already; the moving averages of a few
        // channels in JS cost less than the eleven kernels (and their tape entries) below.
        for (const [moving, batch, factor] of [[self.movingMean, mean, 1], [self.movingVariance, variance, correction]] as const) {
          const current = moving.read();
          const values = movingAverage(current.dataSync() as Float32Array, batch.dataSync() as Float32Array, keep, factor);
          moving.write(tf.tensor(values, current.shape, "float32"));
        }
        return out;
      }
      const unbiased = count > 1 ? variance.mul(correction) : variance;
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
