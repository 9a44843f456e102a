// sgdStep and adamStep (../optimizer-steps.ts) on labnative: one native pass per variable over its
// array, its gradient and its state buffers. In place when backend.ts's rule allows it for the
// variable and every buffer (only they see their arrays); otherwise the same pass writes new arrays
// (the kernels in kernels/optimizer.ts), which are assigned, so a clone or an earlier read a user
// holds never changes. Gradients that are not float32 or not the variable's size go to tf ops.
import * as tf from "@tensorflow/tfjs";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import type { NativeAddon } from "./addon";
import { adamBiasCorrections, type StepImplementation } from "../optimizer-steps";

/** Kernel: one SGD step into new arrays; inputs w, g (and buf), outputs [w'] or [w', buf']. */
export const SGD_STEP = "LabnativeSgdStep";
/** Kernel: one Adam step into new arrays; inputs w, g, m, v, outputs [w', m', v']. */
export const ADAM_STEP = "LabnativeAdamStep";

/** What the updates need from the backend. */
export interface StepBackend extends MathBackendCPU {
  /** The array behind `tensor` when it may be overwritten in place, else undefined. */
  inPlaceArray(tensor: tf.Tensor): Float32Array | undefined;
}

export function nativeSteps(addon: NativeAddon): StepImplementation {
  const { sgd: variants } = addon.ops;
  // The float32 array behind t, or undefined when native code cannot take it.
  const values = (backend: StepBackend, t: tf.Tensor, size: number) => {
    // A tensor whose data is still on another backend (made before a switch) is left to tf ops.
    if (t.dtype !== "float32" || !backend.data.has(t.dataId)) return undefined;
    const v = backend.data.get(t.dataId).values;
    return v instanceof Float32Array && v.length === size ? v : undefined;
  };
  return {
    sgd(variable, gradient, buffer, { learningRate, momentum, nesterov, weightDecay }) {
      const backend = tf.backend() as StepBackend;
      const useBuffer = buffer !== null && momentum !== 0;
      const w = values(backend, variable, variable.size);
      const g = values(backend, gradient, variable.size);
      const b = useBuffer ? values(backend, buffer, variable.size) : null;
      if (!w || !g || b === undefined) return false;
      const op = !useBuffer ? variants.plain : nesterov ? variants.nesterov : variants.momentum;
      if (backend.inPlaceArray(variable) && (!useBuffer || backend.inPlaceArray(buffer))) {
        addon.sgdStep(op, w, g, b, w, b, learningRate, momentum, weightDecay);
        return true;
      }
      tf.tidy(() => {
        const inputs: tf.NamedTensorMap = useBuffer ? { w: variable, g: gradient, buf: buffer } : { w: variable, g: gradient };
        const outs = tf.engine().runKernel(SGD_STEP, inputs, { op, learningRate, momentum, weightDecay }) as tf.Tensor[];
        variable.assign(outs[0]);
        if (useBuffer) buffer.assign(outs[1]);
      });
      return true;
    },

    adam(variable, gradient, m, v, options) {
      const backend = tf.backend() as StepBackend;
      const n = variable.size;
      const w = values(backend, variable, n), g = values(backend, gradient, n);
      const mv = values(backend, m, n), vv = values(backend, v, n);
      if (!w || !g || !mv || !vv) return false;
      const { learningRate, beta1, beta2, epsilon, weightDecay } = options;
      const [biasCorrection1, biasCorrection2] = adamBiasCorrections(options);
      if (backend.inPlaceArray(variable) && backend.inPlaceArray(m) && backend.inPlaceArray(v)) {
        addon.adamStep(w, g, mv, vv, w, mv, vv, learningRate, beta1, beta2, epsilon, weightDecay, biasCorrection1, biasCorrection2);
        return true;
      }
      tf.tidy(() => {
        const attrs = { learningRate, beta1, beta2, epsilon, weightDecay, biasCorrection1, biasCorrection2 };
        const outs = tf.engine().runKernel(ADAM_STEP, { w: variable, g: gradient, m, v }, attrs) as tf.Tensor[];
        variable.assign(outs[0]);
        m.assign(outs[1]);
        v.assign(outs[2]);
      });
      return true;
    },
  };
}
