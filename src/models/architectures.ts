// The assignments' architectures by name, as tf.sequential models. Each doc comment gives the
// PyTorch definition it reproduces and its parameter count (PyTorch's sum(p.numel() for p in model.parameters())).
import * as tf from "@tensorflow/tfjs";
import { BuilderOptions, ClassifierOutput, SequentialBuilder } from "./builder.js";

/**
 * What every architecture takes: input shape, number of classes, output kind, initialisation and seed.
 *
 * @example
 * convNet({ inputShape: [28, 28, 1], classes: 10, output: "logits", seed: 1 });
 */
export interface ClassifierOptions extends BuilderOptions {
  /** Input image shape [height, width, channels]; default MNIST's [28, 28, 1]. */
  inputShape?: [number, number, number];
  /** Number of classes; default 10. */
  classes?: number;
  /** Log-probabilities (for an NLL loss) or logits (for cross-entropy). */
  output?: ClassifierOutput;
}

const MNIST_SHAPE: [number, number, number] = [28, 28, 1];

/**
 * Where batch normalisation goes in an MLP's hidden layers.
 *
 * @example
 * mlp({ hidden: [30], batchNorm: "beforeRelu" });
 */
export type BatchNormPlacement = "none" | "afterRelu" | "beforeRelu";

/**
 * The layers of an mlp: hidden sizes, batch normalisation, dropout.
 *
 * @example
 * mlp({ hidden: [800, 800], dropout: 0.5, seed: 1 });
 */
export interface MlpOptions extends ClassifierOptions {
  /** Sizes of the hidden layers, e.g. [200] or [800, 800]. */
  hidden: number[];
  /** Batch normalisation in each hidden layer: after the ReLU (seed 002's MLPBN), before it, or none. */
  batchNorm?: BatchNormPlacement;
  /** Dropout rate after each hidden layer (0 = none). */
  dropout?: number;
}

/**
 * Multi-layer perceptron: flatten → (Linear → ReLU)* → Linear. Seed 002's MLP(h) is `mlp({ hidden: [h] })`
 * (MLP(200): 159,010 parameters), seed 004's MnistMLP is `mlp({ hidden: [800, 800], output: "logSoftmax" })`.
 *
 * @example
 * const model = mlp({ hidden: [200], seed: 1 });            // 784-200-10, logits
 * const bn = mlp({ hidden: [30], batchNorm: "afterRelu" });  // seed 002's MLPBN(30)
 */
export function mlp(options: MlpOptions): tf.Sequential {
  if (!Array.isArray(options.hidden) || options.hidden.some((h) => !(Number.isInteger(h) && h > 0))) {
    throw new Error(`invalid hidden layer sizes: ${JSON.stringify(options.hidden)} (expected positive integers)`);
  }
  const placement = options.batchNorm ?? "none";
  if (!["none", "afterRelu", "beforeRelu"].includes(placement)) {
    throw new Error(`invalid batchNorm placement: ${placement} (use none, afterRelu or beforeRelu)`);
  }
  // Seed 002's names: layer1, layer2 for the linear layers (and bn when there is one batch norm).
  const b = new SequentialBuilder(options.inputShape ?? MNIST_SHAPE, options).flatten();
  const bnName = (i: number) => (options.hidden.length === 1 ? "bn" : `bn${i}`);
  options.hidden.forEach((units, i) => {
    b.dense(units, `layer${i + 1}`);
    if (placement === "beforeRelu") b.batchNorm(bnName(i + 1));
    b.relu();
    if (placement === "afterRelu") b.batchNorm(bnName(i + 1));
    if (options.dropout) b.dropout(options.dropout);
  });
  b.dense(options.classes ?? 10, `layer${options.hidden.length + 1}`).output(options.output ?? "logits");
  return b.build(`mlp_${options.hidden.join("_")}`);
}

/**
 * Seed 002's MLP(num_hidden): 784 → numHidden → ReLU → 10 logits (MLP(50): 39,760 parameters).
 *
 * @example
 * const model = mlpWithHidden(30, { seed: 3 });
 */
export function mlpWithHidden(numHidden: number, options: Omit<MlpOptions, "hidden"> = {}): tf.Sequential {
  return mlp({ ...options, hidden: [numHidden] });
}

/**
 * Seed 004's regularised variants of seed 003's ConvNet.
 *
 * @example
 * convNet({ dropout: 0.5 });
 * convNet({ batchNorm: true });
 */
export interface ConvNetOptions extends ClassifierOptions {
  /** Dropout rate before each fully connected layer (seed 004's CNN with dropout); 0 = none. */
  dropout?: number;
  /** Batch normalisation after each convolution and the hidden dense layer (seed 004's CNN with BN). */
  batchNorm?: boolean;
}

/**
 * Seed 003's ConvNet (PyTorch's classic MNIST example): conv 20@5×5 → ReLU → maxpool 2 →
 * conv 50@5×5 → ReLU → maxpool 2 → flatten → dense 500 → ReLU → dense 10 → log-softmax.
 * 431,080 parameters. Options add dropout or batch normalisation (seed 004's two regularised CNNs).
 * Layers are named as the seed's module: conv1, pool1, conv2, pool2, flatten, fc_layer1, fc_layer2,
 * log_softmax, each ReLU fused into the layer before it (bn1, relu1, dropout1, … when asked for).
 *
 * @example
 * const model = convNet({ seed: 42 });                         // log-softmax output, for nllLoss
 * const withDropout = convNet({ dropout: 0.5 });
 * const withBatchNorm = convNet({ batchNorm: true });
 */
export function convNet(options: ConvNetOptions = {}): tf.Sequential {
  const b = new SequentialBuilder(options.inputShape ?? MNIST_SHAPE, options);
  for (const filters of [20, 50]) {
    b.conv2d(filters, 5);
    if (options.batchNorm) b.batchNorm();
    b.relu().maxPool(2);
  }
  b.flatten();
  if (options.dropout) b.dropout(options.dropout);
  b.dense(500, "fc_layer1");
  if (options.batchNorm) b.batchNorm();
  b.relu();
  if (options.dropout) b.dropout(options.dropout);
  b.dense(options.classes ?? 10, "fc_layer2").output(options.output ?? "logSoftmax");
  return b.build("convnet");
}

/**
 * Seed 000's LeNet-style net: conv 6@5×5 → maxpool 2 → ReLU → conv 16@2×2 stride 2 → maxpool 2 → ReLU →
 * conv 120@2×2 stride 2 → ReLU → dense 84 → ReLU → dense 10 → log-softmax. 19,370 parameters.
 *
 * @example
 * const model = leNetStyleNet({ seed: 1 });
 */
export function leNetStyleNet(options: ClassifierOptions = {}): tf.Sequential {
  return new SequentialBuilder(options.inputShape ?? MNIST_SHAPE, options)
    .conv2d(6, 5).maxPool(2).relu()
    .conv2d(16, 2, { stride: 2 }).maxPool(2).relu()
    .conv2d(120, 2, { stride: 2 }).relu()
    .flatten()
    .dense(84).relu()
    .dense(options.classes ?? 10).output(options.output ?? "logSoftmax")
    .build("lenet_style");
}

/**
 * Seed 001's CNN: conv 16@3×3 pad 1 → ReLU → maxpool 2 → conv 4@3×3 pad 1 → ReLU → maxpool 2 →
 * flatten (196) → dense 10 → log-softmax. 2,710 parameters.
 *
 * @example
 * const model = twoConvSixteenFourNet({ seed: 1 });
 */
export function twoConvSixteenFourNet(options: ClassifierOptions = {}): tf.Sequential {
  return new SequentialBuilder(options.inputShape ?? MNIST_SHAPE, options)
    .conv2d(16, 3, { padding: 1 }).relu().maxPool(2)
    .conv2d(4, 3, { padding: 1 }).relu().maxPool(2)
    .flatten()
    .dense(options.classes ?? 10, "fc").output(options.output ?? "logSoftmax")
    .build("cnn_16_4");
}

/**
 * Options of seed 002's small CNN.
 *
 * @example
 * smallCnn({ batchNorm: true, seed: 1 }); // CNNBN
 */
export interface SmallCnnOptions extends ClassifierOptions {
  /** Batch normalisation after each conv's ReLU (seed 002's CNNBN). */
  batchNorm?: boolean;
}

/**
 * Seed 002's CNN: conv 4@3×3 pad 1 → ReLU → maxpool 2 → conv 8@3×3 pad 1 → ReLU → maxpool 2 →
 * flatten (392) → dense 10 logits. 4,266 parameters; with `batchNorm` (CNNBN) 4,290.
 *
 * @example
 * const model = smallCnn({ seed: 1 });
 * const withBn = smallCnn({ batchNorm: true });
 */
export function smallCnn(options: SmallCnnOptions = {}): tf.Sequential {
  const b = new SequentialBuilder(options.inputShape ?? MNIST_SHAPE, options);
  for (const filters of [4, 8]) {
    b.conv2d(filters, 3, { padding: 1 }).relu();
    if (options.batchNorm) b.batchNorm();
    b.maxPool(2);
  }
  return b.flatten().dense(options.classes ?? 10, "fc").output(options.output ?? "logits").build(options.batchNorm ? "cnn_bn" : "cnn");
}

/**
 * One VGG block: `filters` 3×3 convolutions repeated `repeats` times, then a 2×2 max pool.
 *
 * @example
 * const block: VggBlock = [64, 2]; // two 3×3 convolutions of 64 filters, then a max pool
 */
export type VggBlock = [filters: number, repeats: number];

/**
 * The blocks and fully connected sizes of a VGG-style net.
 *
 * @example
 * vggStyleNet({ blocks: [[32, 1], [64, 1]], fullyConnected: [256], inputShape: [64, 64, 3], classes: 2 });
 */
export interface VggStyleOptions extends ClassifierOptions {
  /** The convolutional blocks as (filters, repeats) pairs. */
  blocks: VggBlock[];
  /** Sizes of the fully connected hidden layers (default [1024, 1024]). */
  fullyConnected?: number[];
}

/**
 * Seed 004's three VGG-style variants for 64×64 colour images (cats vs dogs).
 *
 * @example
 * vggStyleNet({ blocks: VGG_VARIANTS.shallowAndFat, inputShape: [64, 64, 3], classes: 2 });
 */
export const VGG_VARIANTS: Record<"shallow" | "shallowAndFat" | "deep", VggBlock[]> = {
  shallow: [[16, 1], [32, 1], [64, 1]],
  shallowAndFat: [[32, 1], [64, 1], [128, 1]],
  deep: [[32, 1], [64, 1], [128, 1], [64, 1], [32, 1]],
};

/**
 * Seed 004's VGG-style net ("DeepBoi"): per block, (conv 3×3 pad 1 → batch norm → ReLU) × repeats,
 * then maxpool 2; then (dense → batch norm → ReLU) for each fully connected size; then dense → output.
 * At 64×64×3 with 2 classes: shallow 5,274,882, shallow-and-fat 9,539,074, deep 1,373,986 parameters.
 *
 * @example
 * const model = vggStyleNet({ blocks: VGG_VARIANTS.deep, inputShape: [64, 64, 3], classes: 2 });
 */
export function vggStyleNet(options: VggStyleOptions): tf.Sequential {
  if (!options.blocks?.length) throw new Error("vggStyleNet needs at least one (filters, repeats) block");
  const b = new SequentialBuilder(options.inputShape ?? [64, 64, 3], options);
  for (const [filters, repeats] of options.blocks) {
    for (let r = 0; r < repeats; r++) b.conv2d(filters, 3, { padding: 1 }).batchNorm().relu();
    b.maxPool(2);
  }
  b.flatten();
  for (const units of options.fullyConnected ?? [1024, 1024]) b.dense(units).batchNorm().relu();
  return b.dense(options.classes ?? 2).output(options.output ?? "logSoftmax").build("vgg_style");
}

/**
 * A linear multiclass SVM (seed 000's baseline, "86% with a linear SVM"): flatten → one dense layer
 * (no activation) giving a score per class. Train it with `loss: "hinge"` (nn.MultiMarginLoss) and the
 * SVM's L2 penalty as the optimiser's `weightDecay`. On 28×28 MNIST: 784·10 + 10 = 7,850 parameters.
 *
 * @example
 * const svm = linearSvm({ seed: 1 });
 * countParameters(svm); // 7850
 * await trainModel(svm, train, { epochs: 5, loss: "hinge", optimizer: { learningRate: 0.01, weightDecay: 1e-4 } });
 */
export function linearSvm(options: Omit<ClassifierOptions, "output"> = {}): tf.Sequential {
  return new SequentialBuilder(options.inputShape ?? MNIST_SHAPE, options)
    .flatten()
    .dense(options.classes ?? 10, "fc")
    .build("linear_svm");
}
