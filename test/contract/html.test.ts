// One tableHtml and one escapeHtml for Jupyter and the report; numbers line up per column.
import assert from "node:assert/strict";
import { test } from "node:test";
import { escapeHtml, tableHtml } from "../../src/contract/html.js";
import { cellText, columnDecimals } from "../../src/contract/table-numbers.js";
import { showTable } from "../../src/display/index.js";
import { tableMarkdown, tableText, toTableData } from "../../src/display/table.js";
import { captureDisplays } from "../display/capture.js";
import { textOf } from "../notebooks.js";

const losses = { columns: ["model", "loss"], rows: [["MLP", 4.58], ["CNN", 5.2]] };

test("a column with 4.58 and 5.2 prints 4.58 and 5.20", () => {
  assert.deepEqual(columnDecimals(losses), [undefined, 2]);
  assert.match(textOf(tableHtml(losses)), /MLP 4\.58 CNN 5\.20/);
  assert.match(tableHtml(losses, { digits: 3 }), /<td class="num">4\.58<\/td><\/tr>\n<tr><td class="nowrap">CNN<\/td><td class="num">5\.20<\/td>/);
  assert.equal(tableText(toTableData(losses, 3), { digits: 3 }), "model  loss\n-----  ----\nMLP    4.58\nCNN    5.20");
  assert.equal(tableMarkdown(toTableData(losses)), "| model | loss |\n|:--|--:|\n| MLP | 4.58 |\n| CNN | 5.20 |");
});

test("digits caps a column's decimals; tiny numbers keep significant digits instead of printing 0", () => {
  const table = { columns: ["lr", "acc"], rows: [[0.0001, 0.971234], [0.05, 0.9]] };
  assert.deepEqual(columnDecimals(table, 3), [3, 3]);
  assert.equal(cellText(0.0001, 3, false), "0.0001");
  assert.equal(cellText(0.05, 3, false), "0.050");
  assert.equal(cellText(60000, undefined, true), "60,000");
  assert.match(textOf(tableHtml(table, { digits: 3 })), /0\.0001 0\.971 0\.050 0\.900/);
});

test("showTable's HTML for Jupyter is the report's table markup", () => {
  const { sent } = captureDisplays(() => showTable(losses.rows.map(([model, loss]) => ({ model, loss }))));
  assert.equal(sent[0].message.data["text/html"], tableHtml(losses));
});

test("escapeHtml escapes markup and attribute quotes", () => {
  assert.equal(escapeHtml(`<a href="x">&</a>`), "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
  assert.match(tableHtml({ columns: ["<b>"], rows: [["a & b"]] }), /<th>&lt;b&gt;<\/th>[\s\S]*a &amp; b/);
});
