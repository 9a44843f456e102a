// Progress of a build in the terminal: one live line per notebook on a TTY (cell, elapsed time and
// the latest training progress line from the kernel); plain lines in logs and CI.
export interface ProgressSink {
  /** `batch` says how a build of many notebooks stands ("3 done, 1 failed, 4 left, about 2:10 to go"). */
  notebookStart(index: number, total: number, name: string, batch?: string): void;
  cell(codeCell: number, codeCells: number, phase: "start" | "done" | "error", elapsedMs: number): void;
  /** The latest text of a progress display (training) from inside the notebook. */
  detail(text: string): void;
  notebookEnd(ok: boolean, summary: string): void;
  info(line: string): void;
}

/** "2:10": minutes and seconds, for elapsed times and estimates. */
export function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export class TerminalProgress implements ProgressSink {
  private label = "";
  private cellText = "";
  private detailText = "";
  private started = Date.now();
  private lastPlain = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr, private readonly live = Boolean(out.isTTY)) {}

  notebookStart(index: number, total: number, name: string, batch?: string): void {
    if (batch) this.out.write(`[batch] ${batch}\n`);
    this.label = `[${index}/${total}] ${name}`;
    this.started = Date.now();
    this.cellText = "starting kernel";
    this.detailText = "";
    if (this.live) {
      this.timer = setInterval(() => this.draw(), 1000);
      this.timer.unref();
      this.draw();
    } else this.out.write(`${this.label}\n`);
  }

  cell(codeCell: number, codeCells: number, phase: "start" | "done" | "error", elapsedMs: number): void {
    const bar = this.bar(phase === "start" ? codeCell - 1 : codeCell, codeCells);
    this.cellText = `${bar} cell ${codeCell}/${codeCells}`;
    if (phase === "start") this.detailText = "";
    if (this.live) this.draw();
    else if (phase !== "start") this.out.write(`  cell ${codeCell}/${codeCells} ${phase === "done" ? "done" : "FAILED"} (${(elapsedMs / 1000).toFixed(1)} s)\n`);
  }

  detail(text: string): void {
    this.detailText = text.split("\n")[0];
    if (this.live) return this.draw();
    // In logs, a training progress line at most every 10 s.
    if (Date.now() - this.lastPlain > 10_000) {
      this.lastPlain = Date.now();
      this.out.write(`    ${this.detailText}\n`);
    }
  }

  notebookEnd(ok: boolean, summary: string): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const line = `${this.label} ${ok ? "✓" : "✗"} ${summary} (${clock(Date.now() - this.started)})`;
    if (this.live) this.out.write(`\r\x1b[2K${line}\n`);
    else this.out.write(`${line}\n`);
  }

  info(line: string): void {
    if (this.live) this.out.write(`\r\x1b[2K${line}\n`);
    else this.out.write(`${line}\n`);
    if (this.live && this.timer) this.draw();
  }

  private bar(done: number, total: number): string {
    const width = 12;
    const filled = total ? Math.round((done / total) * width) : 0;
    return `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
  }

  private draw(): void {
    const columns = this.out.columns ?? 100;
    const text = `${this.label} ${clock(Date.now() - this.started)} ${this.cellText}${this.detailText ? `  ${this.detailText}` : ""}`;
    this.out.write(`\r\x1b[2K${text.slice(0, columns - 1)}`);
  }
}

/** For tests and library use: remembers everything, prints nothing. */
export class RecordingProgress implements ProgressSink {
  readonly events: string[] = [];
  notebookStart(index: number, total: number, name: string): void {
    this.events.push(`start ${index}/${total} ${name}`);
  }
  cell(codeCell: number, codeCells: number, phase: string): void {
    this.events.push(`cell ${codeCell}/${codeCells} ${phase}`);
  }
  detail(text: string): void {
    this.events.push(`detail ${text}`);
  }
  notebookEnd(ok: boolean, summary: string): void {
    this.events.push(`end ${ok ? "ok" : "failed"} ${summary}`);
  }
  info(line: string): void {
    this.events.push(`info ${line}`);
  }
}
