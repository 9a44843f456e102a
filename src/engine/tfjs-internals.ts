// The one place the engine relies on tfjs beyond its documented API. The optimiser updates
// (optimizer-steps.ts, native/optimizer-steps.ts) need three things tfjs does but does not promise:
//
// 1. tf.engine().registeredVariables maps a variable's name to the variable: tf.Optimizer's
//    applyGradients is handed names and gradients only (model.fit calls it that way), and tfjs's own
//    optimisers look their variables up there.
// 2. tfjs's cpu backend (which labnative extends) keeps, per array, the number of tensors that share
//    it (`backend.refCount(dataId)`, public but documented only as bookkeeping): 1 means only the variable sees its array, so the
//    native update may overwrite it in place (a clone or a kept earlier value raises the count).
// 3. A variable's values are that array, read afresh by every kernel and dataSync: writing into it
//    changes the variable, nothing holds a copy; assign() gives the variable another dataId.
//
// Checked with tfjs TESTED_TFJS_VERSION by test/engine/tfjs-internals.test.ts, which fails naming the
// installed tfjs version when an upgrade breaks one of them. Each failure disables nothing silently:
// the fix is here (or, for 2 and 3, in native/backend.ts's in-place rule).
import * as tf from "@tensorflow/tfjs";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";

/** The tfjs version these assumptions were last checked against. */
export const TESTED_TFJS_VERSION = "4.22.0";

/** The variable registered under `name` (tf.Optimizer's applyGradients names them), or undefined. */
export function registeredVariable(name: string): tf.Variable | undefined {
  return tf.engine().registeredVariables[name];
}

/** How many tensors share the array behind `dataId` on a cpu-based backend; 0 when it has none. */
export function arrayReferences(backend: MathBackendCPU, dataId: object): number {
  return backend.refCount(dataId);
}
