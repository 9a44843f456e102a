import assert from "node:assert/strict";
import { test } from "node:test";
import { Notebook, joinSource } from "../../src/build/notebook.js";
import { applyParameters, declaredParameters, parseParameter } from "../../src/build/parameters.js";

const nb = (): Notebook => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [
    { cell_type: "code", metadata: { tags: ["parameters"] }, execution_count: null, outputs: [], source: "const epochs = 2; // short run\nlet trainSize: number = 6000;\nconst name = \"mnist\";" },
    { cell_type: "code", metadata: {}, execution_count: null, outputs: [], source: "const epochs2 = epochs;" },
  ],
});

test("declared parameters are read with their values", () => {
  assert.deepEqual(declaredParameters(nb()), { epochs: 2, trainSize: 6000, name: "mnist" });
});

test("--param replaces a declaration's value and leaves the original notebook alone", () => {
  const original = nb();
  const out = applyParameters(original, { epochs: 10, name: "fashion" }, "x.ipynb");
  const source = joinSource(out.cells[0].source);
  assert.match(source, /^const epochs = 10; \/\/ set by --param \(was 2\)$/m);
  assert.match(source, /^const name = "fashion"; \/\/ set by --param \(was "mnist"\)$/m);
  assert.match(source, /^let trainSize: number = 6000;$/m);
  assert.equal(joinSource(original.cells[0].source).includes("10"), false);
  assert.deepEqual(declaredParameters(out), { epochs: 10, trainSize: 6000, name: "fashion" });
});

test("an undeclared parameter or a notebook without a parameters cell is a clear error", () => {
  assert.throws(() => applyParameters(nb(), { epoch: 3 }, "x.ipynb"), /x\.ipynb: parameter "epoch" is not declared in the parameters cell \(declared: epochs, trainSize, name\)/);
  const plain = nb();
  plain.cells[0].metadata = {};
  assert.throws(() => applyParameters(plain, { epochs: 3 }, "y.ipynb"), /y\.ipynb: no cell is tagged "parameters"/);
});

test("parseParameter reads JSON values and falls back to strings", () => {
  assert.deepEqual(parseParameter("epochs=10"), ["epochs", 10]);
  assert.deepEqual(parseParameter("lr=0.01"), ["lr", 0.01]);
  assert.deepEqual(parseParameter("name=fashion"), ["name", "fashion"]);
  assert.deepEqual(parseParameter("sizes=[800,800]"), ["sizes", [800, 800]]);
  assert.throws(() => parseParameter("epochs"), /expected name=value/);
});
