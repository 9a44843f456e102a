// What src/engine/tfjs-internals.ts assumes of tfjs, checked one by one; a failure names the tfjs
// version installed and the one last checked, so an upgrade that breaks the optimiser updates says so.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { registerNativeBackend, BACKEND_NAME } from "../../src/engine/native/backend";
import { arrayReferences, registeredVariable, TESTED_TFJS_VERSION } from "../../src/engine/tfjs-internals";

registerNativeBackend();

function holds(condition: boolean, assumption: string): void {
  assert.ok(condition, `tfjs ${tf.version.tfjs} breaks an assumption of src/engine/tfjs-internals.ts ` +
    `(last checked with tfjs ${TESTED_TFJS_VERSION}): ${assumption}. Fix the optimiser updates there before upgrading.`);
}

for (const backend of ["cpu", BACKEND_NAME]) {
  test(`tfjs ${tf.version.tfjs} behaves as tfjs-internals.ts assumes (${backend})`, async () => {
    await tf.setBackend(backend);
    const name = `internals-check-${backend}`;
    const init = tf.tensor1d([1, 2, 3]);
    const v = tf.variable(init, true, name);
    init.dispose();
    holds(registeredVariable(name) === v, "tf.engine().registeredVariables maps a variable's name to the variable");
    const b = tf.backend() as MathBackendCPU;
    holds(arrayReferences(b, v.dataId) === 1, "a fresh variable's array has reference count 1");
    const clone = v.clone();
    holds(clone.dataId === v.dataId && arrayReferences(b, v.dataId) === 2, "a clone shares the array and raises its reference count");
    clone.dispose();
    holds(arrayReferences(b, v.dataId) === 1, "disposing the clone lowers the count again");
    // The values are the backend's array: writing into it changes what every reader sees.
    const array = b.data.get(v.dataId).values as Float32Array;
    array[0] = 7;
    holds(v.dataSync()[0] === 7 && tf.tidy(() => v.add(0).dataSync()[0]) === 7, "a variable's values are its backend array, read afresh by kernels and dataSync");
    const id = v.dataId;
    tf.tidy(() => v.assign(tf.tensor1d([4, 5, 6])));
    holds(v.dataId !== id && registeredVariable(name) === v, "assign gives the variable another array, same variable");
    v.dispose();
    holds(registeredVariable(name) === undefined, "a disposed variable leaves registeredVariables");
    await tf.setBackend("cpu");
  });
}

test("the tfjs installed is the one tfjs-internals.ts was last checked against", () => {
  // Not an error by itself: a reminder to re-read tfjs-internals.ts when the version moves.
  assert.equal(tf.version.tfjs, TESTED_TFJS_VERSION,
    `tfjs ${tf.version.tfjs} installed, tfjs-internals.ts was checked with ${TESTED_TFJS_VERSION}: run this file's other tests, then update TESTED_TFJS_VERSION`);
});
