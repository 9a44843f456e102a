// Choosing the training engine once, and saying which in the notebook (an "engine" record the
// report build shows as run information) or on stdout outside Jupyter.
import { labreportMetadata } from "../contract/report-outputs.js";
import { EngineInfo, useEngine } from "../engine/index.js";
import { inKernel, writeDisplay } from "./jupyter-display.js";

let recorded = false;

/**
 * Selects the engine (once per process) and records the choice: in Jupyter as a display with
 * metadata { labreport: { kind: "engine", name, backend, reason } }, elsewhere as a printed line.
 * Training functions call this themselves; call it early to show the engine before anything else.
 *
 * @example
 * const engine = selectEngine(); // labreport engine: cpu (tfjs-node unavailable (…); …)
 */
export function selectEngine(): EngineInfo {
  let line: string | undefined;
  const info = useEngine((l) => {
    line = l;
  });
  if (recorded) return info;
  if (inKernel()) {
    writeDisplay({
      data: { "text/plain": `labreport engine: ${info.name} (${info.reason})` },
      metadata: labreportMetadata({ kind: "engine", name: info.name, backend: info.backend, reason: info.reason }),
    });
    recorded = true;
  } else if (line !== undefined) {
    console.log(line);
    recorded = true;
  }
  return info;
}
