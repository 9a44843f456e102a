import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadMnist, takeFirst } from "../../src/data/index.js";
import { mlpWithHidden } from "../../src/models/index.js";
import { trainModel } from "../../src/train/index.js";
import { repeatRuns, summarizeRuns, repeatedRunsSpec } from "../../src/experiments/index.js";

test("mean and std per epoch against hand-computed values (population and sample)", () => {
  const runs = summarizeRuns([1, 2, 3], [{ loss: [1, 2, 0.5] }, { loss: [3, 2, 0.5] }, { loss: [5, 2, 2] }]);
  const { mean, std } = runs.summary("loss");
  assert.deepEqual(mean, [3, 2, 1]);
  // epoch 1: deviations -2, 0, 2 → variance 8/3; epoch 3: -0.5, -0.5, 1 → 1.5/3
  assert.ok(Math.abs(std[0] - Math.sqrt(8 / 3)) < 1e-12);
  assert.equal(std[1], 0);
  assert.ok(Math.abs(std[2] - Math.sqrt(0.5)) < 1e-12);
  assert.ok(Math.abs(runs.summary("loss", "sample").std[0] - 2) < 1e-12);
  assert.throws(() => runs.summary("accuracy"), /has no metric accuracy/);
});

test("repeatRuns trains once per seed, stores the runs and reads them back on a re-run", async () => {
  const train = takeFirst(loadMnist(), 200);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "labreport-rep-")), "runs.json");
  let trained = 0;
  const run = (seed: number) => {
    trained++;
    return trainModel(mlpWithHidden(16, { seed }), train, { epochs: 2, batchSize: 50, seed, progress: false, optimizer: { learningRate: 0.05 } });
  };
  const first = await repeatRuns([1, 2, 3], run, { store: file, name: "mlp16" });
  assert.equal(trained, 3);
  assert.equal(first.values("trainLoss").length, 3);
  assert.notDeepEqual(first.values("trainLoss")[0], first.values("trainLoss")[1], "different seeds differ");
  const again = await repeatRuns([1, 2, 3], run, { store: file, name: "mlp16" });
  assert.equal(trained, 3, "no run trained again");
  assert.deepEqual(again.summary("trainLoss"), first.summary("trainLoss"));
  assert.ok(again.values("valLoss")[0].every(Number.isNaN), "NaN survives the JSON store");
  const spec = repeatedRunsSpec(first, "trainLoss", { yTitle: "Training loss" }) as any;
  assert.equal(spec.data.values.length, 2);
});
