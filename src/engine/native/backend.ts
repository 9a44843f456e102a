// The `labnative` tfjs backend: tfjs's cpu backend (data stays in Float32Arrays) with the hot
// kernels replaced by the C++ addon. Every other kernel is tfjs's cpu one, so any model runs.
import * as tf from "@tensorflow/tfjs";
import { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { loadAddon, type NativeAddon } from "./addon";
import { nativeKernels } from "./kernels";

export const BACKEND_NAME = "labnative";

/** Same storage and fallbacks as the cpu backend; only the kernel table differs. */
class NativeBackend extends MathBackendCPU {
  constructor() {
    super();
    // The cpu backend's "install tfjs-node" hint would be wrong advice for this engine.
    (this as unknown as { firstUse: boolean }).firstUse = false;
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
  const cpu = (name: string) => {
    const k = tf.getKernel(name, "cpu");
    if (!k) throw new Error(`labnative: no cpu kernel ${name} to fall back to`);
    return k.kernelFunc as never;
  };
  const natives = nativeKernels(addon, cpu);
  for (const config of cpuKernels) {
    const kernelFunc = natives[config.kernelName] ?? config.kernelFunc;
    tf.registerKernel({ ...config, backendName: BACKEND_NAME, kernelFunc: kernelFunc as tf.KernelFunc });
  }
  nativeKernelNames = Object.keys(natives).filter((n) => cpuKernels.some((c) => c.kernelName === n));
  // Priority below cpu's: only chosen when asked for by name.
  tf.registerBackend(BACKEND_NAME, () => new NativeBackend(), 0);
}

/** The addon's thread count (OpenMP and OpenBLAS), e.g. to match a reference run. */
export function setNativeThreads(n: number): void {
  loadAddon().setThreads(n);
}

export type { NativeAddon };
