// Vega-Lite spec → standalone vector SVG: the report's figures, and the SVG that showFigure adds for
// Jupyter front ends without a Vega-Lite renderer (classic Notebook).
// vega and vega-lite are ESM-only (with a top-level await), so they are loaded with a real dynamic
// import at first use, and the synchronous form runs them in a child process (svg-worker.ts): a
// notebook cell's require() of this module must never pull them in.
import { execFileSync } from "node:child_process";
import * as path from "node:path";
// Only the few calls used here are typed, which keeps the ESM type declarations out of this CJS build.
interface VegaLite {
  compile(spec: object): { spec: object };
}
interface Vega {
  parse(spec: object): unknown;
  View: new (runtime: unknown, opts: { renderer: "none" }) => { toSVG(): Promise<string>; finalize(): void };
}

let modules: Promise<{ vl: VegaLite; vega: Vega }> | undefined;

// A variable specifier keeps TypeScript from turning import() into require() for the CJS output.
const importEsm = (name: string): Promise<unknown> => import(name);

function loadVega(): Promise<{ vl: VegaLite; vega: Vega }> {
  modules ??= Promise.all([importEsm("vega-lite"), importEsm("vega")]).then(([vl, vega]) => ({ vl: vl as VegaLite, vega: vega as Vega }));
  return modules;
}

/**
 * Renders a Vega-Lite spec to SVG text. Without node-canvas vega estimates text widths, so label
 * limits are lifted (config) to keep long labels whole; the caller's own config wins.
 */
export async function vegaLiteToSvg(spec: unknown): Promise<string> {
  const { vl, vega } = await loadVega();
  const withDefaults = {
    ...(spec as object),
    config: {
      font: "DejaVu Sans",
      axis: { labelLimit: 0, titleFontSize: 12, labelFontSize: 11 },
      legend: { labelLimit: 0, titleLimit: 0 },
      ...((spec as { config?: object }).config ?? {}),
    },
  };
  let compiled;
  try {
    compiled = vl.compile(withDefaults).spec;
  } catch (err) {
    throw new Error(`invalid Vega-Lite spec: ${(err as Error).message.split("\n")[0]}`);
  }
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * The same SVG, synchronously, from a child process (~0.5 s): for code that cannot await, such as
 * showFigure. Throws with vega's first error line.
 *
 * @example
 * const svg = vegaLiteToSvgSync(learningCurveSpec(history));
 */
export function vegaLiteToSvgSync(spec: unknown): string {
  const worker = path.join(__dirname, "svg-worker.js");
  try {
    return execFileSync(process.execPath, [worker], { input: JSON.stringify(spec), encoding: "utf8", maxBuffer: 64 << 20, stdio: ["pipe", "pipe", "pipe"] });
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? "").trim().split("\n")[0];
    throw new Error(stderr || (err as Error).message.split("\n")[0]);
  }
}
