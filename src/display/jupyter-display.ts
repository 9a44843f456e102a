// The one place that talks to the Jupyter kernel (tslab). Inside a kernel, tslab keeps its
// display writer in the process-global `require("tslab/dist/jupyter").lastWriteDisplayData`;
// outside one (plain node, tests, scripts) that is null and output falls back to console.log.

/**
 * A Jupyter display: mime bundle, metadata, and an optional display id for live updates.
 *
 * @example
 * writeDisplay({ data: { "text/plain": "hello", "text/html": "<b>hello</b>" } });
 */
export interface DisplayMessage {
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  transient?: { display_id?: string };
}

type Writer = (message: DisplayMessage, isUpdate: boolean) => void;

interface JupyterModule {
  lastWriteDisplayData: Writer | null;
}

let jupyterModule: JupyterModule | null | undefined;

function jupyter(): JupyterModule | null {
  if (jupyterModule === undefined) {
    try {
      jupyterModule = require("tslab/dist/jupyter") as JupyterModule;
    } catch {
      jupyterModule = null;
    }
  }
  return jupyterModule;
}

/** tslab's current display writer, or null outside a kernel. */
function writer(): Writer | null {
  const own = jupyter()?.lastWriteDisplayData;
  if (typeof own === "function") return own;
  // A kernel started from another tslab installation loaded its own copy of the module.
  for (const [file, mod] of Object.entries(require.cache)) {
    if (/tslab[\\/]dist[\\/]jupyter\.js$/.test(file)) {
      const w = (mod?.exports as JupyterModule | undefined)?.lastWriteDisplayData;
      if (typeof w === "function") return w;
    }
  }
  return null;
}

/**
 * True when running inside a Jupyter kernel (tslab).
 *
 * @example
 * if (inKernel()) showMarkdown("**live**"); else console.log("plain");
 */
export function inKernel(): boolean {
  return writer() !== null;
}

/**
 * Sends a display to the notebook, or prints its text/plain form outside a kernel.
 * `isUpdate` replaces the display with the same `transient.display_id` (update_display_data).
 *
 * @example
 * writeDisplay({ data: { "text/plain": "hello" } });
 */
export function writeDisplay(message: DisplayMessage, isUpdate = false): void {
  const write = writer();
  if (write) {
    write({ data: message.data, metadata: message.metadata ?? {}, transient: message.transient ?? {} }, isUpdate);
    return;
  }
  const text = message.data["text/plain"];
  console.log(typeof text === "string" ? text : JSON.stringify(text ?? message.data));
}

let displayCounter = 0;

/**
 * A new display id, unique within this process.
 *
 * @example
 * const id = newDisplayId("progress"); // "labreport-progress-1-…"
 */
export function newDisplayId(kind: string): string {
  displayCounter += 1;
  return `labreport-${kind}-${displayCounter}-${process.pid}-${Date.now().toString(36)}`;
}
