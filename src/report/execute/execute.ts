// The execute stage: notebook in, executed notebook out, on the real tslab kernel.
//   1. copy the notebook and clear old outputs
//   2. start the kernel in the notebook's folder
//   3. run code cells in order, turning iopub messages into nbformat outputs; stop at the first error
//      (unless allowErrors, or the cell is one of errorCells: `error: true`)
//   4. shut the kernel down, whatever happened
import { joinSource, type Cell, type CodeCell, type DisplayDataOutput, type ErrorOutput, type Notebook, type Output } from "../notebook";
import { Kernel, KernelExitedError, RequestTimeoutError, formatSeconds, keyLine } from "./jupyter-kernel";
import type { Message } from "./messages";
import { errorFromStderr, mergeStreams } from "./outputs";

export interface CellProgress {
  cellIndex: number;
  codeCellNumber: number;
  codeCellCount: number;
  phase: "start" | "done" | "error";
  elapsedMs: number;
}

export interface DisplayEvent {
  cellIndex: number;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  /** The display's id when it was created with one (tslab.newDisplay()). */
  displayId?: string;
  /** True for update_display_data: the data replaces an earlier display with displayId. */
  update?: boolean;
}

export interface ExecuteOptions {
  /** The kernel's working folder (the notebook's folder, as Jupyter does). */
  cwd: string;
  /** Notebook path, for messages. */
  file?: string;
  onCell?: (p: CellProgress) => void;
  /** Every display_data/update_display_data as it arrives. */
  onDisplay?: (o: DisplayEvent) => void;
  /** Per cell; default none. */
  cellTimeoutMs?: number;
  /** Extra environment for the kernel. */
  env?: Record<string, string>;
  /** Kernel start limit; default 60 s. */
  startupTimeoutMs?: number;
  /** papermill's --allow-errors / nbconvert's: a failing cell keeps its error and the next cells still run. */
  allowErrors?: boolean;
  /** Cells (by index) whose error is expected (the `error: true` cell option): they never stop the run. */
  errorCells?: Set<number>;
}

export interface CellFailure {
  cellIndex: number;
  codeCellNumber: number;
  /** One line: the error's first line. */
  message: string;
}

/**
 * How messages name a cell: its place among all cells (what Jupyter shows) and among the code cells.
 *
 * @example
 * cellName({ cellIndex: 2, codeCellNumber: 2 }); // "cell 3 (code cell 2)"
 */
export function cellName(c: { cellIndex: number; codeCellNumber: number }): string {
  return `cell ${c.cellIndex + 1} (code cell ${c.codeCellNumber})`;
}

export interface ExecuteResult {
  notebook: Notebook;
  failure?: CellFailure;
  /** Errors that did not stop the run (allowErrors, or cells with `error: true`). */
  allowedErrors?: CellFailure[];
  kernelInfo?: { implementation: string; implementationVersion: string; languageVersion?: string };
  durationMs: number;
}

interface ExecuteReply {
  status?: "ok" | "error" | "abort";
  execution_count?: number | null;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

/** Runs every non-empty code cell of nb in order and returns an executed copy; nb is not changed. */
export async function executeNotebook(nb: Notebook, opts: ExecuteOptions): Promise<ExecuteResult> {
  const started = Date.now();

  // 1. Copy; outputs of a previous run must not survive in cells this run does not reach.
  const notebook = structuredClone(nb);
  const plan: number[] = [];
  notebook.cells.forEach((cell, i) => {
    if (cell.cell_type !== "code") return;
    cell.outputs = [];
    cell.execution_count = null;
    delete cell.metadata["execution"];
    if (joinSource(cell.source).trim() !== "") plan.push(i);
  });
  if (plan.length === 0) return { notebook, durationMs: Date.now() - started };

  // 2. Kernel.
  let forceShutdown = true;
  const kernel = await Kernel.start({ cwd: opts.cwd, env: opts.env, startupTimeoutMs: opts.startupTimeoutMs, label: opts.file });
  try {
    notebook.metadata["language_info"] = { ...(notebook.metadata["language_info"] as object | undefined), ...kernel.info.languageInfo };
    const kernelInfo = {
      implementation: kernel.info.implementation,
      implementationVersion: kernel.info.implementationVersion,
      ...(kernel.info.languageVersion ? { languageVersion: kernel.info.languageVersion } : {}),
    };
    const collector = new OutputCollector(notebook.cells, opts.onDisplay);
    kernel.onIopub = (msg) => collector.handle(msg);

    // 3. Cells.
    let failure: CellFailure | undefined;
    const allowedErrors: CellFailure[] = [];
    let stuck = false;
    let lastErrorAt = 0;
    for (const [n, cellIndex] of plan.entries()) {
      // tslab aborts every request that arrives within ~200 ms of an error: after an allowed error,
      // the next cell waits that window out instead of coming back empty.
      const sinceError = Date.now() - lastErrorAt;
      if (sinceError < 400) await new Promise((r) => setTimeout(r, 400 - sinceError));
      const cell = notebook.cells[cellIndex] as CodeCell;
      const progress = (phase: CellProgress["phase"], elapsedMs: number) =>
        opts.onCell?.({ cellIndex, codeCellNumber: n + 1, codeCellCount: plan.length, phase, elapsedMs });
      const cellStart = Date.now();
      progress("start", 0);
      const { msgId, done } = kernel.request(
        "shell",
        "execute_request",
        { code: joinSource(cell.source), silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: !opts.allowErrors },
        { timeoutMs: opts.cellTimeoutMs },
      );
      collector.expect(msgId, cellIndex);

      let reply: ExecuteReply;
      try {
        const msg = await done;
        reply = msg.content as ExecuteReply;
        if (kernel.idleLost.has(msgId)) {
          cell.outputs.push({ output_type: "stream", name: "stderr", text: "[labreport: the kernel lost messages of this cell; its output may be incomplete]\n" });
        }
        // Our clock: tslab dates its reply header when the request arrives, not when it is answered.
        collector.timing(cellIndex, "shell.execute_reply", new Date().toISOString());
      } catch (err) {
        // The kernel is gone or stuck: this cell fails; shutdown below ends the process.
        const { ename, evalue } = kernelProblem(err as Error, opts.cellTimeoutMs);
        stuck = true;
        cell.outputs.push({ output_type: "error", ename, evalue, traceback: [`${ename}: ${evalue}`] });
        reply = { status: "error" };
      }
      if (collector.callbackError !== undefined) throw collector.callbackError;
      // tslab leaves execution_count null in some clients; a run looks like Jupyter's either way.
      cell.execution_count = typeof reply.execution_count === "number" ? reply.execution_count : n + 1;

      if (reply.status !== "ok") {
        const error = cell.outputs.find((o): o is ErrorOutput => o.output_type === "error") ?? addErrorOutput(cell, reply);
        const first = `${error.ename}: ${error.evalue}`.split("\n")[0]!;
        const problem = { cellIndex, codeCellNumber: n + 1, message: first };
        progress("error", Date.now() - cellStart);
        if (!stuck && (opts.allowErrors || opts.errorCells?.has(cellIndex))) {
          allowedErrors.push(problem);
          lastErrorAt = Date.now();
          continue;
        }
        failure = problem;
        // tslab aborts requests that arrive within ~200 ms of an error anyway: stop here.
        break;
      }
      progress("done", Date.now() - cellStart);
    }
    for (const cell of notebook.cells) if (cell.cell_type === "code") cell.outputs = mergeStreams(cell.outputs);
    forceShutdown = stuck;
    return { notebook, ...(failure ? { failure } : {}), ...(allowedErrors.length ? { allowedErrors } : {}), kernelInfo, durationMs: Date.now() - started };
  } finally {
    // 4. Always.
    kernel.onIopub = undefined;
    await kernel.shutdown({ force: forceShutdown });
  }
}

/** tslab reports errors on stderr only; a kernel that puts ename/evalue in its reply is taken at its word. */
function addErrorOutput(cell: CodeCell, reply: ExecuteReply): ErrorOutput {
  let error: ErrorOutput;
  if (reply.ename !== undefined) {
    error = { output_type: "error", ename: reply.ename, evalue: reply.evalue ?? "", traceback: reply.traceback ?? [] };
  } else {
    const derived = errorFromStderr(cell.outputs);
    cell.outputs = derived.outputs;
    error = { output_type: "error", ename: derived.ename, evalue: derived.evalue, traceback: derived.traceback };
  }
  cell.outputs.push(error);
  return error;
}

function kernelProblem(err: Error, cellTimeoutMs: number | undefined): { ename: string; evalue: string } {
  if (err instanceof RequestTimeoutError) {
    return { ename: "CellTimeoutError", evalue: `the cell did not finish within ${formatSeconds(cellTimeoutMs ?? err.timeoutMs)} (cellTimeoutMs)` };
  }
  if (err instanceof KernelExitedError) {
    const line = keyLine(err.log);
    return { ename: "DeadKernelError", evalue: `${err.message} while running this cell${line ? ` (${line})` : ""}` };
  }
  return { ename: "KernelError", evalue: err.message.split("\n")[0]! };
}

/** Turns iopub messages into outputs of the cell whose request they answer (parent_header.msg_id). */
export class OutputCollector {
  private readonly cellOf = new Map<string, number>();
  /** display_id → the outputs showing it, in any cell: update_display_data rewrites them all. */
  private readonly displays = new Map<string, DisplayDataOutput[]>();
  private readonly clearPending = new Set<number>();

  constructor(
    private readonly cells: Cell[],
    private readonly onDisplay: ExecuteOptions["onDisplay"],
  ) {}

  expect(msgId: string, cellIndex: number): void {
    this.cellOf.set(msgId, cellIndex);
  }

  timing(cellIndex: number, key: string, date: string | undefined): void {
    if (!date) return;
    const meta = this.cells[cellIndex]!.metadata;
    meta["execution"] = { ...(meta["execution"] as object | undefined), [key]: date };
  }

  handle(msg: Message): void {
    const id = msg.parent_header.msg_id;
    const cellIndex = id === undefined ? undefined : this.cellOf.get(id);
    // Not a cell's request (kernel_info, shutdown). Output of a finished cell's request (a timer it
    // started) still goes to that cell, as in Jupyter's live view.
    if (cellIndex === undefined) return;
    const cell = this.cells[cellIndex] as CodeCell;
    const c = msg.content as Record<string, any>;
    switch (msg.header.msg_type) {
      case "status":
        if (c["execution_state"] === "busy" || c["execution_state"] === "idle") {
          this.timing(cellIndex, `iopub.status.${String(c["execution_state"])}`, msg.header.date);
        }
        return;
      case "execute_input":
        this.timing(cellIndex, "iopub.execute_input", msg.header.date);
        return;
      case "stream":
        this.add(cell, cellIndex, { output_type: "stream", name: c["name"] === "stderr" ? "stderr" : "stdout", text: String(c["text"] ?? "") });
        return;
      case "display_data": {
        const output: DisplayDataOutput = { output_type: "display_data", data: c["data"] ?? {}, metadata: c["metadata"] ?? {} };
        this.add(cell, cellIndex, output);
        const displayId = displayIdOf(c);
        if (displayId !== undefined) this.displays.set(displayId, [...(this.displays.get(displayId) ?? []), output]);
        this.notify({ cellIndex, data: output.data, metadata: output.metadata, ...(displayId !== undefined ? { displayId } : {}) });
        return;
      }
      case "update_display_data": {
        const displayId = displayIdOf(c);
        if (displayId === undefined) return;
        // As in Jupyter, an update for a display never shown is dropped.
        for (const output of this.displays.get(displayId) ?? []) {
          output.data = c["data"] ?? {};
          output.metadata = c["metadata"] ?? {};
        }
        this.notify({ cellIndex, data: c["data"] ?? {}, metadata: c["metadata"] ?? {}, displayId, update: true });
        return;
      }
      case "execute_result":
        this.add(cell, cellIndex, {
          output_type: "execute_result",
          execution_count: typeof c["execution_count"] === "number" ? c["execution_count"] : null,
          data: c["data"] ?? {},
          metadata: c["metadata"] ?? {},
        });
        return;
      case "error":
        this.add(cell, cellIndex, { output_type: "error", ename: String(c["ename"] ?? "Error"), evalue: String(c["evalue"] ?? ""), traceback: (c["traceback"] as string[] | undefined) ?? [] });
        return;
      case "clear_output":
        if (c["wait"]) this.clearPending.add(cellIndex);
        else cell.outputs = [];
        return;
      default:
        return;
    }
  }

  /** The first error thrown by onDisplay; executeNotebook rethrows it after the cell. */
  callbackError: unknown;

  // onDisplay runs inside the socket's receive loop: a throw there must not end the loop.
  private notify(event: DisplayEvent): void {
    try {
      this.onDisplay?.(event);
    } catch (err) {
      this.callbackError ??= err;
    }
  }

  private add(cell: CodeCell, cellIndex: number, output: Output): void {
    if (this.clearPending.delete(cellIndex)) cell.outputs = [];
    cell.outputs.push(output);
  }
}

function displayIdOf(content: Record<string, unknown>): string | undefined {
  const id = (content["transient"] as { display_id?: unknown } | undefined)?.display_id;
  return typeof id === "string" && id !== "" ? id : undefined;
}
