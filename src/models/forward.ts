// Running a model on concrete tensors: what training steps and evaluation call per batch.
//
// model.apply on eager tensors goes through tfjs-layers' symbolic-graph executor and each layer's
// own apply() (input checks, name scopes, mask bookkeeping): ~25 us per layer per call, measured
// at 10% of seed 002's batch-norm CNN step on labnative and 12% of seed 000's LeNet. A Sequential
// chain of built layers that make no masks computes exactly the same layer calls in order, so it
// is run that way; any other model (functional graphs, masking layers, nested models, a layer not
// built yet, an input of the wrong shape, which model.apply reports) takes model.apply.
//
// In a chain, a PyTorchBatchNorm followed by a plain ReLU layer runs as one call that applies both
// (on labnative one kernel each way instead of four kernels and two more passes over the
// activation: seed 004's ConvNet with batch norm, the VGG nets).
import * as tf from "@tensorflow/tfjs";
import { PyTorchBatchNorm } from "./custom-layers.js";

const baseComputeMask = tf.layers.Layer.prototype.computeMask;

/** The layers to call in order, or null when the model must go through model.apply. */
function layerChain(model: tf.LayersModel, x: tf.Tensor): tf.layers.Layer[] | null {
  if (!(model instanceof tf.Sequential)) return null;
  const expected = model.inputs[0]?.shape;
  if (model.inputs.length !== 1 || !expected || expected.length !== x.rank) return null;
  for (let i = 0; i < expected.length; i++) {
    const d = expected[i];
    if (d !== null && d !== x.shape[i]) return null;
  }
  const chain: tf.layers.Layer[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() === "InputLayer") continue;
    // A layer that overrides computeMask may make or pass on a mask, which only the executor routes.
    if (!layer.built || layer.computeMask !== baseComputeMask) return null;
    chain.push(layer);
  }
  return chain;
}

/** A ReLU layer with nothing but the ReLU: no cap, no threshold, no slope below 0. */
function isPlainRelu(layer: tf.layers.Layer | undefined): boolean {
  if (!layer || layer.getClassName() !== "ReLU") return false;
  const maxValue = (layer as unknown as { maxValue?: number | null }).maxValue;
  return maxValue === undefined || maxValue === null;
}

/**
 * The model's output for `x`, in training mode (dropout and batch statistics on) or not. Same
 * values as model.apply(x, { training }); call it inside tf.tidy or tf.variableGrads, which
 * dispose the intermediate activations.
 *
 * @example
 * const { value, grads } = tf.variableGrads(() => loss(forward(model, xs, true), ys), variables);
 */
export function forward(model: tf.LayersModel, x: tf.Tensor, training: boolean): tf.Tensor {
  const chain = layerChain(model, x);
  if (!chain) return model.apply(x, { training }) as tf.Tensor;
  let h = x;
  for (let i = 0; i < chain.length; i++) {
    const layer = chain[i];
    if (layer instanceof PyTorchBatchNorm && isPlainRelu(chain[i + 1])) {
      h = layer.call(h, { training, relu: true }) as tf.Tensor;
      i++;
    } else {
      h = layer.call(h, { training }) as tf.Tensor;
    }
  }
  return h;
}
