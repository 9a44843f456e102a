// Optimiser updates into new arrays (optimizer.cc): what native/optimizer-steps.ts runs when a
// variable's or a buffer's array may not be overwritten in place.
import { ADAM_STEP, SGD_STEP } from "../optimizer-steps";
import { f32, out, type KernelContext, type Kernels } from "./common";

export function optimizerKernels({ addon, alloc }: KernelContext): Kernels {
  return {
    [SGD_STEP]: (args) => {
      const { backend } = args;
      const { w, g, buf } = args.inputs;
      const { op, learningRate, momentum, weightDecay } = args.attrs as unknown as Record<string, number>;
      const wv = f32(backend, w), gv = f32(backend, g), bv = buf ? f32(backend, buf) : null;
      if (!wv || !gv || bv === undefined) throw new Error(`${SGD_STEP}: float32 inputs expected`);
      const wOut = alloc(backend, wv.length);
      const bOut = bv ? alloc(backend, bv.length) : null;
      addon.sgdStep(op, wv, gv, bv, wOut, bOut, learningRate, momentum, weightDecay);
      return bOut ? [out(backend, w.shape, wOut), out(backend, w.shape, bOut)] : [out(backend, w.shape, wOut)];
    },
    [ADAM_STEP]: (args) => {
      const { backend } = args;
      const { w, g, m, v } = args.inputs;
      const a = args.attrs as unknown as Record<string, number>;
      const wv = f32(backend, w), gv = f32(backend, g), mv = f32(backend, m), vv = f32(backend, v);
      if (!wv || !gv || !mv || !vv) throw new Error(`${ADAM_STEP}: float32 inputs expected`);
      const wOut = alloc(backend, wv.length), mOut = alloc(backend, wv.length), vOut = alloc(backend, wv.length);
      addon.adamStep(wv, gv, mv, vv, wOut, mOut, vOut, a.learningRate, a.beta1, a.beta2, a.epsilon, a.weightDecay,
        a.biasCorrection1, a.biasCorrection2);
      return [out(backend, w.shape, wOut), out(backend, w.shape, mOut), out(backend, w.shape, vOut)];
    },
  };
}
