import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { mlpWithHidden } from "../../src/models/index.js";
import { earlyStopping, History, TrainingContext, createOptimizer, EpochLogs, trainModel } from "../../src/train/index.js";
import { loadMnist, splitTrainValidation } from "../../src/data/index.js";

function logs(epoch: number, valLoss: number): EpochLogs {
  return { epoch, valLoss, valError: valLoss, valAccuracy: 1 - valLoss, trainLoss: 0, trainError: 0, trainAccuracy: 1, learningRate: 0.1, seconds: 0, samplesPerSecond: 0 };
}

test("early stopping waits `patience` epochs without improvement, then restores the best weights", () => {
  const model = mlpWithHidden(4, { seed: 1 });
  const history = new History();
  const context: TrainingContext = {
    model, history, optimizer: createOptimizer({ learningRate: 0.1 }), epochs: 10, batchesPerEpoch: 1, examplesPerEpoch: 1, stopTraining: false,
  };
  const stopper = earlyStopping({ patience: 2 });
  stopper.onTrainBegin!(context);
  const losses = [1.0, 0.5, 0.6, 0.7, 0.4];
  const markers: number[] = [];
  for (let e = 1; e <= losses.length && !context.stopTraining; e++) {
    // Mark the weights with the epoch number, to see which epoch's weights come back.
    model.setWeights(model.getWeights().map((w) => tf.fill(w.shape, e)));
    history.record(logs(e, losses[e - 1]));
    stopper.onEpochEnd!(logs(e, losses[e - 1]), context);
    markers.push(e);
  }
  assert.deepEqual(markers, [1, 2, 3, 4]);
  assert.equal(history.stoppedEpoch, 4);
  stopper.onTrainEnd!(context);
  assert.equal(history.restoredEpoch, 2);
  assert.equal(model.getWeights()[0].dataSync()[0], 2);
});

test("early stopping on accuracy (higher is better) inside a real run", async () => {
  const [train, validation] = splitTrainValidation(loadMnist({ limit: 600 }), 500);
  const history = await trainModel(mlpWithHidden(8, { seed: 2 }), train, {
    epochs: 4, batchSize: 100, validation, progress: false,
    earlyStopping: { monitor: "valAccuracy", patience: 0 },
    optimizer: { learningRate: 10 }, // far too high: accuracy soon stops improving
  });
  assert.ok(history.epochs.length >= 1);
  if (history.stoppedEpoch !== undefined) assert.ok(history.restoredEpoch! < history.stoppedEpoch);
  await assert.rejects(
    trainModel(mlpWithHidden(4), train, { epochs: 1, progress: false, earlyStopping: {} }),
    /early stopping watches valLoss, but it is NaN/,
  );
});
