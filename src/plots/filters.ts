// Convolution filters as small images (seed 004, figure 6: "example filter from the deep layers").
import * as tf from "@tensorflow/tfjs";
import type { GridImage } from "./image-grid.js";

/**
 * Which convolution (and channel) convFilterImages shows.
 *
 * @example
 * convFilterImages(convNet(), { layer: "conv2", channel: 0 });
 */
export interface FilterImageOptions {
  /** Which convolution: its index among the model's Conv2D layers (default 0, the first) or its layer name. */
  layer?: number | string;
  /** For filters over more than 3 input channels (or 2), the channel shown; default: the mean over channels. */
  channel?: number;
}

/**
 * The filters of a convolution layer as images for imageGridSpec, each scaled to the full 0-255 range.
 * Filters over 3 input channels are shown in colour.
 *
 * @example
 * showFigure(imageGridSpec(convFilterImages(model, { layer: 1 }), { columns: 10, cellSize: 40 }),
 *   { label: "fig-filters", caption: "Filters of the second convolution." });
 */
export function convFilterImages(model: tf.LayersModel, options: FilterImageOptions = {}): GridImage[] {
  const convs = model.layers.filter((l) => l.getClassName() === "Conv2D");
  const which = options.layer ?? 0;
  const layer = typeof which === "string" ? convs.find((l) => l.name === which) : convs[which];
  if (!layer) {
    throw new Error(`no convolution ${JSON.stringify(which)} in the model (it has ${convs.length}: ${convs.map((l) => l.name).join(", ")})`);
  }
  const kernel = layer.getWeights()[0];
  const [kh, kw, inChannels, filters] = kernel.shape;
  const values = kernel.dataSync();
  const colour = inChannels === 3 && options.channel === undefined;
  if (options.channel !== undefined && !(options.channel >= 0 && options.channel < inChannels)) {
    throw new Error(`invalid channel: ${options.channel} (the layer has ${inChannels} input channels)`);
  }
  const images: GridImage[] = [];
  for (let f = 0; f < filters; f++) {
    const channels = colour ? 3 : 1;
    const raw = new Float32Array(kh * kw * channels);
    for (let y = 0; y < kh; y++) {
      for (let x = 0; x < kw; x++) {
        const at = (c: number) => values[((y * kw + x) * inChannels + c) * filters + f];
        if (colour) {
          for (let c = 0; c < 3; c++) raw[(y * kw + x) * 3 + c] = at(c);
        } else if (options.channel !== undefined) {
          raw[y * kw + x] = at(options.channel);
        } else {
          let sum = 0;
          for (let c = 0; c < inChannels; c++) sum += at(c);
          raw[y * kw + x] = sum / inChannels;
        }
      }
    }
    let min = Infinity;
    let max = -Infinity;
    for (const v of raw) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    const range = max - min || 1;
    images.push({ pixels: Uint8Array.from(raw, (v) => Math.round(((v - min) / range) * 255)), width: kw, height: kh, channels: channels as 1 | 3 });
  }
  return images;
}
