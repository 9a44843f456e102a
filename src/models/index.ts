// Models: the assignments' architectures, initialisation, parameter counts.
export { SequentialBuilder } from "./builder.js";
export type { BuilderOptions, ClassifierOutput } from "./builder.js";
export {
  mlp, mlpWithHidden, convNet, leNetStyleNet, twoConvSixteenFourNet, smallCnn, vggStyleNet, VGG_VARIANTS, linearSvm,
} from "./architectures.js";
export type {
  ClassifierOptions, MlpOptions, BatchNormPlacement, ConvNetOptions, SmallCnnOptions, VggBlock, VggStyleOptions,
} from "./architectures.js";
export type { Init, InitSpec, WeightInit, BiasInit } from "./initializers.js";
export { SeededDropout, PyTorchBatchNorm } from "./custom-layers.js";
export { forward } from "./forward.js";
export { countParameters, summarizeModel } from "./parameter-count.js";
export type { LayerSummary } from "./parameter-count.js";
