import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  bayesianOptimization, gridSearch, randomSearch, uniform, logUniform, intRange, choice, RunStore, Params, SearchSpaceInput,
} from "../../src/experiments/index.js";
import { gridPoints, normalizeSpace, encodePoint, decodePoint } from "../../src/experiments/search-space.js";
import { expectedImprovement, fitGaussianProcess, normalCdf } from "../../src/experiments/gaussian-process.js";

const tmpFile = (name: string) => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "labreport-search-")), name);

test("grid search enumerates exactly the product, first parameter outermost", async () => {
  const space = { batchSize: [4, 8, 16, 32, 64], arch: ["shallow", "fat", "deep"] };
  const points = gridPoints(space);
  assert.equal(points.length, 15);
  assert.deepEqual(points.slice(0, 4), [
    { batchSize: 4, arch: "shallow" }, { batchSize: 4, arch: "fat" }, { batchSize: 4, arch: "deep" }, { batchSize: 8, arch: "shallow" },
  ]);
  assert.equal(new Set(points.map((p) => JSON.stringify(p))).size, 15);
  const seen: Params[] = [];
  const score: Record<string, number> = { shallow: 1, fat: 2, deep: 3 };
  const { trials, best } = await gridSearch(space, (p) => { seen.push(p); return score[p.arch as string] * 100 - Number(p.batchSize); }, { goal: "maximize" });
  assert.deepEqual(seen, points);
  assert.equal(trials.length, 15);
  assert.deepEqual(best.params, { batchSize: 4, arch: "deep" });
  assert.throws(() => gridPoints({ lr: uniform(0, 1) }), /grid search needs a list of values for lr/);
  assert.throws(() => gridPoints({}), /empty/);
});

test("an interrupted grid search resumes: finished runs are read back, not run again", async () => {
  const file = tmpFile("grid.json");
  const space = { a: [1, 2, 3], b: ["x", "y"] };
  let calls = 0;
  const objective = (p: Params) => {
    calls++;
    if (calls === 4) throw new Error("interrupted");
    return Number(p.a) * (p.b === "x" ? 1 : 10);
  };
  await assert.rejects(gridSearch(space, objective, { store: file }), /interrupted/);
  assert.equal(RunStore.open(file).size, 3, "three runs finished and were written");
  const ran: Params[] = [];
  const result = await gridSearch(space, (p) => { ran.push(p); return Number(p.a) * (p.b === "x" ? 1 : 10); }, { store: file });
  assert.deepEqual(ran, [{ a: 2, b: "y" }, { a: 3, b: "x" }, { a: 3, b: "y" }]);
  assert.deepEqual(result.trials.map((t) => t.stored), [true, true, true, false, false, false]);
  assert.deepEqual(result.trials.map((t) => t.value), [1, 10, 2, 20, 3, 30]);
  assert.equal(result.best.value, 1);
  // A third run does nothing new.
  let again = 0;
  await gridSearch(space, () => ++again, { store: file });
  assert.equal(again, 0);
  fs.writeFileSync(file, "{ not json");
  assert.throws(() => RunStore.open(file), new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is corrupt`));
});

test("random search is seeded and stays inside the space", async () => {
  const space = { lr: logUniform(1e-4, 1), units: intRange(16, 32), act: choice(["relu", "tanh"]) };
  const run = async (seed: number) => (await randomSearch(space, () => 0, { trials: 30, seed })).trials.map((t) => t.params);
  const a = await run(1);
  assert.deepEqual(a, await run(1));
  assert.notDeepEqual(a, await run(2));
  for (const p of a) {
    assert.ok(Number(p.lr) >= 1e-4 && Number(p.lr) <= 1, `lr ${p.lr}`);
    assert.ok(Number.isInteger(p.units) && Number(p.units) >= 16 && Number(p.units) <= 32, `units ${p.units}`);
    assert.ok(p.act === "relu" || p.act === "tanh");
  }
  assert.ok(a.some((p) => Number(p.lr) < 1e-3) && a.some((p) => Number(p.lr) > 0.1), "log-uniform covers the decades");
  const normalized = normalizeSpace(space);
  for (const p of a.slice(0, 5)) assert.deepEqual(decodePoint(normalized, encodePoint(normalized, p)), p);
});

test("GP surrogate interpolates, expected improvement matches the closed form", () => {
  const gp = fitGaussianProcess([[0.1], [0.5], [0.9]], [1, -1, 0.5], 0.2, 1e-8);
  assert.ok(Math.abs(gp.predict([0.5]).mean + 1) < 1e-4);
  assert.ok(gp.predict([0.5]).std < 1e-3);
  assert.ok(gp.predict([0.3]).std > 0.1);
  assert.ok(Math.abs(normalCdf(1.96) - 0.975) < 1e-4);
  assert.ok(Math.abs(expectedImprovement(0, 1, 0, 0) - 1 / Math.sqrt(2 * Math.PI)) < 1e-9);
  assert.equal(expectedImprovement(1, 0, 0.5), 0);
});

// Branin (minimum 0.397887 at three points) and a shifted 1-D function.
const branin = (p: Params) => {
  const x = Number(p.x), y = Number(p.y);
  const b = 5.1 / (4 * Math.PI ** 2), c = 5 / Math.PI, t = 1 / (8 * Math.PI);
  return (y - b * x * x + c * x - 6) ** 2 + 10 * (1 - t) * Math.cos(x) + 10;
};
const oneD = (p: Params) => (Number(p.x) - 0.3) ** 2 + 0.1 * Math.sin(12 * Number(p.x));

test("Bayesian optimisation beats random search on known functions in a fixed budget (seeded)", async () => {
  const cases: { name: string; space: SearchSpaceInput; f: (p: Params) => number; budget: number }[] = [
    { name: "Branin 2-D", space: { x: uniform(-5, 10), y: uniform(0, 15) }, f: branin, budget: 25 },
    { name: "1-D", space: { x: uniform(-2, 2) }, f: oneD, budget: 12 },
  ];
  for (const { name, space, f, budget } of cases) {
    let boTotal = 0;
    let randomTotal = 0;
    for (const seed of [1, 2, 3]) {
      const bo = await bayesianOptimization(space, f, { trials: budget, seed, initialTrials: 5 });
      const rs = await randomSearch(space, f, { trials: budget, seed });
      assert.equal(bo.trials.length, budget);
      boTotal += bo.best.value;
      randomTotal += rs.best.value;
    }
    assert.ok(boTotal < randomTotal, `${name}: BO mean best ${boTotal / 3} vs random ${randomTotal / 3}`);
    if (name === "Branin 2-D") assert.ok(boTotal / 3 < 0.6, `BO should get close to 0.398, got ${boTotal / 3}`);
  }
});

test("an interrupted Bayesian search resumes with the same proposals and skips finished trials", async () => {
  const file = tmpFile("bo.json");
  const space = { x: uniform(-5, 10), y: uniform(0, 15) };
  const full = await bayesianOptimization(space, branin, { trials: 10, seed: 4 });
  let calls = 0;
  await assert.rejects(
    bayesianOptimization(space, (p) => { if (++calls === 8) throw new Error("stop"); return branin(p); }, { trials: 10, seed: 4, store: file }),
    /stop/,
  );
  let newRuns = 0;
  const resumed = await bayesianOptimization(space, (p) => { newRuns++; return branin(p); }, { trials: 10, seed: 4, store: file });
  assert.equal(newRuns, 3);
  assert.deepEqual(resumed.trials.map((t) => t.params), full.trials.map((t) => t.params));
  assert.deepEqual(resumed.trials.map((t) => t.stored), [...new Array(7).fill(true), false, false, false]);
});
