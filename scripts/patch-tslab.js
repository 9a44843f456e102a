// tslab 1.0.22 rewrites a reference to a variable of an earlier cell `x` into `exports.x`, but not
// when it is written as an object shorthand (`{ seed }`), which then fails at run time with
// "seed is not defined". Students write shorthands all the time, so we fix tslab's transform in place
// (idempotent; it checks the code it patches and says so if tslab changed).
const fs = require("node:fs");
const path = require("node:path");

const MARK = "/* labreport: shorthand fix */";
let file;
try {
  file = path.join(path.dirname(require.resolve("tslab/package.json")), "dist", "converter.js");
} catch {
  process.exit(0); // tslab not installed (yet): nothing to patch
}
const source = fs.readFileSync(file, "utf8");
if (source.includes(MARK)) process.exit(0);

const anchor = `        function wrapPrevIdentifier(node) {
            var _a, _b;
            if (!ts.isIdentifier(node)) {`;
if (!source.includes(anchor)) {
  console.warn(`labreport: tslab's converter changed; object shorthands of earlier cells' variables ({ x }) may fail — write { x: x }`);
  process.exit(0);
}
const fix = `        function wrapPrevIdentifier(node) {
            var _a, _b;
            ${MARK}
            if (ts.isShorthandPropertyAssignment(node)) {
                const value = checker.getShorthandAssignmentValueSymbol(node);
                const fromPrev = ((value && value.declarations) || []).some((d) => d.getSourceFile() === declsFile);
                if (!fromPrev) return node;
                const name = node.name.text;
                return ts.factory.createPropertyAssignment(ts.factory.createIdentifier(name),
                    ts.factory.createPropertyAccessExpression(ts.factory.createIdentifier("exports"), ts.factory.createIdentifier(name)));
            }
            if (!ts.isIdentifier(node)) {`;
fs.writeFileSync(file, source.replace(anchor, fix));
