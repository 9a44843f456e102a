// A job queue on this machine for the queue tests and bench/queue.ts: a real redis-server on a free
// loopback port, real `labreport worker` processes, and tiny tslab notebooks to build.
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { CLI, REPO } from "./paths.js";

/** A loopback port nothing listens on (the OS's pick, released before use). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Collects a child's stdout and stderr and waits for lines in them. */
export class Proc {
  output = "";
  readonly exited: Promise<number | null>;
  constructor(readonly child: ChildProcess) {
    child.stdout?.on("data", (d) => (this.output += d));
    child.stderr?.on("data", (d) => (this.output += d));
    this.exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : null))));
  }
  async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const m = this.output.match(pattern);
      if (m) return m;
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`exited before printing ${pattern}:\n${this.output}`);
      if (Date.now() > until) throw new Error(`no ${pattern} within ${timeoutMs / 1000} s:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  /** Signals the process and everything it started (its own process group: kernel, Chromium). */
  killGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.child.pid!, signal);
    } catch {
      // already gone
    }
  }
}

export interface Redis {
  url: string;
  stop(): Promise<void>;
}

/** redis-server on a free loopback port, nothing saved to disk. */
export async function startRedis(): Promise<Redis> {
  const port = await freePort();
  const proc = new Proc(spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "pipe"] }));
  await proc.waitFor(/Ready to accept connections/, 20_000);
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      proc.child.kill("SIGKILL");
      await proc.exited;
    },
  };
}

/** `labreport worker --queue url`, in its own process group; resolves once it waits for jobs. */
export async function startWorker(url: string, env: NodeJS.ProcessEnv = {}): Promise<Proc> {
  const proc = new Proc(spawn(process.execPath, [CLI, "worker", "--queue", url], { cwd: REPO, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } }));
  await proc.waitFor(/waiting for builds on/, 60_000);
  return proc;
}

/** Stops workers gracefully if they are idle (SIGTERM), and by force after a few seconds. */
export async function stopWorkers(workers: Proc[]): Promise<void> {
  for (const w of workers) w.killGroup("SIGTERM");
  await Promise.all(
    workers.map((w) => Promise.race([w.exited, new Promise((r) => setTimeout(r, 10_000))]).then(() => w.killGroup("SIGKILL"))),
  );
}

/** A tiny tslab notebook: a heading, a number printed, a table through the library's display. */
export function tinyNotebook(n: number, extraCode?: string): object {
  const code = (source: string) => ({ cell_type: "code", metadata: {}, execution_count: null, outputs: [], source });
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" }, language_info: { name: "typescript" } },
    cells: [
      { cell_type: "markdown", metadata: {}, source: `# Student ${n}\n\nA tiny submission.` },
      code(`import { showTable } from "labreport";\nconsole.log("number ${n}");\nshowTable([{ student: ${n}, score: ${n * 2} }]);`),
      ...(extraCode ? [code(extraCode)] : []),
    ],
  };
}

/** Writes student01.ipynb … studentNN.ipynb into dir; returns their paths. */
export function writeTinyNotebooks(dir: string, count: number): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return Array.from({ length: count }, (_, k) => {
    const file = path.join(dir, `student${String(k + 1).padStart(2, "0")}.ipynb`);
    fs.writeFileSync(file, JSON.stringify(tinyNotebook(k + 1)));
    return file;
  });
}

/** `labreport build …` as a child process (asynchronous, so workers' output keeps flowing meanwhile). */
export function runCli(args: string[], cwd = REPO): Proc {
  return new Proc(spawn(process.execPath, [CLI, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] }));
}
