// Renders a Vega-Lite spec to SVG as the report build does (vega-lite compile, vega view), for tests.

/** Compiles with vega-lite (collecting warnings; an error throws) and renders to SVG with vega. */
export async function render(spec: object): Promise<{ svg: string; warnings: string[] }> {
  const vl = await import("vega-lite");
  const vega = await import("vega");
  const warnings: string[] = [];
  const logger = {
    level: () => logger, error: (...m: unknown[]) => { throw new Error(m.join(" ")); },
    warn: (...m: unknown[]) => { warnings.push(m.join(" ")); return logger; },
    info: () => logger, debug: () => logger,
  };
  const compiled = vl.compile(spec as any, { logger: logger as any });
  const view = new vega.View(vega.parse(compiled.spec), { renderer: "none" });
  return { svg: await view.toSVG(), warnings };
}

/** The tick labels of every axis in a rendered SVG, axis by axis, in drawing order. */
export function axisLabels(svg: string): string[][] {
  const groups = svg.split(/<g class="mark-text role-axis-label"/).slice(1);
  return groups.map((group) => {
    const end = group.indexOf("</g>");
    return [...group.slice(0, end).matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  });
}
