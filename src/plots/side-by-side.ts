// Several figures in one, side by side (Vega-Lite's hconcat): e.g. a run's loss and accuracy curves.
import type { VegaLiteSpec } from "./style.js";

/**
 * Panel titles and spacing of a side-by-side figure.
 *
 * @example
 * sideBySideSpec([loss, accuracy], { titles: ["Loss", "Accuracy"] } satisfies SideBySideOptions);
 */
export interface SideBySideOptions {
  /** One title per panel, over it (default: each spec's own title, if any). */
  titles?: string[];
  /** Title of the whole figure. */
  title?: string;
  /** Pixels between panels (default Vega-Lite's 20). */
  spacing?: number;
}

/**
 * Puts figures (specs made by this library) next to each other as one figure: each keeps its own
 * size, axes, colours and legend; the config (fonts, labelLimit: 0) is the first one's, shared.
 *
 * @example
 * const loss = lineChartSpec(losses, { xTitle: "Iterations", yTitle: "Loss", width: 250 });
 * const accuracy = lineChartSpec(accuracies, { xTitle: "Iterations", yTitle: "Accuracy", width: 250, legend: "bottom" });
 * showFigure(sideBySideSpec([loss, accuracy], { titles: ["Loss", "Accuracy"] }), { caption: "Learning curves." });
 */
export function sideBySideSpec(specs: VegaLiteSpec[], options: SideBySideOptions = {}): VegaLiteSpec {
  if (specs.length === 0) throw new Error("sideBySideSpec needs at least one spec");
  if (options.titles && options.titles.length !== specs.length) {
    throw new Error(`sideBySideSpec: ${options.titles.length} titles for ${specs.length} specs (give one title per spec)`);
  }
  const panels = specs.map((spec, i) => {
    const { $schema, config, ...panel } = spec;
    return options.titles ? { ...panel, title: options.titles[i] } : panel;
  });
  return {
    $schema: specs[0].$schema ?? "https://vega.github.io/schema/vega-lite/v5.json",
    ...(options.title ? { title: options.title } : {}),
    ...(options.spacing !== undefined ? { spacing: options.spacing } : {}),
    hconcat: panels,
    // Each panel keeps its own series colours (and so its own legend).
    resolve: { scale: { color: "independent" } },
    ...(specs[0].config ? { config: specs[0].config } : {}),
  };
}
