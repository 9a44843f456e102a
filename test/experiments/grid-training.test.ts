import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadMnist, splitTrainValidation } from "../../src/data/index.js";
import { mlp } from "../../src/models/index.js";
import { trainModel } from "../../src/train/index.js";
import { gridSearch, trialRows, Params } from "../../src/experiments/index.js";

test("seed 004's grid (batch size × architecture) on real training, resumed from its JSON store", async () => {
  const [train, validation] = splitTrainValidation(loadMnist({ limit: 500 }), 400);
  const architectures: Record<string, number[]> = { narrow: [8], wide: [32] };
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "labreport-grid-")), "grid.json");
  const trained: string[] = [];
  const objective = async (p: Params) => {
    trained.push(`${p.arch}/${p.batchSize}`);
    const model = mlp({ hidden: architectures[p.arch as string], seed: 1 });
    const history = await trainModel(model, train, {
      epochs: 2, batchSize: Number(p.batchSize), optimizer: { name: "adam", learningRate: 0.003 }, validation, seed: 1, progress: false,
    });
    return { value: Math.max(...history.valAccuracy), details: { valAccuracy: history.valAccuracy } };
  };
  const space = { batchSize: [16, 64], arch: ["narrow", "wide"] };
  const first = await gridSearch(space, objective, { goal: "maximize", store: file });
  assert.equal(trained.length, 4);
  assert.ok(first.best.value > 0.6, `best validation accuracy ${first.best.value}`);
  assert.deepEqual(first.best.details, { valAccuracy: (first.trials.find((t) => t === first.best)!.details as any).valAccuracy });
  const second = await gridSearch(space, objective, { goal: "maximize", store: file });
  assert.equal(trained.length, 4, "nothing trained again");
  assert.deepEqual(second.trials.map((t) => t.value), first.trials.map((t) => t.value));
  const rows = trialRows(second, "best validation accuracy");
  assert.deepEqual(Object.keys(rows[0]), ["trial", "batchSize", "arch", "best validation accuracy", "seconds", "stored"]);
  assert.ok(rows.every((r) => r.stored === true));
});
