// What travels with a notebook's queue job besides the notebook: the files in its folder and below
// it, nearest first up to the cap, never notebooks, hidden files, stores or the build's output; and a
// worker writes them back under the notebook's folder only.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { COMPANIONS_MAX_BYTES, gatherCompanions, writeCompanions } from "../../src/report/queue/companions.js";

function folder(files: Record<string, string | number>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-companions-"));
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, ...name.split("/"));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (typeof content === "number") {
      fs.writeFileSync(file, "");
      fs.truncateSync(file, content); // a sparse file of that size
    } else fs.writeFileSync(file, content);
  }
  return dir;
}

test("companions: the files beside the notebook and in the folders below it, by relative path; not notebooks, hidden files, stores or the output folder", () => {
  const dir = folder({
    "hw.ipynb": "{}", "other.ipynb": "{}", "refs.bib": "@book{x}", ".env": "secret",
    "data/train.csv": "a,b", "data/deep/er/w.bin": "\u0001\u0002", "data/other.ipynb": "{}",
    ".git/config": "x", "_freeze/hw.json": "{}", "node_modules/p/index.js": "x", "reports/hw.pdf": "old",
  });
  const warnings: string[] = [];
  const got = gatherCompanions(path.join(dir, "hw.ipynb"), [path.join(dir, "reports")], (l) => warnings.push(l));
  assert.deepEqual(Object.keys(got).sort(), ["data/deep/er/w.bin", "data/train.csv", "refs.bib"]);
  assert.equal(Buffer.from(got["data/train.csv"], "base64").toString(), "a,b");
  assert.deepEqual(warnings, []);
});

test("companions: past the cap, the nearest files still travel and one warning names where the cut is", () => {
  const dir = folder({ "hw.ipynb": "{}", "notes.txt": "small", "big/a.bin": COMPANIONS_MAX_BYTES - 10, "big/b.bin": 100, "big/c.bin": 1 });
  const warnings: string[] = [];
  const got = gatherCompanions(path.join(dir, "hw.ipynb"), [], (l) => warnings.push(l));
  assert.deepEqual(Object.keys(got).sort(), ["big/a.bin", "notes.txt"]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /hw\.ipynb: the files in its folder from big\/b\.bin on did not fit in its job \(16 MB travel with a notebook, nearest first\)/);
});

test("companions are written back under the notebook's folder, subfolders made; a name that leaves it is refused", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-companions-out-"));
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  writeCompanions(dir, { "refs.bib": b64("@book{x}"), "data/day 1/x.csv": b64("1,2") });
  assert.equal(fs.readFileSync(path.join(dir, "data", "day 1", "x.csv"), "utf8"), "1,2");
  assert.equal(fs.readFileSync(path.join(dir, "refs.bib"), "utf8"), "@book{x}");
  for (const bad of ["../escape.txt", "data/../../escape.txt", "/etc/escape.txt"]) {
    assert.throws(() => writeCompanions(dir, { [bad]: b64("x") }), /points outside the notebook's folder/, bad);
  }
  assert.ok(!fs.existsSync(path.join(dir, "..", "escape.txt")));
});
