// Max and average pooling and their gradients (pool.cc); windows share conv's geometry.
import * as tf from "@tensorflow/tfjs";
import { backend_util, f32, geom, out, sizeOf, type KernelContext, type KernelFunc, type Kernels } from "./common";

function poolInfo(shape: number[], a: tf.MaxPoolAttrs): tf.backend_util.Conv2DInfo {
  return backend_util.computePool2DInfo(
    shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
}

export function poolKernels({ addon, cpu, alloc }: KernelContext): Kernels {
  const forwardPool = (name: "MaxPool" | "AvgPool"): KernelFunc => (args) => {
    const { backend } = args;
    const { x } = args.inputs;
    const xv = f32(backend, x);
    if (!xv || x.shape.length !== 4) return cpu(name)(args);
    const info = poolInfo(x.shape, args.attrs as unknown as tf.MaxPoolAttrs);
    const y = alloc(backend, sizeOf(info.outShape));
    (name === "MaxPool" ? addon.maxPool : addon.avgPool)(xv, y, geom(info));
    return out(backend, info.outShape, y);
  };

  return {
    MaxPool: forwardPool("MaxPool"),
    AvgPool: forwardPool("AvgPool"),

    MaxPoolGrad: (args) => {
      const { backend } = args;
      const { dy, input, output } = args.inputs;
      const dyv = f32(backend, dy), xv = f32(backend, input);
      if (!dyv || !xv || input.shape.length !== 4) return cpu("MaxPoolGrad")(args);
      const info = poolInfo(input.shape, args.attrs as unknown as tf.MaxPoolAttrs);
      const dx = alloc(backend, xv.length);
      // The forward output locates each window's maximum without searching for it again.
      const yv = output ? f32(backend, output) ?? null : null;
      addon.maxPoolGrad(xv, dyv, dx, geom(info), yv && yv.length === dyv.length ? yv : null);
      return out(backend, input.shape, dx);
    },

    AvgPoolGrad: (args) => {
      const { backend } = args;
      const { dy, input } = args.inputs;
      const dyv = f32(backend, dy);
      if (!dyv || input.dtype !== "float32" || input.shape.length !== 4) return cpu("AvgPoolGrad")(args);
      const info = poolInfo(input.shape, args.attrs as unknown as tf.MaxPoolAttrs);
      const dx = alloc(backend, sizeOf(input.shape));
      addon.avgPoolGrad(dyv, dx, geom(info));
      return out(backend, input.shape, dx);
    },
  };
}
