// The labnative backend recycles the arrays of disposed tensors; nothing still visible to the
// user may be overwritten by that.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { BufferPool } from "../../src/engine/native/buffers";
import { registerNativeBackend, BACKEND_NAME } from "../../src/engine/native/backend";

registerNativeBackend();

test("BufferPool hands back only arrays it owns and nobody else holds", () => {
  const pool = new BufferPool(1 << 30);
  const a = pool.take(10000);
  pool.give(a);
  assert.equal(pool.take(10000), a, "a given-back array is reused");
  const b = pool.take(10000);
  pool.disown(b);
  pool.give(b);
  assert.notEqual(pool.take(10000), b, "a disowned array is never reused");
  const foreign = new Float32Array(10000);
  pool.give(foreign);
  assert.notEqual(pool.take(10000), foreign, "arrays the pool did not hand out are never reused");
  const small = new BufferPool(0);
  const c = small.take(10000);
  small.give(c);
  assert.notEqual(small.take(10000), c, "nothing is kept beyond the idle cap");
  // Small arrays are not worth reusing, but whether nobody else saw them still matters (in-place updates).
  const tiny = pool.take(48);
  assert.ok(pool.owns(tiny), "a small array the pool handed out is owned");
  pool.give(tiny);
  assert.notEqual(pool.take(48), tiny, "a small array is not kept for reuse");
  const seen = pool.take(48);
  pool.disown(seen);
  assert.ok(!pool.owns(seen), "a small array read out is no longer owned");
});

test("values read out, sliced views and kept tensors survive later kernels", async () => {
  await tf.setBackend(BACKEND_NAME);
  try {
    const n = 50000;
    const x = tf.tidy(() => tf.mul(tf.ones([2, n]), 3));     // native Multiply: pooled array
    const read = x.dataSync();                                // read out: must stay intact
    const view = tf.slice(x, [1, 0], [1, n]);                 // cpu Slice may return a subarray view
    const kept = tf.tidy(() => tf.keep(tf.add(x, 1)));
    x.dispose();
    for (let i = 0; i < 5; i++) tf.tidy(() => tf.mul(tf.ones([2, n]), 7).dataSync());
    for (let i = 0; i < 5; i++) tf.tidy(() => { tf.mul(tf.ones([2, n]), 9); });  // disposed unread: recycled
    assert.ok(read.every((v) => v === 3), "dataSync() result was overwritten");
    assert.ok((view.dataSync() as Float32Array).every((v) => v === 3), "slice view was overwritten");
    assert.ok((kept.dataSync() as Float32Array).every((v) => v === 4), "kept tensor was overwritten");
    tf.dispose([view, kept]);
  } finally {
    await tf.setBackend("cpu");
  }
});
