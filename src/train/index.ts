// Training: losses, optimisers, schedules, the loop, evaluation, callbacks.
export { nllLoss, crossEntropyLoss, lossFunction, lossForModel } from "./losses.js";
export type { LossName } from "./losses.js";
export { createOptimizer, TrainingOptimizer } from "./optimizers.js";
export type { OptimizerConfig } from "./optimizers.js";
export { stepDecay, exponentialDecay, cosineAnnealing, oneCycle, constantRate } from "./schedules.js";
export type { LearningRateSchedule } from "./schedules.js";
export { History } from "./history.js";
export type { EpochLogs } from "./history.js";
export { earlyStopping } from "./callbacks.js";
export type { TrainingCallbacks, TrainingContext, BatchInfo, EarlyStoppingOptions, MonitoredMetric } from "./callbacks.js";
export { progressReport, batchLine, epochLine } from "./progress.js";
export type { ProgressReportOptions } from "./progress.js";
export { evaluate, predictLabels, confusionMatrix, modelConfusionMatrix } from "./evaluate.js";
export type { Evaluation } from "./evaluate.js";
export { trainModel } from "./fit.js";
export type { TrainOptions } from "./fit.js";
export { parameterNorm, parameterNormTracker } from "./weight-norm.js";
