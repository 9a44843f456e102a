// Building tf.sequential models layer by layer with PyTorch-like layer semantics
// (fan-in-aware seeded initialisation, BatchNorm momentum 0.1 / eps 1e-5, inverted dropout).
import * as tf from "@tensorflow/tfjs";
import { Random } from "../data/random.js";
import { biasInitializer, Init, InitSpec, resolveInit, weightInitializer } from "./initializers.js";
import { PyTorchBatchNorm, SeededDropout } from "./custom-layers.js";
import { selectEngine } from "../display/engine.js";

/** What the last layer of a classifier returns. */
export type ClassifierOutput = "logSoftmax" | "logits";

export interface BuilderOptions {
  /** Initialisation of weights and biases (default "pytorch"). */
  init?: Init;
  /** Seed of every random draw in the model: same seed, same initial weights and dropout masks. Default 0. */
  seed?: number;
}

/**
 * Adds layers to a tf.sequential model while tracking its shape, so each layer is initialised from
 * its real fan-in. Shapes are [height, width, channels] (tfjs is channels-last).
 *
 * @example
 * const model = new SequentialBuilder([28, 28, 1], { seed: 1 })
 *   .conv2d(20, 5).relu().maxPool(2)
 *   .flatten().dense(10).logSoftmax()
 *   .build("tiny");
 */
export class SequentialBuilder {
  private readonly model = tf.sequential();
  private readonly init: InitSpec;
  private readonly random: Random;
  private shape: number[];

  constructor(inputShape: number[], options: BuilderOptions = {}) {
    // Weights are created on the engine's backend, so the engine is chosen (and said) first.
    selectEngine();
    this.init = resolveInit(options.init);
    this.random = new Random(options.seed ?? 0);
    this.shape = inputShape.slice();
    this.model.add(tf.layers.inputLayer({ inputShape }));
  }

  /** The current output shape, without the batch dimension. */
  get outputShape(): number[] {
    return this.shape.slice();
  }

  private add(layer: tf.layers.Layer): this {
    this.model.add(layer);
    this.shape = (this.model.outputShape as number[]).slice(1);
    return this;
  }

  /** A fully connected layer (nn.Linear) on a flat input. */
  dense(units: number): this {
    if (this.shape.length !== 1) throw new Error(`dense layer needs a flat input, got shape [${this.shape.join(", ")}]; add flatten() first`);
    const fanIn = this.shape[0];
    return this.add(
      tf.layers.dense({
        units,
        kernelInitializer: weightInitializer(this.init, fanIn, units, this.random.seed()),
        biasInitializer: biasInitializer(this.init, fanIn, this.random.seed()),
      }),
    );
  }

  /** A 2-D convolution (nn.Conv2d): square `kernel`, `stride` (1), `padding` in pixels (0) or "same". */
  conv2d(filters: number, kernel: number, options: { stride?: number; padding?: number | "same" } = {}): this {
    if (this.shape.length !== 3) throw new Error(`conv2d needs an image input, got shape [${this.shape.join(", ")}]`);
    const stride = options.stride ?? 1;
    let padding = options.padding ?? 0;
    // Symmetric padding that keeps the size is tfjs's "same": one op instead of two.
    if (stride === 1 && kernel % 2 === 1 && padding === (kernel - 1) / 2 && padding > 0) padding = "same";
    if (typeof padding === "number" && padding > 0) {
      this.add(tf.layers.zeroPadding2d({ padding }));
    }
    const channels = this.shape[2];
    const fanIn = channels * kernel * kernel;
    const fanOut = filters * kernel * kernel;
    return this.add(
      tf.layers.conv2d({
        filters,
        kernelSize: kernel,
        strides: stride,
        padding: padding === "same" ? "same" : "valid",
        kernelInitializer: weightInitializer(this.init, fanIn, fanOut, this.random.seed()),
        biasInitializer: biasInitializer(this.init, fanIn, this.random.seed()),
      }),
    );
  }

  /** Max pooling (nn.MaxPool2d / F.max_pool2d) with a square window; stride defaults to the size. */
  maxPool(size: number, stride = size): this {
    return this.add(tf.layers.maxPooling2d({ poolSize: size, strides: stride, padding: "valid" }));
  }

  /** ReLU activation. */
  relu(): this {
    return this.add(tf.layers.reLU());
  }

  /** Batch normalisation over the last axis, as PyTorch's nn.BatchNorm1d / BatchNorm2d (momentum 0.1, eps 1e-5). */
  batchNorm(): this {
    return this.add(new PyTorchBatchNorm());
  }

  /** Dropout with probability `rate` of zeroing a unit during training (seeded masks). */
  dropout(rate: number): this {
    return this.add(new SeededDropout({ rate, seed: this.random.seed() }));
  }

  /** Flattens an image to a vector. */
  flatten(): this {
    return this.shape.length === 1 ? this : this.add(tf.layers.flatten());
  }

  /** Log-softmax over classes (F.log_softmax(x, dim=1)). */
  logSoftmax(): this {
    return this.add(tf.layers.activation({ activation: "logSoftmax" as any }));
  }

  /** The classifier's output: log-softmax, or raw logits for a cross-entropy loss. */
  output(kind: ClassifierOutput): this {
    if (kind !== "logSoftmax" && kind !== "logits") throw new Error(`invalid output: ${kind} (use "logSoftmax" or "logits")`);
    return kind === "logSoftmax" ? this.logSoftmax() : this;
  }

  /** The finished model, named `name`. */
  build(name?: string): tf.Sequential {
    if (name) (this.model as any).name = name;
    return this.model;
  }
}
