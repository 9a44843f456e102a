// Output volume on the real kernel: a cell that prints thousands of lines in one synchronous loop
// (a per-batch log line, say) must finish and keep every line. Before the fix tslab dropped all but
// ~500 messages, its idle status among them, and the build waited forever.
import assert from "node:assert/strict";
import { test } from "node:test";
import { executeNotebook } from "../../src/report/execute/index.js";
import { joinSource } from "../../src/report/notebook.js";
import { code, notebook } from "../notebooks.js";
import { FIXTURES } from "../paths.js";

test("a cell printing 5,000 lines at once finishes with every line", async () => {
  const nb = notebook(
    code("for (let i = 0; i < 5000; i++) console.log(`line ${i}`);"),
    code("console.log('next cell');"),
  );
  const result = await executeNotebook(nb, { cwd: FIXTURES, cellTimeoutMs: 30_000 });
  assert.equal(result.failure, undefined, result.failure?.message);
  const text = (i: number) =>
    result.notebook.cells[i].cell_type === "code"
      ? (result.notebook.cells[i] as { outputs: { output_type: string; text?: string | string[] }[] }).outputs
          .map((o) => (o.output_type === "stream" ? joinSource(o.text ?? "") : ""))
          .join("")
      : "";
  const lines = text(0).trimEnd().split("\n");
  assert.equal(lines.length, 5000);
  assert.equal(lines[4999], "line 4999");
  assert.equal(text(1).trim(), "next cell");
});
