// The classification output of a training step, log-softmax and the loss, with their gradients,
// in TypeScript (no addon call): a [batch, classes] array is a few hundred floats, so one pass
// here beats tfjs's dozen kernels.
import { LOG_SOFTMAX, LOG_SOFTMAX_GRAD, SPARSE_CROSS_ENTROPY, SPARSE_CROSS_ENTROPY_GRAD } from "../../fused-ops";
import { f32, out, type Args, type KernelContext, type Kernels } from "./common";

interface LossInputs {
  scores: Float32Array;
  labels: Int32Array;
  rows: number;
  classes: number;
  fromLogits: boolean;
}

function lossInputs(args: Args): LossInputs {
  const { backend } = args;
  const { scores, labels } = args.inputs;
  const sv = f32(backend, scores);
  const lv = backend.data.get(labels.dataId).values;
  // sparseCrossEntropy (fused-ops.ts) only sends float32 scores and int32 labels.
  if (!sv || !(lv instanceof Int32Array)) throw new Error(`labnative: ${SPARSE_CROSS_ENTROPY} takes float32 scores and int32 labels`);
  const [rows, classes] = scores.shape;
  return { scores: sv, labels: lv, rows, classes, fromLogits: !!(args.attrs as { fromLogits?: boolean }).fromLogits };
}

/** log(sum(exp(row))) of one row, shifted by its max for range; NaN in, NaN out. */
function logSumExp(s: Float32Array, from: number, classes: number): number {
  let max = -Infinity;
  for (let j = from; j < from + classes; j++) if (!(s[j] <= max)) max = s[j];
  if (max === -Infinity || Number.isNaN(max) || max === Infinity) return max;
  let sum = 0;
  for (let j = from; j < from + classes; j++) sum += Math.exp(s[j] - max);
  return max + Math.log(sum);
}

export function lossKernels({ alloc }: KernelContext): Kernels {
  return {
    [SPARSE_CROSS_ENTROPY]: (args) => {
      const { scores, labels, rows, classes, fromLogits } = lossInputs(args);
      let total = 0;
      for (let i = 0; i < rows; i++) {
        const y = labels[i], from = i * classes;
        if (!(y >= 0 && y < classes)) continue;  // a zero one-hot row: picks nothing
        total += fromLogits ? logSumExp(scores, from, classes) - scores[from + y] : -scores[from + y];
      }
      return out(args.backend, [], Float32Array.of(total / rows));
    },

    [SPARSE_CROSS_ENTROPY_GRAD]: (args) => {
      const { scores, labels, rows, classes, fromLogits } = lossInputs(args);
      const dyv = f32(args.backend, args.inputs.dy);
      if (!dyv) throw new Error(`labnative: ${SPARSE_CROSS_ENTROPY_GRAD} takes a float32 dy`);
      const g = dyv[0] / rows;
      const ds = alloc(args.backend, rows * classes);
      for (let i = 0; i < rows; i++) {
        const y = labels[i], from = i * classes, valid = y >= 0 && y < classes;
        if (fromLogits && valid) {
          // d/ds of logSumExp(s) - s[y]: softmax(s) - onehot(y).
          const lse = logSumExp(scores, from, classes);
          for (let j = 0; j < classes; j++) ds[from + j] = g * Math.exp(scores[from + j] - lse);
          ds[from + y] -= g;
        } else {
          ds.fill(0, from, from + classes);
          if (valid) ds[from + y] = -g;
        }
      }
      return out(args.backend, args.inputs.scores.shape, ds);
    },

    [LOG_SOFTMAX]: (args) => {
      const { x } = args.inputs;
      const xv = f32(args.backend, x);
      if (!xv || x.shape.length !== 2) throw new Error(`labnative: ${LOG_SOFTMAX} takes a 2-D float32 tensor`);
      const classes = x.shape[1];
      const y = alloc(args.backend, xv.length);
      for (let from = 0; from < xv.length; from += classes) {
        const lse = logSumExp(xv, from, classes);
        for (let j = from; j < from + classes; j++) y[j] = xv[j] - lse;
      }
      return out(args.backend, x.shape, y);
    },

    [LOG_SOFTMAX_GRAD]: (args) => {
      const { dy, y } = args.inputs;
      const dyv = f32(args.backend, dy), yv = f32(args.backend, y);
      if (!dyv || !yv || dy.shape.length !== 2) throw new Error(`labnative: ${LOG_SOFTMAX_GRAD} takes 2-D float32 dy and y`);
      const classes = dy.shape[1];
      const dx = alloc(args.backend, dyv.length);
      for (let from = 0; from < dyv.length; from += classes) {
        let sum = 0;
        for (let j = from; j < from + classes; j++) sum += dyv[j];
        for (let j = from; j < from + classes; j++) dx[j] = dyv[j] - Math.exp(yv[j]) * sum;
      }
      return out(args.backend, dy.shape, dx);
    },
  };
}
