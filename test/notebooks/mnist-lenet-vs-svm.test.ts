// The seed-000 assignment (a LeNet-inspired CNN on MNIST against a linear SVM, and the original's
// to-do list as experiments) builds into a report, on a small slice so that the suite stays short;
// `npm run reports` builds it at its default size.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { buildReport } from "./build-report.js";

const SMALL = {
  trainSize: 2000, testSize: 1000, epochs: 2, svmEpochs: 2, initSeeds: [1, 2], lrRangeSteps: 40,
  oneCycleEpochs: 1, searchTrials: 3, searchEpochs: 1, searchTrainSize: 1000, searchValidationSize: 1000,
  logInterval: 10,
};

test("notebooks/mnist-lenet-vs-svm.ipynb builds into a report with its figures, tables and answers", () => {
  const { out, text } = buildReport("mnist-lenet-vs-svm", SMALL);
  const flat = text.replace(/\s+/g, " ");

  // Title block and the parameters of this build.
  assert.match(text, /^cnn$/m);
  assert.match(flat, /A LeNet-inspired convolutional network on MNIST, and a linear SVM/);
  assert.match(text, /2018-05-10/);
  assert.match(flat, /batchSize = 64, testBatchSize = 1000, epochs = 2, learningRate = 0\.01, momentum = 0\.5, seed = 1/);
  assert.match(flat, /trainSize = 2000, testSize = 1000/);
  assert.match(flat, /searchTrials = 3/);

  // The normalisation is computed from the data, and the deterministic model sizes.
  assert.match(text, /mean 0\.1307, std 0\.3081 over 60,000 images/);
  assert.match(flat, /pixel mean is μ = 0\.1307 and the standard deviation σ = 0\.3081/);
  assert.match(flat, /19,370 parameters/);
  assert.match(text, /linear SVM: 7850 parameters, test accuracy \d+\.\d\d%/);

  // The original's test() output, one line per epoch, and the compact training log.
  assert.match(flat, /Epoch 1, Test: Average loss: \d\.\d{3}, Accuracy: \d+\/1000 \(\d+\.\d\d%\)/);
  assert.match(flat, /Epoch 2, Test: Average loss: \d\.\d{3}, Accuracy: \d+\/1000/);
  assert.match(flat, /Epoch 4, Test: Average loss: \d\.\d{3}, Accuracy: \d+\.\d\d%/, "the second execution continues the count");
  assert.doesNotMatch(text, /Epoch: 1 \d+\/2000/, "no per-batch log lines");

  // Every figure and table, numbered in order.
  const figures = [
    "Training loss of each of the 64 mini-batches",
    "Average test loss after each epoch",
    "Test accuracy after each epoch: this run, the original report, and the original",
    "Test accuracy after each epoch of the CNN and of the linear SVM",
    "Test accuracy per epoch of two executions of the training loop",
    "Test accuracy per epoch with a constant learning rate and with two schedules",
    "Test accuracy per epoch with classical and Nesterov momentum",
    "Learning-rate range test: training loss over 40 batches",
    "The one-cycle schedule as applied",
    "The trials of the Bayesian search",
    "Training throughput per epoch of the CNN and the SVM",
  ];
  figures.forEach((caption, i) => assert.ok(flat.includes(`Figure ${i + 1}: ${caption}`), `Figure ${i + 1}: ${caption}`));
  assert.doesNotMatch(flat, /Figure 12:/);
  const tables = [
    "The network, layer by layer",
    "The training log: the loss of batch 0, 10, 20",
    "Test results per epoch",
    "The two classifiers",
    "Test accuracy after 1 epoch from 2 random initialisations",
    "The schedules: rate used in each epoch",
    "The momentum variants after the first and the last epoch",
    "One-cycle training against the original configuration",
    "The Bayesian search: 1 epoch on 1,000 images per trial, scored on 1,000 held-out",
    "Every training run of this report (the learning-rate range test aside) on the",
  ];
  tables.forEach((caption, i) => assert.ok(flat.includes(`Table ${i + 1}: ${caption}`), `Table ${i + 1}: ${caption}`));
  assert.doesNotMatch(flat, /Table 11:/);

  // The sections of the original, and the extra one for its to-do list.
  for (const heading of ["1 Hyperparameters", "2 Loading MNIST", "3 Convolutional Neural Net Model", "4 Training Loop",
    "5 Test Performance", "6 The Linear SVM Baseline", "7 Discussion", "8 What the original left for later", "8.5 Timings"]) {
    assert.match(text, new RegExp(`^\\f?${heading.replace(".", "\\.")}$`, "m"), heading);
  }
  // Answers computed from this run, quoting the original's numbers.
  assert.match(flat, /The original report found 96\.97% \(9,697 of 10,000, loss 0\.102\)/);
  // The fresh PyTorch reference (bench/reference), at this run's epoch count (2 here).
  assert.match(flat, /After 2 epochs they stand at 91\.22%, 89\.54%, 89\.70% \(mean 90\.15%\)\. This run.s \d+\.\d\d% is (below all three|above all three|between the lowest and the highest of them)/);
  assert.match(flat, /None of the three reaches the original.s 96\.97% in 10 epochs either \(best 95\.88%\)/);
  assert.match(flat, /second execution starts from a first-batch loss of \d\.\d{3} \(the original: 0\.197\)/);
  assert.match(flat, /trial 3: lr 0\.\d+, momentum 0\.\d{3} -> validation acc\. \d+\.\d\d%/);
  assert.match(flat, /Across 2 initialisations \(Table 5\)/);
  assert.doesNotMatch(text, /\?@/, "every cross-reference resolves");
  assert.doesNotMatch(flat, /NaN|undefined/);

  // The executed notebook records the engine that trained the models.
  const executed = JSON.parse(fs.readFileSync(path.join(out, "mnist-lenet-vs-svm.ipynb"), "utf8"));
  const engine = executed.cells
    .flatMap((c: { outputs?: { metadata?: { labreport?: { kind?: string } } }[] }) => c.outputs ?? [])
    .find((o: { metadata?: { labreport?: { kind?: string } } }) => o.metadata?.labreport?.kind === "engine");
  assert.ok(engine, "engine record present");
  assert.match(text, /Engine\s+(native|cpu|tfjs-node)/);
});
