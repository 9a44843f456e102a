// Seeded inverted dropout in one pass (dropout.cc): the forward kernel of ../../dropout.ts, and its
// gradient, which is the same kernel applied to dy.
import { SEEDED_DROPOUT } from "../../dropout";
import { f32, out, type KernelContext, type Kernels } from "./common";

export function dropoutKernels({ addon, alloc }: KernelContext): Kernels {
  return {
    [SEEDED_DROPOUT]: (args) => {
      const { backend } = args;
      const { x } = args.inputs;
      const { rate, seed } = args.attrs as unknown as { rate: number; seed: number };
      const xv = f32(backend, x);
      if (!xv) throw new Error(`${SEEDED_DROPOUT}: float32 input expected`);
      const y = alloc(backend, xv.length);
      addon.dropout(xv, y, rate, seed);
      return out(backend, x.shape, y);
    },
  };
}
