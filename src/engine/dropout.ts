// Inverted dropout with a seeded mask, as an engine op: labnative draws the mask and multiplies in
// one native pass (dropout.cc, the same mulberry32 stream as dropoutMask); any other engine builds
// the mask here in JS and multiplies. Both give y = x * dropoutMask(x.size, rate, seed) exactly.
// (No addon import here: this loads on any engine.)
import * as tf from "@tensorflow/tfjs";
import { Random } from "../data/random.js";

/** Kernel: y = x * dropoutMask(x.size, rate, seed); attrs rate and seed. Its own gradient (the same mask). */
export const SEEDED_DROPOUT = "LabnativeSeededDropout";

/**
 * An inverted-dropout mask: each of `size` values is 0 with probability `rate`, else 1 / (1 - rate).
 * The same seed gives the same mask on every machine: value i is kept when the i-th draw of
 * `new Random(seed)` (mulberry32) is >= rate.
 *
 * @example
 * dropoutMask(4, 0.5, 7); // e.g. Float32Array [2, 0, 0, 2], always the same for seed 7
 */
export function dropoutMask(size: number, rate: number, seed: number): Float32Array {
  checkRate(rate);
  if (!(Number.isInteger(size) && size >= 0)) throw new Error(`invalid dropout mask size: ${size} (expected an integer >= 0)`);
  const out = new Float32Array(size);
  const scale = 1 / (1 - rate);
  // draw / 2^32 >= rate exactly when draw >= rate * 2^32 (scaling by a power of two is exact).
  const threshold = rate * 4294967296;
  // Random.next inlined: tfjs's seeded randomUniform draws element by element through a slower
  // generator (about 90 ms per 800,000 values), which made dropout training 2-3 times slower.
  let state = new Random(seed).state;
  for (let i = 0; i < size; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    if (((t ^ (t >>> 14)) >>> 0) >= threshold) out[i] = scale;
  }
  return out;
}

/**
 * x * dropoutMask(x.size, rate, seed), shaped as x. Differentiable: the gradient is dy times the
 * same mask. On labnative one native pass each way and no mask tensor; elsewhere mask and multiply.
 *
 * @example
 * const y = seededDropout(x, 0.5, random.seed());
 */
export function seededDropout(x: tf.Tensor, rate: number, seed: number): tf.Tensor {
  checkRate(rate);
  if (x.dtype === "float32" && x.size > 0 && tf.getKernel(SEEDED_DROPOUT, tf.getBackend())) {
    // The kernel reads the seed as mulberry32's initial state, as new Random(seed) makes it.
    const attrs = { rate, seed: new Random(seed).state };
    return tf.engine().runKernel(SEEDED_DROPOUT, { x }, attrs) as tf.Tensor;
  }
  return tf.tidy(() => x.mul(tf.tensor(dropoutMask(x.size, rate, seed), x.shape, "float32")));
}

/** The gradient of SEEDED_DROPOUT (dy through the same mask: the same kernel on dy), registered once. */
export function registerSeededDropoutGradient(): void {
  if (tf.getGradient(SEEDED_DROPOUT)) return;
  tf.registerGradient({
    kernelName: SEEDED_DROPOUT,
    gradFunc: (dy, _saved, attrs) => ({
      x: () => tf.engine().runKernel(SEEDED_DROPOUT, { x: dy as tf.Tensor }, attrs as tf.NamedAttrMap) as tf.Tensor,
    }),
  });
}

function checkRate(rate: number): void {
  if (!(rate >= 0 && rate < 1)) throw new Error(`invalid dropout rate: ${rate} (expected 0 <= rate < 1)`);
}
