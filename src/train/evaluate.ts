// Measuring a model on a dataset in inference mode: loss, accuracy, predictions, confusion matrix.
import * as tf from "@tensorflow/tfjs";
import { batchTensors } from "../data/batches.js";
import { ImageDataset, labelsOf } from "../data/dataset.js";
import { forward } from "../models/forward.js";
import { LossName, lossForModel, lossFunction } from "./losses.js";
import { selectEngine } from "../display/engine.js";

/**
 * Loss and accuracy of a model on a dataset.
 *
 * @example
 * const { loss, accuracy, correct, total } = evaluate(model, test);
 */
export interface Evaluation {
  /** Mean loss per example. */
  loss: number;
  /** Summed loss over all examples (PyTorch's reduction="sum", e.g. seed 000's test loss). */
  totalLoss: number;
  accuracy: number;
  error: number;
  correct: number;
  total: number;
}

/**
 * The loss and batch size of an evaluation.
 *
 * @example
 * evaluate(svm, test, { loss: "hinge", batchSize: 500 });
 */
export interface EvaluateOptions {
  /** The loss; default from the model's output (see lossForModel). */
  loss?: LossName;
  /** Images per forward pass (default 1000). */
  batchSize?: number;
}

/**
 * Checks that a dataset fits a model: same image shape, labels within the model's outputs.
 *
 * @example
 * checkDatasetFitsModel(model, train); // throws "… images are [64, 64, 3] but the model expects [28, 28, 1]"
 */
export function checkDatasetFitsModel(model: tf.LayersModel, ds: ImageDataset): void {
  const expected = model.inputs[0].shape.slice(1);
  if (expected.length !== 3 || expected.some((d, i) => d !== null && d !== ds.imageShape[i])) {
    throw new Error(
      `${ds.name}: images are [${ds.imageShape.join(", ")}] but the model expects [${expected.map((d) => d ?? "any").join(", ")}]`,
    );
  }
  const outputs = model.outputs[0].shape[model.outputs[0].shape.length - 1];
  if (outputs !== null && ds.numClasses > outputs) {
    throw new Error(`${ds.name}: labels go up to ${ds.numClasses - 1} but the model has only ${outputs} outputs`);
  }
}

/** Evaluation batch by batch; yields after each batch so callers can let the event loop run. */
function* evaluationSteps(model: tf.LayersModel, ds: ImageDataset, options: EvaluateOptions): Generator<void, Evaluation> {
  selectEngine();
  checkDatasetFitsModel(model, ds);
  const lossFn = lossFunction(options.loss ?? lossForModel(model));
  const batchSize = options.batchSize ?? 1000;
  const n = ds.indices.length;
  if (n === 0) throw new Error(`cannot evaluate on ${ds.name}: it has no images`);
  let totalLoss = 0;
  let correct = 0;
  for (let from = 0; from < n; from += batchSize) {
    const to = Math.min(n, from + batchSize);
    const [lossValue, correctValue] = tf.tidy(() => {
      const { xs, ys } = batchTensors(ds, from, to);
      const out = forward(model, xs, false);
      const loss = lossFn(out, ys).mul(to - from);
      const right = out.argMax(-1).cast("int32").equal(ys).sum();
      return [loss.dataSync()[0], right.dataSync()[0]];
    });
    totalLoss += lossValue;
    correct += correctValue;
    if (to < n) yield;
  }
  return { loss: totalLoss / n, totalLoss, accuracy: correct / n, error: 1 - correct / n, correct, total: n };
}

/**
 * Evaluates a model in inference mode (dropout off, batch norm on moving statistics).
 *
 * @example
 * const { loss, correct, total } = evaluate(model, test);
 * console.log(`Test: Average loss: ${loss.toFixed(3)}, Accuracy: ${correct}/${total}`);
 */
export function evaluate(model: tf.LayersModel, ds: ImageDataset, options: EvaluateOptions = {}): Evaluation {
  const steps = evaluationSteps(model, ds, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * As evaluate, but lets the event loop run between batches (a Jupyter kernel stays responsive and
 * live displays keep updating during a long evaluation).
 *
 * @example
 * const result = await evaluateAsync(model, test);
 */
export async function evaluateAsync(model: tf.LayersModel, ds: ImageDataset, options: EvaluateOptions = {}): Promise<Evaluation> {
  const steps = evaluationSteps(model, ds, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * The predicted class of every image (arg-max of the outputs).
 *
 * @example
 * const predicted = predictLabels(model, test);
 */
export function predictLabels(model: tf.LayersModel, ds: ImageDataset, batchSize = 1000): Int32Array {
  selectEngine();
  const n = ds.indices.length;
  const out = new Int32Array(n);
  for (let from = 0; from < n; from += batchSize) {
    const to = Math.min(n, from + batchSize);
    const labels = tf.tidy(() => {
      const { xs } = batchTensors(ds, from, to);
      return forward(model, xs, false).argMax(-1).dataSync();
    });
    out.set(labels as Int32Array, from);
  }
  return out;
}

/**
 * counts[actual][predicted] over a dataset (or over given label arrays).
 *
 * @example
 * const matrix = confusionMatrix(labelsOf(test), predictLabels(model, test), 10);
 * showFigure(confusionMatrixSpec(matrix));
 */
export function confusionMatrix(actual: ArrayLike<number>, predicted: ArrayLike<number>, numClasses: number): number[][] {
  if (actual.length !== predicted.length) {
    throw new Error(`confusionMatrix: ${actual.length} actual labels but ${predicted.length} predictions`);
  }
  const counts = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const p = predicted[i];
    if (!(a >= 0 && a < numClasses && p >= 0 && p < numClasses)) {
      throw new Error(`confusionMatrix: label ${a} or prediction ${p} at ${i} is outside 0..${numClasses - 1}`);
    }
    counts[a][p]++;
  }
  return counts;
}

/**
 * The confusion matrix of a model on a dataset.
 *
 * @example
 * const matrix = modelConfusionMatrix(model, test);
 */
export function modelConfusionMatrix(model: tf.LayersModel, ds: ImageDataset): number[][] {
  return confusionMatrix(labelsOf(ds), predictLabels(model, ds), ds.numClasses);
}
