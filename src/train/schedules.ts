// Learning-rate schedules, following torch.optim.lr_scheduler (StepLR, ExponentialLR,
// CosineAnnealingLR, OneCycleLR). A schedule maps a step (an epoch, or a batch for one-cycle)
// and the base learning rate to the learning rate of that step, and may also set the momentum.

/**
 * A learning-rate schedule (and optionally a momentum schedule) for trainModel; make one with
 * stepDecay, exponentialDecay, cosineAnnealing, oneCycle, or write your own.
 *
 * @example
 * const warmup: LearningRateSchedule = { name: "warm-up", per: "epoch", rate: (epoch, base) => base * Math.min(1, (epoch + 1) / 5) };
 * await trainModel(model, train, { epochs: 20, schedule: warmup });
 */
export interface LearningRateSchedule {
  /** A short description, e.g. "step(30, 0.1)". */
  name: string;
  /** Whether the step counts epochs or batches. */
  per: "epoch" | "batch";
  /** The learning rate at `step` (0-based) for base rate `base`. */
  rate(step: number, base: number): number;
  /**
   * The momentum at `step` for the optimiser's configured momentum `base`, when the schedule sets
   * momentum too (one-cycle's cycled momentum). trainModel applies it to SGD with momentum
   * (and Nesterov); optimisers without momentum keep theirs.
   */
  momentum?(step: number, base: number): number;
}

/**
 * Multiplies the rate by `gamma` every `stepSize` epochs (StepLR).
 *
 * @example
 * stepDecay({ stepSize: 10, gamma: 0.1 }).rate(25, 0.1); // 0.001
 */
export function stepDecay(options: { stepSize: number; gamma?: number }): LearningRateSchedule {
  const gamma = options.gamma ?? 0.1;
  if (!(options.stepSize >= 1)) throw new Error(`invalid step size: ${options.stepSize} (expected >= 1 epoch)`);
  return { name: `step(${options.stepSize}, ${gamma})`, per: "epoch", rate: (epoch, base) => base * gamma ** Math.floor(epoch / options.stepSize) };
}

/**
 * Multiplies the rate by `gamma` every epoch (ExponentialLR).
 *
 * @example
 * exponentialDecay({ gamma: 0.9 }).rate(2, 1); // 0.81
 */
export function exponentialDecay(options: { gamma: number }): LearningRateSchedule {
  if (!(options.gamma > 0)) throw new Error(`invalid gamma: ${options.gamma}`);
  return { name: `exponential(${options.gamma})`, per: "epoch", rate: (epoch, base) => base * options.gamma ** epoch };
}

/**
 * Cosine annealing from the base rate to `minRate` over `periodEpochs` epochs (CosineAnnealingLR).
 *
 * @example
 * cosineAnnealing({ periodEpochs: 10 }).rate(5, 0.1); // 0.05
 */
export function cosineAnnealing(options: { periodEpochs: number; minRate?: number }): LearningRateSchedule {
  const min = options.minRate ?? 0;
  if (!(options.periodEpochs >= 1)) throw new Error(`invalid period: ${options.periodEpochs} (expected >= 1 epoch)`);
  return {
    name: `cosine(${options.periodEpochs})`,
    per: "epoch",
    rate: (epoch, base) => min + ((base - min) * (1 + Math.cos((Math.PI * epoch) / options.periodEpochs))) / 2,
  };
}

/**
 * One-cycle policy per batch (OneCycleLR, cosine annealing, two phases): from maxRate/divFactor up to
 * `maxRate` over the first `pctStart` of `totalSteps`, then down to maxRate/(divFactor·finalDivFactor).
 * The base rate is ignored. Momentum cycles the other way (cycle_momentum=True): from `maxMomentum`
 * (0.95) down to `baseMomentum` (0.85) while the rate rises, then back up — applied when the
 * optimiser is SGD with momentum (its configured momentum is then overridden every step). Unlike
 * PyTorch, plain SGD is not given momentum, and Adam's β1 is not cycled.
 *
 * @example
 * const schedule = oneCycle({ maxRate: 0.1, totalSteps: epochs * batchCount(train, 64) });
 * await trainModel(model, train, { epochs, optimizer: { learningRate: 0.1, momentum: 0.9 }, schedule });
 * schedule.momentum!(0, 0.9); // 0.95
 */
export function oneCycle(options: {
  maxRate: number;
  totalSteps: number;
  pctStart?: number;
  divFactor?: number;
  finalDivFactor?: number;
  /** Cycle momentum inversely to the rate (default true). */
  cycleMomentum?: boolean;
  /** The momentum at the peak rate (default 0.85). */
  baseMomentum?: number;
  /** The momentum at the start and end (default 0.95). */
  maxMomentum?: number;
}): LearningRateSchedule {
  const pct = options.pctStart ?? 0.3;
  const initial = options.maxRate / (options.divFactor ?? 25);
  const min = initial / (options.finalDivFactor ?? 1e4);
  if (!(options.totalSteps >= 2)) throw new Error(`invalid totalSteps: ${options.totalSteps} (expected >= 2)`);
  const upEnd = pct * options.totalSteps - 1;
  const downEnd = options.totalSteps - 1;
  const baseMomentum = options.baseMomentum ?? 0.85;
  const maxMomentum = options.maxMomentum ?? 0.95;
  if (!(baseMomentum >= 0 && baseMomentum <= maxMomentum && maxMomentum < 1)) {
    throw new Error(`invalid one-cycle momentum: base ${baseMomentum}, max ${maxMomentum} (expected 0 <= base <= max < 1)`);
  }
  const anneal = (from: number, to: number, t: number) => to + ((from - to) * (1 + Math.cos(Math.PI * t))) / 2;
  // The two phases as PyTorch draws them: the same annealing for the rate and, reversed, for momentum.
  const phase = (step: number, up: [number, number], down: [number, number]) => {
    if (step > downEnd) throw new Error(`one-cycle schedule: step ${step} is past totalSteps ${options.totalSteps}`);
    if (step <= upEnd) return anneal(up[0], up[1], upEnd > 0 ? step / upEnd : 1);
    return anneal(down[0], down[1], (step - upEnd) / (downEnd - upEnd));
  };
  const schedule: LearningRateSchedule = {
    name: `one-cycle(${options.maxRate})`,
    per: "batch",
    rate: (step) => phase(step, [initial, options.maxRate], [options.maxRate, min]),
  };
  if (options.cycleMomentum ?? true) {
    schedule.momentum = (step) => phase(step, [maxMomentum, baseMomentum], [baseMomentum, maxMomentum]);
  }
  return schedule;
}

/**
 * A constant rate (the default).
 *
 * @example
 * constantRate().rate(100, 0.01); // 0.01
 */
export function constantRate(): LearningRateSchedule {
  return { name: "constant", per: "epoch", rate: (_step, base) => base };
}
