import assert from "node:assert/strict";
import { test } from "node:test";
import { Notebook, joinSource } from "../../src/report/notebook.js";
import { applyParameters, declaredParameters, parameterSummary, parseParameter } from "../../src/report/notebook-parameters.js";

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
  assert.match(source, /^const epochs = 10 as number; \/\/ set by --param \(was 2\)$/m);
  assert.match(source, /^const name = "fashion" as string; \/\/ set by --param \(was "mnist"\)$/m);
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

// Parameters cells as students write them: values over several lines, types, comments, quotes.
const written = (): Notebook => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [
    {
      cell_type: "code",
      metadata: { tags: ["parameters"] },
      execution_count: null,
      outputs: [],
      source: [
        "// Run configuration\n",
        "const seeds = [\n",
        "  1,\n",
        "  2,\n",
        "];\n",
        "let rates: number[] = [0.1, 0.01];\n",
        "let verbose = false\n",
        "var mode = 'quick';\n",
        "const config = { a: 1 };\n",
        "if (verbose) {\n",
        "  const hidden = 1;\n",
        "}\n",
        "const epochs = 3, name = \"mnist\"; // two at once",
      ],
    },
  ],
});

test("a value written over several lines is replaced whole, and the cell still parses", () => {
  const out = joinSource(applyParameters(written(), { seeds: [3, 4], rates: [0.5], epochs: 5 }, "x.ipynb").cells[0].source);
  assert.match(out, /^const seeds = \[3,4\]; \/\/ set by --param \(was \[ 1, 2, \]\)\nlet rates: number\[\] = \[0\.5\]; \/\/ set by --param \(was \[0\.1, 0\.01\]\)\n/m);
  assert.doesNotMatch(out, /^\s+1,$/m, "the old items are gone");
  assert.match(out, /^const epochs = 5 as number \/\* set by --param \(was 3\) \*\/, name = "mnist"; \/\/ two at once$/m);
});

test("declarations are read with their literal values; non-literals and nested blocks are not parameters", () => {
  assert.deepEqual(declaredParameters(written()), { seeds: [1, 2], rates: [0.1, 0.01], verbose: false, mode: "quick", config: "{ a: 1 }", epochs: 3, name: "mnist" });
});

test("--param values must fit the declared kind; a declared string takes any scalar as text", () => {
  assert.throws(() => applyParameters(written(), { verbose: "yes" }, "x.ipynb"), /^Error: x\.ipynb: --param verbose=yes: verbose is a boolean \(declared false\), give true or false$|x\.ipynb: --param verbose=yes: verbose is a boolean \(declared false\), give true or false/);
  assert.throws(() => applyParameters(written(), { rates: 0.1 }, "x.ipynb"), /rates is an array \(declared \[0\.1, 0\.01\]\), give a JSON list like \[0\.1,0\.01\]/);
  const out = joinSource(applyParameters(written(), { mode: 2024, name: "hello world" }, "x.ipynb").cells[0].source);
  assert.match(out, /^var mode = "2024" as string; \/\/ set by --param \(was 'quick'\)$/m);
  assert.match(out, /name = "hello world" as string; \/\/ set by --param \(was "mnist"\)$/m);
});

test("the report's parameter list shows each value on one line, as written or as set", () => {
  const configured = applyParameters(written(), { epochs: 5 }, "x.ipynb");
  assert.deepEqual(parameterSummary(configured), { seeds: "[1, 2]", rates: "[0.1, 0.01]", verbose: "false", mode: "'quick'", config: "{a: 1}", epochs: "5", name: '"mnist"' });
});

/** A notebook whose parameters cell is `source`. */
const cell = (source: string): Notebook => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [{ cell_type: "code", metadata: { tags: ["parameters"] }, execution_count: null, outputs: [], source }],
});

test("brackets, quotes and slashes inside comments, strings, templates and regular expressions do not end or extend a value", () => {
  const source = [
    "const sizes = [ // widths (per layer\n  800, /* ] */ 400,\n];",
    "let lr: number /* ( */ = 0.1;",
    "const url = \"http://example.org/(\"; // a link",
    "const tag = `(${`[${\"}\"}`}`;",
    "const pattern = /[(]\\/{/g;",
    "const half = 6 / 2, third = (9) / 3;",
    "let mode: `${\"a\" | \"b\"}-run` = \"a-run\";",
    "const epochs = 3;",
  ].join("\n");
  assert.deepEqual(declaredParameters(cell(source)), {
    sizes: "[ // widths (per layer\n  800, /* ] */ 400,\n]", // not a literal: JSON has no comments
    lr: 0.1,
    url: "http://example.org/(",
    tag: "`(${`[${\"}\"}`}`",
    pattern: "/[(]\\/{/g",
    half: "6 / 2",
    third: "(9) / 3",
    mode: "a-run",
    epochs: 3,
  });
  const out = joinSource(applyParameters(cell(source), { epochs: 5, lr: 0.5 }, "x.ipynb").cells[0].source);
  assert.match(out, /^const pattern = \/\[\(\]\\\/\{\/g;$/m, "the regular expression is left as written");
  assert.match(out, /^let lr: number \/\* \( \*\/ = 0\.5 as number; \/\/ set by --param \(was 0\.1\)$/m);
  assert.match(out, /^const epochs = 5 as number; \/\/ set by --param \(was 3\)$/m);
});

test("a line that ends in an operator, or a next line that starts with one, continues the value; a comment after it ends it", () => {
  const source = "const total = 1 +\n  2\nconst scaled = [1, 2]\n  .map((x) => x * 2) // doubled\nconst epochs = 3";
  assert.deepEqual(declaredParameters(cell(source)), { total: "1 +\n  2", scaled: "[1, 2]\n  .map((x) => x * 2)", epochs: 3 });
});
