// The labreport library: what notebooks import as `labreport`.
//
//   import { loadMnist, convNet, trainModel, learningCurveSpec, showFigure } from "labreport";
//
//   const train = loadMnist();                               // 60,000 normalised digits
//   const test = loadMnist({ split: "test" });
//   const model = convNet({ seed: 42 });                      // seed 003's ConvNet, 431,080 parameters
//   const history = await trainModel(model, train, {
//     epochs: 10, optimizer: { learningRate: 0.01 }, validation: test, seed: 42,
//   });
//   showFigure(learningCurveSpec(history), { label: "fig-errors", caption: "Error per epoch." });
//
// One folder per concept, in the order of an experiment:
//   data/     IDX files, MNIST / Fashion-MNIST, subsets, splits, seeded shuffles, batches
//   models/   the seeds' architectures (mlp, convNet, leNetStyleNet, smallCnn, vggStyleNet, …),
//             seeded PyTorch-style initialisation, countParameters
//   train/    trainModel → History; optimisers (SGD, momentum, Nesterov, Adam, weight decay),
//             schedules, early stopping, evaluation, confusion matrices, trackers
//   plots/    Vega-Lite specs: learning curves, line charts, mean ± std bands, confusion matrices, image grids
//   display/  showMarkdown, showFigure, showTable, live progress, the engine record
//   experiments/ repeated runs, grid / random / Bayesian search (their trials fanned out on a job
//             queue with fanOut), checkpoints, LR range test, dropout schemes
// and beneath them:
//   engine/   the training engine's choice (useEngine) and the native backend (C++ kernels, optimiser
//             updates, seeded dropout), with tf-op fallbacks on every other engine
//   svg/      Vega-Lite spec → SVG, for the report's figures and Jupyter front ends without Vega-Lite
//   contract/ the formats the library and the report tool both read and write (what a notebook's
//             outputs hold: MIME types, tables, metadata records; a fanned-out search's trial jobs)
import { selectEngine } from "./display/engine.js";

export * as tf from "@tensorflow/tfjs";
import { useEngine as chooseEngine, engineInfo as currentEngine } from "./engine/index.js";
import type { EngineInfo as EngineRecord, EngineName as EngineChoice } from "./engine/index.js";

// The engine's API, documented here for notebooks (src/engine holds the implementation).

/**
 * Selects the training engine once per process and makes it tfjs's active backend; later calls
 * return the same choice. `log` receives the one line that says which engine and why.
 *
 * @example
 * useEngine();                                   // "labreport engine: native (…)"
 * useEngine(() => {}).name;                      // quietly: "native"
 */
export function useEngine(log?: (line: string) => void): EngineInfo {
  return log ? chooseEngine(log) : chooseEngine();
}

/**
 * The engine in use, selecting it first if nothing has yet.
 *
 * @example
 * engineInfo(); // { name: "native", backend: "labnative", reason: "…" }
 */
export function engineInfo(): EngineInfo {
  return currentEngine();
}

/**
 * The engine that trains the models: "tfjs-node" (libtensorflow), "native" (this project's kernels)
 * or "cpu" (pure JavaScript). LABREPORT_ENGINE forces one.
 *
 * @example
 * const engine: EngineName = engineInfo().name; // "native"
 */
export type EngineName = EngineChoice;

/**
 * The engine in use: its name, the tfjs backend registered for it, and why it was chosen.
 *
 * @example
 * const { name, backend, reason }: EngineInfo = engineInfo();
 */
export type EngineInfo = EngineRecord;
export * from "./data/index.js";
export * from "./models/index.js";
export * from "./train/index.js";
export * from "./plots/index.js";
export * from "./display/index.js";
export * from "./experiments/index.js";
export { loadImageFolder, listImageFolder, decodeImage, splitThreeWays, IMAGE_EXTENSIONS, DOGS_VS_CATS_HELP } from "./data/image-folder.js";
export type { ImageFolderOptions, ImageFolderSplits, LabelledFile } from "./data/image-folder.js";
export { withAugmentation, augmentImage } from "./data/augment.js";
export type { AugmentOptions } from "./data/augment.js";

// The engine is chosen when the library is imported, before any tensor exists: weights created on
// one backend and trained on another would be copied across, and the choice is said (and recorded
// in the notebook) once, in the cell that imports the library.
selectEngine();
