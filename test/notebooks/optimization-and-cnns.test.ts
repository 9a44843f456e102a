// The seed-002 tutorial (CSC321 Tutorial 6: optimisation and convolutional networks) builds into a
// report on a small slice (640 training and 200 validation images, one epoch per run, the short runs
// repeated over two seeds) so that the suite stays short; `npm run reports` builds it at its default
// size (the original's configuration, five seeds).
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildReport } from "./build-report.js";

const SMALL = {
  trainSize: 640, valSize: 200, epochs: 1, cnnEpochs: 1, shortEpochs: 1, comparisonSeeds: [1, 2],
};

test("notebooks/optimization-and-cnns.ipynb builds into a report with every run, figure and table", () => {
  const { log, text } = buildReport("optimization-and-cnns", SMALL, { timeoutMs: 480_000 });
  assert.doesNotMatch(log, /warning:/, "the build gives no warnings (labels, cell options)");
  // pdftotext breaks lines anywhere inside a phrase.
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const has = (phrase: string) =>
    assert.match(text, new RegExp(phrase.split(" ").map(escape).join("\\s+")), phrase);

  // Title block and the parameters of the build.
  has("CSC321 Tutorial 6: Optimization and Convolutional Neural Networks");
  has("Lisa Zhang");
  has("trainSize = 640, valSize = 200, batchSize = 64, epochs = 1, cnnEpochs = 1, shortEpochs = 1, seed = 1, " +
    "comparisonSeeds = [1,2]");
  has("training images: 640");
  has("validation images: 200");

  // Parameter counts: PyTorch's, independent of the configuration.
  has("Number of parameters in MLP(200) 159010");
  has("Number of parameters in the CNN 4266");
  has("Number of parameters in MLP with 50 hidden units 39760");
  has("Number of parameters in MLP with 100 hidden units 79510");
  assert.match(text, /4,266\s+parameters/);

  // One learning-curve figure per run, numbered in the order of the tutorial, and the comparisons.
  const figures = [
    "MLP(50) (SGD, learning rate 0.1, momentum 0.9, 1 epoch)",
    "MLP(100) (SGD, learning rate 0.1, momentum 0.9, 1 epoch)",
    "MLP(30) (SGD, learning rate 0.1, momentum 0.9, 1 epoch)",
    "MLP(30) without shuffling (SGD, learning rate 0.1, momentum 0.9, 1 epoch, no shuffling)",
    "the CNN (SGD, learning rate 0.1, no momentum, 1 epoch)",
    "MLP(30) (SGD, learning rate 0.1, no momentum, 1 epoch)",
    "MLP(30) (SGD, learning rate 0.05, momentum 0.9, 1 epoch)",
    "MLP(30) (Adam, learning rate 0.005, 1 epoch)",
  ];
  figures.forEach((f, i) => has(`Figure ${i + 1}: Learning curves of ${f}`));
  has("Figure 9: Validation accuracy of MLP(30) over 1 epoch with the three optimisers");
  has("Figure 10: Learning curves of the CNN (Adam, learning rate 0.005, 1 epoch)");
  has("Figure 11: Learning curves of the CNN (SGD, learning rate 0.1, momentum 0.9, 1 epoch)");
  has("Figure 12: Learning curves of MLPBN(30)");
  has("Figure 13: Learning curves of MLPBNBeforeReLu(30)");
  has("Figure 14: Learning curves of CNNBN");
  has("Figure 15: Learning curves of MLP(30) initialised with zeros");
  has("Figure 16: Final validation accuracy of the short runs over 2 seeds");
  assert.doesNotMatch(text, /Figure 17:/);
  has("Table 1: The CNN, layer by layer");
  has("Table 2: Parameter counts of the models");
  has("Table 3: Final accuracies of the three MLP widths");
  has("Table 4: MLP(30) after one epoch and at the end of the short runs, by optimiser");
  has("Table 5: Batch normalisation against the same networks without it");
  // The short runs repeated over the seeds: mean ± std per configuration, and the verdicts.
  has("Table 6: Final validation accuracy of the short runs (1 epoch each) over 2 seeds (1, 2)");
  has("Table 7: The tutorial’s comparisons judged on the means over the 2 seeds");
  has("Table 8: Every single run of the walk-through");
  assert.doesNotMatch(text, /Table 9:/);
  // 11 configurations × 2 seeds, one console line per configuration.
  assert.match(text, /^22 runs in [0-9.]+ s$/m);
  has("MLPBNBeforeReLu(30), SGD 0.1 + mom. 0.9:");
  has("CNNBN, SGD 0.1 + mom. 0.9:");
  // The repeat with seed 1 is the single run of the walk-through, without per-iteration evaluation.
  has("With seed 1, the repeats reproduce the single runs of the earlier sections exactly");
  // Every verdict of the summary is one of the rule's: holds, a tie within the noise, or does not hold.
  assert.match(text, /Batch\s+normalisation\s+gives\s+the\s+best\s+CNN\s+at\s+the\s+same\s+budget:\s+(holds|a\s+tie,\s+within\s+the\s+noise|does\s+not\s+hold)\./);
  assert.match(text, /momentum\s+and\s+Adam\s+are\s+ahead\s+of\s+plain\s+SGD\s+\(MLP\(30\)\):\s+(holds|holds\s+only\s+in\s+part|a\s+tie,\s+within\s+the\s+noise|does\s+not\s+hold)\./);
  assert.match(text, /Zero\s+initialisation\s+stays\s+stuck\s+near\s+11%:\s+holds/);
  // No degenerate comparisons ("0.0 percentage points equal to …").
  assert.doesNotMatch(text, /0\.0\s+percentage\s+points?\s+(equal|above|below|higher|lower)/);
  assert.doesNotMatch(text, /equal\s+to\s+the\s+CNN/);

  // Every run prints the original's two lines; the axes are the original's.
  assert.equal(text.match(/Final Training Accuracy: [0-9.]+/g)?.length, 14);
  assert.equal(text.match(/Final Validation Accuracy: [0-9.]+/g)?.length, 14);
  has("Iterations");

  // Answers computed from the run, and the original's numbers quoted as such.
  has("What is going on in this learning curve?");
  has("there are not enough epochs to compare");
  has("Before or after the ReLU?");
  has("Capacity and the number of parameters");
  has("unshuffled run reached 98.5% training and 88.6% validation accuracy");
  // Zero initialisation: the hidden weights never move, one digit is predicted for every image.
  assert.match(text, /in\s+absolute\s+value\s+is\s+still\s+0\./);
  assert.match(text, /on\s+the\s+validation\s+set\s+it\s+predicts\s+only\s+the\s+digit\s+[0-9]\./);
  // The small configuration says its numbers are not the original's.
  has("This build ran a smaller configuration than the original");
  has("14 single runs");
  has("repeated the 11 short configurations over 2 seeds");

  assert.doesNotMatch(text, /\?@/, "every cross-reference resolves");
  assert.match(text, /Engine\s+(native|cpu|tfjs-node)/);
});
