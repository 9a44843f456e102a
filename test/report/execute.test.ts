// The execute stage against the real tslab kernel (no mocks): one kernel per fixture notebook, each
// run once in a `before` and then inspected by several tests. Wire-format and output-shaping helpers
// are checked without a kernel at the end.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { executeNotebook, resolveTslab, type CellProgress, type DisplayEvent, type ExecuteResult } from "../../src/report/execute";
import { OutputCollector } from "../../src/report/execute/execute";
import { createMessage, parse, serialize } from "../../src/report/execute/messages";
import { errorFromStderr, mergeStreams } from "../../src/report/execute/outputs";
import { readNotebook, type CodeCell, type Notebook, type Output } from "../../src/report/notebook";
import { UserError } from "../../src/report/user-error";

// dist/test/report → the repository's test/fixtures (fixtures are not compiled).
const fixtures = path.resolve(__dirname, "../../../test/fixtures");
const load = (name: string) => readNotebook(path.join(fixtures, name));
const code = (nb: Notebook, i: number) => nb.cells[i] as CodeCell;
const textOf = (outputs: Output[], name = "stdout") =>
  outputs.flatMap((o) => (o.output_type === "stream" && o.name === name ? [Array.isArray(o.text) ? o.text.join("") : o.text] : [])).join("");

/** Kernel processes still running as children of this test process. */
function childKernels(): string[] {
  const ps = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(process.pid)], { encoding: "utf8" });
  return ps.split("\n").filter((l) => l.includes("tslab") && l.includes("kernel"));
}

describe("executeNotebook: outputs", () => {
  const input = load("execute-outputs.ipynb");
  const snapshot = structuredClone(input);
  const progress: CellProgress[] = [];
  const displays: DisplayEvent[] = [];
  let result: ExecuteResult;
  let nb: Notebook;

  before(async () => {
    result = await executeNotebook(input, {
      cwd: fixtures,
      file: "execute-outputs.ipynb",
      onCell: (p) => progress.push(p),
      onDisplay: (d) => displays.push(d),
    });
    nb = result.notebook;
  });

  test("runs every code cell without failure and leaves the input untouched", () => {
    assert.equal(result.failure, undefined);
    assert.deepEqual(input, snapshot);
    assert.notEqual(nb, input);
    assert.equal(nb.cells.length, input.cells.length);
    assert.equal(nb.cells[0]!.cell_type, "raw");
    assert.equal(nb.cells[1]!.cell_type, "markdown");
  });

  test("reports the kernel and language", () => {
    assert.equal(result.kernelInfo?.implementation, "tslab");
    assert.match(result.kernelInfo?.implementationVersion ?? "", /^\d+\.\d+\.\d+/);
    assert.equal((nb.metadata["language_info"] as { name?: string }).name, "typescript");
    assert.ok(result.durationMs > 0);
  });

  test("numbers executed cells like Jupyter; a blank cell is skipped and its stale output cleared", () => {
    assert.deepEqual(
      [2, 3, 4, 5, 6, 7, 8].map((i) => code(nb, i).execution_count),
      [1, 2, 3, null, 4, 5, 6],
    );
    assert.deepEqual(code(nb, 5).outputs, []);
    assert.ok(typeof (code(nb, 2).metadata["execution"] as Record<string, string>)["iopub.status.idle"] === "string");
  });

  test("console.log becomes one merged stdout stream; display.html a display_data", () => {
    assert.deepEqual(code(nb, 2).outputs, [
      { output_type: "stream", name: "stdout", text: "hello from stdout\nsecond line\n" },
      { output_type: "display_data", data: { "text/html": "<b>bold</b>" }, metadata: {} },
    ]);
  });

  test("a Vega-Lite spec is stored as a JSON object, not a string", () => {
    const [out] = code(nb, 3).outputs;
    assert.equal(out?.output_type, "display_data");
    const spec = (out as { data: Record<string, unknown> }).data["application/vnd.vegalite.v5+json"];
    assert.equal(typeof spec, "object");
    assert.equal((spec as { mark: string }).mark, "line");
    assert.equal("transient" in out!, false);
  });

  test("update_display_data rewrites the display in place, also from a later cell", () => {
    assert.deepEqual(code(nb, 4).outputs, [{ output_type: "display_data", data: { "text/plain": "epoch 3/3" }, metadata: {} }]);
    const updates = displays.filter((d) => d.displayId !== undefined);
    assert.deepEqual(
      updates.map((d) => [d.cellIndex, d.data["text/plain"], d.update ?? false]),
      [[4, "epoch 1/3", false], [4, "epoch 2/3", true], [6, "epoch 3/3", true]],
    );
    assert.equal(displays.length, 5);
  });

  test("the last expression's value is shown (tslab prints it to stdout, not as execute_result)", () => {
    assert.deepEqual(code(nb, 6).outputs, [{ output_type: "stream", name: "stdout", text: "42\n" }]);
  });

  test("the kernel runs in opts.cwd and imports packages from node_modules", () => {
    assert.equal(textOf(code(nb, 7).outputs), "read relative to the notebook's folder\n");
    assert.equal(textOf(code(nb, 8).outputs), '{"lr":0.01}\n');
  });

  test("progress: start then done for each non-blank code cell", () => {
    assert.deepEqual(
      progress.map((p) => `${p.cellIndex}:${p.codeCellNumber}/${p.codeCellCount}:${p.phase}`),
      [2, 3, 4, 6, 7, 8].flatMap((cell, n) => [`${cell}:${n + 1}/6:start`, `${cell}:${n + 1}/6:done`]),
    );
  });
});

describe("executeNotebook: failures", () => {
  test("a thrown error stops the run: error output, failure, later cells untouched", async () => {
    const { notebook: nb, failure } = await executeNotebook(load("execute-runtime-error.ipynb"), { cwd: fixtures });
    assert.deepEqual(failure, { cellIndex: 2, codeCellNumber: 2, message: "Error: the model diverged" });
    assert.equal(textOf(code(nb, 0).outputs), "before\n");
    const outputs = code(nb, 2).outputs;
    // The user's own console.error stays a stream; tslab's error text becomes the error output.
    assert.equal(textOf(outputs, "stderr"), "a warning\n");
    const error = outputs.at(-1)!;
    assert.equal(error.output_type, "error");
    assert.equal(error.output_type === "error" && error.ename, "Error");
    assert.equal(error.output_type === "error" && error.evalue, "the model diverged");
    assert.ok(error.output_type === "error" && error.traceback.some((l) => l.includes("at train")));
    assert.equal(code(nb, 2).execution_count, 2);
    assert.deepEqual(code(nb, 3).outputs, []);
    assert.equal(code(nb, 3).execution_count, null);
  });

  test("a TypeScript type error is a failure too", async () => {
    const phases: string[] = [];
    const { notebook: nb, failure } = await executeNotebook(load("execute-type-error.ipynb"), {
      cwd: fixtures,
      onCell: (p) => phases.push(`${p.cellIndex}:${p.phase}`),
    });
    assert.equal(failure?.cellIndex, 1);
    assert.equal(failure?.codeCellNumber, 2);
    assert.match(failure?.message ?? "", /^TypeScriptError: 1:1 - Type 'string' is not assignable to type 'number'/);
    assert.doesNotMatch(failure!.message, /\n/);
    const [error] = code(nb, 1).outputs;
    assert.equal(error?.output_type, "error");
    assert.deepEqual(code(nb, 2).outputs, []);
    assert.deepEqual(phases, ["0:start", "0:done", "1:start", "1:error"]);
  });

  test("a cell over cellTimeoutMs fails and the stuck kernel is killed", async () => {
    const nb: Notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        { cell_type: "code", source: 'console.log("started");\nwhile (true) {}', metadata: {}, outputs: [], execution_count: null },
        { cell_type: "code", source: "1", metadata: {}, outputs: [], execution_count: null },
      ],
    };
    const { notebook, failure } = await executeNotebook(nb, { cwd: fixtures, cellTimeoutMs: 1500 });
    assert.equal(failure?.cellIndex, 0);
    assert.match(failure?.message ?? "", /^CellTimeoutError: the cell did not finish within 1.5 s/);
    assert.equal(textOf(code(notebook, 0).outputs), "started\n");
    assert.equal(code(notebook, 1).execution_count, null);
  });

  test("a notebook without code cells needs no kernel", async () => {
    const nb: Notebook = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: "markdown", source: "# Only prose", metadata: {} }] };
    const result = await executeNotebook(nb, { cwd: fixtures });
    assert.equal(result.failure, undefined);
    assert.equal(result.kernelInfo, undefined);
  });

  test("a kernel that cannot start is a one-line UserError with the kernel's own error", async () => {
    await assert.rejects(
      executeNotebook(load("execute-type-error.ipynb"), {
        cwd: fixtures,
        file: "execute-type-error.ipynb",
        env: { NODE_OPTIONS: "--require ./no-such-preload.js" },
      }),
      (err: Error) =>
        err instanceof UserError &&
        err.message.startsWith("execute-type-error.ipynb: the tslab kernel did not start") &&
        err.message.includes("Cannot find module") &&
        !err.message.includes("\n"),
    );
  });

  test("a missing tslab is a one-line UserError naming npm install", () => {
    assert.throws(
      () => resolveTslab(os.tmpdir()),
      (err: Error) => err instanceof UserError && /npm install/.test(err.message) && !err.message.includes("\n"),
    );
  });

  after(() => {
    assert.deepEqual(childKernels(), []);
  });
});

describe("wire format and output shaping (no kernel)", () => {
  test("messages are signed with HMAC-SHA256 and checked on parse", () => {
    const msg = createMessage("execute_request", { code: "1" }, "session-1");
    const frames = serialize(msg, "secret");
    const back = parse([Buffer.from("routing-id"), ...frames], "secret");
    assert.deepEqual(back.header, msg.header);
    assert.deepEqual(back.content, { code: "1" });
    assert.throws(() => parse(frames, "other key"), /invalid HMAC/);
  });

  test("an execute_result message becomes an execute_result output", () => {
    const cell: CodeCell = { cell_type: "code", source: "x", metadata: {}, outputs: [], execution_count: null };
    const collector = new OutputCollector([cell], undefined);
    collector.expect("req-1", 0);
    const msg = createMessage("execute_result", { execution_count: 3, data: { "text/plain": "42" }, metadata: {} }, "s");
    msg.parent_header = { msg_id: "req-1" };
    collector.handle(msg);
    assert.deepEqual(cell.outputs, [{ output_type: "execute_result", execution_count: 3, data: { "text/plain": "42" }, metadata: {} }]);
  });

  test("streams merge by name; tslab diagnostics become one TypeScriptError", () => {
    const out = (name: "stdout" | "stderr", text: string): Output => ({ output_type: "stream", name, text });
    assert.deepEqual(mergeStreams([out("stdout", "a"), out("stdout", "b"), out("stderr", "c"), out("stdout", "d")]), [
      out("stdout", "ab"),
      out("stderr", "c"),
      out("stdout", "d"),
    ]);
    const derived = errorFromStderr([out("stderr", "user warning\n"), out("stderr", "1:7 - Bad one.\n"), out("stderr", "2:1 - Bad two.\n")]);
    assert.equal(derived.ename, "TypeScriptError");
    assert.equal(derived.evalue, "1:7 - Bad one. (and 1 more)");
    assert.deepEqual(derived.outputs, [out("stderr", "user warning\n")]);
  });
});
