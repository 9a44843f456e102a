// What every kernel family shares: the kernel signature, the context a family is built with
// (addon, fallback, allocation), and helpers to read tensors' arrays and describe shapes.
import * as tf from "@tensorflow/tfjs";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import type { NativeAddon } from "../addon";

export type TensorInfo = tf.TensorInfo;
export interface Args {
  inputs: Record<string, TensorInfo>;
  backend: MathBackendCPU;
  attrs?: tf.NamedAttrMap;
}
export type KernelFunc = (args: Args) => TensorInfo | TensorInfo[];
export type Kernels = Record<string, KernelFunc>;

/** What backend.ts hands every family: the addon, tfjs's own kernels, and the backend's buffers. */
export interface KernelContext {
  addon: NativeAddon;
  /** tfjs's own cpu kernel `name`, the fallback for cases the addon does not take. */
  cpu: (name: string) => KernelFunc;
  /** A float32 array of n elements, contents arbitrary (the caller overwrites every one). */
  alloc: (backend: MathBackendCPU, n: number) => Float32Array;
  /** A tensor whose values `compute` makes when first read (see NativeBackend.deferred). */
  defer: (backend: MathBackendCPU, shape: number[], inputs: TensorInfo[], compute: () => Float32Array) => TensorInfo;
}

export const { backend_util, util } = tf;

/** The float32 values behind a tensor, or undefined when native code cannot take it. */
export function f32(backend: MathBackendCPU, t: TensorInfo | undefined): Float32Array | undefined {
  if (t === undefined || t.dtype !== "float32") return undefined;
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : undefined;
}

export function out(backend: MathBackendCPU, shape: number[], values: Float32Array): TensorInfo {
  return backend.makeTensorInfo(shape, "float32", values);
}

export function sizeOf(shape: number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function sameShape(p: number[], q: number[]): boolean {
  if (p.length !== q.length) return false;
  for (let i = 0; i < p.length; i++) if (p[i] !== q[i]) return false;
  return true;
}

/** [n, h, w, cin, kh, kw, cout, oh, ow, sh, sw, padTop, padLeft, dh, dw]: ConvGeom in kernels.h. */
export function geom(c: tf.backend_util.Conv2DInfo): Int32Array {
  return Int32Array.of(
    c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.filterHeight, c.filterWidth, c.outChannels,
    c.outHeight, c.outWidth, c.strideHeight, c.strideWidth, c.padInfo.top, c.padInfo.left,
    c.dilationHeight, c.dilationWidth,
  );
}

export function channelsLast(dataFormat: unknown): boolean {
  return dataFormat === undefined || dataFormat === "NHWC";
}
