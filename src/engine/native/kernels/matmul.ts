// Batched matrix products with fused bias and activation (matmul.cc).
import * as tf from "@tensorflow/tfjs";
import { DENSE_BIAS_ACT } from "../../fused-ops";
import { backend_util, f32, out, sizeOf, type Args, type KernelContext, type Kernels } from "./common";

export function matmulKernels({ addon, cpu, alloc }: KernelContext): Kernels {
  const act = addon.ops.activation;

  function matmul(args: Args, fused: boolean) {
    const { backend } = args;
    const { a, b, bias, preluActivationWeights } = args.inputs;
    const at = args.attrs as unknown as tf._FusedMatMulAttrs;
    const name = fused ? "_FusedMatMul" : "BatchMatMul";
    const av = f32(backend, a), bv = f32(backend, b);
    const code = fused ? act[at.activation ?? "linear"] : act.linear;
    const biasv = bias ? f32(backend, bias) : null;
    if (!av || !bv || code === undefined || preluActivationWeights || biasv === undefined) return cpu(name)(args);
    const ra = a.shape.length, rb = b.shape.length;
    const m = at.transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const k = at.transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const kb = at.transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
    const n = at.transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
    const batchA = sizeOf(outerA), batchB = sizeOf(outerB);
    const sameOuter = outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]);
    if (k !== kb || !(sameOuter || batchA === 1 || batchB === 1)) return cpu(name)(args);
    if (biasv && biasv.length !== n && biasv.length !== 1) return cpu(name)(args);
    const outer = backend_util.assertAndGetBroadcastShape(outerA, outerB);
    const batch = Math.max(batchA, batchB);
    const y = alloc(backend, batch * m * n);
    const dims = Int32Array.of(batch, m, n, k, at.transposeA ? 1 : 0, at.transposeB ? 1 : 0,
      batchA === 1 ? 1 : 0, batchB === 1 ? 1 : 0);
    addon.matmul(av, bv, y, dims, biasv, code, at.leakyreluAlpha ?? 0.2);
    return out(backend, [...outer, m, n], y);
  }

  return {
    BatchMatMul: (args) => matmul(args, false),
    _FusedMatMul: (args) => matmul(args, true),
    // A dense layer's product while training (fused-ops.ts): x [batch, in] · kernel [in, units] + bias, relu or linear.
    [DENSE_BIAS_ACT]: (args) => {
      const { x, kernel, bias } = args.inputs;
      const { activation } = args.attrs as { activation: string };
      return matmul({ ...args, inputs: { a: x, b: kernel, bias }, attrs: { transposeA: false, transposeB: false, activation } }, true);
    },
  };
}
