// 2-D convolution and its two gradients (conv.cc), NHWC float32; fused bias and activation.
import * as tf from "@tensorflow/tfjs";
import { CONV2D_BIAS_ACT } from "../../fused-ops";
import { backend_util, channelsLast, f32, geom, out, sizeOf, type Args, type KernelContext, type Kernels } from "./common";

export function convKernels({ addon, cpu, alloc, defer }: KernelContext): Kernels {
  const act = addon.ops.activation;

  function conv(args: Args, fused: boolean) {
    const { backend } = args;
    const { x, filter, bias, preluActivationWeights } = args.inputs;
    const a = args.attrs as unknown as tf.FusedConv2DAttrs;
    const xv = f32(backend, x), fv = f32(backend, filter);
    const code = fused ? act[a.activation ?? "linear"] : act.linear;
    const bv = bias ? f32(backend, bias) : null;
    const ok = xv && fv && channelsLast(a.dataFormat) && code !== undefined && !preluActivationWeights &&
      bv !== undefined && (bv === null || bv.length === filter.shape[3] || bv.length === 1);
    if (!ok) return cpu(fused ? "FusedConv2D" : "Conv2D")(args);
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
      a.strides, a.dilations, a.pad, a.dimRoundingMode, false, "channelsLast");
    const y = alloc(backend, sizeOf(info.outShape));
    addon.conv2d(xv, fv, bv, y, geom(info), code, a.leakyreluAlpha ?? 0.2);
    return out(backend, info.outShape, y);
  }

  return {
    Conv2D: (args) => conv(args, false),
    FusedConv2D: (args) => conv(args, true),
    // A convolution layer while training (fused-ops.ts): FusedConv2D with its activation, relu or linear.
    [CONV2D_BIAS_ACT]: (args) => conv({ ...args, attrs: { ...args.attrs, dataFormat: "NHWC", dilations: [1, 1] } }, true),

    Conv2DBackpropFilter: (args) => {
      const { backend } = args;
      const { x, dy } = args.inputs;
      const a = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
      const xv = f32(backend, x), dyv = f32(backend, dy);
      if (!xv || !dyv || !channelsLast(a.dataFormat)) return cpu("Conv2DBackpropFilter")(args);
      const info = backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false,
        "channelsLast");
      const df = alloc(backend, sizeOf(a.filterShape));
      addon.conv2dBackpropFilter(xv, dyv, df, geom(info));
      return out(backend, a.filterShape, df);
    },

    Conv2DBackpropInput: (args) => {
      const { backend } = args;
      const { dy, filter } = args.inputs;
      const a = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
      const dyv = f32(backend, dy), fv = f32(backend, filter);
      if (!dyv || !fv || !channelsLast(a.dataFormat)) return cpu("Conv2DBackpropInput")(args);
      const info = backend_util.computeConv2DInfo(
        a.inputShape, filter.shape as [number, number, number, number], a.strides, 1, a.pad, a.dimRoundingMode,
        false, "channelsLast");
      // Deferred: for a model's first layer nothing ever reads it (see NativeBackend.deferred).
      return defer(backend, a.inputShape, [dy, filter], () => {
        const dx = alloc(backend, sizeOf(a.inputShape));
        addon.conv2dBackpropInput(dyv, fv, dx, geom(info));
        return dx;
      });
    },
  };
}
