// Printing with real Chromium: what a notebook's own HTML or prose could do to the printed page.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { Notebook } from "../../src/report/notebook.js";
import { printPdf } from "../../src/report/print/pdf.js";
import { renderReport } from "../../src/report/render/report.js";

function pdfText(pdf: Uint8Array): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "labreport-print-")), "x.pdf");
  fs.writeFileSync(file, pdf);
  const r = spawnSync("pdftotext", [file, "-"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.replace(/\s+/g, "");
}

test("scripts do not run when printing, and a long URL wraps instead of running off the page", async () => {
  const url = "https://example.com/this/is/a/really/long/path/that/keeps/going/and/going/and/going/without/any/spaces/at/all/index.html?query=abcdefghijklmnopqrstuvwxyz0123456789";
  const nb: Notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      { cell_type: "markdown", metadata: {}, source: `# Printing\n\nA very long URL: ${url}\n\n<script>document.title = "x"; document.body.innerHTML = "HIJACKED";</script>` },
      { cell_type: "code", metadata: {}, execution_count: 1, source: "show()", outputs: [{ output_type: "display_data", data: { "text/html": "<p>kept output</p>" }, metadata: {} }] },
    ],
  };
  const report = await renderReport(nb, { file: "print.ipynb" });
  const text = pdfText(await printPdf(report.html, { footerText: report.title }));
  assert.doesNotMatch(text, /HIJACKED/);
  assert.match(text, /keptoutput/);
  assert.ok(text.includes(url.replace(/\s+/g, "")), `the whole URL is printed:\n${text}`);
});

test("the PDF has an outline (bookmarks) of the numbered sections and the report's title", async () => {
  const nb: Notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      { cell_type: "raw", metadata: {}, source: "---\ntitle: Outlined Report\n---" },
      { cell_type: "markdown", metadata: {}, source: "## Data\n\nText.\n\n## Results\n\n### Errors\n\nMore text." },
    ],
  };
  const pdf = Buffer.from(await printPdf((await renderReport(nb, { file: "x.ipynb" })).html, { footerText: "Outlined Report" }));
  // Outline items are PDF dictionaries with a /Title string (Chromium writes them uncompressed).
  const titles = [...pdf.toString("latin1").matchAll(/\/Title \(([^)]*)\)/g)].map((m) => m[1]);
  assert.ok(pdf.includes("/Outlines"), "an outline dictionary");
  for (const t of ["1 Data", "2 Results", "2.1 Errors"]) assert.ok(titles.includes(t), `bookmark "${t}" in ${JSON.stringify(titles)}`);
  assert.ok(titles.includes("Outlined Report"), "document title in the metadata");
});
