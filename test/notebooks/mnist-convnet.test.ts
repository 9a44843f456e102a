// The seed-003 assignment builds into a report, on a small slice so that the suite stays short;
// `npm run reports` builds it at its default size.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { buildReport } from "./build-report.js";

test("notebooks/mnist-convnet.ipynb builds into a report with its figures, tables and answers", () => {
  const { out, text } = buildReport("mnist-convnet", { epochs: 2, trainSize: 2000 }, { timeoutMs: 300_000 });
  assert.match(text, /Problem 2: A Convolutional Network on MNIST/);
  assert.match(text, /431,080 parameters/);
  assert.match(text, /original report states\s+410,100/);
  assert.match(text, /Figure 1: Training and validation error of the ConvNet/);
  assert.match(text, /Figure 2: Validation error of the ConvNet and of a Problem-1 style MLP/);
  // The seed's miscount is explained from computed per-layer counts (20 · 5 = 100, 50 · 5 · 20 = 5,000).
  assert.match(text, /kernel counted as 5\s+weights instead of 25/);
  // The original's Problem 1 figures are quoted before this run's.
  assert.match(text, /6\.35% validation error/);
  assert.match(text, /best MLP of\s+its hyperparameter search 2\.5%/);
  assert.match(text, /Table 1: The ConvNet, layer by layer/);
  assert.match(text, /Error \(%\)/);
  assert.match(text, /Epoch/);
  assert.match(text, /epochs = 2, trainSize = 2000/);
  assert.doesNotMatch(text, /Cannot find module/, "the run information names the engine in words");
  assert.doesNotMatch(text, /\?@/, "every cross-reference resolves");
  // The executed notebook records the engine that trained the models.
  const executed = JSON.parse(fs.readFileSync(path.join(out, "mnist-convnet.ipynb"), "utf8"));
  const engine = executed.cells
    .flatMap((c: { outputs?: { metadata?: { labreport?: { kind?: string } } }[] }) => c.outputs ?? [])
    .find((o: { metadata?: { labreport?: { kind?: string } } }) => o.metadata?.labreport?.kind === "engine");
  assert.ok(engine, "engine record present");
  assert.match(text, /Engine\s+(native|cpu|tfjs-node)/);
});
