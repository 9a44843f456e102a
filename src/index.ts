// The labreport library: what notebooks import as `labreport`.
//
//   import { loadMnist, convNet, trainModel, learningCurveSpec, showFigure } from "labreport";
//
// data → models → train → plots → display, one folder per concept.
export * as tf from "@tensorflow/tfjs";
export { useEngine, engineInfo } from "./engine/index.js";
export type { EngineInfo, EngineName } from "./engine/index.js";
export * from "./data/index.js";
export * from "./models/index.js";
export * from "./train/index.js";
export * from "./plots/index.js";
export * from "./display/index.js";
