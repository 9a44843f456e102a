// Conv2D and Dense layers (with a bias, and a ReLU or no activation), and the log-softmax output
// layer, that train as one kernel each way. tfjs's own layers fuse product, bias and ReLU only when
// no gradient is recorded; in training they run more passes over the activation and, on the way
// back, a dozen small kernels and op wrappers per layer (engine/fused-ops.ts says which). These run the engine's fused op
// where it has one (labnative) and are tfjs's layers in every other respect: the same class name,
// config, weights and serialisation, so summaries list them as Conv2D and Dense and a saved model
// loads as plain tfjs layers.
import * as tf from "@tensorflow/tfjs";
import { conv2dBias, denseBias, logSoftmax, type FusedActivation } from "../engine/fused-ops.js";

type ConvArgs = Parameters<typeof tf.layers.conv2d>[0];
type ActivationArgs = Parameters<typeof tf.layers.activation>[0];
type DenseArgs = Parameters<typeof tf.layers.dense>[0];
type LayerClass<Args> = new (args: Args) => tf.layers.Layer;
type Call = tf.layers.Layer["call"];

// tfjs exports factories, not the classes; a subclass needs the class. The probes are named so
// they take no number from tfjs's automatic layer names.
const Conv2DBase = tf.layers.conv2d({ filters: 1, kernelSize: 1, name: "fused_layer_probe" }).constructor as LayerClass<ConvArgs>;
const DenseBase = tf.layers.dense({ units: 1, name: "fused_layer_probe" }).constructor as LayerClass<DenseArgs>;
const ActivationBase = tf.layers.activation({ activation: "linear", name: "fused_layer_probe" }).constructor as LayerClass<ActivationArgs>;

/** The layer's kernel and bias variables (by rank: the bias is the 1-D one). */
function kernelAndBias(layer: tf.layers.Layer): [tf.Tensor, tf.Tensor1D] | undefined {
  const kernel = layer.weights.find((w) => w.shape.length > 1);
  const bias = layer.weights.find((w) => w.shape.length === 1);
  return kernel && bias ? [kernel.read(), bias.read() as tf.Tensor1D] : undefined;
}

const allOnes = (v: unknown) => (Array.isArray(v) ? v : [v]).every((d) => d === 1 || d === undefined);

/** The activations the fused kernels take, by tfjs's serialised name. */
function fusedActivation(name: unknown): FusedActivation | undefined {
  return name === "relu" || name === "linear" ? name : undefined;
}

interface ConvGeometry {
  strides: [number, number];
  padding: "same" | "valid";
  activation: FusedActivation;
}

/** tf.layers.conv2d, trained through the engine's fused conv + bias (+ ReLU) when it has one. */
export class FusedBiasConv2D extends Conv2DBase {
  // From the config, read once: a layer's config never changes, and getConfig() builds a fresh object per call.
  private fusedGeometry?: ConvGeometry | null;

  private geometry(): ConvGeometry | null {
    if (this.fusedGeometry === undefined) {
      const config = this.getConfig();
      const strides = config.strides as number[];
      const activation = fusedActivation(config.activation);
      const fusable = activation && config.dataFormat === "channelsLast" && allOnes(config.dilationRate) &&
        (config.padding === "valid" || config.padding === "same") && strides.length === 2;
      this.fusedGeometry = fusable ? { strides: strides as [number, number], padding: config.padding as "same" | "valid", activation } : null;
    }
    return this.fusedGeometry;
  }

  override call(inputs: Parameters<Call>[0], kwargs: Parameters<Call>[1]): ReturnType<Call> {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const geometry = x.rank === 4 ? this.geometry() : null;
    const weights = geometry ? kernelAndBias(this) : undefined;
    // `geometry &&` again: TypeScript does not carry the narrowing into the closure.
    const y = weights && geometry && tf.tidy(() => conv2dBias(x as tf.Tensor4D, weights[0] as tf.Tensor4D, weights[1],
      geometry.strides, geometry.padding, geometry.activation));
    return y ?? super.call(inputs, kwargs);
  }
}

/** tf.layers.dense, trained through the engine's fused product + bias (+ ReLU) when it has one. */
export class FusedBiasDense extends DenseBase {
  // From the config, read once (see FusedBiasConv2D).
  private activationName?: FusedActivation | null;

  override call(inputs: Parameters<Call>[0], kwargs: Parameters<Call>[1]): ReturnType<Call> {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (this.activationName === undefined) this.activationName = fusedActivation(this.getConfig().activation) ?? null;
    const activation = this.activationName;
    const weights = activation && x.rank === 2 ? kernelAndBias(this) : undefined;
    const y = weights && activation && tf.tidy(() => denseBias(x as tf.Tensor2D, weights[0] as tf.Tensor2D, weights[1], activation));
    return y ?? super.call(inputs, kwargs);
  }
}

/**
 * tf.layers.activation({ activation: "logSoftmax" }), computed by the engine's log-softmax kernel
 * when it has one (one kernel each way, where tf.logSoftmax runs ten).
 */
export class FusedLogSoftmax extends ActivationBase {
  constructor(args: { name?: string } = {}) {
    super({ ...args, activation: "logSoftmax" as ActivationArgs["activation"] });
  }

  override call(inputs: Parameters<Call>[0], kwargs: Parameters<Call>[1]): ReturnType<Call> {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return logSoftmax(x) ?? super.call(inputs, kwargs);
  }
}
