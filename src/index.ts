// The labreport library: what notebooks import as `labreport`.
export * as tf from "@tensorflow/tfjs";
export { useEngine, engineInfo } from "./engine/index.js";
export type { EngineInfo, EngineName } from "./engine/index.js";
