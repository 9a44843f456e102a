// tfjs kernel functions backed by the C++ addon, one module per family as the .cc files are
// (common.ts holds what they share). Each handles the float32 NHWC cases the addon implements and
// hands anything else (other dtypes, NCHW, odd broadcasts) to tfjs's own cpu kernel, so the engine
// is always complete and never wrong by omission.
import { batchNormKernels } from "./batch-norm";
import type { KernelContext, Kernels } from "./common";
import { convKernels } from "./conv";
import { dropoutKernels } from "./dropout";
import { elementwiseKernels } from "./elementwise";
import { lossKernels } from "./loss";
import { matmulKernels } from "./matmul";
import { optimizerKernels } from "./optimizer";
import { poolKernels } from "./pool";
import { typescriptKernels } from "./typescript-only";

export type { KernelContext, KernelFunc, Kernels } from "./common";

/** Every native kernel by tfjs kernel name; `context.cpu(name)` is tfjs's own kernel, the fallback. */
export function nativeKernels(context: KernelContext): Kernels {
  const families = [convKernels, poolKernels, matmulKernels, elementwiseKernels, batchNormKernels, optimizerKernels, dropoutKernels,
    lossKernels, typescriptKernels];
  const kernels: Kernels = {};
  for (const family of families) {
    for (const [name, kernel] of Object.entries(family(context))) {
      if (name in kernels) throw new Error(`labnative: kernel ${name} defined by two families`);
      kernels[name] = kernel;
    }
  }
  return kernels;
}
