// Authoring options end to end: a notebook with stored outputs, written here, built by the CLI with
// --no-execute into a real PDF (Chromium), read back with poppler's pdftotext, pdfinfo and pdfimages.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import * as zlib from "node:zlib";
import { Cell, Output } from "../../src/report/notebook.js";
import { code, md, notebook, raw, stdout } from "../notebooks.js";
import { CLI, REPO } from "../paths.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-authoring-"));

/** Writes the notebook and builds it; returns the exit status, stderr and the PDF's path. */
function build(name: string, cells: Cell[], args = ["--no-execute"]) {
  const file = path.join(dir, `${name}.ipynb`);
  fs.writeFileSync(file, JSON.stringify(notebook(...cells)));
  const r = spawnSync(process.execPath, [CLI, "build", file, "--out", path.join(dir, "out"), ...args], { cwd: REPO, encoding: "utf8", timeout: 180_000 });
  return { code: r.status, stderr: r.stderr, pdf: path.join(dir, "out", `${name}.pdf`) };
}

function poppler(tool: string, args: string[]): string {
  const r = spawnSync(tool, args, { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** The PDF's text page by page (pdftotext -layout keeps side-by-side text on one line). */
function pages(pdf: string): string[] {
  return poppler("pdftotext", ["-layout", pdf, "-"]).split("\f").slice(0, -1);
}

/** A solid-colour PNG of the given size, as a notebook's image/png output holds it (base64). */
function png(width: number, height: number): string {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(zlib.crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0x5a)]);
  const pixels = zlib.deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([Buffer.from("89504e470d0a1a0a", "hex"), chunk("IHDR", header), chunk("IDAT", pixels), chunk("IEND", Buffer.alloc(0))]).toString("base64");
}

const image = (width: number, height: number): Output => ({ output_type: "display_data", data: { "image/png": png(width, height) }, metadata: {} });


test("toc: true puts a table of contents of the numbered sections after the title block", () => {
  const cells = (toc: boolean) => [
    raw(`---\ntitle: Contents Report\ntoc: ${toc}\n---`),
    md("## Data\n\nWe load the data.\n\n## Method {#sec-method}\n\nAs @sec-method says.\n\n### Details\n\nMore.\n\n## Results {.unnumbered}\n\nNone."),
    code("console.log(1)", [stdout("one\n")]),
  ];
  const r = build("toc", cells(true));
  assert.equal(r.code, 0, r.stderr);
  const lines = pages(r.pdf).join("\n").split("\n").map((l) => l.trim().replace(/\s+/g, " "));
  const contents = lines.indexOf("Contents");
  assert.ok(contents > lines.indexOf("Contents Report"), `contents after the title:\n${lines.join("\n")}`);
  assert.deepEqual(lines.slice(contents + 1, contents + 5), ["1 Data", "2 Method", "2.1 Details", ""], "numbered sections in order");
  assert.ok(lines.indexOf("We load the data.") > contents + 4, "the body follows the contents");
  assert.ok(!lines.slice(contents, contents + 5).includes("Results"), "an unnumbered heading is not listed");

  const plain = build("no-toc", cells(false));
  assert.equal(plain.code, 0, plain.stderr);
  assert.doesNotMatch(pages(plain.pdf).join("\n"), /^\s*Contents\s*$/m);
});

test("fig-subcap with layout-ncol sets a cell's figures side by side, lettered, under one numbered caption; fig-width sizes a figure", () => {
  const r = build("panel", [
    md("# Panels\n\nBoth views are in @fig-pair."),
    code('//| label: fig-pair\n//| fig-cap: "Two views of the data"\n//| fig-subcap: [Left view, Right view]\n//| layout-ncol: 2\nshowBoth()', [image(300, 200), image(300, 200)]),
    code("//| fig-width: 2\n//| label: fig-small\n//| fig-cap: A small figure\nshowSmall()", [image(200, 100)]),
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /2 figures/, "the panel counts as one figure");
  const text = pages(r.pdf).join("\n");
  assert.match(text, /\(a\) Left view\s{2,}\(b\) Right view/, `sub-captions side by side on one line:\n${text}`);
  assert.match(text, /Figure 1: Two views of the data/);
  assert.match(text, /Both views are in Figure 1\./);
  assert.match(text, /Figure 2: A small figure/);
  // pdfimages lists each image's resolution on the page: 200 px over 2 inches is 100 ppi.
  const images = poppler("pdfimages", ["-list", r.pdf]).split("\n").slice(2).filter(Boolean).map((l) => l.trim().split(/\s+/));
  const small = images.find((cols) => cols[3] === "200" && cols[4] === "100");
  assert.ok(small, `the 200×100 image is in the PDF:\n${images.join("\n")}`);
  assert.ok(Math.abs(Number(small[12]) - 100) <= 2, `fig-width: 2 prints 200 px at 100 ppi, got ${small[12]}`);
  const panel = images.filter((cols) => cols[3] === "300");
  assert.equal(panel.length, 2);
  // Two to a row in a 17 cm column: each about 8 cm (3.1 in) wide, so about 95 ppi, not the 45 of a full-width figure.
  for (const cols of panel) assert.ok(Number(cols[12]) > 80, `half-width figure, got ${cols[12]} ppi`);
});

test("nbconvert's and Jupyter Book's tags hide cells, inputs and outputs (remove-*, remove_*, hide-*)", () => {
  const tagged = (tags: string[], source: string, out: string) => ({ ...code(source, [stdout(out)]), metadata: { tags } });
  const r = build("tags", [
    md("# Tags\n\nVisible prose."),
    { ...md("Removed prose marker."), metadata: { tags: ["remove-cell"] } },
    tagged(["remove_cell"], "underscoreCellCode()", "underscore cell output"),
    tagged(["hide-cell"], "hiddenCellCode()", "hidden cell output"),
    tagged(["remove-input"], "removedInputCode()", "kept output one"),
    tagged(["hide_input"], "hiddenInputCode()", "kept output two"),
    tagged(["remove-output"], "keptCodeOne()", "removed output one"),
    tagged(["hide-output"], "keptCodeTwo()", "removed output two"),
    tagged([], "plainCode()", "plain output"),
  ]);
  assert.equal(r.code, 0, r.stderr);
  const text = pages(r.pdf).join("\n");
  for (const shown of ["Visible prose", "kept output one", "kept output two", "keptCodeOne", "keptCodeTwo", "plainCode", "plain output"]) assert.match(text, new RegExp(shown));
  for (const gone of ["Removed prose marker", "underscore cell", "underscoreCellCode", "hidden cell output", "hiddenCellCode", "removedInputCode", "hiddenInputCode", "removed output"]) {
    assert.doesNotMatch(text, new RegExp(gone), `${gone} is removed`);
  }
});

test("an unknown or ill-typed option, or a reference to a missing label, is an error naming notebook, cell and label, with a near miss suggested", () => {
  const figure = (options: string) => code(`${options}\nplot()`, [image(20, 20)]);
  // Options are checked before the notebook runs (this build would execute it).
  const typo = build("typo", [md("# Typo"), figure("//| label: fig-a\n//| fig-capt: A caption")], []);
  assert.equal(typo.code, 1);
  assert.match(typo.stderr, /typo\.ipynb: cell 2: unknown cell option "fig-capt"; did you mean "fig-cap"\?/);
  const typed = build("typed", [md("# Typed"), figure("//| layout-ncol: two\n//| echo: maybe")]);
  assert.equal(typed.code, 1);
  assert.match(typed.stderr, /typed\.ipynb: cell 2: cell option "layout-ncol" must be a positive number, got "two"/);
  assert.match(typed.stderr, /typed\.ipynb: cell 2: cell option "echo" must be a boolean \(true or false\), got "maybe"/);
  const missing = build("missing", [md("# Missing"), figure("//| label: fig-loss\n//| fig-cap: Loss"), md("See @fig-losses and @tbl-nothing.")]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /missing\.ipynb: cell 3: reference @fig-losses has no matching label; did you mean @fig-loss\?/);
  assert.match(missing.stderr, /missing\.ipynb: cell 3: reference @tbl-nothing has no matching label; label a figure, table/);
  assert.ok(!fs.existsSync(missing.pdf), "no report with dangling references");
});

test("the PDF: title, authors and subject in its metadata, a running header from page 2, tables never split, no near-blank pages", () => {
  // After 60 paragraphs the table starts near the foot of page 2: unless kept whole, it would be split there.
  const prose = Array.from({ length: 60 }, (_, i) => `Paragraph ${i + 1} of the discussion, long enough to fill a line of the page with words.`).join("\n\n");
  const rows = Array.from({ length: 25 }, (_, i) => `| row ${i + 1} | ${(i * 0.37).toFixed(2)} |`).join("\n");
  const r = build("metadata", [
    raw("---\ntitle: \"Problem 2: Convolutional networks\"\nauthor:\n  - name: Zoë Lovelace\n    netid: zlove12\n  - Alan Turing\ncourse: IFT 6135\n---"),
    md(`## Discussion\n\n${prose}\n\n| item | value |\n|---|---|\n${rows}\n\n## More\n\n${prose}`),
    code("console.log(1)", [stdout("one\n")]),
  ]);
  assert.equal(r.code, 0, r.stderr);
  const info = poppler("pdfinfo", [r.pdf]);
  assert.match(info, /^Title:\s+Problem 2: Convolutional networks$/m);
  assert.match(info, /^Author:\s+Zoë Lovelace, Alan Turing$/m);
  assert.match(info, /^Subject:\s+IFT 6135 — Problem 2: Convolutional networks$/m);
  const all = pages(r.pdf);
  assert.ok(all.length >= 3, `a report of several pages, got ${all.length}`);
  const firstLine = (page: string) => page.split("\n").find((l) => l.trim())!.trim();
  assert.doesNotMatch(firstLine(all[0]), /IFT 6135 —/, "no running header above the title block");
  for (const [k, page] of all.slice(1).entries()) assert.equal(firstLine(page), "IFT 6135 — Problem 2: Convolutional networks", `header on page ${k + 2}`);
  const tablePages = all.flatMap((page, k) => (/row 1\b/.test(page) || /row 25\b/.test(page) ? [k] : []));
  assert.equal(new Set(tablePages).size, 1, `the table's first and last rows are on one page, not ${tablePages}`);
  for (const [k, page] of all.slice(0, -1).entries()) {
    const lines = page.split("\n").filter((l) => l.trim()).length;
    assert.ok(lines > 10, `page ${k + 1} is not near-blank (${lines} lines)`);
  }
});
