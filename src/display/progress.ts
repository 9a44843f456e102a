// A live progress line: in Jupyter one display updated in place (throttled), elsewhere
// occasional lines on stdout.
import { escapeHtml } from "../contract/html.js";
import { labreportMetadata } from "../contract/report-outputs.js";
import { inKernel, newDisplayId, writeDisplay } from "./jupyter-display.js";

/**
 * How often a ProgressDisplay updates.
 *
 * @example
 * const progress = new ProgressDisplay({ minIntervalMs: 1000, printIntervalMs: 30_000 });
 */
export interface ProgressOptions {
  /** Least time between two updates of the live display in Jupyter (default 250 ms, i.e. ≤ 4/s). */
  minIntervalMs?: number;
  /** Least time between two printed lines outside Jupyter (default 10 s); forced updates always print. */
  printIntervalMs?: number;
  /** The clock, injectable for tests. */
  now?: () => number;
}

/**
 * One progress display. In Jupyter the first update creates it and later ones replace it;
 * outside Jupyter updates print as lines, at most one per `printIntervalMs` unless forced.
 *
 * @example
 * const progress = new ProgressDisplay();
 * for (let i = 1; i <= 100; i++) progress.update(`step ${i}/100`, i / 100);
 * progress.finish("done: 100 steps");
 */
export class ProgressDisplay {
  readonly displayId = newDisplayId("progress");
  private shown = false;
  private lastSent = -Infinity;
  private pending: { line: string; fraction?: number } | null = null;
  private readonly minIntervalMs: number;
  private readonly printIntervalMs: number;
  private readonly now: () => number;

  constructor(options: ProgressOptions = {}) {
    this.minIntervalMs = options.minIntervalMs ?? 250;
    this.printIntervalMs = options.printIntervalMs ?? 10_000;
    this.now = options.now ?? (() => Date.now());
  }

  /** Shows `line` (and a bar at `fraction` in 0..1), unless the last update was too recent and `force` is not set. */
  update(line: string, fraction?: number, force = false): void {
    const t = this.now();
    const kernel = inKernel();
    const interval = kernel ? this.minIntervalMs : this.printIntervalMs;
    if (!force && t - this.lastSent < interval) {
      this.pending = { line, fraction };
      return;
    }
    this.lastSent = t;
    this.pending = null;
    if (!kernel) {
      console.log(line);
      return;
    }
    writeDisplay(
      {
        data: { "text/plain": line, "text/html": progressHtml(line, fraction) },
        metadata: labreportMetadata({ kind: "progress" }),
        transient: { display_id: this.displayId },
      },
      this.shown,
    );
    this.shown = true;
  }

  /** Shows the final state (always sent): `line`, or the last throttled update. */
  finish(line?: string, fraction = 1): void {
    const final = line ?? this.pending?.line;
    if (final !== undefined) this.update(final, line !== undefined ? fraction : this.pending?.fraction, true);
  }
}

/**
 * The HTML of a progress display: a small bar and the line.
 *
 * @example
 * progressHtml("epoch 1: 50%", 0.5); // <div …><progress value="0.500" …>…
 */
export function progressHtml(line: string, fraction?: number): string {
  const bar =
    fraction === undefined || !Number.isFinite(fraction)
      ? ""
      : `<progress value="${Math.min(1, Math.max(0, fraction)).toFixed(3)}" max="1" style="width:12em;vertical-align:middle;margin-right:0.5em"></progress>`;
  return `<div class="labreport-progress" style="font-family:monospace;font-size:12px">${bar}<span>${escapeHtml(line)}</span></div>`;
}
