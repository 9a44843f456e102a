// Where one benchmark row's step goes, kernel by kernel: the same step as `npm run bench` times (the
// row's model, optimiser and batch; random data), run under tf.profile, with each kernel's time summed
// per step and grouped by kernel and input shapes. The step's unprofiled time is printed first: what
// the kernels do not add up to is tfjs's own bookkeeping between them. On labnative a deferred kernel
// (Conv2DBackpropInput: computed only if read) shows ~0 ms and its cost lands in the kernel that
// first reads its output (e.g. the next layer's MaxPoolGrad).
//   node dist/bench/profile.js seed003            (a row name of bench/seeds.ts)
//   node dist/bench/profile.js seed004_decay --steps=100 --top=40
import * as tf from "@tensorflow/tfjs";
import { useEngine } from "../src/engine/index.js";
import { randomData, seedStep } from "./seed-step";
import { SEED_ROWS } from "./seeds";

const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];

async function main(): Promise<void> {
  const name = process.argv[2];
  const row = SEED_ROWS.find((r) => r.name === name);
  if (!row) {
    console.error(`bench/profile: name a row: ${SEED_ROWS.map((r) => r.name).join(", ")}`);
    process.exit(2);
  }
  const steps = Number(option("steps") ?? 40);
  const top = Number(option("top") ?? 25);
  useEngine(() => {});
  console.log(`${row.name} (${row.arch.label}, batch ${row.batch}, ${row.setting}) on ${tf.getBackend()}, ${steps} steps`);

  const training = seedStep(row);
  const [x, y] = randomData(row.arch, steps * row.batch);
  const step = (i: number) => training.step(x, y, i);
  for (let i = 0; i < 5; i++) step(i % steps).dispose(); // warm-up: buffers pooled, kernels compiled
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step(i).dispose();
  const stepMs = (performance.now() - t0) / steps;

  const profile = await tf.profile(() => {
    for (let i = 0; i < steps; i++) step(i).dispose();
  });
  const groups = new Map<string, { calls: number; ms: number }>();
  let kernelMs = 0;
  for (const k of profile.kernels) {
    const t = await k.kernelTimeMs;
    const ms = typeof t === "number" ? t : (t as { kernelMs?: number } | undefined)?.kernelMs ?? 0;
    const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
    const g = groups.get(key) ?? { calls: 0, ms: 0 };
    g.calls++;
    g.ms += ms;
    groups.set(key, g);
    kernelMs += ms;
  }
  console.log(`step ${stepMs.toFixed(3)} ms unprofiled; kernels ${(kernelMs / steps).toFixed(3)} ms in ${profile.kernels.length / steps} kernel calls a step`);
  console.log("ms/step  calls  kernel [input shapes]");
  for (const [key, g] of [...groups.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) {
    console.log(`${(g.ms / steps).toFixed(3).padStart(7)}  ${String(g.calls / steps).padStart(5)}  ${key}`);
  }
  tf.dispose([x, y]);
  training.dispose();
}

main().catch((err) => {
  console.error(`bench/profile: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
