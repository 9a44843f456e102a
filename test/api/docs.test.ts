// The public API is documented: every export of src/index.ts (what notebooks import as "labreport")
// has a doc comment with a short @example.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as path from "node:path";
import ts from "typescript";

const ROOT = path.resolve(__dirname, "../../..");

/** Each export of the library: its name, kind, whether it has a doc comment and an @example. */
function publicExports(): { name: string; kind: string; documented: boolean; example: boolean; file: string }[] {
  const entry = path.join(ROOT, "src/index.ts");
  const program = ts.createProgram([entry], { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, target: ts.ScriptTarget.ES2022, strict: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  return checker.getExportsOfModule(moduleSymbol).map((exported) => {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const declaration = symbol.declarations?.[0];
    const file = declaration ? path.relative(ROOT, declaration.getSourceFile().fileName) : "?";
    const docs = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
    const tags = symbol.getJsDocTags(checker);
    const kind = declaration ? ts.SyntaxKind[declaration.kind] : "?";
    return { name: exported.name, kind, documented: docs.length > 0, example: tags.some((t) => t.name === "example"), file };
  });
}

test("every public export has a doc comment with an @example (the issue's \"a short example each\")", () => {
  const exports = publicExports();
  assert.ok(exports.length > 150, `found only ${exports.length} exports`);
  // tf is TensorFlow.js itself, re-exported whole; its documentation is tfjs's.
  const own = exports.filter((e) => e.name !== "tf");
  assert.ok(own.every((e) => e.file.startsWith("src/")), `exports from outside src/: ${own.filter((e) => !e.file.startsWith("src/")).map((e) => e.name)}`);
  const undocumented = own.filter((e) => !e.documented).map((e) => `${e.name} (${e.file})`);
  assert.deepEqual(undocumented, [], `exports without a doc comment:\n  ${undocumented.join("\n  ")}`);
  const withoutExample = own.filter((e) => !e.example).map((e) => `${e.name} (${e.file})`);
  assert.deepEqual(withoutExample, [], `exports without an @example:\n  ${withoutExample.join("\n  ")}`);
  // The API this work added is among them.
  for (const name of ["linearSvm", "multiMarginLoss", "oneCycle", "History", "LearningRateSchedule", "EngineInfo"]) {
    assert.ok(own.some((e) => e.name === name && e.example), `${name} is exported and has an example`);
  }
});
