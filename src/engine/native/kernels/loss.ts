// The classification loss of a training step and its gradient, in TypeScript (no addon call): a
// [batch, classes] array is a few hundred floats, so one pass here beats tfjs's dozen kernels.
import { SPARSE_CROSS_ENTROPY, SPARSE_CROSS_ENTROPY_GRAD } from "../../fused-ops";
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
  };
}
