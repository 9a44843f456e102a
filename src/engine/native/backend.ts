// The `labnative` tfjs backend: tfjs's cpu backend (data stays in Float32Arrays) with the hot
// kernels replaced by the C++ addon. Every other kernel is tfjs's cpu one, so any model runs.
import * as tf from "@tensorflow/tfjs";
import { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { loadAddon, type NativeAddon } from "./addon";
import { nativeKernels } from "./kernels/index";  // explicit: a stale dist/…/kernels.js would shadow the folder
import { BufferPool } from "./buffers";
import { installBatchNormGradient, installMeanGradient, installReluGradient } from "./gradients";
import {
  registerBatchNormTrainingGradient, registerLayerKernelGradients, registerLogSoftmaxGradient, registerSparseCrossEntropyGradient,
} from "../fused-ops";
import { registerSeededDropoutGradient } from "../dropout";
import { nativeSteps } from "./optimizer-steps";
import { registerStepImplementation } from "../optimizer-steps";
import { arrayReferences } from "../tfjs-internals";

export const BACKEND_NAME = "labnative";

/** Same storage and fallbacks as the cpu backend; only the kernel table differs. */
class NativeBackend extends MathBackendCPU {
  /** Idle arrays kept for reuse, up to LABREPORT_NATIVE_POOL_MB (default 1024; 0 turns recycling off). */
  readonly pool = new BufferPool(Number(process.env.LABREPORT_NATIVE_POOL_MB ?? 1024) * 1048576);

  constructor() {
    super();
    // The cpu backend's "install tfjs-node" hint would be wrong advice for this engine.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  override readSync(dataId: object): tf.backend_util.BackendValues {
    const values = super.readSync(dataId);
    this.pool.disown(values);
    return values;
  }

  override disposeData(dataId: object, force = false): boolean {
    const entry = this.data.has(dataId) ? this.data.get(dataId) : undefined;
    const released = super.disposeData(dataId, force);
    if (entry && !this.data.has(dataId)) {
      const pending = this.pending.get(entry);
      if (pending) pending();  // never read: nothing to recycle, only its inputs to let go
      else this.pool.give(entry.values);
    }
    return released;
  }

  /**
   * The array behind `tensor` when the optimiser updates may overwrite it in place: no tensor but
   * this one holds it (tfjs-internals.ts), it is computed, and it was never handed out (dataSync).
   */
  inPlaceArray(tensor: tf.Tensor): Float32Array | undefined {
    if (arrayReferences(this, tensor.dataId) !== 1) return undefined;
    const entry = this.data.get(tensor.dataId);
    if (this.pending.has(entry) || !this.pool.owns(entry.values)) return undefined;
    return entry.values instanceof Float32Array ? entry.values : undefined;
  }

  /** Deferred outputs not computed yet, each with the function that lets go of its inputs. */
  private readonly pending = new WeakMap<object, () => void>();

  /**
   * A float32 tensor whose values `compute` produces when something first reads them. tfjs
   * computes every input's gradient of a fused op (conv + bias) even where only the weights need
   * one, so the first layer's input gradient, the biggest convolution of a small net's step, is
   * made and then thrown away unread; deferred, it is never computed. `inputs` stay alive (their
   * arrays out of the pool) until then.
   */
  deferred(shape: number[], inputs: tf.TensorInfo[], compute: () => Float32Array): tf.TensorInfo {
    for (const input of inputs) this.incRef(input.dataId);
    const info = this.makeTensorInfo(shape, "float32", new Float32Array(0));
    const entry = this.data.get(info.dataId);
    let values: Float32Array | undefined;
    const release = () => {
      if (!this.pending.delete(entry)) return;
      for (const input of inputs) {
        // The engine may have disposed the input meanwhile; this was then its last reference.
        if (this.disposeData(input.dataId)) tf.engine().removeDataId(input.dataId, this);
      }
    };
    this.pending.set(entry, release);
    Object.defineProperty(entry, "values", {
      enumerable: true,
      get: () => {
        if (values === undefined) {
          values = compute();
          release();
        }
        return values;
      },
      set: (v: Float32Array) => {
        values = v;
        release();
      },
    });
    return info;
  }

  /** After a cpu kernel: an output viewing an input's buffer makes both unrecyclable. */
  noteSharing(inputs: tf.NamedTensorInfoMap, result: tf.TensorInfo | tf.TensorInfo[]): void {
    const outs = Array.isArray(result) ? result : [result];
    for (const o of outs) {
      const ov = this.data.has(o.dataId) ? this.data.get(o.dataId).values : undefined;
      if (!ArrayBuffer.isView(ov)) continue;
      for (const name in inputs) {
        const i = inputs[name];
        if (!i || i.dataId === o.dataId || !this.data.has(i.dataId)) continue;
        const iv = this.data.get(i.dataId).values;
        if (ArrayBuffer.isView(iv) && iv.buffer === ov.buffer) {
          this.pool.disown(iv);
          this.pool.disown(ov);
        }
      }
    }
  }
}

/** Names of the kernels that run natively (the rest fall back to tfjs's cpu kernels). */
export let nativeKernelNames: string[] = [];

/**
 * Registers the labnative backend with tfjs (once). Throws an Error naming the cause when the
 * addon was not built. Does not make it the active backend: see src/engine/index.ts.
 */
export function registerNativeBackend(): void {
  if (tf.findBackendFactory(BACKEND_NAME)) return;
  const addon = loadAddon();
  // Make sure tfjs's cpu kernels are registered: they are both the base and the fallback.
  if (tf.getKernelsForBackend("cpu").length === 0) require("@tensorflow/tfjs-backend-cpu");
  const cpuKernels = tf.getKernelsForBackend("cpu");
  // cpu kernels may return views of their inputs' arrays; the pool must know.
  const guard = (fallback: tf.KernelFunc): tf.KernelFunc => (args) => {
    const result = fallback(args);
    (args.backend as NativeBackend).noteSharing(args.inputs, result);
    return result;
  };
  const cpu = (name: string) => {
    const k = tf.getKernel(name, "cpu");
    if (!k) throw new Error(`labnative: no cpu kernel ${name} to fall back to`);
    return guard(k.kernelFunc) as never;
  };
  const alloc = (backend: unknown, n: number) => (backend as NativeBackend).pool.take(n);
  const defer = (backend: unknown, shape: number[], inputs: tf.TensorInfo[], compute: () => Float32Array) =>
    (backend as NativeBackend).deferred(shape, inputs, compute);
  const natives = nativeKernels({ addon, cpu, alloc, defer });
  for (const config of cpuKernels) {
    const native = natives[config.kernelName] as tf.KernelFunc | undefined;
    tf.registerKernel({ ...config, backendName: BACKEND_NAME, kernelFunc: native ?? guard(config.kernelFunc) });
  }
  // Kernels tfjs does not have (fused gradients), used by gradients.ts.
  for (const [kernelName, kernelFunc] of Object.entries(natives)) {
    if (!cpuKernels.some((c) => c.kernelName === kernelName)) {
      tf.registerKernel({ kernelName, backendName: BACKEND_NAME, kernelFunc: kernelFunc as tf.KernelFunc });
    }
  }
  installBatchNormGradient(BACKEND_NAME);
  installMeanGradient(BACKEND_NAME);
  installReluGradient(BACKEND_NAME);
  registerBatchNormTrainingGradient();
  registerLayerKernelGradients();
  registerSparseCrossEntropyGradient();
  registerLogSoftmaxGradient();
  registerSeededDropoutGradient();
  registerStepImplementation(BACKEND_NAME, nativeSteps(addon));
  nativeKernelNames = Object.keys(natives);
  // Priority below cpu's: only chosen when asked for by name.
  tf.registerBackend(BACKEND_NAME, () => new NativeBackend(), 0);
}

/** The addon's thread count (its OpenMP pool; OpenBLAS runs inside it), e.g. to match a reference run. */
export function setNativeThreads(n: number): void {
  loadAddon().setThreads(n);
}

export type { NativeAddon };
