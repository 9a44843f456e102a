import type { ImageDataset } from "../data/dataset.js";
import { pngDataUrl } from "./png.js";
import { figureSpec, VegaLiteSpec } from "./style.js";

/**
 * Layout and captions of an image grid.
 *
 * @example
 * imageGridSpec(datasetImages(test, [0, 1, 2, 3]), { columns: 4, cellSize: 84, captions: ["7", "2", "1", "0"] });
 */
export interface ImageGridOptions {
  /** Images per row (default 8). */
  columns?: number;
  /** Side of each shown image in pixels (default 56: MNIST at 2×). */
  cellSize?: number;
  /** A caption under each image (e.g. "7 → 1" for a misclassification). */
  captions?: string[];
  title?: string;
}

/**
 * One image for a grid: bytes in height × width × channels order.
 *
 * @example
 * const images: GridImage[] = datasetImages(test, [0, 1, 2]);
 * images[0].width; // 28
 */
export interface GridImage {
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

/**
 * A grid of images (as embedded PNGs) with optional captions, e.g. samples or misclassified examples.
 *
 * @example
 * showFigure(imageGridSpec(images, { columns: 6, captions }), { label: "fig-mistakes", caption: "Misclassified test images." });
 */
export function imageGridSpec(images: GridImage[], options: ImageGridOptions = {}): VegaLiteSpec {
  if (images.length === 0) throw new Error("imageGridSpec needs at least one image");
  const columns = Math.min(options.columns ?? 8, images.length);
  const cell = options.cellSize ?? 56;
  const captionHeight = options.captions ? 16 : 0;
  const rowsCount = Math.ceil(images.length / columns);
  const gap = 6;
  const values = images.map((img, i) => ({
    x: (i % columns) * (cell + gap) + cell / 2,
    y: Math.floor(i / columns) * (cell + gap + captionHeight) + cell / 2,
    url: pngDataUrl(img.pixels, img.width, img.height, img.channels),
    caption: options.captions?.[i] ?? "",
  }));
  const width = columns * (cell + gap) - gap;
  const height = rowsCount * (cell + gap + captionHeight) - gap;
  const x = { field: "x", type: "quantitative", scale: { domain: [0, width], nice: false }, axis: null };
  const layers: VegaLiteSpec[] = [
    {
      mark: { type: "image", width: cell, height: cell, aspect: true, smooth: false },
      encoding: { x, y: { field: "y", type: "quantitative", scale: { domain: [height, 0], nice: false, zero: false }, axis: null }, url: { field: "url", type: "nominal" } },
    },
  ];
  if (options.captions) {
    layers.push({
      mark: { type: "text", baseline: "top", fontSize: 11, dy: cell / 2 + 2 },
      encoding: { x, y: { field: "y", type: "quantitative", scale: { domain: [height, 0], nice: false, zero: false }, axis: null }, text: { field: "caption", type: "nominal" } },
    });
  }
  return figureSpec({ data: { values }, layer: layers }, { title: options.title, width, height });
}

/**
 * The images at `positions` of a dataset view, ready for imageGridSpec.
 *
 * @example
 * imageGridSpec(datasetImages(test, [0, 1, 2, 3]), { captions: ["7", "2", "1", "0"] });
 */
export function datasetImages(ds: ImageDataset, positions: number[]): GridImage[] {
  const [h, w, c] = ds.imageShape;
  if (c !== 1 && c !== 3) throw new Error(`datasetImages: ${c} channels cannot be shown (1 or 3 needed)`);
  const size = h * w * c;
  return positions.map((p) => {
    if (!(p >= 0 && p < ds.indices.length)) throw new Error(`datasetImages: position ${p} is outside 0..${ds.indices.length - 1}`);
    const start = ds.indices[p] * size;
    return { pixels: ds.pixels.slice(start, start + size), width: w, height: h, channels: c as 1 | 3 };
  });
}
