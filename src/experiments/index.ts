// Experiments: repeated runs, hyperparameter searches, checkpoints, LR range test, dropout
// evaluation schemes, misclassified examples, and their plots (parameter norms: train/weight-norm).
export { choice, uniform, logUniform, intRange } from "./search-space.js";
export type { ParamValue, Params, ParamDomain, SearchSpace, SearchSpaceInput } from "./search-space.js";
export { RunStore } from "./run-store.js";
export type { RunRecord } from "./run-store.js";
export { bestTrial, trialRows } from "./trials.js";
export type { Objective, ObjectiveResult, Trial, SearchOptions, ParallelSearchOptions, SearchResult } from "./trials.js";
export { gridSearch } from "./grid-search.js";
export { randomSearch } from "./random-search.js";
export { bayesianOptimization } from "./bayesian-optimization.js";
export type { BayesianOptions } from "./bayesian-optimization.js";
export { repeatRuns, summarizeRuns, historyMetrics } from "./repeated-runs.js";
export type { RepeatedRuns, RunMetrics } from "./repeated-runs.js";
export { saveCheckpoint, loadCheckpoint, hasCheckpoint } from "./checkpoint.js";
export type { CheckpointManifest, CheckpointContents } from "./checkpoint.js";
export { trainWithCheckpoints } from "./resumable-training.js";
export type { CheckpointedTrainOptions } from "./resumable-training.js";
export { lrRangeTest } from "./lr-range-test.js";
export type { LrRangeTestOptions, LrRangeTestResult } from "./lr-range-test.js";
export { evaluateDropoutSchemes, forwardWithDropout } from "./dropout-evaluation.js";
export type { DropoutSchemesResult } from "./dropout-evaluation.js";
export { misclassifiedExamples } from "./misclassified.js";
export type { LabelledImage, MisclassifiedOptions } from "./misclassified.js";
export {
  repeatedRunsSpec, accuracyVsLearningRateSpec, lrRangeTestSpec, parameterNormSpec, dropoutSchemesSpec,
  filterGridSpec, misclassifiedGridSpec,
} from "./plots.js";
export type { RatePoint } from "./plots.js";
