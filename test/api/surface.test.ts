// The package root is what a notebook author uses: every name a notebook imports from "labreport"
// is exported, and the building blocks behind them (the display writer, the Gaussian process, …)
// are not (tests import those from their modules).
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";

const ROOT = path.resolve(__dirname, "../../..");

function rootExports(): Set<string> {
  const entry = path.join(ROOT, "src/index.ts");
  const program = ts.createProgram([entry], { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, target: ts.ScriptTarget.ES2022, strict: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  return new Set(checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(entry)!)!).map((s) => s.name));
}

/** Names the assignments' notebooks import from "labreport". */
function notebookImports(): Set<string> {
  const names = new Set<string>();
  const dir = path.join(ROOT, "notebooks");
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb"))) {
    const nb = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as { cells: { cell_type: string; source: string | string[] }[] };
    for (const cell of nb.cells.filter((c) => c.cell_type === "code")) {
      const source = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
      for (const m of source.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*["']labreport["']/g)) {
        for (const item of m[1].split(",")) {
          const name = item.replace(/^\s*type\s+/, "").split(/\s+as\s+/)[0].trim();
          if (name) names.add(name);
        }
      }
    }
  }
  return names;
}

test("every name the notebooks import from labreport is exported", () => {
  const exported = rootExports();
  const imported = notebookImports();
  assert.ok(imported.size > 30, `found only ${imported.size} imported names`);
  const missing = [...imported].filter((n) => !exported.has(n));
  assert.deepEqual(missing, [], `notebooks import names the package does not export: ${missing.join(", ")}`);
});

test("internals are not exported from the package root", () => {
  const exported = rootExports();
  const internals = [
    "writeDisplay", "newDisplayId", "inKernel", "DisplayMessage", "progressHtml", "tableHtml", "toTableData",
    "cholesky", "normalCdf", "normalPdf", "fitGaussianProcess", "expectedImprovement", "encodePoint", "pointKey",
    "runTrial", "captureRandomStates", "resolveInit", "lossForModel", "checkDatasetFitsModel", "parseIdx",
  ];
  assert.deepEqual(internals.filter((n) => exported.has(n)), []);
});
