import { test } from "node:test";
import * as assert from "node:assert/strict";
import { lineChartSpec } from "../../src/plots/index.js";
import { render } from "./render.js";

const measured = { name: "measured", values: [0.5, 0.4, 0.35] };
const baseline = { name: "baseline", values: [0.45, 0.45, 0.45], dashed: true };

test("line chart: a series marked dashed is drawn dashed, in the one legend with the colours", async () => {
  const spec: any = lineChartSpec([measured, baseline], { xTitle: "Epoch", yTitle: "Loss", legendTitle: "Run" });
  assert.deepEqual(spec.encoding.strokeDash.scale, { domain: ["measured", "baseline"], range: [[1, 0], [6, 4]] });
  assert.equal(spec.encoding.strokeDash.field, "series");
  assert.equal(spec.encoding.strokeDash.title, "Run");
  const { svg, warnings } = await render(spec);
  assert.deepEqual(warnings, []);
  assert.ok(svg.includes('stroke-dasharray="6,4"'), "the dashed line (and its legend symbol)");
  assert.equal((svg.match(/>Run</g) ?? []).length, 1, "one legend, not one for colour and one for dashes");
  // Without a dashed series the spec has no dash encoding at all (older figures unchanged).
  assert.equal((lineChartSpec([measured], { xTitle: "Epoch", yTitle: "Loss" }) as any).encoding.strokeDash, undefined);
  // A single dashed series has no legend, as a single plain one.
  assert.equal((lineChartSpec([baseline], { xTitle: "Epoch", yTitle: "Loss" }) as any).encoding.strokeDash.legend, null);
});

test("line chart: yFormat formats the y axis and the tooltip", async () => {
  const spec: any = lineChartSpec([measured], { xTitle: "Epoch", yTitle: "Error", yFormat: ".0%" });
  assert.deepEqual(spec.encoding.y.axis, { format: ".0%" });
  assert.equal(spec.encoding.tooltip[2].format, ".0%");
  const { svg, warnings } = await render(spec);
  assert.deepEqual(warnings, []);
  assert.ok(svg.includes(">40%<"), "y tick 0.4 as 40%");
  const plain: any = lineChartSpec([measured], { xTitle: "Epoch", yTitle: "Error" });
  assert.equal(plain.encoding.y.axis, undefined);
  assert.equal(plain.encoding.tooltip[2].format, ".4f");
});

test("line chart: legend at the bottom, in a row", async () => {
  const spec: any = lineChartSpec([measured, baseline], { xTitle: "Epoch", yTitle: "Loss", legend: "bottom" });
  assert.deepEqual(spec.encoding.color.legend, { orient: "bottom", direction: "horizontal" });
  assert.deepEqual(spec.encoding.strokeDash.legend, spec.encoding.color.legend);
  const { svg, warnings } = await render(spec);
  assert.deepEqual(warnings, []);
  // The legend's labels are below the plot (280 pixels high), not right of it.
  const y = (label: string) => {
    const at = svg.indexOf(`>${label}<`);
    const group = svg.lastIndexOf('<g class="mark-group role-legend"', at);
    return Number(/translate\([\d.]+,([\d.]+)\)/.exec(svg.slice(group, at))![1]);
  };
  assert.ok(y("measured") > 280, `legend at y ${y("measured")}`);
  assert.equal((lineChartSpec([measured, baseline], { xTitle: "Epoch", yTitle: "Loss" }) as any).encoding.color.legend, undefined);
  assert.equal((lineChartSpec([measured], { xTitle: "Epoch", yTitle: "Loss", legend: "bottom" }) as any).encoding.color.legend, null);
  assert.throws(() => lineChartSpec([measured], { xTitle: "Epoch", yTitle: "Loss", legend: "top" as any }), /invalid legend position "top"/);
});
