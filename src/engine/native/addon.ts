// Finds and loads the compiled labnative addon (build/Release/labnative.node at the package root).
import * as fs from "fs";
import * as path from "path";

/** Op codes by name (kernels.h's enums); frozen. */
export type OpCodes = Readonly<Record<string, number>>;

/**
 * The C++ kernels, as addon.cc exports them. Outputs are preallocated by the caller. Every call's
 * argument count, types and array lengths are checked against its geometry: a wrong call throws a
 * TypeError or RangeError naming the function and argument.
 */
export interface NativeAddon {
  /**
   * The codes unary, binary and reduce take, keyed by tfjs kernel name; the fused activations' by
   * tfjs name; sgdStep's variants (plain, momentum, nesterov).
   */
  readonly ops: Readonly<{ activation: OpCodes; unary: OpCodes; binary: OpCodes; reduce: OpCodes; sgd: OpCodes }>;
  conv2d(x: Float32Array, f: Float32Array, bias: Float32Array | null, y: Float32Array, geom: Int32Array, act: number, alpha: number): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, df: Float32Array, geom: Int32Array): void;
  conv2dBackpropInput(dy: Float32Array, f: Float32Array, dx: Float32Array, geom: Int32Array): void;
  maxPool(x: Float32Array, y: Float32Array, geom: Int32Array): void;
  maxPoolGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, geom: Int32Array, y: Float32Array | null): void;
  avgPool(x: Float32Array, y: Float32Array, geom: Int32Array): void;
  avgPoolGrad(dy: Float32Array, dx: Float32Array, geom: Int32Array): void;
  matmul(a: Float32Array, b: Float32Array, y: Float32Array, dims: Int32Array, bias: Float32Array | null, act: number, alpha: number): void;
  unary(op: number, x: Float32Array, y: Float32Array, alpha: number): void;
  binary(op: number, a: Float32Array, b: Float32Array, y: Float32Array, meta: Int32Array): void;
  reduce(op: number, x: Float32Array, y: Float32Array, outer: number, red: number, inner: number): void;
  batchNorm(x: Float32Array, mean: Float32Array, variance: Float32Array, offset: Float32Array | null, scale: Float32Array | null, y: Float32Array, eps: number, channels: number): void;
  batchNormGrad(x: Float32Array, dy: Float32Array, mean: Float32Array, variance: Float32Array, scale: Float32Array | null, eps: number,
    dx: Float32Array, dmean: Float32Array, dvar: Float32Array, dscale: Float32Array, doffset: Float32Array): void;
  /** relu: 1 to write max(0, y) (a ReLU layer folded in), 0 not to. */
  batchNormTrain(x: Float32Array, scale: Float32Array | null, offset: Float32Array | null, eps: number, y: Float32Array,
    mean: Float32Array, variance: Float32Array, relu: number): void;
  batchNormTrainGrad(x: Float32Array, dy: Float32Array, mean: Float32Array, variance: Float32Array, scale: Float32Array | null,
    eps: number, dmean: Float32Array | null, dvariance: Float32Array | null, dx: Float32Array, dscale: Float32Array, doffset: Float32Array,
    reluOut: Float32Array | null): void;
  /**
   * One SGD update, torch.optim's formulation with d = g + weightDecay * w: plain w -= lr d; momentum
   * buf = momentum buf + d, w -= lr buf; Nesterov the same buf, w -= lr (d + momentum buf). Buffers
   * null for plain SGD only; outputs may be their inputs (in place).
   */
  sgdStep(op: number, w: Float32Array, g: Float32Array, buf: Float32Array | null, wOut: Float32Array, bufOut: Float32Array | null,
    lr: number, momentum: number, weightDecay: number): void;
  /**
   * One Adam update with d = g + weightDecay * w: m = β1 m + (1 - β1) d, v = β2 v + (1 - β2) d²,
   * w -= lr (m / biasCorrection1) / (sqrt(v / biasCorrection2) + ε). Outputs may be their inputs.
   */
  adamStep(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, wOut: Float32Array, mOut: Float32Array, vOut: Float32Array,
    lr: number, beta1: number, beta2: number, epsilon: number, weightDecay: number, biasCorrection1: number, biasCorrection2: number): void;
  /**
   * y = x * the inverted-dropout mask of mulberry32 stream `seed` (its initial state, 0..2^32-1):
   * element i kept (times 1 / (1 - rate)) when draw i / 2^32 >= rate, as dropoutMask draws it.
   */
  dropout(x: Float32Array, y: Float32Array, rate: number, seed: number): void;
  /**
   * A ReLU layer's gradients below its activation, in one pass: dz = dy * step(y) (y its output),
   * dbias = dz summed over every axis but the last (dbias.length channels).
   */
  reluBiasGrad(dy: Float32Array, y: Float32Array, dz: Float32Array, dbias: Float32Array): void;
  tile(x: Float32Array, y: Float32Array, meta: Int32Array): void;
  setThreads(n: number): void;
  threads(): number;
}

const RELATIVE = path.join("build", "Release", "labnative.node");

/** Walks up from this file (src/ or dist/src/) to the package root holding the build. */
export function addonPath(): string | undefined {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, RELATIVE);
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  return undefined;
}

let loaded: NativeAddon | undefined;

/** Loads the addon once; throws a clear Error when it was not built. */
export function loadAddon(): NativeAddon {
  if (loaded) return loaded;
  const file = addonPath();
  if (!file) {
    throw new Error(`labnative addon not built (no ${RELATIVE}; run \`node scripts/build-native.js\`, needs a C++ compiler and libopenblas-dev)`);
  }
  // Idle OpenMP workers spin a bounded while (GOMP_SPINCOUNT), then sleep. Spinning without end
  // stole the core the JS thread needs between kernels on a 2-core machine (6x slower steps);
  // sleeping at once (OMP_WAIT_POLICY=passive) pays a wake-up in every parallel region, and a
  // product has several: 100,000 spins made seed 004's MLP step 6% faster than passive and seed
  // 002's batch-norm CNN no slower (4 alternating pairs each). Either variable set by the user wins.
  // Read by libgomp and OpenBLAS when the addon loads them, so set before require.
  if (process.env.OMP_WAIT_POLICY === undefined) process.env.GOMP_SPINCOUNT ??= "100000";
  process.env.OPENBLAS_THREAD_TIMEOUT ??= "4";
  loaded = require(file) as NativeAddon;
  return loaded;
}
