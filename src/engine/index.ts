// Which TensorFlow.js backend trains the models, chosen once per process.
// Order: tfjs-node (libtensorflow) where it loads, then this project's native addon, then pure JS.
// LABREPORT_ENGINE=tfjs-node|native|cpu forces one; the choice and its reason are said once.
import * as tf from "@tensorflow/tfjs";

export type EngineName = "tfjs-node" | "native" | "cpu";

export interface EngineInfo {
  /** What trains the models. */
  name: EngineName;
  /** The tfjs backend name registered for it. */
  backend: string;
  /** Why this engine and not a faster one, in a few words. */
  reason: string;
}

let chosen: EngineInfo | undefined;

function tryTfjsNode(): string | undefined {
  try {
    require("@tensorflow/tfjs-node");
    return undefined;
  } catch (err) {
    return `tfjs-node unavailable (${firstLine(err)})`;
  }
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
  "tfjs-node": { backend: "tensorflow", load: tryTfjsNode },
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
  const order: EngineName[] = forced ? [forced] : ["tfjs-node", "native", "cpu"];
  const skipped: string[] = [];
  for (const name of order) {
    const problem = candidates[name].load();
    if (problem !== undefined) {
      if (forced) throw new Error(`LABREPORT_ENGINE=${forced} requested but ${problem}`);
      skipped.push(problem);
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
