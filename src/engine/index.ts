// Which TensorFlow.js backend trains the models, chosen once per process.
// Order: tfjs-node-gpu (libtensorflow with CUDA) where the user installed it and it loads, then
// tfjs-node (libtensorflow), then this project's native addon, then pure JS.
// LABREPORT_ENGINE=tfjs-node-gpu|tfjs-node|native|cpu forces one; the choice and its reason are said once.
import * as tf from "@tensorflow/tfjs";

// The optimiser updates as engine ops (labnative runs each as one native pass).
export { sgdStep, adamStep } from "./optimizer-steps";
export type { SgdStepOptions, AdamStepOptions } from "./optimizer-steps";
// Seeded inverted dropout as an engine op (labnative draws the mask and multiplies in one pass).
export { seededDropout, dropoutMask } from "./dropout";

export type EngineName = "tfjs-node-gpu" | "tfjs-node" | "native" | "cpu";

export interface EngineInfo {
  /** What trains the models. */
  name: EngineName;
  /** The tfjs backend name registered for it. */
  backend: string;
  /** Why this engine and not a faster one, in a few words. */
  reason: string;
}

let chosen: EngineInfo | undefined;

/**
 * Loads a tfjs-node flavour, which registers the "tensorflow" backend as a side effect. A package
 * that is simply not installed is said in two words: tfjs-node-gpu is an opt-in for GPU owners.
 */
function tryPackage(name: string): () => string | undefined {
  return () => {
    try {
      require(name);
      return undefined;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e?.code === "MODULE_NOT_FOUND" && String(e.message).includes(`'${name}'`)) return `${short(name)} not installed`;
      return `${short(name)} unavailable (${firstLine(err)})`;
    }
  };
}

function short(pkg: string): string {
  return pkg.replace("@tensorflow/", "");
}

function tryNative(): string | undefined {
  try {
    // Loaded lazily: the addon may not have been built on this machine.
    const native = require("./native/backend") as { registerNativeBackend(): void };
    native.registerNativeBackend();
    return undefined;
  } catch (err) {
    return `native engine unavailable (${firstLine(err)})`;
  }
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split("\n")[0];
}

const candidates: Record<EngineName, { backend: string; load: () => string | undefined }> = {
  "tfjs-node-gpu": { backend: "tensorflow", load: tryPackage("@tensorflow/tfjs-node-gpu") },
  "tfjs-node": { backend: "tensorflow", load: tryPackage("@tensorflow/tfjs-node") },
  native: { backend: "labnative", load: tryNative },
  cpu: { backend: "cpu", load: () => undefined },
};

/** Selects the engine (once) and makes it tfjs's active backend. */
export function useEngine(log: (line: string) => void = (l) => console.log(l)): EngineInfo {
  if (chosen) return chosen;
  const forced = (process.env.LABREPORT_ENGINE || undefined) as EngineName | undefined;
  if (forced !== undefined && !(forced in candidates)) {
    throw new Error(`LABREPORT_ENGINE=${forced} is not an engine; use one of ${Object.keys(candidates).join(", ")}`);
  }
  const order = forced ? [forced] : (Object.keys(candidates) as EngineName[]);
  const skipped: string[] = [];
  for (const name of order) {
    const problem = candidates[name].load();
    if (problem !== undefined) {
      if (forced) throw new Error(`LABREPORT_ENGINE=${forced} requested but ${problem}${problem.endsWith("not installed") ? ` (install it: npm install @tensorflow/${forced})` : ""}`);
      // Not having the GPU package is the normal case, not a reason worth a line.
      if (problem !== "tfjs-node-gpu not installed") skipped.push(problem);
      continue;
    }
    const backend = candidates[name].backend;
    if (!tf.setBackend(backend)) throw new Error(`tfjs backend ${backend} failed to initialise`);
    // The cpu backend (and ours, built on it) prints a banner recommending tfjs-node on first use;
    // the line below already says which engine runs and why, so the banner would only be noise.
    (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
    const reason = forced ? "forced by LABREPORT_ENGINE" : skipped.length ? skipped.join("; ") : "fastest available";
    chosen = { name, backend, reason };
    log(`labreport engine: ${name} (${reason})`);
    return chosen;
  }
  throw new Error("no tfjs backend could be initialised");
}

/** The engine in use, selecting it first if nothing has yet. */
export function engineInfo(): EngineInfo {
  return chosen ?? useEngine();
}
