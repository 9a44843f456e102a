import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { dropoutMask, SeededDropout } from "../../src/models/custom-layers.js";
import { Random } from "../../src/data/random.js";

test("dropoutMask: keeps about 1 - rate of 1e5 values, each 0 or 1/(1 - rate)", () => {
  for (const rate of [0.1, 0.5, 0.8]) {
    const mask = dropoutMask(100_000, rate, 2018);
    const scale = Math.fround(1 / (1 - rate));
    let kept = 0;
    for (const v of mask) {
      assert.ok(v === 0 || v === scale, `value ${v} at rate ${rate}`);
      if (v !== 0) kept++;
    }
    // The binomial standard deviation is at most 0.0016 of 1e5 draws: 0.005 is more than three of them.
    assert.ok(Math.abs(kept / mask.length - (1 - rate)) < 0.005, `rate ${rate}: kept ${kept / mask.length}`);
  }
  assert.deepEqual(Array.from(dropoutMask(5, 0, 1)), [1, 1, 1, 1, 1]);
  assert.equal(dropoutMask(0, 0.5, 1).length, 0);
  assert.throws(() => dropoutMask(10, 1, 1), /invalid dropout rate: 1/);
  assert.throws(() => dropoutMask(-1, 0.5, 1), /invalid dropout mask size: -1/);
});

test("dropoutMask: the same seed gives the same mask, the seeded Random stream's draws", () => {
  assert.deepEqual(dropoutMask(1000, 0.5, 42), dropoutMask(1000, 0.5, 42));
  assert.notDeepEqual(dropoutMask(1000, 0.5, 42), dropoutMask(1000, 0.5, 43));
  const random = new Random(42);
  const expected = Array.from({ length: 1000 }, () => (random.next() >= 0.3 ? Math.fround(1 / 0.7) : 0));
  assert.deepEqual(Array.from(dropoutMask(1000, 0.3, 42)), expected);
});

test("SeededDropout: a new mask each training step from its seed, identity in inference", () => {
  const x = tf.ones([4, 50]);
  const layer = new SeededDropout({ rate: 0.5, seed: 3 });
  const first = Array.from((layer.apply(x, { training: true }) as tf.Tensor).dataSync());
  const second = Array.from((layer.apply(x, { training: true }) as tf.Tensor).dataSync());
  assert.notDeepEqual(first, second);
  const seeds = new Random(3);
  assert.deepEqual(first, Array.from(dropoutMask(200, 0.5, seeds.seed())));
  assert.deepEqual(second, Array.from(dropoutMask(200, 0.5, seeds.seed())));
  assert.deepEqual(Array.from((layer.apply(x, { training: false }) as tf.Tensor).dataSync()), Array.from(x.dataSync()));
});
