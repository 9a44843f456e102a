import { VEGALITE_MIME, labreportMetadata } from "../contract/report-outputs.js";
import { vegaLiteToSvgSync } from "../svg/vega-lite-svg.js";
import { inKernel, writeDisplay } from "./jupyter-display.js";
import { checkLabel } from "./labels.js";

/**
 * The cross-reference label and caption of a figure.
 *
 * @example
 * showFigure(spec, { label: "fig-loss", caption: "Training loss per epoch." }); // "@fig-loss" in the text
 */
export interface FigureOptions {
  /** Cross-reference label, starting with "fig-" (referenced as @fig-… in the text). */
  label?: string;
  /** The figure's caption. */
  caption?: string;
}

/**
 * Displays a Vega-Lite v5 spec as a (numbered, captioned) figure.
 *
 * @example
 * showFigure(learningCurveSpec(history), { label: "fig-errors", caption: "Training and validation error per epoch." });
 */
export function showFigure(spec: object, options: FigureOptions = {}): void {
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) {
    throw new Error(`showFigure needs a Vega-Lite spec object, got ${spec === null ? "null" : typeof spec}`);
  }
  checkLabel(options.label, "fig");
  const caption = options.caption ?? "";
  // Front ends without a Vega-Lite renderer (classic Notebook, Debian's Jupyter) show the SVG instead;
  // rendering it also checks the spec, so a broken one fails here, in its own cell.
  const svg = inKernel() ? { "image/svg+xml": vegaLiteToSvgSync(spec) } : {};
  writeDisplay({
    data: {
      [VEGALITE_MIME]: spec,
      ...svg,
      "text/plain": `Figure: ${caption}`,
    },
    metadata: labreportMetadata({ kind: "figure", label: options.label, caption: options.caption }),
  });
}
