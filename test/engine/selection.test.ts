// Engine selection (src/engine/index.ts) with the native addon: LABREPORT_ENGINE forces an
// engine, the choice is said once, and a missing addon is reported with its cause.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as path from "path";
import { addonPath } from "../../src/engine/native/addon";

const engineModule = path.join(__dirname, "..", "..", "src", "engine", "index.js");

function select(env: Record<string, string>): { status: number | null; out: string } {
  const script = `const e = require(${JSON.stringify(engineModule)}); const i = e.useEngine(); e.useEngine();` +
    `console.log("backend=" + require("@tensorflow/tfjs").getBackend() + " name=" + i.name);`;
  const r = spawnSync(process.execPath, ["-e", script], { env: { ...process.env, ...env }, encoding: "utf8" });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test("the addon is built (npm install ran scripts/build-native.js)", () => {
  assert.ok(addonPath(), "build/Release/labnative.node missing: run `node scripts/build-native.js`");
});

test("LABREPORT_ENGINE=native trains on the labnative backend and says so once", () => {
  const r = select({ LABREPORT_ENGINE: "native" });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /backend=labnative name=native/);
  assert.equal(r.out.match(/labreport engine:/g)?.length, 1, r.out);
});

test("without LABREPORT_ENGINE the native engine is chosen over pure JS, with the reason", () => {
  const r = select({ LABREPORT_ENGINE: "" });
  assert.equal(r.status, 0, r.out);
  // tfjs-node cannot install here; where it does, it wins and this test says so.
  if (/name=tfjs-node/.test(r.out)) return;
  assert.match(r.out, /labreport engine: native \(tfjs-node (not installed|unavailable)/);
  assert.doesNotMatch(r.out, /tfjs-node-gpu/, "a GPU package that is not installed is not worth a word");
});

test("without the built addon: a clear error, and the engine falls back to pure JS saying why", () => {
  // Hide build/Release/labnative.node from this child process only.
  const hide = `const fs = require("fs"); const exists = fs.existsSync;` +
    `fs.existsSync = (p) => String(p).endsWith("labnative.node") ? false : exists(p);`;
  const script = `${hide} const e = require(${JSON.stringify(engineModule)}); const i = e.useEngine();` +
    `console.log("backend=" + require("@tensorflow/tfjs").getBackend() + " name=" + i.name);` +
    `try { require(${JSON.stringify(engineModule.replace(/index\.js$/, "native/backend.js"))}).registerNativeBackend(); }` +
    `catch (err) { console.log("error: " + err.message); }`;
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.LABREPORT_ENGINE;
  const r = spawnSync(process.execPath, ["-e", script], { env: env as NodeJS.ProcessEnv, encoding: "utf8" });
  const out = `${r.stdout}${r.stderr}`;
  assert.equal(r.status, 0, out);
  if (/name=tfjs-node/.test(out)) return;
  assert.match(out, /labreport engine: cpu \(.*native engine unavailable \(labnative addon not built/);
  assert.match(out, /backend=cpu name=cpu/);
  assert.match(out, /error: labnative addon not built \(no build\/Release\/labnative\.node; run `node scripts\/build-native\.js`/);
});

test("LABREPORT_ENGINE=cpu forces pure JS", () => {
  const r = select({ LABREPORT_ENGINE: "cpu" });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /backend=cpu name=cpu/);
});

// tfjs-node-gpu cannot install here (no CUDA, no download), so these tests put a stand-in package of
// that name on NODE_PATH — a MOCK of tfjs-node-gpu that registers a "tensorflow" backend backed by
// the cpu kernels — and check the selection logic around it, not GPU kernels.
function withFakeGpuPackage(body: string): string {
  const dir = require("fs").mkdtempSync(path.join(require("os").tmpdir(), "fake-tfjs-node-gpu-"));
  const pkg = path.join(dir, "@tensorflow", "tfjs-node-gpu");
  require("fs").mkdirSync(pkg, { recursive: true });
  require("fs").writeFileSync(path.join(pkg, "index.js"), body);
  return dir;
}

const registersTensorflowBackend =
  `const tf = require(${JSON.stringify(require.resolve("@tensorflow/tfjs"))});` +
  `const { MathBackendCPU } = require(${JSON.stringify(require.resolve("@tensorflow/tfjs-backend-cpu"))});` +
  `tf.registerBackend("tensorflow", () => new MathBackendCPU(), 1);` +
  `for (const k of tf.getKernelsForBackend("cpu")) tf.registerKernel({ ...k, backendName: "tensorflow" });`;

test("an installed tfjs-node-gpu wins over every other engine (mock package)", () => {
  const dir = withFakeGpuPackage(registersTensorflowBackend);
  const r = select({ LABREPORT_ENGINE: "", NODE_PATH: dir });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /labreport engine: tfjs-node-gpu \(fastest available\)/);
  assert.match(r.out, /backend=tensorflow name=tfjs-node-gpu/);
});

test("a tfjs-node-gpu that fails to load (no CUDA) falls back, saying why (mock package)", () => {
  const dir = withFakeGpuPackage(`throw new Error("libcudart.so.11.0: cannot open shared object file");`);
  const r = select({ LABREPORT_ENGINE: "", NODE_PATH: dir });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /tfjs-node-gpu unavailable \(libcudart\.so\.11\.0: cannot open shared object file\)/);
  assert.doesNotMatch(r.out, /name=tfjs-node-gpu/);
});

test("LABREPORT_ENGINE=tfjs-node-gpu without the package is a clear error naming the fix", () => {
  const r = select({ LABREPORT_ENGINE: "tfjs-node-gpu" });
  assert.notEqual(r.status, 0);
  assert.match(r.out, /LABREPORT_ENGINE=tfjs-node-gpu requested but tfjs-node-gpu not installed \(install it: npm install @tensorflow\/tfjs-node-gpu\)/);
});
