// The progress of a queued build in the terminal: on a TTY, one live area (a line per running
// notebook, naming its worker, and a status line), with each finished notebook printed above it as a
// local build prints it; in logs and CI, one plain line per change of state.
import { clock } from "../progress.js";

type State =
  | { kind: "waiting" }
  | { kind: "running"; worker?: string; detail?: string; since: number }
  | { kind: "finished"; ok: boolean };

export class QueueBoard {
  private readonly states: State[];
  private drawn = 0;
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly names: string[],
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly live = Boolean(out.isTTY),
  ) {
    this.states = names.map(() => ({ kind: "waiting" }));
  }

  /** After the jobs were enqueued. */
  start(url: string, enqueued: number): void {
    this.print(`[queue] ${enqueued} notebook${enqueued === 1 ? "" : "s"} sent to ${url}; waiting for workers ("labreport worker --queue ${url}")`);
    if (this.live) {
      this.timer = setInterval(() => this.redraw(), 1000);
      this.timer.unref();
      this.redraw();
    }
  }

  /** A worker took the notebook, or reported progress on it. */
  running(i: number, worker?: string, detail?: string): void {
    const s = this.states[i];
    if (s.kind === "finished") return;
    const fresh = s.kind !== "running" || (worker !== undefined && s.worker !== worker);
    this.states[i] = { kind: "running", worker: worker ?? (s.kind === "running" ? s.worker : undefined), detail, since: s.kind === "running" && !fresh ? s.since : Date.now() };
    if (this.live) this.redraw();
    else if (fresh && worker !== undefined) this.out.write(`${this.label(i)} running on ${worker}\n`);
  }

  /** Its worker stopped answering: the job went back to the queue. */
  requeued(i: number): void {
    const s = this.states[i];
    if (s.kind === "finished") return;
    const who = s.kind === "running" && s.worker ? `worker ${s.worker}` : "its worker";
    this.states[i] = { kind: "waiting" };
    this.print(`${this.label(i)} back in the queue: ${who} stopped answering`);
  }

  finished(i: number, ok: boolean, summary: string): void {
    const s = this.states[i];
    const took = s.kind === "running" ? ` (${clock(Date.now() - s.since)})` : "";
    this.states[i] = { kind: "finished", ok };
    this.print(`${this.label(i)} ${ok ? "✓" : "✗"} ${summary}${took}`);
    if (!this.live) this.out.write(`[batch] ${this.counts()}\n`);
  }

  /** A line above the live area (an error, a warning). */
  info(line: string): void {
    this.print(line);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.live) this.clear();
  }

  private label(i: number): string {
    return `[${i + 1}/${this.names.length}] ${this.names[i]}`;
  }

  private counts(): string {
    const n = (k: State["kind"], ok?: boolean) => this.states.filter((s) => s.kind === k && (ok === undefined || (s.kind === "finished" && s.ok === ok))).length;
    return `${n("finished", true)} done, ${n("finished", false)} failed, ${n("running")} running, ${n("waiting")} waiting`;
  }

  private print(line: string): void {
    if (!this.live) {
      this.out.write(`${line}\n`);
      return;
    }
    this.clear();
    this.out.write(`${line}\n`);
    this.redraw();
  }

  private clear(): void {
    if (this.drawn) this.out.write(`\x1b[${this.drawn}A\r\x1b[J`);
    this.drawn = 0;
  }

  private redraw(): void {
    if (!this.live) return;
    this.clear();
    const columns = this.out.columns || 100; // 0 in some pseudo-terminals
    const room = Math.max(1, (this.out.rows || 24) - 3);
    const running = this.states.flatMap((s, i) => (s.kind === "running" ? [{ s, i }] : []));
    const lines = running.slice(0, room).map(({ s, i }) => {
      const r = s as Extract<State, { kind: "running" }>;
      return `  ${this.names[i]}  ${r.worker ? `on ${r.worker}` : "starting"} ${clock(Date.now() - r.since)}${r.detail ? `  ${r.detail}` : ""}`;
    });
    if (running.length > room) lines.push(`  … and ${running.length - room} more running`);
    lines.push(`[queue] ${this.counts()} (${clock(Date.now() - this.started)})`);
    for (const l of lines) this.out.write(`${l.slice(0, columns - 1)}\n`);
    this.drawn = lines.length;
  }
}
