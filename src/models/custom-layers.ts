// The one layer tfjs lacks for reproducible training: dropout whose masks come from a seeded stream
// (tf.layers.dropout with a seed repeats the same mask every step; without one it uses Math.random).
import * as tf from "@tensorflow/tfjs";
import { Random } from "../data/random.js";

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
  private readonly random: Random;

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
    return tf.tidy(() => {
      const keep = tf.randomUniform(x.shape, 0, 1, "float32", seed).greaterEqual(this.rate);
      return x.mul(keep.cast("float32")).div(1 - this.rate);
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
tf.serialization.registerClass(SeededDropout);
