// Optimisers as PyTorch's torch.optim defines them (SGD with momentum / Nesterov, Adam), on top of
// tfjs's optimisers, with PyTorch-style weight decay: weightDecay · w is added to each gradient.
import * as tf from "@tensorflow/tfjs";

/**
 * An optimiser as torch.optim would be configured: name, rate, momentum, weight decay, Adam's betas.
 *
 * @example
 * const sgd: OptimizerConfig = { learningRate: 0.01, momentum: 0.5 };            // seed 000
 * const adam: OptimizerConfig = { name: "adam", learningRate: 1e-3, weightDecay: 1e-4 };
 */
export interface OptimizerConfig {
  /** "sgd" (optionally with momentum / Nesterov) or "adam". Default "sgd". */
  name?: "sgd" | "adam";
  /** Learning rate (PyTorch's lr). */
  learningRate: number;
  /** SGD momentum (0 = plain SGD). */
  momentum?: number;
  /** Nesterov momentum (SGD only; needs momentum > 0). */
  nesterov?: boolean;
  /** L2 penalty added to the gradients, as torch.optim's weight_decay (applies to every parameter). */
  weightDecay?: number;
  /** Adam's β1, β2 and ε; PyTorch's defaults 0.9, 0.999, 1e-8. */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/**
 * An optimiser for a training run: applies gradients (with weight decay) and lets a schedule set
 * the learning rate.
 *
 * @example
 * const opt = createOptimizer({ name: "sgd", learningRate: 0.01, momentum: 0.5 });
 * opt.learningRate;        // 0.01
 * opt.setLearningRate(0.001);
 */
export class TrainingOptimizer {
  readonly optimizer: tf.Optimizer;
  readonly config: Readonly<OptimizerConfig>;
  private rate: number;
  private currentMomentum: number;

  constructor(config: OptimizerConfig) {
    const name = config.name ?? "sgd";
    if (!(config.learningRate > 0)) throw new Error(`invalid learning rate: ${config.learningRate} (expected > 0)`);
    const momentum = config.momentum ?? 0;
    if (!(momentum >= 0 && momentum < 1)) throw new Error(`invalid momentum: ${momentum} (expected 0 <= momentum < 1)`);
    if (!((config.weightDecay ?? 0) >= 0)) throw new Error(`invalid weight decay: ${config.weightDecay}`);
    if (name === "sgd") {
      if (config.nesterov && momentum === 0) throw new Error("Nesterov momentum requires momentum > 0");
      this.optimizer =
        momentum > 0 ? tf.train.momentum(config.learningRate, momentum, config.nesterov ?? false) : tf.train.sgd(config.learningRate);
    } else if (name === "adam") {
      this.optimizer = tf.train.adam(config.learningRate, config.beta1 ?? 0.9, config.beta2 ?? 0.999, config.epsilon ?? 1e-8);
    } else {
      throw new Error(`invalid optimizer: ${name} (use "sgd" or "adam")`);
    }
    this.config = { ...config, name };
    this.rate = config.learningRate;
    this.currentMomentum = momentum;
  }

  /** The current learning rate. */
  get learningRate(): number {
    return this.rate;
  }

  /** Sets the learning rate for the following steps. */
  setLearningRate(rate: number): void {
    if (!(rate >= 0) || !Number.isFinite(rate)) throw new Error(`invalid learning rate: ${rate}`);
    this.rate = rate;
    const opt = this.optimizer as unknown as { setLearningRate?: (r: number) => void; learningRate: number };
    if (typeof opt.setLearningRate === "function") opt.setLearningRate(rate);
    else opt.learningRate = rate;
  }

  /** Whether the optimiser keeps a momentum buffer (SGD with momentum > 0, or Nesterov). */
  get hasMomentum(): boolean {
    return this.config.name === "sgd" && (this.config.momentum ?? 0) > 0;
  }

  /** The current momentum (0 for plain SGD and Adam). */
  get momentum(): number {
    return this.hasMomentum ? this.currentMomentum : 0;
  }

  /**
   * Sets the momentum for the following steps (SGD with momentum only), as a momentum schedule does
   * with PyTorch's param_groups[0]["momentum"]; the momentum buffers are kept.
   */
  setMomentum(momentum: number): void {
    if (!this.hasMomentum) throw new Error(`the ${this.config.name} optimiser has no momentum to set (build it with momentum > 0)`);
    if (!(momentum >= 0 && momentum < 1)) throw new Error(`invalid momentum: ${momentum} (expected 0 <= momentum < 1)`);
    if (momentum === this.currentMomentum) return;
    this.currentMomentum = momentum;
    // tfjs's own setMomentum leaves the scalar its steps use unchanged, so that scalar is replaced here.
    const opt = this.optimizer as unknown as { momentum: number; m: tf.Scalar };
    opt.momentum = momentum;
    opt.m.dispose();
    opt.m = tf.keep(tf.scalar(momentum));
  }

  /** One update of `variables` from their gradients (keyed by variable name); disposes the gradients. */
  step(grads: tf.NamedTensorMap, variables: tf.Variable[]): void {
    const decay = this.config.weightDecay ?? 0;
    if (decay > 0) {
      for (const v of variables) {
        const g = grads[v.name];
        if (!g) continue;
        grads[v.name] = tf.tidy(() => g.add(v.mul(decay)));
        g.dispose();
      }
    }
    this.optimizer.applyGradients(grads);
    tf.dispose(Object.values(grads));
  }

  /** Frees the optimiser's state (momentum buffers, moments). */
  dispose(): void {
    this.optimizer.dispose();
  }
}

/**
 * A training optimiser from a config, as torch.optim would build it.
 *
 * @example
 * createOptimizer({ learningRate: 0.1, momentum: 0.9, weightDecay: 5e-4 });   // SGD with momentum
 * createOptimizer({ learningRate: 0.1, momentum: 0.9, nesterov: true });      // Nesterov
 * createOptimizer({ name: "adam", learningRate: 0.001 });                     // Adam
 */
export function createOptimizer(config: OptimizerConfig): TrainingOptimizer {
  return new TrainingOptimizer(config);
}
