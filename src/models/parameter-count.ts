// Counting and summarising a model's parameters the way PyTorch reports them.
import * as tf from "@tensorflow/tfjs";

/**
 * The number of trainable parameters, as PyTorch's `sum(p.numel() for p in model.parameters())`
 * (batch-norm moving statistics are buffers there, and are not counted).
 *
 * @example
 * countParameters(mlp({ hidden: [200] })); // 159010
 */
export function countParameters(model: tf.LayersModel): number {
  let total = 0;
  for (const w of model.trainableWeights) total += w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
  return total;
}

/**
 * One row of a model summary.
 *
 * @example
 * summarizeModel(convNet())[0]; // { layer: "conv1", type: "Conv2D", output: "[N,24,24,20]", parameters: 520 }
 */
export interface LayerSummary {
  layer: string;
  type: string;
  output: string;
  parameters: number;
}

function withActivation(layer: tf.layers.Layer): string {
  const activation = (layer.getConfig() as { activation?: unknown }).activation;
  const names: Record<string, string> = { relu: "ReLU", sigmoid: "Sigmoid", tanh: "Tanh", softmax: "Softmax" };
  return typeof activation === "string" && names[activation] ? `${layer.getClassName()} + ${names[activation]}` : layer.getClassName();
}

/**
 * One row per layer (name, type, output shape, trainable parameters), e.g. for `showTable`.
 *
 * @example
 * showTable(summarizeModel(convNet()), { caption: "The ConvNet" });
 */
export function summarizeModel(model: tf.LayersModel): LayerSummary[] {
  return model.layers.filter((layer) => layer.getClassName() !== "InputLayer").map((layer) => ({
    layer: layer.name,
    // A fused activation (the builder folds a ReLU into the layer before it) is shown with its layer.
    type: withActivation(layer),
    output: JSON.stringify(layer.outputShape).replace(/null/g, "N"),
    parameters: layer.trainableWeights.reduce((sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0),
  }));
}
