// Batch normalisation: inference, its one-pass gradient, and training mode with batch moments
// (batch_norm.cc). The labnative-only kernels are used by gradients.ts and fused-ops.ts.
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { BATCH_NORM_GRAD } from "../gradients";
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD } from "../../fused-ops";
import { f32, out, type KernelContext, type Kernels, type TensorInfo } from "./common";

/** A per-channel float32 [c] input, null when absent; throws naming `what` otherwise. */
function perChannel(backend: MathBackendCPU, t: TensorInfo | undefined, c: number, what: string): Float32Array | null {
  if (t === undefined) return null;
  const v = f32(backend, t);
  if (!v || v.length !== c) throw new Error(`${what}: float32 [${c}] expected`);
  return v;
}

/** A folded ReLU's forward output (BATCH_NORM_TRAIN_GRAD's optional input y), as long as x. */
function reluOutput(backend: MathBackendCPU, y: TensorInfo, n: number): Float32Array {
  const v = f32(backend, y);
  if (!v || v.length !== n) throw new Error(`${BATCH_NORM_TRAIN_GRAD}: float32 y as long as x expected`);
  return v;
}

export function batchNormKernels({ addon, cpu, alloc }: KernelContext): Kernels {
  return {
    FusedBatchNorm: (args) => {
      const { backend } = args;
      const { x, mean, variance, offset, scale } = args.inputs;
      const xv = f32(backend, x), mv = f32(backend, mean), vv = f32(backend, variance);
      const ov = offset ? f32(backend, offset) : null, sv = scale ? f32(backend, scale) : null;
      const c = x.shape[x.shape.length - 1] ?? 1;
      const fits = (v: Float32Array | null | undefined) => v === null || (v !== undefined && (v.length === c || v.length === 1));
      // No channels (a 0-wide last axis): nothing the addon could divide by, tfjs's kernel takes it.
      if (!xv || !mv || !vv || ov === undefined || sv === undefined || c === 0 || !fits(mv) || !fits(vv) || !fits(ov) || !fits(sv)) {
        return cpu("FusedBatchNorm")(args);
      }
      const eps = (args.attrs?.varianceEpsilon as number | undefined) ?? 0.001;
      const y = alloc(backend, xv.length);
      addon.batchNorm(xv, mv, vv, ov, sv, y, eps, c);
      return out(backend, x.shape, y);
    },

    // Batch-norm gradients in one pass (gradients.ts; labnative only).
    [BATCH_NORM_GRAD]: (args) => {
      const { backend } = args;
      const { x, dy, mean, variance, scale } = args.inputs;
      const xv = f32(backend, x), dyv = f32(backend, dy), mv = f32(backend, mean), vv = f32(backend, variance);
      const sv = scale ? f32(backend, scale) ?? null : null;
      if (!xv || !dyv || !mv || !vv) throw new Error(`${BATCH_NORM_GRAD}: float32 inputs expected`);
      const c = mv.length;
      const eps = (args.attrs?.varianceEpsilon as number | undefined) ?? 0.001;
      const dx = alloc(backend, xv.length);
      const per = () => new Float32Array(c);
      const [dmean, dvar, dscale, doffset] = [per(), per(), per(), per()];
      addon.batchNormGrad(xv, dyv, mv, vv, sv, eps, dx, dmean, dvar, dscale, doffset);
      return [out(backend, x.shape, dx), ...[dmean, dvar, dscale, doffset].map((v) => out(backend, [c], v))];
    },

    // Training-mode batch norm, batch moments included (fused-ops.ts; labnative only).
    [BATCH_NORM_TRAIN]: (args) => {
      const { backend } = args;
      const { x, scale, offset } = args.inputs;
      const xv = f32(backend, x);
      const c = x.shape[x.shape.length - 1];
      if (!xv || x.shape.length < 2 || xv.length === 0) throw new Error(`${BATCH_NORM_TRAIN}: float32 input of rank >= 2 expected`);
      const sv = perChannel(backend, scale, c, BATCH_NORM_TRAIN), ov = perChannel(backend, offset, c, BATCH_NORM_TRAIN);
      const eps = args.attrs?.varianceEpsilon as number;
      const y = alloc(backend, xv.length);
      const mean = new Float32Array(c), variance = new Float32Array(c);
      addon.batchNormTrain(xv, sv, ov, eps, y, mean, variance, args.attrs?.relu ? 1 : 0);
      return [out(backend, x.shape, y), out(backend, [c], mean), out(backend, [c], variance)];
    },

    [BATCH_NORM_TRAIN_GRAD]: (args) => {
      const { backend } = args;
      const { x, dy, mean, variance, scale, dmean, dvariance, y } = args.inputs;
      const xv = f32(backend, x), dyv = f32(backend, dy);
      const c = x.shape[x.shape.length - 1];
      if (!xv || !dyv || dyv.length !== xv.length) throw new Error(`${BATCH_NORM_TRAIN_GRAD}: float32 x and dy expected`);
      const [mv, vv] = [perChannel(backend, mean, c, BATCH_NORM_TRAIN_GRAD), perChannel(backend, variance, c, BATCH_NORM_TRAIN_GRAD)];
      if (!mv || !vv) throw new Error(`${BATCH_NORM_TRAIN_GRAD}: mean and variance expected`);
      const sv = perChannel(backend, scale, c, BATCH_NORM_TRAIN_GRAD);
      const eps = args.attrs?.varianceEpsilon as number;
      const dx = alloc(backend, xv.length);
      const dscale = new Float32Array(c), doffset = new Float32Array(c);
      addon.batchNormTrainGrad(xv, dyv, mv, vv, sv, eps, perChannel(backend, dmean, c, BATCH_NORM_TRAIN_GRAD),
        perChannel(backend, dvariance, c, BATCH_NORM_TRAIN_GRAD), dx, dscale, doffset, y ? reluOutput(backend, y, xv.length) : null);
      return [out(backend, x.shape, dx), out(backend, [c], dscale), out(backend, [c], doffset)];
    },
  };
}
