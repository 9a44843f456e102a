import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { Notebook, readNotebook } from "../../src/report/notebook.js";
import { parseCellOptions } from "../../src/report/cell-options.js";
import { renderReport } from "../../src/report/render/report.js";
import { code, md, notebook, raw, textOf } from "../notebooks.js";
import { FIXTURES } from "../paths.js";

const sample = () => readNotebook(path.join(FIXTURES, "render-sample.ipynb"));


test("figures and tables are numbered in document order, and references resolve to them", async () => {
  const report = await renderReport(sample(), { file: "render-sample.ipynb" });
  assert.equal(report.figures, 2);
  assert.equal(report.tables, 1);
  const text = textOf(report.html);
  assert.match(text, /Figure 1: Training and validation error per epoch/);
  assert.match(text, /Figure 2: A second figure, captioned by the helper/);
  assert.match(text, /Table 1: Parameter counts and validation error/);
  assert.match(report.html, /<a class="xref" href="#fig-curve">Figure 1<\/a>/);
  assert.match(report.html, /<a class="xref" href="#tbl-results">Table 1<\/a>/);
  assert.match(report.html, /<a class="xref" href="#sec-results">Section 2<\/a>/);
  assert.match(report.html, /<a class="xref" href="#eq-sgd">Equation 1<\/a>/);
  assert.deepEqual(report.warnings, []);
});

test("sections are numbered hierarchically and the title block comes from front matter", async () => {
  const report = await renderReport(sample(), { file: "render-sample.ipynb" });
  const text = textOf(report.html);
  assert.match(text, /1 Introduction/);
  assert.match(text, /2 Results/);
  assert.match(text, /2\.1 Detail/);
  assert.equal(report.title, "Rendering Sample");
  assert.match(report.html, /<div class="author">Ada Lovelace, Alan Turing<\/div>/);
  assert.match(text, /Instructor: Aaron Courville/);
  assert.match(text, /2019-02-11/);
  // The front matter cell itself is not shown as prose.
  assert.doesNotMatch(text, /title: Rendering Sample/);
});

test("math is typeset by KaTeX, inline and displayed, with equation numbers", async () => {
  const report = await renderReport(sample(), { file: "render-sample.ipynb" });
  assert.match(report.html, /<span class="katex">/);
  assert.match(report.html, /class="katex-display"/);
  assert.match(report.html, /\(1\)|tag/);
  // KaTeX fonts are inlined, so printing needs no network.
  assert.match(report.html, /url\(data:font\/woff2;base64,/);
});

test("Vega-Lite outputs become vector SVG with their axis titles; progress displays are left out", async () => {
  const report = await renderReport(sample(), { file: "render-sample.ipynb" });
  assert.match(report.html, /<figure class="figure" id="fig-curve"><svg/);
  assert.match(report.html, /Epoch number/);
  assert.match(report.html, /Classification error/);
  assert.doesNotMatch(textOf(report.html), /Epoch 2\/2/);
});

test("cell options: echo false hides code, include false hides everything, an unknown option is an error", async () => {
  const nb: Notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      { cell_type: "code", metadata: {}, execution_count: 1, source: "//| echo: false\nconst hiddenCode = 1;", outputs: [{ output_type: "stream", name: "stdout", text: "visible output\n" }] },
      { cell_type: "code", metadata: {}, execution_count: 2, source: "//| include: false\nconsole.log(2)", outputs: [{ output_type: "stream", name: "stdout", text: "invisible output\n" }] },
      { cell_type: "code", metadata: {}, execution_count: 3, source: "//| colour: red\nconst shown = 3;", outputs: [] },
    ],
  };
  await assert.rejects(renderReport(nb, { file: "options.ipynb" }), /^UserError: options\.ipynb: cell 3: unknown cell option "colour" \(known: echo, eval/);
  nb.cells.pop();
  const report = await renderReport(nb, { file: "options.ipynb" });
  assert.doesNotMatch(report.html, /hiddenCode/);
  assert.match(report.html, /visible output/);
  assert.doesNotMatch(report.html, /invisible output/);
  assert.deepEqual(report.warnings, []);
});

test("a reference to a missing label is an error naming the notebook and the cell", async () => {
  const nb: Notebook = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: "markdown", metadata: {}, source: "# T\n\nText." }, { cell_type: "markdown", metadata: {}, source: "See @fig-nowhere." }] };
  await assert.rejects(renderReport(nb, { file: "refs.ipynb" }), /refs\.ipynb: cell 2: reference @fig-nowhere has no matching label/);
});

test("parseCellOptions strips option lines and reads YAML values", () => {
  const parsed = parseCellOptions("//| label: fig-x\n//| fig-cap: \"A: caption\"\n//| echo: false\n\nplot();");
  assert.equal(parsed.code, "plot();");
  assert.equal(parsed.options.label, "fig-x");
  assert.equal(parsed.options["fig-cap"], "A: caption");
  assert.equal(parsed.options.echo, false);
  assert.deepEqual(parsed.problems, []);
  assert.match(parseCellOptions("//| echo: maybe\nx").problems[0], /must be a boolean/);
});

test("images in Markdown (Jupyter attachments and files beside the notebook) are embedded; missing ones warn", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-img-"));
  const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
  fs.writeFileSync(path.join(dir, "dot.png"), png);
  const nb: Notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      {
        cell_type: "markdown",
        metadata: {},
        source: "![a](attachment:pasted.png) ![b](dot.png) ![c](nowhere.png)",
        attachments: { "pasted.png": { "image/png": png.toString("base64") } },
      },
    ],
  };
  const report = await renderReport(nb, { file: path.join(dir, "images.ipynb") });
  const dataUrls = report.html.match(/src="data:image\/png;base64,[^"]+"/g) ?? [];
  assert.equal(dataUrls.length, 2);
  assert.deepEqual(report.warnings, ["cell 1: image nowhere.png not found"]);
});

test("Markdown written by code (showMarkdown outputs) resolves cross-references like prose", async () => {
  const nb: Notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      { cell_type: "markdown", metadata: {}, source: "## Method {#sec-method}" },
      { cell_type: "code", metadata: {}, execution_count: 1, source: "showMarkdown(...)", outputs: [{ output_type: "display_data", data: { "text/markdown": "As @sec-method and @tbl-later say." }, metadata: {} }] },
      { cell_type: "code", metadata: {}, execution_count: 2, source: "showTable(...)", outputs: [{ output_type: "display_data", data: { "application/vnd.labreport.table+json": { columns: ["a"], rows: [[1]] } }, metadata: { labreport: { kind: "table", label: "tbl-later", caption: "Later" } } }] },
    ],
  };
  const report = await renderReport(nb, { file: "md-output.ipynb" });
  assert.match(report.html, /As <a class="xref" href="#sec-method">Section 1<\/a> and <a class="xref" href="#tbl-later">Table 1<\/a> say/);
  assert.deepEqual(report.warnings, []);
});

test("a path in inline code may break after its slashes; other inline code is left whole and escaped", async () => {
  const nb: Notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [{ cell_type: "markdown", metadata: {}, source: "Copied from `bench/reference/seed000.out`; see `a < b` and `nn.MultiMarginLoss`." }],
  };
  const report = await renderReport(nb, { file: "inline-code.ipynb" });
  assert.match(report.html, /<code>bench\/<wbr>reference\/<wbr>seed000\.out<\/code>/);
  assert.match(report.html, /<code>a &lt; b<\/code>/);
  assert.match(report.html, /<code>nn\.MultiMarginLoss<\/code>/);
});

/** What showMarkdown(text) leaves in the notebook. */
const markdownOutput = (text: string) => ({ output_type: "display_data" as const, data: { "text/markdown": text, "text/plain": text }, metadata: {} });

test("headings that code displays (showMarkdown) are numbered with the cells' headings, labelled and listed in the contents", async () => {
  const nb = notebook(
    raw("---\ntitle: Headings from code\ntoc: true\n---"),
    md("## Data\n\nWe load it."),
    code('showMarkdown("## Results {#sec-results}")', [markdownOutput("## Results {#sec-results}\n\nAccuracy **91%**.\n\n$$a = b$$ {#eq-acc}")]),
    md("## Discussion\n\nAs @sec-results and @eq-acc show."),
  );
  const report = await renderReport(nb, { file: "headings.ipynb" });
  const text = textOf(report.html);
  assert.match(text, /1 Data .* 2 Results .* 3 Discussion/, "one sequence, in document order");
  assert.match(report.html, /<h2 id="sec-results"><span class="secnum">2<\/span> Results<\/h2>/);
  assert.match(report.html, /As <a class="xref" href="#sec-results">Section 2<\/a> and <a class="xref" href="#eq-acc">Equation 1<\/a> show/);
  const toc = /<nav class="toc">[\s\S]*?<\/nav>/.exec(report.html)?.[0] ?? "";
  assert.deepEqual(textOf(toc).trim().split(/\s*(?=\d )/), ["Contents", "1 Data", "2 Results", "3 Discussion"]);
  assert.match(toc, /<a href="#sec-results"><span class="toc-number">2<\/span> Results<\/a>/);
  assert.deepEqual(report.warnings, []);
});

test("headings from code follow the cells' rules: {.unnumbered}, outputs not shown, number-sections: false", async () => {
  const cells = (numberSections: boolean) => [
    raw(`---\ntoc: true\nnumber-sections: ${numberSections}\n---`),
    md("## First"),
    code("showMarkdown(...)", [markdownOutput("## Aside {.unnumbered}")]),
    code("//| output: false\nshowMarkdown(...)", [markdownOutput("## Not shown (output: false)")]),
    code("//| include: false\nshowMarkdown(...)", [markdownOutput("## Not shown (include: false)")]),
    { ...code("showMarkdown(...)", [markdownOutput("## Not shown (remove-output)")]), metadata: { tags: ["remove-output"] } },
    { ...code("showMarkdown(...)", [markdownOutput("## Not shown (hide-output)")]), metadata: { tags: ["hide-output"] } },
    code("showMarkdown(...)", [markdownOutput("## Second")]),
  ];
  const numbered = await renderReport(notebook(...cells(true)), { file: "rules.ipynb" });
  const text = textOf(numbered.html);
  assert.match(text, /1 First .* Aside .* 2 Second/);
  assert.doesNotMatch(text, /\d Aside/, "{.unnumbered} takes no number");
  assert.doesNotMatch(text, /Not shown/);
  const toc = textOf(/<nav class="toc">[\s\S]*?<\/nav>/.exec(numbered.html)?.[0] ?? "");
  assert.equal(toc.trim(), "Contents 1 First 2 Second");

  const plain = await renderReport(notebook(...cells(false)), { file: "rules.ipynb" });
  assert.doesNotMatch(plain.html, /class="secnum"/);
  assert.match(textOf(plain.html), /First .* Aside .* Second/);
});

test("authoring: author ids in the title block, numbered listings, citations with a References section, code in an appendix", async () => {
  const nb = notebook(
    raw(`---\ntitle: Cited\nauthor:\n  - name: Xingkai Wang\n    netid: xwg510\n  - Ada Lovelace\nreferences:\n  - id: kingma2015\n    author: [{family: Kingma, given: Diederik P.}, {family: Ba, given: Jimmy}]\n    title: "Adam: a method for stochastic optimization"\n    issued: 2015\n    container-title: ICLR\n  - id: unused\n    title: Never cited\n---`),
    md("Adam [@kingma2015] trains it; see @lst-net and [@lst-net]. Unknown: [@nobody]."),
    code("//| lst-label: lst-net\n//| lst-cap: The network, defined in TypeScript.\nconst net = 1;"),
  );
  const r = await renderReport(nb, { file: "cited.ipynb" });
  const text = textOf(r.html);
  assert.match(text, /Xingkai Wang \(netid xwg510\), Ada Lovelace/);
  assert.match(text, /Adam \[1\] trains it; see Listing 1 and Listing 1\s*\. Unknown: \[\?@nobody\]/);
  assert.match(text, /Listing 1: The network, defined in TypeScript\./);
  assert.match(r.html, /<ol><li>Diederik/);
  assert.match(text, /References Diederik P\. Kingma and Jimmy Ba \(2015\)\. Adam: a method for stochastic optimization\. ICLR\./);
  assert.doesNotMatch(text, /Never cited/);
  assert.ok(r.warnings.some((w) => /citation @nobody is not in the bibliography/.test(w)), r.warnings.join("\n"));

  const bib = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "labreport-bib-")), "refs.bib");
  fs.writeFileSync(bib, "@article{gu2017,\n  author = {Gu, Jiuxiang and Wang, Zhenhua},\n  title = {Recent Advances in {Convolutional} Neural Networks},\n  year = 2017,\n  journal = \"Pattern Recognition\"\n}\n");
  const withFile = notebook(raw(`---\ntitle: Bib\nbibliography: ${bib}\ncode: appendix\n---`), md("CNNs [@gu2017]."), code("const visible = 2;"));
  const r2 = textOf((await renderReport(withFile, { file: "bib.ipynb" })).html);
  assert.match(r2, /CNNs \[1\]\s*\./);
  assert.match(r2, /Jiuxiang Gu and Zhenhua Wang \(2017\)\. Recent Advances in Convolutional Neural Networks\. Pattern Recognition\./);
  // code: appendix moves the listing after the body, before the references.
  assert.ok(r2.indexOf("const visible = 2") > r2.indexOf("Appendix: code"));
  assert.ok(r2.indexOf("Appendix: code") > r2.indexOf("CNNs [1]"));
});

test("a caption may reference other figures; a caption with an unquoted ': ' gets a hint to quote it", async () => {
  const fig = { output_type: "display_data" as const, data: { "image/svg+xml": "<svg xmlns='http://www.w3.org/2000/svg'/>" }, metadata: {} };
  const nb = notebook(
    code("//| label: fig-a\n//| fig-cap: First.\nshow()", [fig]),
    code("//| label: fig-b\n//| fig-cap: The same as @fig-a, later.\nshow()", [fig]),
  );
  const text = textOf((await renderReport(nb, { file: "x.ipynb" })).html);
  assert.match(text, /Figure 2: The same as Figure 1 , later\./);
  const bad = parseCellOptions("//| fig-cap: Loss: per epoch\nx()");
  assert.match(bad.problems[0], /quote the value that contains ": ", e\.g\. \/\/\| fig-cap: "Loss: per epoch"/);
});
