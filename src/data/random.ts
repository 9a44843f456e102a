// A small seeded pseudo-random number generator (mulberry32), so that shuffles, subsets and
// initialisation seeds repeat exactly for the same seed on every machine.

/**
 * Seeded random numbers in [0, 1).
 *
 * @example
 * const rng = new Random(42);
 * rng.next();        // 0.6011037519201636, the same on every run
 * rng.int(10);       // an integer in 0..9
 */
export class Random {
  /** The generator's whole state: save and restore it to repeat the stream (e.g. in checkpoints). */
  state: number;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`invalid seed: ${seed} (expected a finite number)`);
    this.state = Math.floor(seed) >>> 0;
  }

  /** The next number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A 31-bit integer, handy as a seed for something else (a layer initialiser, a dropout mask). */
  seed(): number {
    return Math.floor(this.next() * 2147483647);
  }

  /** Shuffles `array` in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: any }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }
}

/**
 * A random permutation of 0..n-1 for `seed`.
 *
 * @example
 * permutation(5, 1); // e.g. Uint32Array [3, 0, 4, 1, 2], always the same for seed 1
 */
export function permutation(n: number, seed: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return new Random(seed).shuffle(order);
}

/**
 * Mixes a seed with further numbers (an epoch, a layer index) into a new seed.
 *
 * @example
 * deriveSeed(42, 3); // the shuffling seed of epoch 3 for run seed 42
 */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  for (const p of parts) {
    h = Math.imul(h ^ (Math.floor(p) >>> 0), 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h & 0x7fffffff;
}
