// Conv2D and Dense layers with a ReLU that stay one fused kernel while training.
// tfjs's own layers fuse product, bias and ReLU only when no gradient is recorded; in training
// they run four more passes over the activation (engine/fused-ops.ts says which). These run the
// engine's fused op where it has one (labnative) and are tfjs's layers in every other respect:
// the same class name, config, weights and serialisation, so summaries list them as Conv2D and
// Dense and a saved model loads as plain tfjs layers.
import * as tf from "@tensorflow/tfjs";
import { conv2dBiasRelu, denseBiasRelu } from "../engine/fused-ops.js";

type ConvArgs = Parameters<typeof tf.layers.conv2d>[0];
type DenseArgs = Parameters<typeof tf.layers.dense>[0];
type LayerClass<Args> = new (args: Args) => tf.layers.Layer;
type Call = tf.layers.Layer["call"];

// tfjs exports factories, not the classes; a subclass needs the class. The probes are named so
// they take no number from tfjs's automatic layer names.
const Conv2DBase = tf.layers.conv2d({ filters: 1, kernelSize: 1, name: "fused_relu_probe" }).constructor as LayerClass<ConvArgs>;
const DenseBase = tf.layers.dense({ units: 1, name: "fused_relu_probe" }).constructor as LayerClass<DenseArgs>;

/** The layer's kernel and bias variables (by rank: the bias is the 1-D one). */
function kernelAndBias(layer: tf.layers.Layer): [tf.Tensor, tf.Tensor1D] | undefined {
  const kernel = layer.weights.find((w) => w.shape.length > 1);
  const bias = layer.weights.find((w) => w.shape.length === 1);
  return kernel && bias ? [kernel.read(), bias.read() as tf.Tensor1D] : undefined;
}

const allOnes = (v: unknown) => (Array.isArray(v) ? v : [v]).every((d) => d === 1 || d === undefined);

/** tf.layers.conv2d, trained through the engine's fused conv + bias + ReLU when it has one. */
export class FusedReluConv2D extends Conv2DBase {
  override call(inputs: Parameters<Call>[0], kwargs: Parameters<Call>[1]): ReturnType<Call> {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const config = this.getConfig();
    const strides = config.strides as number[];
    const fusable = config.activation === "relu" && config.dataFormat === "channelsLast" && allOnes(config.dilationRate) &&
      (config.padding === "valid" || config.padding === "same") && strides.length === 2 && x.rank === 4;
    const weights = fusable ? kernelAndBias(this) : undefined;
    const y = weights && tf.tidy(() => conv2dBiasRelu(x as tf.Tensor4D, weights[0] as tf.Tensor4D, weights[1],
      strides as [number, number], config.padding as "same" | "valid"));
    return y ?? super.call(inputs, kwargs);
  }
}

/** tf.layers.dense, trained through the engine's fused product + bias + ReLU when it has one. */
export class FusedReluDense extends DenseBase {
  override call(inputs: Parameters<Call>[0], kwargs: Parameters<Call>[1]): ReturnType<Call> {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const weights = this.getConfig().activation === "relu" && x.rank === 2 ? kernelAndBias(this) : undefined;
    const y = weights && tf.tidy(() => denseBiasRelu(x as tf.Tensor2D, weights[0] as tf.Tensor2D, weights[1]));
    return y ?? super.call(inputs, kwargs);
  }
}
