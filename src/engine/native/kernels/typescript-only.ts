// Kernels written here in TypeScript, no addon call: gather (model.fit slices every batch out of
// the data with it) and softmax (tfjs's cpu kernel runs five sub-kernels for it).
import * as tf from "@tensorflow/tfjs";
import { f32, out, util, type KernelContext, type Kernels } from "./common";

export function typescriptKernels({ cpu, alloc }: KernelContext): Kernels {
  return {
    GatherV2: (args) => {
      const { backend } = args;
      const { x, indices } = args.inputs;
      // float32 data and int32 labels (tf.oneHot's default dtype) alike: rows are copied as they are.
      const xv = x.dtype === "float32" || x.dtype === "int32" ? backend.data.get(x.dataId).values : undefined;
      const attrs = args.attrs as unknown as tf.GatherV2Attrs;
      const iv = backend.data.get(indices.dataId).values;
      const axis = util.parseAxisParam(attrs.axis, x.shape)[0];
      const typed = xv instanceof Float32Array || xv instanceof Int32Array;
      if (!typed || axis !== 0 || (attrs.batchDims ?? 0) !== 0 || !(iv instanceof Int32Array || iv instanceof Float32Array)) {
        return cpu("GatherV2")(args);
      }
      // Whole rows: one typed-array copy each.
      const rows = x.shape[0], row = rows === 0 ? 0 : xv.length / rows;
      const y = xv instanceof Float32Array ? alloc(backend, iv.length * row) : new Int32Array(iv.length * row);
      for (let i = 0; i < iv.length; i++) {
        const r = iv[i];
        if (!(r >= 0 && r < rows)) return cpu("GatherV2")(args);
        // Short rows (labels): a subarray per row would cost more than copying its few values.
        if (row < 64) for (let j = 0; j < row; j++) y[i * row + j] = xv[r * row + j];
        else y.set(xv.subarray(r * row, (r + 1) * row), i * row);
      }
      return backend.makeTensorInfo([...indices.shape, ...x.shape.slice(1)], x.dtype, y);
    },

    // Over the last axis only.
    Softmax: (args) => {
      const { backend } = args;
      const { logits } = args.inputs;
      const xv = f32(backend, logits);
      const rank = logits.shape.length;
      const dim = (args.attrs as unknown as tf.SoftmaxAttrs).dim;
      if (!xv || rank === 0 || (dim !== -1 && dim !== rank - 1)) return cpu("Softmax")(args);
      const width = logits.shape[rank - 1];
      const y = alloc(backend, xv.length);
      for (let r = 0; r < xv.length; r += width) {
        let max = -Infinity;
        for (let j = r; j < r + width; j++) if (xv[j] > max) max = xv[j];
        let sum = 0;
        for (let j = r; j < r + width; j++) sum += (y[j] = Math.exp(xv[j] - max));
        for (let j = r; j < r + width; j++) y[j] /= sum;
      }
      return out(backend, logits.shape, y);
    },
  };
}
