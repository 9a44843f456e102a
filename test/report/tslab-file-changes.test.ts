// scripts/patch-tslab.js (run at npm install) lets tslab's compiler hold several pending rebuilds.
// Unpatched, a module appearing on disk and an imported file changing during one cell (what a long
// training cell sees when the student edits files or the library is recompiled meanwhile) made the
// next cell fail with "Unexpected pending rebuildTimer". This replays that on the real kernel.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { executeNotebook } from "../../src/report/execute/index.js";
import { joinSource } from "../../src/report/notebook.js";
import { code, notebook } from "../notebooks.js";

test("files that change on disk during a cell do not fail the next cell", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-file-changes-"));
  fs.writeFileSync(path.join(dir, "helper.ts"), "export const helperValue = 1;\n");
  const later = JSON.stringify(path.join(dir, "later.ts"));
  const helper = JSON.stringify(path.join(dir, "helper.ts"));
  const nb = notebook(
    code(`import * as fs from "fs";\nimport { helperValue } from "./helper";\nconsole.log("helper", helperValue);`),
    // A failed import leaves a lookup that TypeScript watches for the module to appear.
    code(`//| error: true\nimport { laterValue } from "./later";\nconsole.log(laterValue);`),
    // During one cell: the missing module appears and an imported file changes.
    code(`fs.writeFileSync(${later}, "export const laterValue = 2;\\n");\n` +
      `fs.writeFileSync(${helper}, "export const helperValue = 1; // touched\\n");\n` +
      `await new Promise((resolve) => setTimeout(resolve, 2000));  // the watchers' events arrive\nconsole.log("changed");`),
    code(`console.log("next cell runs");`),
  );
  try {
    const result = await executeNotebook(nb, { cwd: dir, errorCells: new Set([1]) });
    assert.equal(result.failure, undefined, result.failure?.message);
    const last = result.notebook.cells[3];
    assert.ok(last.cell_type === "code");
    const stream = last.outputs.find((o) => o.output_type === "stream");
    assert.ok(stream && stream.output_type === "stream", JSON.stringify(last.outputs));
    assert.equal(joinSource(stream.text).trim(), "next cell runs");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
