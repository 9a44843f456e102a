// A declared hyperparameter search space: named parameters that are lists of choices, or numeric
// ranges (uniform, log-uniform, integer). Shorthands are normalised once into one internal form;
// every search (grid, random, Bayesian) samples and encodes points through this module.
import { Random } from "../data/random.js";

/**
 * A value a hyperparameter can take.
 *
 * @example
 * const value: ParamValue = "deep";
 */
export type ParamValue = string | number | boolean;

/**
 * One point of a search space: a value for every parameter.
 *
 * @example
 * const point: Params = { architecture: "deep", batchSize: 16 };
 */
export type Params = Record<string, ParamValue>;

/**
 * One parameter's domain, in normalised form.
 *
 * @example
 * const lr: ParamDomain = logUniform(1e-4, 1); // { type: "logUniform", min: 1e-4, max: 1 }
 */
export type ParamDomain =
  | { type: "choice"; values: ParamValue[] }
  | { type: "uniform"; min: number; max: number }
  | { type: "logUniform"; min: number; max: number }
  | { type: "int"; min: number; max: number };

/**
 * A search space as written: a list is shorthand for a choice.
 *
 * @example
 * const space: SearchSpaceInput = { batchSize: [4, 8, 16, 32, 64], architecture: ["shallow", "deep"] };
 */
export type SearchSpaceInput = Record<string, ParamDomain | readonly ParamValue[]>;

/**
 * A search space in normalised form.
 *
 * @example
 * const space: SearchSpace = normalizeSpace({ batchSize: [16, 32], lr: uniform(0, 1) });
 */
export type SearchSpace = Record<string, ParamDomain>;

/** A choice among values. @example choice([4, 8, 16, 32, 64]) */
export function choice(values: readonly ParamValue[]): ParamDomain {
  return { type: "choice", values: [...values] };
}

/** A real number drawn uniformly in [min, max]. @example uniform(0, 0.5) */
export function uniform(min: number, max: number): ParamDomain {
  return { type: "uniform", min, max };
}

/** A positive number drawn uniformly on a log scale (learning rates). @example logUniform(1e-5, 1e-1) */
export function logUniform(min: number, max: number): ParamDomain {
  return { type: "logUniform", min, max };
}

/** An integer in [min, max], both included. @example intRange(16, 256) */
export function intRange(min: number, max: number): ParamDomain {
  return { type: "int", min, max };
}

/**
 * Checks a search space and turns shorthands (plain lists) into choices.
 *
 * @example
 * normalizeSpace({ batchSize: [4, 8, 16], lr: logUniform(1e-4, 1e-1) });
 */
export function normalizeSpace(input: SearchSpaceInput): SearchSpace {
  const names = Object.keys(input);
  if (names.length === 0) throw new Error("the search space is empty: declare at least one parameter");
  const space: SearchSpace = {};
  for (const name of names) {
    const raw = input[name];
    const domain: ParamDomain = Array.isArray(raw) ? choice(raw) : (raw as ParamDomain);
    switch (domain?.type) {
      case "choice":
        if (domain.values.length === 0) throw new Error(`invalid search space: ${name} has no values to choose from`);
        break;
      case "uniform":
      case "int":
      case "logUniform":
        if (!(Number.isFinite(domain.min) && Number.isFinite(domain.max) && domain.min <= domain.max)) {
          throw new Error(`invalid search space: ${name} has range [${domain.min}, ${domain.max}]`);
        }
        if (domain.type === "logUniform" && !(domain.min > 0)) throw new Error(`invalid search space: ${name} is log-uniform but its minimum ${domain.min} is not > 0`);
        if (domain.type === "int" && !(Number.isInteger(domain.min) && Number.isInteger(domain.max))) {
          throw new Error(`invalid search space: ${name} is an integer range with bounds ${domain.min}, ${domain.max}`);
        }
        break;
      default:
        throw new Error(`invalid search space: ${name} is ${JSON.stringify(raw)} (use a list, choice, uniform, logUniform or intRange)`);
    }
    space[name] = domain;
  }
  return space;
}

/**
 * Every combination of a space whose parameters are all choices, first parameter outermost.
 *
 * @example
 * gridPoints({ batchSize: [16, 32], arch: ["shallow", "deep"] }).length; // 4
 */
export function gridPoints(input: SearchSpaceInput): Params[] {
  const space = normalizeSpace(input);
  let points: Params[] = [{}];
  for (const [name, domain] of Object.entries(space)) {
    if (domain.type !== "choice") throw new Error(`grid search needs a list of values for ${name}, got a ${domain.type} range`);
    const next: Params[] = [];
    for (const p of points) for (const v of domain.values) next.push({ ...p, [name]: v });
    points = next;
  }
  return points;
}

/**
 * The point of `space` at unit-cube coordinates `u` (one number in [0, 1] per parameter).
 *
 * @example
 * decodePoint(normalizeSpace({ lr: logUniform(1e-4, 1) }), [0.5]); // { lr: 0.01 }
 */
export function decodePoint(space: SearchSpace, u: number[]): Params {
  const out: Params = {};
  Object.entries(space).forEach(([name, d], i) => {
    const t = Math.min(1, Math.max(0, u[i]));
    if (d.type === "choice") out[name] = d.values[Math.min(d.values.length - 1, Math.floor(t * d.values.length))];
    else if (d.type === "uniform") out[name] = d.min + t * (d.max - d.min);
    else if (d.type === "logUniform") out[name] = Math.exp(Math.log(d.min) + t * (Math.log(d.max) - Math.log(d.min)));
    else out[name] = Math.min(d.max, d.min + Math.floor(t * (d.max - d.min + 1)));
  });
  return out;
}

/**
 * Unit-cube coordinates of a point (the centre of its cell for choices and integers).
 *
 * @example
 * encodePoint(normalizeSpace({ batchSize: [16, 32] }), { batchSize: 32 }); // [0.75]
 */
export function encodePoint(space: SearchSpace, params: Params): number[] {
  return Object.entries(space).map(([name, d]) => {
    const v = params[name];
    if (v === undefined) throw new Error(`point ${JSON.stringify(params)} has no value for ${name}`);
    if (d.type === "choice") {
      const i = d.values.indexOf(v);
      if (i < 0) throw new Error(`${name} = ${JSON.stringify(v)} is not one of ${JSON.stringify(d.values)}`);
      return (i + 0.5) / d.values.length;
    }
    const x = Number(v);
    if (d.type === "uniform") return d.max > d.min ? (x - d.min) / (d.max - d.min) : 0.5;
    if (d.type === "logUniform") return d.max > d.min ? (Math.log(x) - Math.log(d.min)) / (Math.log(d.max) - Math.log(d.min)) : 0.5;
    return (x - d.min + 0.5) / (d.max - d.min + 1);
  });
}

/**
 * A seeded random point of the space.
 *
 * @example
 * samplePoint(normalizeSpace({ lr: logUniform(1e-4, 1) }), new Random(1)); // { lr: 0.0123… }
 */
export function samplePoint(space: SearchSpace, random: Random): Params {
  return decodePoint(space, Object.keys(space).map(() => random.next()));
}

/**
 * A stable identity of a point: its JSON with keys sorted (the key of its stored run).
 *
 * @example
 * pointKey({ lr: 0.1, batchSize: 16 }); // '{"batchSize":16,"lr":0.1}'
 */
export function pointKey(params: Params): string {
  const sorted: Params = {};
  for (const k of Object.keys(params).sort()) sorted[k] = params[k];
  return JSON.stringify(sorted);
}
