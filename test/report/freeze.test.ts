// Freeze: a notebook with `freeze: auto` re-executes only when its code, its parameters or the
// library change; otherwise the build renders the stored execution. Real kernel, real Chromium.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { codeHash, freezeMode, libraryHash, storeFrozen } from "../../src/report/freeze.js";
import { CLI, FIXTURES, REPO } from "../paths.js";
import { code, md, notebook } from "../notebooks.js";

function labreport(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: "utf8", timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The token the notebook printed in this build's executed copy. */
function token(executedFile: string): string {
  const nb = JSON.parse(fs.readFileSync(executedFile, "utf8"));
  const text = nb.cells[3].outputs.map((o: { text?: string | string[] }) => [o.text ?? ""].flat().join("")).join("");
  const m = /token (\S+) draws (\d+)/.exec(text);
  assert.ok(m, `token printed: ${text}`);
  return `${m[1]} ${m[2]}`;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-freeze-"));
const nbFile = path.join(work, "frozen.ipynb");
const out = path.join(work, "reports");
const store = path.join(work, "_freeze", "frozen.json");
fs.copyFileSync(path.join(FIXTURES, "freeze", "frozen.ipynb"), nbFile);

function editCell(index: number, source: string): void {
  const nb = JSON.parse(fs.readFileSync(nbFile, "utf8"));
  nb.cells[index].source = source;
  fs.writeFileSync(nbFile, JSON.stringify(nb));
}

test("freeze: the first build executes and stores; an unchanged rebuild renders the store without executing", () => {
  // The fixture imports nothing, so it runs from a folder outside the repository.
  const first = labreport(["build", nbFile, "--out", out]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /frozen\.pdf .*; executed \(nothing stored yet\), stored in /);
  assert.ok(fs.existsSync(store));
  const stored = token(path.join(out, "frozen.ipynb"));

  const second = labreport(["build", nbFile, "--out", out]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /frozen \(code, parameters and library unchanged since \d{4}-\d\d-\d\d/);
  assert.equal(token(path.join(out, "frozen.ipynb")), stored, "the stored outputs, not a new execution");
  const text = spawnSync("pdftotext", [path.join(out, "frozen.pdf"), "-"], { encoding: "utf8" }).stdout;
  assert.match(text, new RegExp(`token ${stored.split(" ")[0]}`));
  assert.match(text, /frozen: rendered from the stored execution/);
});

test("freeze: editing prose keeps the store (and the new prose is printed); editing code re-executes", () => {
  const before = token(path.join(out, "frozen.ipynb"));
  editCell(1, "Prose rewritten after the run.");
  const prose = labreport(["build", nbFile, "--out", out]);
  assert.equal(prose.code, 0, prose.stderr);
  assert.match(prose.stderr, /frozen \(/);
  assert.equal(token(path.join(out, "frozen.ipynb")), before);
  assert.match(spawnSync("pdftotext", [path.join(out, "frozen.pdf"), "-"], { encoding: "utf8" }).stdout, /Prose rewritten after the run/);

  editCell(2, "const draws: number = 3;");
  const changed = labreport(["build", nbFile, "--out", out]);
  assert.equal(changed.code, 0, changed.stderr);
  assert.match(changed.stderr, /executed \(code or parameters changed\), stored in/);
  assert.match(token(path.join(out, "frozen.ipynb")), / 3$/);
});

test("freeze: --rerun executes anyway; --param / -p executes without replacing the store", () => {
  const before = token(path.join(out, "frozen.ipynb"));
  const rerun = labreport(["build", nbFile, "--out", out, "--rerun"]);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.match(rerun.stderr, /executed \(--rerun\)/);
  const afterRerun = token(path.join(out, "frozen.ipynb"));
  assert.notEqual(afterRerun, before);

  const storeBefore = fs.readFileSync(store, "utf8");
  const draft = labreport(["build", nbFile, "--out", out, "-p", "draws", "7"]);
  assert.equal(draft.code, 0, draft.stderr);
  assert.match(draft.stderr, /executed \(--param given\), not stored/);
  assert.match(token(path.join(out, "frozen.ipynb")), / 7$/);
  assert.match(JSON.stringify(JSON.parse(fs.readFileSync(path.join(out, "frozen.ipynb"), "utf8")).cells[4].outputs), /other draws/);
  assert.equal(fs.readFileSync(store, "utf8"), storeBefore, "a --param draft leaves the stored full run alone");

  const again = labreport(["build", nbFile, "--out", out, "-p", "draws=7"]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(token(path.join(out, "frozen.ipynb")), / 7$/);

  const plain = labreport(["build", nbFile, "--out", out]);
  assert.match(plain.stderr, /frozen \(/);
  assert.equal(token(path.join(out, "frozen.ipynb")), afterRerun);
});

test("freeze: true renders the stored run as it ran even after its code changed, and --param still executes", () => {
  const nb = JSON.parse(fs.readFileSync(nbFile, "utf8"));
  const storedToken = token(path.join(out, "frozen.ipynb"));
  // Pin the notebook, then delete a code cell in the middle: the stored run has one code cell more.
  nb.cells[0].source = "---\ntitle: Frozen Fixture\nfreeze: true\n---";
  nb.cells.splice(3, 1, { cell_type: "markdown", metadata: {}, source: "A note where the token cell was." });
  fs.writeFileSync(nbFile, JSON.stringify(nb));
  const pinned = labreport(["build", nbFile, "--out", out]);
  assert.equal(pinned.code, 0, pinned.stderr);
  assert.match(pinned.stderr, /frozen \(freeze: true, although the code or parameters changed since /);
  const executed = JSON.parse(fs.readFileSync(path.join(out, "frozen.ipynb"), "utf8"));
  // The stored notebook whole: its token cell in place and its last cell's output with it.
  assert.equal(token(path.join(out, "frozen.ipynb")), storedToken);
  const storedRun = JSON.parse(fs.readFileSync(store, "utf8")).notebook;
  assert.equal(executed.cells.length, storedRun.cells.length);
  assert.deepEqual(executed.cells[4].outputs, storedRun.cells[4].outputs);
  assert.ok(executed.cells[4].outputs.length > 0, "the last code cell keeps its output");
  assert.doesNotMatch(JSON.stringify(executed.cells), /A note where the token cell was/);

  const draft = labreport(["build", nbFile, "--out", out, "-p", "draws", "5"]);
  assert.equal(draft.code, 0, draft.stderr);
  assert.match(draft.stderr, /executed \(--param given\), not stored/);
  assert.match(JSON.stringify(JSON.parse(fs.readFileSync(path.join(out, "frozen.ipynb"), "utf8")).cells), /"other draws/);
  assert.match(JSON.stringify(JSON.parse(fs.readFileSync(path.join(out, "frozen.ipynb"), "utf8")).cells), /A note where the token cell was/, "the draft runs today's notebook");
  fs.copyFileSync(path.join(FIXTURES, "freeze", "frozen.ipynb"), nbFile);
});

test("freeze: a corrupt store is a specific warning and a re-execution that repairs it", () => {
  fs.writeFileSync(store, "{ not json");
  const r = labreport(["build", nbFile, "--out", out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /warning: .*_freeze\/frozen\.json is corrupt \(.*\); re-executing the notebook/);
  assert.match(r.stderr, /executed \(stored execution unreadable\), stored in/);
  assert.doesNotThrow(() => JSON.parse(fs.readFileSync(store, "utf8")));
});

test("freeze: a store that cannot be written is a warning naming it and the fix; the report of the run is still written", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-freeze-blocked-"));
  const file = path.join(dir, "frozen.ipynb");
  fs.copyFileSync(path.join(FIXTURES, "freeze", "frozen.ipynb"), file);
  // A file where the _freeze folder belongs stops even root, which a read-only folder would not.
  fs.writeFileSync(path.join(dir, "_freeze"), "not a folder");
  const r = labreport(["build", file, "--out", path.join(dir, "reports")]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(fs.existsSync(path.join(dir, "reports", "frozen.pdf")), "the report is written");
  assert.match(r.stderr, /warning: .*_freeze\/frozen\.json: cannot write here \(a file stands where a folder is needed\); this execution is not stored .*; make .*_freeze a writable folder/);
  assert.match(r.stderr, /executed \(nothing stored yet\), not stored \(see the warning\)/);
});

test("freeze store: written whole through a temporary file; one that cannot be written returns its warning, never throws", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-freeze-store-"));
  const entry = { key: { code: "c", library: "l" }, run: {}, notebook: notebook(md("x")) };
  assert.equal(storeFrozen(path.join(dir, "ok.ipynb"), entry), undefined);
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, "_freeze", "ok.json"), "utf8")).key, entry.key);
  assert.deepEqual(fs.readdirSync(path.join(dir, "_freeze")), ["ok.json"], "no temporary file left behind");

  const blocked = path.join(dir, "blocked");
  fs.mkdirSync(blocked);
  fs.writeFileSync(path.join(blocked, "_freeze"), "not a folder");
  const warning = storeFrozen(path.join(blocked, "x.ipynb"), entry);
  assert.match(warning ?? "", /^.*blocked\/_freeze\/x\.json: cannot write here \(a file stands where a folder is needed\); this execution is not stored \(the report is written, but the next build runs the notebook again\); make .*blocked\/_freeze a writable folder$/);
  assert.equal(fs.readFileSync(path.join(blocked, "_freeze"), "utf8"), "not a folder", "nothing replaced");
});

test("freeze key: code cells only; the library hash covers src/ but not the report build", () => {
  const a = notebook(md("one"), code("const x = 1;"));
  const b = notebook(md("two"), md("more prose"), code("const x = 1;"));
  const c = notebook(md("one"), code("const x = 2;"));
  assert.equal(codeHash(a), codeHash(b));
  assert.notEqual(codeHash(a), codeHash(c));
  // Display options do not change what runs; eval does.
  assert.equal(codeHash(notebook(code("//| echo: false\n//| fig-cap: A caption\nconst x = 1;"))), codeHash(a));
  assert.notEqual(codeHash(notebook(code("//| eval: false\nconst x = 1;"))), codeHash(a));

  const root = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-libhash-"));
  fs.mkdirSync(path.join(root, "src", "report"), { recursive: true });
  fs.mkdirSync(path.join(root, "src", "train"), { recursive: true });
  fs.writeFileSync(path.join(root, "src", "train", "fit.ts"), "export const lr = 0.1;");
  fs.writeFileSync(path.join(root, "src", "report", "report.ts"), "export const css = 1;");
  const h0 = libraryHash(root);
  fs.writeFileSync(path.join(root, "src", "report", "report.ts"), "export const css = 2;");
  assert.equal(libraryHash(root), h0, "the report pipeline is not the library");
  fs.writeFileSync(path.join(root, "src", "train", "fit.ts"), "export const lr = 0.2;");
  assert.notEqual(libraryHash(root), h0, "a library change invalidates stored executions");

  assert.equal(freezeMode({}, "x.ipynb"), false);
  assert.equal(freezeMode({ freeze: "auto" }, "x.ipynb"), "auto");
  assert.equal(freezeMode({ execute: { freeze: true } }, "x.ipynb"), true);
  assert.throws(() => freezeMode({ freeze: "sometimes" }, "x.ipynb"), /x\.ipynb: front matter "freeze: sometimes" is not one of auto, true, false/);
});
