// scripts/patch-tslab.js (run at npm install) fixes tslab's handling of `{ x }` for a variable of an
// earlier cell; this checks the fix on the real kernel.
import assert from "node:assert/strict";
import { test } from "node:test";
import { executeNotebook } from "../../src/report/execute/index.js";
import { joinSource } from "../../src/report/notebook.js";
import { code, notebook } from "../notebooks.js";
import { FIXTURES } from "../paths.js";

test("an object shorthand of an earlier cell's variable works in the kernel", async () => {
  const nb = notebook(
    code("const seed = 42;\nconst name = \"mnist\";"),
    code("const local = 1;\nconsole.log(JSON.stringify({ seed, name, local }));"),
  );
  const result = await executeNotebook(nb, { cwd: FIXTURES });
  assert.equal(result.failure, undefined, result.failure?.message);
  const out = result.notebook.cells[1];
  assert.equal(out.cell_type, "code");
  if (out.cell_type !== "code") return;
  const stream = out.outputs.find((o) => o.output_type === "stream");
  assert.ok(stream && stream.output_type === "stream");
  assert.equal(joinSource(stream.text).trim(), '{"seed":42,"name":"mnist","local":1}');
});
