// Weight initialisation schemes by name, each seeded so that the same seed gives the same weights.
// The default copies PyTorch's defaults for nn.Linear / nn.Conv2d, since the assignments are PyTorch's.
import * as tf from "@tensorflow/tfjs";

type Initializer = ReturnType<typeof tf.initializers.zeros>;

/**
 * How weights (kernels) are drawn:
 * - "pytorch": U(±1/√fanIn), PyTorch's default (kaiming_uniform with a=√5);
 * - "glorot": Glorot/Xavier uniform, U(±gain·√(6/(fanIn+fanOut)));
 * - "glorotNormal": Glorot/Xavier normal, N(0, gain²·2/(fanIn+fanOut));
 * - "he": He/Kaiming normal, N(0, 2/fanIn);
 * - "normal": N(0, 1), as torch.nn.init.normal_;
 * - "zeros": all zero.
 *
 * @example
 * convNet({ init: "he" });
 */
export type WeightInit = "pytorch" | "glorot" | "glorotNormal" | "he" | "normal" | "zeros";

/**
 * How biases are drawn: "pytorch" U(±1/√fanIn) (PyTorch's default) or "zeros".
 *
 * @example
 * convNet({ init: { weights: "pytorch", biases: "zeros" } });
 */
export type BiasInit = "pytorch" | "zeros";

/**
 * An initialisation: a scheme name (weights; biases keep PyTorch's default, except "zeros" which zeroes both), or both parts.
 *
 * @example
 * mlp({ hidden: [800], init: "glorot" });
 * mlp({ hidden: [800], init: { weights: "glorot", biases: "zeros", gain: Math.SQRT2 } });
 */
export type Init = WeightInit | { weights: WeightInit; biases?: BiasInit; gain?: number };

/**
 * The resolved form of an `Init`.
 *
 * @example
 * resolveInit("he"); // { weights: "he", biases: "pytorch", gain: 1 }
 */
export interface InitSpec {
  weights: WeightInit;
  biases: BiasInit;
  gain: number;
}

/**
 * Normalises the shorthand forms of an initialisation.
 *
 * @example
 * resolveInit("zeros");                          // { weights: "zeros", biases: "zeros", gain: 1 }
 * resolveInit({ weights: "glorot", gain: Math.SQRT2 }); // Glorot weights, PyTorch-default biases
 */
export function resolveInit(init: Init = "pytorch"): InitSpec {
  const spec: InitSpec =
    typeof init === "string"
      ? { weights: init, biases: init === "zeros" ? "zeros" : "pytorch", gain: 1 }
      : { weights: init.weights, biases: init.biases ?? "pytorch", gain: init.gain ?? 1 };
  if (!["pytorch", "glorot", "glorotNormal", "he", "normal", "zeros"].includes(spec.weights)) {
    throw new Error(`invalid weight initialisation: ${spec.weights} (use pytorch, glorot, glorotNormal, he, normal or zeros)`);
  }
  if (!["pytorch", "zeros"].includes(spec.biases)) {
    throw new Error(`invalid bias initialisation: ${spec.biases} (use pytorch or zeros)`);
  }
  return spec;
}

/**
 * The tfjs initialiser of a kernel with the given fan-in and fan-out.
 *
 * @example
 * tf.layers.dense({ units: 10, kernelInitializer: weightInitializer(resolveInit(), 784, 10, 1) });
 */
export function weightInitializer(spec: InitSpec, fanIn: number, fanOut: number, seed: number): Initializer {
  switch (spec.weights) {
    case "pytorch": {
      const limit = spec.gain / Math.sqrt(fanIn);
      return tf.initializers.randomUniform({ minval: -limit, maxval: limit, seed });
    }
    case "glorot": {
      const limit = spec.gain * Math.sqrt(6 / (fanIn + fanOut));
      return tf.initializers.randomUniform({ minval: -limit, maxval: limit, seed });
    }
    case "glorotNormal":
      return tf.initializers.randomNormal({ mean: 0, stddev: spec.gain * Math.sqrt(2 / (fanIn + fanOut)), seed });
    case "he":
      return tf.initializers.randomNormal({ mean: 0, stddev: spec.gain * Math.sqrt(2 / fanIn), seed });
    case "normal":
      return tf.initializers.randomNormal({ mean: 0, stddev: spec.gain, seed });
    case "zeros":
      return tf.initializers.zeros();
  }
}

/**
 * The tfjs initialiser of a bias vector for a layer with the given fan-in.
 *
 * @example
 * tf.layers.dense({ units: 10, biasInitializer: biasInitializer(resolveInit("pytorch"), 784, 1) });
 */
export function biasInitializer(spec: InitSpec, fanIn: number, seed: number): Initializer {
  if (spec.biases === "zeros") return tf.initializers.zeros();
  const limit = 1 / Math.sqrt(fanIn);
  return tf.initializers.randomUniform({ minval: -limit, maxval: limit, seed });
}
