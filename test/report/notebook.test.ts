// Reading notebooks as editors other than Jupyter save them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { joinSource, parseNotebook } from "../../src/report/notebook.js";
import { parseCellOptions } from "../../src/report/cell-options.js";

test("a byte-order mark and Windows line endings are read as Jupyter would", () => {
  const text = "\uFEFF" + JSON.stringify({
    nbformat: 4,
    nbformat_minor: 4,
    metadata: {},
    cells: [{ cell_type: "code", source: ["//| echo: false\r\n", "console.log(1);\r\n"], outputs: [], execution_count: null, metadata: {} }],
  });
  const nb = parseNotebook(text, "win.ipynb");
  const source = joinSource(nb.cells[0].source);
  assert.equal(source, "//| echo: false\nconsole.log(1);\n");
  assert.equal(parseCellOptions(source).options.echo, false);
});
