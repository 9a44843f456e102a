// A small Gaussian-process regressor (squared-exponential kernel, Cholesky solve) and expected
// improvement: the surrogate and acquisition of the Bayesian optimiser. Plain arrays, no tensors.

/**
 * A fitted GP: predicts mean and standard deviation of f at new points.
 *
 * @example
 * const gp = fitGaussianProcess([[0], [1]], [0, 1], 0.5, 1e-6);
 * gp.predict([0.5]); // { mean: …, std: … }
 */
export interface GaussianProcess {
  predict(x: number[]): { mean: number; std: number };
  /** Log marginal likelihood of the data under the fitted hyperparameters. */
  logLikelihood: number;
  /** One length scale per input dimension. */
  lengthScale: number[];
  noise: number;
}

/**
 * Lower-triangular L with L·Lᵀ = a (a symmetric positive definite); throws when it is not.
 *
 * @example
 * cholesky([[4, 2], [2, 3]]); // [[2, 0], [1, √2]]
 */
export function cholesky(a: number[][]): number[][] {
  const n = a.length;
  const l = a.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i][j];
      for (let k = 0; k < j; k++) sum -= l[i][k] * l[j][k];
      if (i === j) {
        if (!(sum > 0)) throw new Error("matrix is not positive definite");
        l[i][i] = Math.sqrt(sum);
      } else {
        l[i][j] = sum / l[j][j];
      }
    }
  }
  return l;
}

/** Solves L·y = b (forward) then Lᵀ·x = y (backward): x = (L·Lᵀ)⁻¹·b. */
function choleskySolve(l: number[][], b: number[]): number[] {
  const n = l.length;
  const y = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i][k] * y[k];
    y[i] = s / l[i][i];
  }
  const x = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k][i] * x[k];
    x[i] = s / l[i][i];
  }
  return x;
}

/**
 * Fits a zero-mean GP with unit signal variance to standardised targets `y` at points `x`,
 * for one length scale and noise variance.
 *
 * @example
 * const gp = fitGaussianProcess([[0.1], [0.5], [0.9]], [1, -1, 0.5], 0.3, 1e-4);
 * gp.predict([0.5]).mean; // ≈ -1
 */
export function fitGaussianProcess(x: number[][], y: number[], lengthScale: number | number[], noise: number): GaussianProcess {
  const n = x.length;
  const scales = typeof lengthScale === "number" ? x[0].map(() => lengthScale) : lengthScale;
  const kernel = (a: number[], b: number[]) => {
    let d = 0;
    for (let i = 0; i < a.length; i++) d += ((a[i] - b[i]) / scales[i]) ** 2;
    return Math.exp(-d / 2);
  };
  const k = x.map((a, i) => x.map((b, j) => kernel(a, b) + (i === j ? noise + 1e-9 : 0)));
  const l = cholesky(k);
  const alpha = choleskySolve(l, y);
  let logDet = 0;
  for (let i = 0; i < n; i++) logDet += Math.log(l[i][i]);
  const logLikelihood = -0.5 * y.reduce((s, yi, i) => s + yi * alpha[i], 0) - logDet - (n / 2) * Math.log(2 * Math.PI);
  return {
    logLikelihood,
    lengthScale: scales,
    noise,
    predict(point: number[]) {
      const ks = x.map((a) => kernel(a, point));
      const mean = ks.reduce((s, v, i) => s + v * alpha[i], 0);
      const v = choleskySolve(l, ks);
      const variance = Math.max(1e-12, 1 - ks.reduce((s, kv, i) => s + kv * v[i], 0));
      return { mean, std: Math.sqrt(variance) };
    },
  };
}

/**
 * The GP whose length scales (one per dimension, each from a small grid, up to 3 dimensions; one
 * shared scale beyond) and noise give the data the highest marginal likelihood.
 *
 * @example
 * const gp = fitGaussianProcessML(points, standardisedValues);
 */
export function fitGaussianProcessML(
  x: number[][],
  y: number[],
  lengthScales = [0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.2],
  noises = [1e-6, 1e-4, 1e-2, 1e-1],
): GaussianProcess {
  let best: GaussianProcess | undefined;
  const dims = x[0]?.length ?? 1;
  let combos: number[][] = [[]];
  if (dims <= 3) {
    for (let d = 0; d < dims; d++) combos = combos.flatMap((c) => lengthScales.map((l) => [...c, l]));
  } else {
    combos = lengthScales.map((l) => new Array<number>(dims).fill(l));
  }
  for (const ls of combos) {
    for (const noise of noises) {
      let gp: GaussianProcess;
      try {
        gp = fitGaussianProcess(x, y, ls, noise);
      } catch {
        continue; // numerically singular for this pair; a larger noise will do
      }
      if (!best || gp.logLikelihood > best.logLikelihood) best = gp;
    }
  }
  if (!best) throw new Error("no Gaussian process could be fitted to the observations");
  return best;
}

/**
 * The standard normal density.
 *
 * @example
 * normalPdf(0); // ≈ 0.3989
 */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/**
 * The standard normal cumulative distribution (Abramowitz–Stegun 7.1.26 erf, |error| < 1.5e-7).
 *
 * @example
 * normalCdf(1.96); // ≈ 0.975
 */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/**
 * Expected improvement below `best` (minimisation) of a prediction with `mean` and `std`.
 *
 * @example
 * expectedImprovement(0, 1, 0); // ≈ 0.3989 (= φ(0))
 */
export function expectedImprovement(mean: number, std: number, best: number, xi = 0.01): number {
  const improvement = best - mean - xi;
  if (std <= 1e-12) return Math.max(0, improvement);
  const z = improvement / std;
  return improvement * normalCdf(z) + std * normalPdf(z);
}
