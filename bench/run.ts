// `npm run bench`: each seed report's training as its notebook configures it (bench/seeds.ts:
// architecture, optimiser, batch size, weight decay, dropout, batch norm), on every tfjs engine
// that loads here and, side by side in the same run, in PyTorch (Debian's /usr/bin/python3); prints
// samples/s and the ratio to PyTorch. Then one full epoch of each seed's notebook loop on MNIST
// (the library's trainModel: shuffling, running metrics, validation) against PyTorch's DataLoader
// loop for the same; then one seed-003 epoch in a fresh process for its peak memory.
//
// The machine may be shared: each row is measured --reps times (default 3) alternating tfjs and
// PyTorch, and the best run of each side counts, so both sides see the same conditions.
//
// Options: --quick (fewer samples, 1 rep, no epochs), --no-epoch (skip the epoch rows and the
// memory run), --only=row[,row] (names of bench/seeds.ts), --threads=N (default 2, both sides),
// --reps=N, --engines=labnative,cpu,tensorflow.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { takeFirst, type ImageDataset } from "../src/data/dataset.js";
import { loadMnist, mnistDir } from "../src/data/sources.js";
import { useEngine } from "../src/engine/index.js";
import { createOptimizer } from "../src/train/optimizers.js";
import { trainModel } from "../src/train/fit.js";
import { ARCHS } from "./models";
import { sgemmPeakGflops, trainingFlopsPerSample } from "./peak";
import { randomData, seedStep } from "./seed-step";
import { EPOCH_ROWS, SEED_ROWS, type EpochRow, type SeedRow } from "./seeds";

interface Measured { engine: string; name: string; samplesPerS: number; samples: number }
interface EpochMeasured { engine: string; name: string; seconds: number; trainSeconds: number; evalSeconds: number; validationAccuracy: number }

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const quick = flag("quick");
const threads = Number(option("threads") ?? 2);
const only = option("only")?.split(",");
const reps = Number(option("reps") ?? (quick ? 1 : 3));
let torchMissing = false;

/**
 * This machine kind sets OPENBLAS_CORETYPE=Haswell and OPENBLAS_L2_SIZE=512 for old OpenBLAS builds;
 * they slow Debian's current one (PyTorch's MLP: 2,905 vs 5,486 samples/s). OpenBLAS reads them when
 * it loads, so the benchmark re-runs itself without them, for both sides, and only here (never in
 * tests or CI).
 */
const OPENBLAS_OVERRIDES = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"];
function withoutOpenBlasOverrides(): boolean {
  const set = OPENBLAS_OVERRIDES.filter((k) => process.env[k] !== undefined);
  if (set.length === 0) return false;
  const env = { ...process.env };
  for (const k of set) delete env[k];
  console.log(`(re-running without ${set.join(", ")}, which slow this machine's OpenBLAS)`);
  const r = spawnSync(process.execPath, [__filename, ...args], { stdio: "inherit", env });
  process.exit(r.status ?? 1);
}

/** Engines that load here, fastest first; each entry is a registered tfjs backend name. */
function engines(): string[] {
  const found: string[] = [];
  try {
    require("@tensorflow/tfjs-node");
    found.push("tensorflow");
  } catch {
    console.log("engine tensorflow (tfjs-node): not available here");
  }
  try {
    const native = require("../src/engine/native/backend") as typeof import("../src/engine/native/backend");
    native.registerNativeBackend();
    native.setNativeThreads(threads);
    found.push(native.BACKEND_NAME);
  } catch (err) {
    console.log(`engine labnative: not available (${(err as Error).message})`);
  }
  found.push("cpu");
  // The library's own selection runs once here, so that trainModel keeps the backend set below.
  useEngine(() => {});
  const wanted = option("engines")?.split(",");
  return wanted ? found.filter((e) => wanted.includes(e)) : found;
}

async function activate(engine: string): Promise<void> {
  await tf.setBackend(engine);
  // The cpu backend's first-use banner (advice to install tfjs-node) would interrupt the table.
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
}

/** Keeps the better of a new measurement and the one of the same engine and row already in `results`. */
function keepBest<T extends { engine: string; name: string }>(results: T[], r: T, better: (a: T, b: T) => boolean): void {
  const prev = results.find((p) => p.engine === r.engine && p.name === r.name);
  if (!prev) results.push(r);
  else if (better(r, prev)) Object.assign(prev, r);
}

/** Timed optimiser steps of a row (bench/seed-step.ts: the step trainModel takes, without its per-batch metrics; PyTorch's side reads none either). */
async function stepsRun(engine: string, row: SeedRow, samples: number): Promise<Measured> {
  await activate(engine);
  const training = seedStep(row);
  const steps = Math.max(1, Math.floor(samples / row.batch));
  const [x, y] = randomData(row.arch, steps * row.batch);
  for (let i = 0; i < Math.min(3, steps); i++) training.step(x, y, i).dispose();  // warm-up
  const t0 = performance.now();
  let last: tf.Tensor | undefined;
  for (let i = 0; i < steps; i++) {
    last?.dispose();
    last = training.step(x, y, i);
  }
  last!.dataSync();
  const seconds = (performance.now() - t0) / 1000;
  tf.dispose([x, y, last!]);
  training.dispose();
  return { engine, name: row.name, samples: steps * row.batch, samplesPerS: (steps * row.batch) / seconds };
}

// An epoch of a few thousand images (seed 002's 2,000) lasts ~0.1 s, and much of a first run in a
// process is one-time work on both sides (oneDNN compiles a kernel for each new shape, JavaScript
// and Python warm up); PyTorch's side runs in a fresh process each time. Such epochs run a few
// times in a row on each side, each on a fresh model, and the fastest counts.
const SHORT_EPOCH_IMAGES = 10000;
const SHORT_EPOCH_REPEATS = 3;
const epochRepeats = (row: EpochRow) => (row.trainSize < SHORT_EPOCH_IMAGES ? SHORT_EPOCH_REPEATS : 1);

/**
 * An epoch's seconds, "total (train + validation)", all to the total's precision: 0.1 s, or 1 ms
 * under a second (a short epoch's parts). `labelled` for the log line, bare for the table.
 */
function epochSeconds(r: EpochMeasured, labelled: boolean): string {
  const digits = r.seconds < 1 ? 3 : 1;
  const [total, train, validation] = [r.seconds, r.trainSeconds, r.evalSeconds].map((v) => v.toFixed(digits));
  return labelled ? `${total} s (train ${train} + validation ${validation})` : `${total} (${train} + ${validation})`;
}

/** One epoch of the notebook loop: trainModel on MNIST with shuffling, running metrics and validation. */
async function epochRun(engine: string, row: EpochRow): Promise<EpochMeasured> {
  await activate(engine);
  const { arch, batch, optimizer } = row.steps;
  const train = takeFirst(loadMnist(), row.trainSize);
  const v = row.validation;
  const source = loadMnist({ split: v.split });
  const validation: ImageDataset = { ...source, indices: source.indices.slice(v.from, v.from + v.size) };
  const model = arch.build();
  let evalStart = 0;
  let evalEnd = 0;
  let validationAccuracy = NaN;
  const t0 = performance.now();
  await trainModel(model, train, {
    epochs: 1, batchSize: batch, optimizer, validation, seed: 1, progress: false, loss: "crossEntropy",
    callbacks: [{
      onEvaluateBegin: () => { evalStart = performance.now(); },
      onEpochEnd: (logs) => { evalEnd = performance.now(); validationAccuracy = logs.valAccuracy ?? NaN; },
    }],
  });
  const seconds = (performance.now() - t0) / 1000;
  const evalSeconds = (evalEnd - evalStart) / 1000;
  model.dispose();
  return { engine, name: row.name, seconds, trainSeconds: seconds - evalSeconds, evalSeconds, validationAccuracy };
}

function python(): string | undefined {
  if (torchMissing) return undefined;
  const exe = "/usr/bin/python3";
  if (!fs.existsSync(exe)) {
    console.log("PyTorch: /usr/bin/python3 not found, skipped");
    torchMissing = true;
    return undefined;
  }
  return exe;
}

/** Runs jobs in torch_bench.py; one parsed JSON object per job. */
function torchJobs(jobs: object[]): Record<string, unknown>[] {
  const exe = python();
  if (!exe) return [];
  const script = path.join(__dirname, "..", "..", "bench", "torch_bench.py");
  const r = spawnSync(exe, [script, String(threads), ...jobs.map((j) => JSON.stringify(j))], {
    encoding: "utf8",
    env: { ...process.env, OMP_NUM_THREADS: String(threads) },
  });
  if (r.status !== 0) {
    console.log(`PyTorch: failed (${(r.stderr || "").trim().split("\n").pop()}), skipped`);
    torchMissing = true;
    return [];
  }
  return r.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
}

function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined) return "-";
  const r = a / b;
  return r < 0.1 ? r.toPrecision(2) : r.toFixed(2);
}

function stepsTable(rows: SeedRow[], engineNames: string[], results: Measured[]): string {
  const cols = [...engineNames, "pytorch"];
  const find = (e: string, row: SeedRow) => results.find((r) => r.engine === e && r.name === row.name);
  const lines = [
    `| seed | row | what trains | batch | ${cols.map((e) => `${e} samples/s`).join(" | ")} | ${engineNames.map((e) => `${e} / pytorch`).join(" | ")} |`,
    `|---|---|---|---:|${cols.map(() => "---:").join("|")}|${engineNames.map(() => "---:").join("|")}|`,
  ];
  for (const row of rows) {
    const torch = find("pytorch", row)?.samplesPerS;
    const cells = cols.map((e) => {
      const r = find(e, row);
      return r ? `${Math.round(r.samplesPerS).toLocaleString("en-US")}${e === "cpu" ? ` (${r.samples} samples)` : ""}` : "skipped";
    });
    const ratios = engineNames.map((e) => ratio(find(e, row)?.samplesPerS, torch));
    lines.push(`| ${row.seed} | ${row.name} | ${row.arch.label.split(" (")[0]}, ${row.setting} | ${row.batch} | ${cells.join(" | ")} | ${ratios.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** Peak resident memory of this process so far (Linux VmHWM), in MB. */
function peakRssMB(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]) / 1024;
  } catch {}
  return process.memoryUsage().rss / 1048576;
}

/** The seed-003 ConvNet for one epoch in a fresh process: its time and the process's peak memory. */
async function memoryEpoch(engine: string): Promise<void> {
  await activate(engine);
  const arch = ARCHS.find((a) => a.name === "seed003_convnet")!;
  const model = arch.build();
  // The library's optimiser, as a model.compile user would pass it.
  const optimizer = createOptimizer({ name: "sgd", learningRate: 0.01 });
  model.compile({ optimizer: optimizer.optimizer, loss: (l: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(l, p), metrics: ["accuracy"] });
  // model.fit's softmax cross-entropy takes one-hot labels.
  const oneHot = ([images, labels]: [tf.Tensor, tf.Tensor]) => {
    const hot = tf.oneHot(labels as tf.Tensor1D, arch.classes);
    labels.dispose();
    return [images, hot];
  };
  const [x, y] = oneHot(randomData(arch, 60000));
  const [xt, yt] = oneHot(randomData(arch, 10000));
  const t0 = performance.now();
  await model.fit(x, y, { batchSize: 64, epochs: 1, verbose: 0, shuffle: true });
  const t1 = performance.now();
  tf.dispose(model.evaluate(xt, yt, { batchSize: 1000 }) as tf.Tensor[]);
  const t2 = performance.now();
  console.log(`\nseed-003 ConvNet, one model.fit epoch on ${engine} in a fresh process (batch 64, 60,000 train + 10,000 eval, random data of MNIST's shape):`);
  console.log(`  train ${((t1 - t0) / 1000).toFixed(1)} s + eval ${((t2 - t1) / 1000).toFixed(1)} s = ${((t2 - t0) / 1000).toFixed(1)} s; peak RSS ${Math.round(peakRssMB())} MB (process, including the 215 MB of data)`);
  tf.dispose([x, y, xt, yt]);
  optimizer.dispose();
  model.dispose();
}

/** Each labnative row's products per second against this machine's sgemm peak, measured now. */
function productsAgainstPeak(rows: SeedRow[], results: Measured[]): void {
  const peak = sgemmPeakGflops(threads);
  console.log(`\nsgemm peak here: ${peak.toFixed(0)} GFLOP/s (1024 x 1024 x 1024, ${threads} threads, best of 10). Per labnative row, the`);
  console.log("products of a training step (forward, weight and input gradients of every convolution and dense layer):");
  for (const row of rows) {
    const measured = results.find((r) => r.engine === "labnative" && r.name === row.name);
    if (!measured) continue;
    const model = row.arch.build();
    const flops = trainingFlopsPerSample(model);
    model.dispose();
    const gflops = (flops * measured.samplesPerS) / 1e9;
    console.log(`  ${row.name.padEnd(20)} ${(flops / 1e6).toFixed(2)} MFLOP per sample x ${Math.round(measured.samplesPerS)} samples/s = ` +
      `${gflops.toFixed(0)} GFLOP/s, ${((100 * gflops) / peak).toFixed(0)}% of the peak`);
  }
}

async function main(): Promise<void> {
  const rows = SEED_ROWS.filter((r) => !only || only.includes(r.name));
  const names = engines();
  console.log(`threads: ${threads}; engines: ${names.join(", ")}; node ${process.version}`);
  const results: Measured[] = [];
  const keep = (r: Measured) => {
    console.log(`${r.engine.padEnd(10)} ${r.name.padEnd(20)}: ${Math.round(r.samplesPerS)} samples/s`);
    keepBest(results, r, (a, b) => a.samplesPerS > b.samplesPerS);
  };
  for (const row of rows) {
    const samples = quick ? Math.max(256, row.samples / 4) : row.samples;
    for (let rep = 0; rep < reps; rep++) {
      for (const e of names) {
        if (e === "cpu" && rep > 0) continue;  // minutes per run; once is enough
        const n = e === "cpu" ? (quick ? Math.min(row.arch.cpuSamples, 64) : row.arch.cpuSamples) : samples;
        if (n === 0) continue;
        keep(await stepsRun(e, row, Math.max(n, row.batch)));
      }
      const job = { kind: "steps", name: row.name, arch: row.arch.name, batch: row.batch, samples, optimizer: row.optimizer };
      for (const t of torchJobs([job])) {
        keep({ engine: "pytorch", name: row.name, samples: t.samples as number, samplesPerS: t.samples_per_s as number });
      }
    }
  }
  console.log("\n" + stepsTable(rows, names, results));
  console.log(`\nbest of ${reps} alternating runs each; cpu = pure-JS tfjs, one run on few samples (skipped for the VGG net).`);
  if (names.includes("labnative")) productsAgainstPeak(rows, results);
  if (quick || flag("no-epoch") || names[0] === "cpu") return;

  // One epoch of each seed's loop, on the fastest engine only.
  const epochRows = EPOCH_ROWS.filter((r) => !only || only.some((o) => o.startsWith(r.name)));
  const epochResults: EpochMeasured[] = [];
  const keepEpoch = (r: EpochMeasured) => {
    console.log(`${r.engine.padEnd(10)} ${r.name.padEnd(20)}: epoch ${epochSeconds(r, true)}`);
    keepBest(epochResults, r, (a, b) => a.seconds < b.seconds);
  };
  const epochReps = Math.min(reps, 2);
  for (const row of epochRows) {
    const repeats = epochRepeats(row);
    for (let rep = 0; rep < epochReps; rep++) {
      for (let i = 0; i < repeats; i++) keepEpoch(await epochRun(names[0], row));
      const job = { kind: "epoch", name: row.name, arch: row.steps.arch.name, batch: row.steps.batch, optimizer: row.steps.optimizer, mnist: mnistDir(), trainSize: row.trainSize, validation: row.validation, repeats };
      for (const t of torchJobs([job])) {
        keepEpoch({ engine: "pytorch", name: row.name, seconds: t.seconds as number, trainSeconds: t.train_seconds as number, evalSeconds: t.eval_seconds as number, validationAccuracy: t.validation_accuracy as number });
      }
    }
  }
  console.log(`\n| seed | one epoch of | batch | optimiser | ${names[0]} s (train + validation) | pytorch s (train + validation) | pytorch / ${names[0]} | validation accuracy (${names[0]} / pytorch) |`);
  console.log("|---|---|---:|---|---:|---:|---:|---|");
  for (const row of epochRows) {
    const ours = epochResults.find((r) => r.engine === names[0] && r.name === row.name);
    const torch = epochResults.find((r) => r.engine === "pytorch" && r.name === row.name);
    const pct = (r?: EpochMeasured) => (r ? `${(100 * r.validationAccuracy).toFixed(1)}%` : "-");
    const cell = (r?: EpochMeasured) => (r ? epochSeconds(r, false) : "skipped");
    console.log(`| ${row.steps.seed} | ${row.steps.arch.label.split(" (")[0]}, ${row.data} | ${row.steps.batch} | ${row.steps.setting} | ${cell(ours)} | ${cell(torch)} | ${ratio(torch?.seconds, ours?.seconds)} | ${pct(ours)} / ${pct(torch)} |`);
  }
  console.log(`\nbest of ${epochReps} alternating epochs each (of ${epochReps} x ${SHORT_EPOCH_REPEATS}, each side ${SHORT_EPOCH_REPEATS} in a row in its own process, for epochs of under ${SHORT_EPOCH_IMAGES.toLocaleString("en-US")} images); PyTorch's images are normalised once up front (its seeds' torchvision transforms redo it per image).`);

  // A fresh process, so its peak memory is the epoch's alone.
  const r = spawnSync(process.execPath, [__filename, "--epoch-only", `--threads=${threads}`, `--engines=${names[0]}`], { stdio: "inherit" });
  if (r.status !== 0) console.log(`memory epoch run failed (exit ${r.status})`);
}

if (!withoutOpenBlasOverrides()) (flag("epoch-only") ? memoryEpoch(engines()[0]) : main()).catch((err) => {
  console.error(err);
  process.exit(1);
});
