// Rendering notebooks written the way students write them, on in-memory notebooks (no kernel).
// Each test pins one problem found by building notebooks nobody here had seen.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Notebook } from "../../src/report/notebook.js";
import { UserError } from "../../src/report/user-error.js";
import { parseCellOptions } from "../../src/report/cell-options.js";
import { readFrontMatter } from "../../src/report/render/front-matter.js";
import { renderReport } from "../../src/report/render/report.js";
import { applyCarriageReturns, shapeText } from "../../src/report/render/text-output.js";
import { body, code, md, notebook, raw, stdout, textOf } from "../notebooks.js";

test("dollar signs in prose are prices, not math (pandoc's rule); real inline math still typesets", async () => {
  const report = await renderReport(notebook(md("It costs $5 to print and $10 to bind; $15 in total, not $ 3.\n\nThe rate $\\alpha$ matters.")), { file: "dollars.ipynb" });
  const html = body(report.html);
  assert.match(textOf(html), /\$5 to print and \$10 to bind; \$15 in total, not \$ 3\./);
  assert.equal((html.match(/class="katex"/g) ?? []).length, 1, "only $\\alpha$ is math");
});

test("LaTeX equation environments and labelled $$ equations share one sequence of numbers", async () => {
  const nb = notebook(
    md("$$ a = b $$ {#eq-first}\n\n\\begin{equation}\nc = d\n\\end{equation}"),
    md("\\begin{align}\ne &= f \\label{eq-row} \\\\\ng &= h \\nonumber \\\\\ni &= j\n\\end{align}\n\n$$ k = l $$ {#eq-last}\n\nSee @eq-first, @eq-row and @eq-last.\n\n```latex\n\\begin{equation} x \\end{equation}\n```"),
  );
  const report = await renderReport(nb, { file: "equations.ipynb" });
  const html = body(report.html);
  // KaTeX's own counter would restart the environments at (1): every number is an explicit tag instead.
  assert.doesNotMatch(html, /class="eqn-num"/);
  const tags = [...html.matchAll(/<annotation encoding="application\/x-tex">[\s\S]*?<\/annotation>/g)].flatMap((a) => [...a[0].matchAll(/\\tag\{(\d+)\}/g)].map((m) => m[1]));
  assert.deepEqual(tags, ["1", "2", "3", "4", "5"]);
  assert.match(html, /href="#eq-first">Equation 1</);
  assert.match(html, /href="#eq-row">Equation 3</);
  assert.match(html, /href="#eq-last">Equation 5</);
  assert.doesNotMatch(html, /\\label|eq-row\}/, "\\label is not printed");
  assert.match(html, /\\begin\{equation\} x \\end\{equation\}/, "LaTeX inside a code fence is left alone");
  assert.deepEqual(report.warnings, []);
});

test("without front matter the title is a # heading opening the notebook (ATX or setext), else the file name", async () => {
  const atx = await renderReport(notebook(md("# Homework 3: $k$-means\n\nIntro."), md("## Data")), { file: "nb/hw3.ipynb" });
  assert.equal(atx.title, "Homework 3: k-means");
  assert.match(atx.html, /<h1 class="title">Homework 3: <span class="katex">/);
  assert.match(textOf(atx.html), /1 Data/);

  const setext = await renderReport(notebook(md("Lab Report\n==========\n\nIntro.\n\nMethod\n------")), { file: "lab.ipynb" });
  assert.equal(setext.title, "Lab Report");
  assert.match(textOf(setext.html), /1 Method/);

  // A "# Part 2" further down is a section, not the title; the title is the file name, without folders.
  const later = await renderReport(notebook(md("Some intro."), code("1"), md("# Part 2")), { file: "/home/s/My Folder/week 1 lab.ipynb" });
  assert.equal(later.title, "week 1 lab");
  assert.match(later.html, /<h1 class="title">week 1 lab<\/h1>/);
  assert.match(textOf(later.html), /1 Part 2/);
  assert.match(later.html, /<title>week 1 lab<\/title>/);
});

test("front matter: in a Markdown cell with prose after it, Quarto's author objects, numbers, abstract, date: today", async () => {
  const front = "---\ntitle: 2024\nauthor:\n  - name: Ada Lovelace\n    affiliation: Engine Co.\n  - Alan Turing\ncourse: [IFT 6135, Winter]\ndate: today\nabstract: |\n  We **study** $x$.\n---\n\n## Intro\n\nText.";
  const report = await renderReport(notebook(md(front)), { file: "front.ipynb" });
  const text = textOf(report.html);
  assert.equal(report.title, "2024");
  // Details that identify a student (affiliation, id, netid, email) follow the name.
  assert.match(report.html, /<div class="author">Ada Lovelace \(Engine Co\.\), Alan Turing<\/div>/);
  assert.doesNotMatch(text, /object Object|title: 2024/);
  assert.match(text, /IFT 6135, Winter/);
  assert.match(text, new RegExp(new Date().toISOString().slice(0, 10)));
  assert.match(report.html, /class="abstract"[\s\S]*<strong>study<\/strong>/);
  assert.match(text, /1 Intro Text\./);
});

test("front matter that is not valid YAML is a one-line UserError naming the cell and the fix", () => {
  assert.throws(
    () => readFrontMatter([raw("---\ntitle: Misc\nsubtitle: A: colon\n---")], "nb/misc.ipynb"),
    (err: unknown) => err instanceof UserError && /^nb\/misc\.ipynb: front matter in cell 1 is not valid YAML \(.*\); fix the --- block/.test(err.message) && !err.message.includes("\n"),
  );
  // In a Markdown cell, --- is also a horizontal rule: text that is not YAML stays Markdown.
  assert.deepEqual(readFrontMatter([md("---\n**Note**: read me\n---")], "x.ipynb"), { front: {} });
});

test("very long text output keeps its head and tail with a note; carriage returns overwrite the line", async () => {
  const lines = Array.from({ length: 5000 }, (_, i) => `line ${i}`).join("\n") + "\n";
  const report = await renderReport(notebook(code("log()", [stdout(lines)]), code("progress()", [stdout("\rprogress 1\rprogress 2\rprogress 3\ndone\r\n")])), { file: "long.ipynb" });
  const html = body(report.html);
  assert.match(html, /line 0\n/);
  assert.match(html, /line 59\n<span class="omitted">\[… 4,910 lines omitted here; the executed notebook has the full output …\]<\/span>\nline 4970\n/);
  assert.match(html, /line 4999<\/pre>/);
  assert.doesNotMatch(html, /line 60\n|line 4969\n/);
  assert.match(html, /<pre class="output stdout">progress 3\ndone<\/pre>/);

  assert.equal(applyCarriageReturns("a\rb\r\nc"), "b\nc");
  assert.deepEqual(shapeText("short\n"), { head: "short" });
  assert.match(shapeText("x".repeat(10_000)).head, /x … \[8,000 more characters\]$/);
});

test("HTML a cell displays cannot restyle or rewrite the report; <details> print open", async () => {
  const html = '<b>bold</b><script>document.body.innerHTML="HIJACKED"</script><style>body{color:red}</style><link rel="stylesheet" href="x.css"><details><summary>More</summary>hidden</details>';
  const report = await renderReport(notebook(code("show()", [{ output_type: "display_data", data: { "text/html": html }, metadata: {} }]), md("<details><summary>S</summary>T</details>")), { file: "html.ipynb" });
  const out = body(report.html);
  assert.match(out, /<b>bold<\/b>/);
  assert.doesNotMatch(out, /HIJACKED|color:red|x\.css/);
  assert.equal((out.match(/<details open>/g) ?? []).length, 2);
});

test("cell options written without a colon, and a label on a cell without a figure, are warned about", async () => {
  assert.match(parseCellOptions("//| echo false\nx").problems[0], /cell options must be "key: value" lines, got "echo false"/);
  const report = await renderReport(notebook(code("//| label: fig-none\n//| fig-cap: Nothing\nconsole.log(1)", [stdout("1\n")])), { file: "labels.ipynb" });
  assert.deepEqual(report.warnings, ['cell 1: label "fig-none" is on a cell that shows no figure; display one in that cell or move the label']);
});

test("nbformat 4.0 cells: source as a list of lines, no ids, no metadata on the notebook", async () => {
  const nb = { nbformat: 4, nbformat_minor: 0, metadata: {}, cells: [md(["# Old format\n", "\n", "Costs $5 and $10.\n"]), code("x", [{ output_type: "stream", name: "stdout", text: ["a\n", "b\n"] }])] } as Notebook;
  const report = await renderReport(nb, { file: "old.ipynb" });
  assert.equal(report.title, "Old format");
  assert.match(textOf(report.html), /Costs \$5 and \$10\./);
  assert.match(report.html, /<pre class="output stdout">a\nb<\/pre>/);
});

test("a table of many columns is marked to print in smaller type; an ordinary one is not", async () => {
  const row = (n: number, cell: string) => `| ${Array.from({ length: n }, (_, i) => `${cell}${i}`).join(" | ")} |`;
  const table = (n: number) => `${row(n, "h")}\n|${"---|".repeat(n)}\n${row(n, "v")}`;
  const report = await renderReport(notebook(md(`${table(12)}\n\n${table(3)}`), code("show()", [{ output_type: "display_data", data: { "text/html": `<table><tr>${"<td>x</td>".repeat(20)}</tr></table>` }, metadata: {} }])), { file: "wide.ipynb" });
  const tables = body(report.html).match(/<table[^>]*>/g) ?? [];
  assert.deepEqual(tables, ['<table class="wide">', "<table>", '<table class="wide">']);
});

test("task lists print as checkboxes, as Jupyter shows them", async () => {
  const report = await renderReport(notebook(md("- [ ] open task\n- [x] done task\n- [link](x) stays")), { file: "tasks.ipynb" });
  const html = body(report.html);
  assert.match(html, /<li class="task">☐ open task<\/li>/);
  assert.match(html, /<li class="task">☑ done task<\/li>/);
  assert.match(html, /<li><a href="x">link<\/a> stays<\/li>/);
});

test("a stack trace on stderr keeps the notebook's frames and drops the kernel's", async () => {
  const trace = [
    "UnhandledPromiseRejection: Error: nobody awaits me",
    "    at evalmachine.<anonymous>:3:16",
    "    at sigintHandlersWrap (node:vm:280:12)",
    "    at Script.runInThisContext (node:vm:135:14)",
    "    at Object.execute (/work/main/node_modules/tslab/dist/executor.js:160:38)",
    "    at async ZmqServer.handleExecute (/work/main/node_modules/tslab/dist/jupyter.js:410:25)",
    "",
  ].join("\n");
  const report = await renderReport(notebook(code("Promise.reject()", [{ output_type: "stream", name: "stderr", text: trace }])), { file: "trace.ipynb" });
  assert.match(body(report.html), /<pre class="output stderr">UnhandledPromiseRejection: Error: nobody awaits me\n {4}at evalmachine.&lt;anonymous&gt;:3:16<\/pre>/);
});

test("text after the front matter of a raw cell stays hidden, like every raw cell", async () => {
  const report = await renderReport(notebook(raw("---\ntitle: Raw\n---\n\\newpage"), md("Body.")), { file: "raw.ipynb" });
  assert.equal(report.title, "Raw");
  assert.doesNotMatch(textOf(report.html), /newpage/);
  assert.match(textOf(report.html), /Body\./);
});
