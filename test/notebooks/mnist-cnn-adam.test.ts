// The seed-001 assignment (Deep Learning 2020, assignment 3: a CNN trained with Adam on MNIST) builds
// into a report, on a small slice so that the suite stays short; `npm run reports` builds it at its
// default size (30 epochs, 60,000 images, 5 runs).
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { buildReport } from "./build-report.js";

test("notebooks/mnist-cnn-adam.ipynb builds into a report with its listings, figures, table and answers", () => {
  const { out, text: pdfText } = buildReport("mnist-cnn-adam", { trainSize: 1000, epochs: 2 }, { timeoutMs: 400_000 });
  // One line: captions and sentences wrap wherever the page width puts them, and KaTeX leaves
  // zero-width spaces around its formulas.
  const text = pdfText.replace(/\u200b/g, "").replace(/\s+/g, " ");
  // A failed match names the pattern only (the report's text is thousands of characters).
  const has = (re: RegExp, what = `the report says ${re}`) => assert.ok(re.test(text), what);
  const hasNot = (re: RegExp, what = `the report does not say ${re}`) => assert.ok(!re.test(text), what);

  // Title block and the parameters of this build.
  has(/Submission Assignment #3: A Convolutional Network on MNIST/);
  has(/Xingkai Wang \(netid xwg510\)/);
  has(/Instructor: Jakub Tomczak/);
  has(/epochs = 2, trainSize = 1000, batchSize = 16, learningRate = 1e-4/);

  // The seed's sections, equations and code listings.
  for (const heading of ["1 Problem statement", "2 Methodology", "3 Experiments", "4 Results and discussion", "5 Conclusions"]) {
    const [n, name] = [heading.slice(0, 1), heading.slice(2)];
    has(new RegExp(`${n} ?${name}`), `section "${heading}" present`);
  }
  // The seed's code figures 1, 2 and 8 as numbered listings, referenced from the text.
  has(/Listing 1: The CNN and its forward propagation \(the original’s Figure 1\)/);
  has(/Listing 2: The training process \(the original’s Figure 2\)/);
  has(/Listing 3: The test accuracy calculation \(the original’s Figure 8\)/);
  has(/Listing 1 is the implementation/);
  has(/the mean of Equation 2 over a mini-batch/);
  has(/function createNet\(seed: number\)/, "the model definition is shown");
  has(/2,710 parameters/);
  has(/Accuracy of the network on the 10000 test images: \d+\.\d\d %/);

  // Every figure and table of the seed, numbered and captioned.
  has(/Figure 1: Training loss per epoch on MNIST, Adam with learning rate 0\.0001/);
  has(/Figure 2: Average training loss per epoch with one standard deviation/);
  has(/Figure 3: Training loss per epoch with learning rate 0\.0001\./);
  has(/Figure 4: Training loss per epoch with learning rate 0\.01\./);
  has(/Figure 5: Training loss per epoch with learning rate 0\.05\./);
  has(/Figure 6: The training losses of all learning rates together/);
  hasNot(/Figure 7:/, "no figure beyond the six expected");
  has(/Table 1: Test accuracy with different learning rates/);
  // Table 1: one row per learning rate, the original's accuracy beside this run's.
  const n = String.raw`\d+(?:\.\d+)?`;
  has(new RegExp(
    String.raw`learning rate loss, epoch 1 loss, epoch 2 test accuracy \(%\) original \(%\) ` +
    `0\\.0001 ${n} ${n} ${n} 97 0\\.01 ${n} ${n} ${n} 93 0\\.05 ${n} ${n} ${n} 9 `,
  ), "Table 1 has a row per learning rate with the original's accuracies");

  // Answers computed from this run, next to the original's numbers.
  has(/Figure 1 shows the mean training loss of each epoch\. It (decreases|does not decrease) from \d\.\d{3}/);
  has(/Figure 2 shows the mean training loss per epoch over 3 runs/);
  has(/The best learning rate is/);
  has(/The original report found 97%, 93% and 9% test accuracy/);
  // Citations numbered in order of first use, listed at the end.
  has(/Gu et al\. \[1\] survey/);
  has(/update of the parameters by Adam \[2\]/);
  has(/References 1\. Jiuxiang Gu, .*Recent advances in convolutional neural networks.* 2\. Diederik P\. Kingma and Jimmy Lei Ba \(2015\)\. Adam: A method for stochastic optimization/);
  hasNot(/\?@/, "every cross-reference resolves");
  hasNot(/NaN|undefined/, "no missing numbers in the prose");

  // No training-loss warnings (a learning rate that diverged would print one per batch).
  const executed = JSON.parse(fs.readFileSync(path.join(out, "mnist-cnn-adam.ipynb"), "utf8"));
  const stderr = executed.cells
    .flatMap((c: { outputs?: { name?: string; text?: string | string[] }[] }) => c.outputs ?? [])
    .filter((o: { name?: string }) => o.name === "stderr")
    .map((o: { text?: string | string[] }) => (Array.isArray(o.text) ? o.text.join("") : o.text ?? ""))
    .join("");
  assert.doesNotMatch(stderr, /training loss became/);
  fs.rmSync(out, { recursive: true, force: true });
});
