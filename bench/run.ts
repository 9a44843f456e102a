// `npm run bench`: trains each seed architecture for a fixed number of samples on every tfjs
// engine available here and, side by side, in PyTorch (Debian's /usr/bin/python3), then prints
// samples/s and the ratio to PyTorch; then one seed-003 epoch (60,000 train + 10,000 eval)
// on the fastest engine with its peak memory.
//
// The machine may be shared: each architecture is measured --reps times (default 3) alternating
// tfjs and PyTorch, and the best run of each counts, so both sides see the same conditions.
//
// Options: --quick (fewer samples, 1 rep, no epoch), --no-epoch, --only=name[,name], --threads=N
// (default 2), --reps=N, --engines=labnative,cpu,tensorflow.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { ARCHS, type Arch } from "./models";

interface Config { arch: Arch; batch: number; samples: number }
interface Result { engine: string; name: string; batch: number; samples: number; samplesPerS: number }
let torchMissing = false;

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const quick = flag("quick");
const threads = Number(option("threads") ?? 2);
const only = option("only")?.split(",");
const reps = Number(option("reps") ?? (quick ? 1 : 3));

/**
 * Samples per run on a fast engine: 1-2 s each on 2 cores. Shorter runs (0.3-0.6 s) moved the
 * small nets' ratios by +-0.2 from run to run on this VM.
 */
const FAST_SAMPLES: Record<string, number> = {
  seed000_lenet: 25600, seed001_cnn: 12800, seed002_cnn: 25600, seed002_cnn_bn: 19200, seed003_convnet: 6400,
  seed004_mlp: 12800, vgg64: 1280,
};

function configs(): Config[] {
  const list: Config[] = [];
  for (const arch of ARCHS) {
    if (only && !only.includes(arch.name)) continue;
    const samples = quick ? Math.max(256, FAST_SAMPLES[arch.name] / 4) : FAST_SAMPLES[arch.name];
    if (arch.name === "seed001_cnn") list.push({ arch, batch: 16, samples: samples / 2 });
    list.push({ arch, batch: 64, samples });
  }
  return list;
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
  const wanted = option("engines")?.split(",");
  return wanted ? found.filter((e) => wanted.includes(e)) : found;
}

/** Cross-entropy on logits, as PyTorch's nn.CrossEntropyLoss (the models output logits). */
const softmaxCrossEntropy = (labels: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, logits);

function randomData(arch: Arch, n: number): [tf.Tensor, tf.Tensor] {
  return tf.tidy(() => [
    tf.randomNormal([n, ...arch.inputShape], 0, 1, "float32", 1),
    tf.oneHot(tf.randomUniform([n], 0, arch.classes, "int32", 2), arch.classes),
  ]);
}

async function trainRun(engine: string, c: Config, samples: number): Promise<Result> {
  await tf.setBackend(engine);
  // The cpu backend's first-use banner (advice to install tfjs-node) would interrupt the table.
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  const model = c.arch.build();
  model.compile({ optimizer: tf.train.sgd(0.01), loss: softmaxCrossEntropy });
  const [x, y] = randomData(c.arch, samples);
  // Warm-up (first-call allocations, OpenBLAS thread start) on a couple of batches.
  const warm = Math.min(samples, c.batch * 2);
  await model.fit(x.slice(0, warm), y.slice(0, warm), { batchSize: c.batch, epochs: 1, verbose: 0 });
  const t0 = performance.now();
  await model.fit(x, y, { batchSize: c.batch, epochs: 1, verbose: 0, shuffle: false });
  const seconds = (performance.now() - t0) / 1000;
  tf.dispose([x, y]);
  model.dispose();
  return { engine, name: c.arch.name, batch: c.batch, samples, samplesPerS: samples / seconds };
}

function torchRuns(list: Config[]): Result[] {
  if (torchMissing) return [];
  const python = "/usr/bin/python3";
  if (!fs.existsSync(python)) {
    console.log("PyTorch: /usr/bin/python3 not found, skipped");
    torchMissing = true;
    return [];
  }
  const script = path.join(__dirname, "..", "..", "bench", "torch_bench.py");
  const specs = list.map((c) => `${c.arch.name}:${c.batch}:${c.samples}`);
  const r = spawnSync(python, [script, String(threads), ...specs], {
    encoding: "utf8",
    env: { ...process.env, OMP_NUM_THREADS: String(threads) },
  });
  if (r.status !== 0) {
    console.log(`PyTorch: failed (${(r.stderr || "").trim().split("\n").pop()}), skipped`);
    torchMissing = true;
    return [];
  }
  return r.stdout.trim().split("\n").map((line) => {
    const j = JSON.parse(line) as { name: string; batch: number; samples: number; samples_per_s: number };
    return { engine: "pytorch", name: j.name, batch: j.batch, samples: j.samples, samplesPerS: j.samples_per_s };
  });
}

function table(list: Config[], engineNames: string[], results: Result[]): string {
  const cols = [...engineNames, "pytorch"];
  const find = (e: string, c: Config) => results.find((r) => r.engine === e && r.name === c.arch.name && r.batch === c.batch);
  const lines = [
    `| architecture | batch | ${cols.map((e) => `${e} samples/s`).join(" | ")} | ${engineNames.map((e) => `${e} / pytorch`).join(" | ")} |`,
    `|---|---:|${cols.map(() => "---:").join("|")}|${engineNames.map(() => "---:").join("|")}|`,
  ];
  for (const c of list) {
    const torch = find("pytorch", c)?.samplesPerS;
    const cells = cols.map((e) => {
      const r = find(e, c);
      return r ? `${Math.round(r.samplesPerS).toLocaleString("en-US")}${e === "cpu" ? ` (${r.samples} samples)` : ""}` : "skipped";
    });
    const ratios = engineNames.map((e) => {
      const r = find(e, c);
      return r && torch ? (r.samplesPerS / torch < 0.1 ? (r.samplesPerS / torch).toPrecision(2) : (r.samplesPerS / torch).toFixed(2)) : "-";
    });
    lines.push(`| ${c.arch.name} | ${c.batch} | ${cells.join(" | ")} | ${ratios.join(" | ")} |`);
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

async function epoch(engine: string): Promise<void> {
  await tf.setBackend(engine);
  const arch = ARCHS.find((a) => a.name === "seed003_convnet")!;
  const model = arch.build();
  model.compile({ optimizer: tf.train.sgd(0.01), loss: softmaxCrossEntropy, metrics: ["accuracy"] });
  const [x, y] = randomData(arch, 60000);
  const [xt, yt] = randomData(arch, 10000);
  const t0 = performance.now();
  await model.fit(x, y, { batchSize: 64, epochs: 1, verbose: 0, shuffle: true });
  const t1 = performance.now();
  tf.dispose(model.evaluate(xt, yt, { batchSize: 1000 }) as tf.Tensor[]);
  const t2 = performance.now();
  console.log(`\nseed-003 ConvNet, one epoch on ${engine} (batch 64, 60,000 train + 10,000 eval, random data of MNIST's shape):`);
  console.log(`  train ${((t1 - t0) / 1000).toFixed(1)} s + eval ${((t2 - t1) / 1000).toFixed(1)} s = ${((t2 - t0) / 1000).toFixed(1)} s; peak RSS ${Math.round(peakRssMB())} MB (process, including the 215 MB of data)`);
  tf.dispose([x, y, xt, yt]);
  model.dispose();
}

async function main(): Promise<void> {
  const list = configs();
  const names = engines();
  console.log(`threads: ${threads}; engines: ${names.join(", ")}; node ${process.version}`);
  const results: Result[] = [];
  const keep = (r: Result) => {
    console.log(`${r.engine.padEnd(10)} ${r.name.padEnd(16)} batch ${String(r.batch).padStart(2)}: ${Math.round(r.samplesPerS)} samples/s`);
    const prev = results.find((p) => p.engine === r.engine && p.name === r.name && p.batch === r.batch);
    if (!prev) results.push(r);
    else if (r.samplesPerS > prev.samplesPerS) Object.assign(prev, r);
  };
  for (const c of list) {
    for (let rep = 0; rep < reps; rep++) {
      for (const e of names) {
        if (e === "cpu" && rep > 0) continue;  // minutes per run; once is enough
        const samples = e === "cpu" ? (quick ? Math.min(c.arch.cpuSamples, 64) : c.arch.cpuSamples) : c.samples;
        if (samples === 0) continue;
        keep(await trainRun(e, c, Math.max(samples, c.batch)));
      }
      torchRuns([c]).forEach(keep);
    }
  }
  console.log("\n" + table(list, names, results));
  console.log(`\nbest of ${reps} alternating runs each; cpu = pure-JS tfjs, one run on few samples (skipped for vgg64).`);
  if (!quick && !flag("no-epoch") && names[0] !== "cpu") {
    // A fresh process, so its peak memory is the epoch's alone.
    const r = spawnSync(process.execPath, [__filename, "--epoch-only", `--threads=${threads}`, `--engines=${names[0]}`], { stdio: "inherit" });
    if (r.status !== 0) console.log(`epoch run failed (exit ${r.status})`);
  }
}

(flag("epoch-only") ? epoch(engines()[0]) : main()).catch((err) => {
  console.error(err);
  process.exit(1);
});
