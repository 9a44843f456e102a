// oneDNN 2.x's JIT gemm corrupts the heap if its thread takes a signal (src/engine/native/signals.h).
// Node's profiler sends SIGPROF to the JS thread hundreds of times a second: training through the
// oneDNN paths under it crashed ("corrupted size vs. prev_size") within seconds before the fix.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO } from "../paths";

test("training through oneDNN survives a stream of signals (node --cpu-prof)", () => {
  const profDir = fs.mkdtempSync(path.join(os.tmpdir(), "labnative-signals-"));
  // Dense layers of 64x800x800 (above the threading threshold: oneDNN's sgemm) and a 3-channel
  // convolution (oneDNN primitives), 150 steps each.
  const script = `
    const tf = require("@tensorflow/tfjs");
    const native = require(${JSON.stringify(path.join(REPO, "dist/src/engine/native/backend.js"))});
    native.registerNativeBackend();
    (async () => {
      await tf.setBackend(native.BACKEND_NAME);
      for (const layers of [
        [tf.layers.dense({ inputShape: [800], units: 800, activation: "relu" }), tf.layers.dense({ units: 800 })],
        [tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 32, kernelSize: 3, activation: "relu" }), tf.layers.conv2d({ filters: 32, kernelSize: 3 })],
      ]) {
        const model = tf.sequential({ layers });
        model.compile({ optimizer: tf.train.sgd(0.001), loss: "meanSquaredError" });
        const x = tf.randomNormal([64 * 150, ...model.inputs[0].shape.slice(1)]);
        const y = tf.randomNormal([64 * 150, ...model.outputs[0].shape.slice(1)]);
        await model.fit(x, y, { batchSize: 64, epochs: 1, verbose: 0 });
      }
      console.log("trained");
    })();`;
  const r = spawnSync(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${profDir}`, "-e", script], {
    cwd: REPO,
    encoding: "utf8",
    timeout: 300_000,
  });
  fs.rmSync(profDir, { recursive: true, force: true });
  assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr.slice(-500)}`);
  assert.equal(r.status, 0, r.stderr.slice(-500));
  assert.match(r.stdout, /trained/);
});
