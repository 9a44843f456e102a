// Vega-Lite spec → standalone vector SVG, the way the report shows a figure.
// vega and vega-lite are ESM-only (with a top-level await), so they are loaded with a real dynamic
// import at first use; notebooks never import them, only the build does.
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
