// Optimisers as PyTorch's torch.optim defines them (SGD with momentum / Nesterov, Adam), with
// PyTorch-style weight decay (weightDecay · w added to each gradient). TorchOptimizer is a
// tf.Optimizer of the library's own, so model.compile / model.fit take it too; each variable's update
// is one engine op (src/engine/optimizer-steps.ts), a single native pass on labnative.
import * as tf from "@tensorflow/tfjs";
import { adamStep, sgdStep } from "../engine/index.js";
import { registeredVariable } from "../engine/tfjs-internals.js";

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

type NamedGradients = tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[];

/** A state buffer, named as tfjs names its optimisers' (`<variable>/momentum`, `/m`, `/v`), so checkpoints read alike. */
interface Slot {
  originalName: string;
  variable: tf.Variable;
}

/**
 * A tf.Optimizer with torch.optim's semantics, for model.compile as for trainModel. State is kept
 * per position in the gradient list, as tfjs's optimisers keep it, and getWeights / setWeights use
 * their layout: ["iter", ...momentum buffers] for SGD with momentum, ["iter", ...m, ...v] for Adam.
 *
 * @example
 * model.compile({ optimizer: new TorchOptimizer({ name: "adam", learningRate: 1e-3 }), loss: "categoricalCrossentropy" });
 */
export class TorchOptimizer extends tf.Optimizer {
  /** tfjs's serialisation name. */
  static get className(): string {
    return "LabreportTorchOptimizer";
  }

  readonly kind: "sgd" | "adam";
  learningRate: number;
  /** Read by the next step; set with setMomentum. */
  momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Whether steps keep momentum buffers (SGD built with momentum > 0). */
  readonly usesMomentum: boolean;
  private buffers: (Slot | undefined)[] = [];
  private firstMoments: (Slot | undefined)[] = [];
  private secondMoments: (Slot | undefined)[] = [];

  constructor(config: OptimizerConfig) {
    super();
    const kind = config.name ?? "sgd";
    if (kind !== "sgd" && kind !== "adam") throw new Error(`invalid optimizer: ${kind} (use "sgd" or "adam")`);
    if (!(config.learningRate > 0)) throw new Error(`invalid learning rate: ${config.learningRate} (expected > 0)`);
    const momentum = config.momentum ?? 0;
    if (!(momentum >= 0 && momentum < 1)) throw new Error(`invalid momentum: ${momentum} (expected 0 <= momentum < 1)`);
    const weightDecay = config.weightDecay ?? 0;
    if (!(weightDecay >= 0)) throw new Error(`invalid weight decay: ${config.weightDecay}`);
    if (kind === "sgd" && config.nesterov && momentum === 0) throw new Error("Nesterov momentum requires momentum > 0");
    this.kind = kind;
    this.learningRate = config.learningRate;
    this.momentum = kind === "sgd" ? momentum : 0;
    this.nesterov = kind === "sgd" && (config.nesterov ?? false);
    this.weightDecay = weightDecay;
    this.beta1 = config.beta1 ?? 0.9;
    this.beta2 = config.beta2 ?? 0.999;
    this.epsilon = config.epsilon ?? 1e-8;
    this.usesMomentum = kind === "sgd" && momentum > 0;
  }

  /** Sets the learning rate of the following steps. */
  setLearningRate(rate: number): void {
    this.learningRate = rate;
  }

  /** Sets the momentum of the following steps (buffers kept). */
  setMomentum(momentum: number): void {
    if (!this.usesMomentum) throw new Error(`the ${this.kind} optimiser has no momentum to set (build it with momentum > 0)`);
    this.momentum = momentum;
  }

  applyGradients(variableGradients: NamedGradients): void {
    const list = Array.isArray(variableGradients)
      ? variableGradients.map((e) => [e.name, e.tensor] as const)
      : Object.entries(variableGradients);
    const step = this.iterations + 1;
    list.forEach(([name, gradient], i) => {
      const variable = registeredVariable(name);
      if (!variable) throw new Error(`TorchOptimizer: no variable named ${name} (gradients must be keyed by variable name)`);
      // Buffers are made before the gradient is looked at, as tfjs does: positions stay aligned.
      if (this.kind === "sgd") {
        const buffer = this.usesMomentum ? (this.buffers[i] ??= slot(`${name}/momentum`, variable)).variable : null;
        if (gradient == null) return;
        sgdStep(variable, gradient, buffer, {
          learningRate: this.learningRate, momentum: this.usesMomentum ? this.momentum : 0, nesterov: this.nesterov, weightDecay: this.weightDecay,
        });
      } else {
        const m = (this.firstMoments[i] ??= slot(`${name}/m`, variable)).variable;
        const v = (this.secondMoments[i] ??= slot(`${name}/v`, variable)).variable;
        if (gradient == null) return;
        adamStep(variable, gradient, m, v, {
          learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, weightDecay: this.weightDecay, step,
        });
      }
    });
    this.incrementIterations();
  }

  override async getWeights(): Promise<{ name: string; tensor: tf.Tensor }[]> {
    const slots = this.kind === "adam" ? [...this.firstMoments, ...this.secondMoments] : this.buffers;
    return [await this.saveIterations(), ...slots.filter((s): s is Slot => s !== undefined).map((s) => ({ name: s.originalName, tensor: s.variable as tf.Tensor }))];
  }

  override async setWeights(weightValues: { name: string; tensor: tf.Tensor }[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    const slots = rest.map((w) => ({ originalName: w.name, variable: w.tensor.variable(false) }));
    this.disposeState();
    if (this.kind === "adam") {
      if (slots.length % 2 !== 0) throw new Error(`TorchOptimizer.setWeights: Adam expects as many m as v buffers, got ${slots.length} buffers`);
      this.firstMoments = slots.slice(0, slots.length / 2);
      this.secondMoments = slots.slice(slots.length / 2);
    } else if (this.usesMomentum) {
      this.buffers = slots;
    } else if (slots.length > 0) {
      tf.dispose(slots.map((s) => s.variable));
      throw new Error("TorchOptimizer.setWeights: plain SGD keeps no state beyond the iteration count");
    }
  }

  getConfig(): tf.serialization.ConfigDict {
    return {
      name: this.kind, learningRate: this.learningRate, momentum: this.momentum, nesterov: this.nesterov,
      weightDecay: this.weightDecay, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon,
    };
  }

  override dispose(): void {
    this.disposeState();
    super.dispose();
  }

  private disposeState(): void {
    for (const s of [...this.buffers, ...this.firstMoments, ...this.secondMoments]) s?.variable.dispose();
    this.buffers = [];
    this.firstMoments = [];
    this.secondMoments = [];
  }
}

function slot(originalName: string, like: tf.Variable): Slot {
  return { originalName, variable: tf.tidy(() => tf.zerosLike(like).variable(false)) };
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
  /**
   * The tf.Optimizer itself, for tfjs's own training loop: its updates are as fast there.
   *
   * @example
   * model.compile({ optimizer: createOptimizer({ name: "adam", learningRate: 1e-3 }).optimizer, loss: "categoricalCrossentropy" });
   */
  readonly optimizer: TorchOptimizer;
  readonly config: Readonly<OptimizerConfig>;

  constructor(config: OptimizerConfig) {
    this.optimizer = new TorchOptimizer(config);
    this.config = { ...config, name: this.optimizer.kind };
  }

  /** The current learning rate. */
  get learningRate(): number {
    return this.optimizer.learningRate;
  }

  /** Sets the learning rate for the following steps. */
  setLearningRate(rate: number): void {
    if (!(rate >= 0) || !Number.isFinite(rate)) throw new Error(`invalid learning rate: ${rate}`);
    this.optimizer.setLearningRate(rate);
  }

  /** Whether the optimiser keeps a momentum buffer (SGD with momentum > 0, or Nesterov). */
  get hasMomentum(): boolean {
    return this.optimizer.usesMomentum;
  }

  /** The current momentum (0 for plain SGD and Adam). */
  get momentum(): number {
    return this.optimizer.momentum;
  }

  /**
   * Sets the momentum for the following steps (SGD with momentum only), as a momentum schedule does
   * with PyTorch's param_groups[0]["momentum"]; the momentum buffers are kept.
   */
  setMomentum(momentum: number): void {
    if (!this.hasMomentum) throw new Error(`the ${this.config.name} optimiser has no momentum to set (build it with momentum > 0)`);
    if (!(momentum >= 0 && momentum < 1)) throw new Error(`invalid momentum: ${momentum} (expected 0 <= momentum < 1)`);
    this.optimizer.setMomentum(momentum);
  }

  /** One update of `variables` from their gradients (keyed by variable name); disposes the gradients. */
  step(grads: tf.NamedTensorMap, variables: tf.Variable[]): void {
    // In `variables`' order: the optimiser keeps its state by position.
    this.optimizer.applyGradients(variables.map((v) => ({ name: v.name, tensor: grads[v.name] })));
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
