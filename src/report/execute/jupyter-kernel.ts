// One tslab kernel process and the five ZeroMQ sockets that talk to it, as a Jupyter client does:
// shell, control and stdin as Dealers, iopub as a Subscriber to everything, hb as a Request.
// The kernel owns nothing of ours: shutdown() always ends the process and closes every socket, so
// the calling Node process can exit by itself afterwards.
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as zmq from "zeromq";
import { UserError } from "../user-error";
import { createConnectionInfo, endpoint, writeConnectionFile, type ConnectionInfo } from "./connection";
import { createMessage, newId, parse, serialize, type Message } from "./messages";

export interface KernelOptions {
  /** The kernel's working folder: tslab resolves relative files and type-checks imports from here. */
  cwd: string;
  env?: Record<string, string>;
  /** How long to wait for kernel_info_reply; tslab needs a few seconds to load TypeScript. */
  startupTimeoutMs?: number;
  /** Used as the prefix of error messages, e.g. the notebook path. */
  label?: string;
  /** Folder to resolve the tslab package from (tests point it elsewhere). */
  resolveFrom?: string;
}

export interface KernelInfo {
  implementation: string;
  /** The launched tslab package's version (the reply's implementation_version is a constant "1.0.0"). */
  implementationVersion: string;
  /** TypeScript version tslab compiles with, when it can be found; else the reply's language version. */
  languageVersion?: string;
  /** The reply's language_info, stored in the executed notebook's metadata as Jupyter does. */
  languageInfo: Record<string, unknown>;
}

/** The kernel process ended while a request was waiting for it. */
export class KernelExitedError extends Error {
  constructor(readonly code: number | null, readonly signal: NodeJS.Signals | null, readonly log: string) {
    super(`the kernel exited (${signal ? `signal ${signal}` : `exit code ${String(code)}`})`);
    this.name = "KernelExitedError";
  }
}

/** The kernel could not bind one of its ports. */
class PortTakenError extends Error {
  constructor() {
    super("a port of the kernel was taken");
    this.name = "PortTakenError";
  }
}

export class RequestTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no reply within ${formatSeconds(timeoutMs)}`);
    this.name = "RequestTimeoutError";
  }
}

export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

export interface TslabPackage {
  bin: string;
  version: string;
  typescriptVersion?: string;
}

/** Finds the installed tslab; a missing one is a UserError naming the fix. */
export function resolveTslab(fromDir: string = __dirname): TslabPackage {
  const req = createRequire(path.join(fromDir, "noop.js"));
  let pkgFile: string;
  try {
    pkgFile = req.resolve("tslab/package.json");
  } catch {
    throw new UserError(`the tslab kernel is not installed (no tslab package found from ${fromDir}); run "npm install" in the project folder`);
  }
  const dir = path.dirname(pkgFile);
  const bin = path.join(dir, "bin", "tslab");
  if (!fs.existsSync(bin)) {
    throw new UserError(`the tslab package at ${dir} has no bin/tslab; reinstall it with "npm install"`);
  }
  const version = (JSON.parse(fs.readFileSync(pkgFile, "utf8")) as { version: string }).version;
  let typescriptVersion: string | undefined;
  try {
    const tsPkg = createRequire(pkgFile).resolve("@tslab/typescript-for-tslab/package.json");
    typescriptVersion = (JSON.parse(fs.readFileSync(tsPkg, "utf8")) as { version: string }).version;
  } catch {
    // Only informational: fall back to what the kernel reports.
  }
  return { bin, version, typescriptVersion };
}

const ORPHAN_GUARD = path.join(__dirname, "orphan-guard.js");

// Kernels still running when this process exits are killed; 'exit' handlers keep nothing alive.
const liveKernels = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of liveKernels) child.kill("SIGKILL");
});

interface Pending {
  reply?: Message;
  idle: boolean;
  /** Runs while the reply is in and the idle status is not (see IDLE_GRACE_MS). */
  graceTimer?: NodeJS.Timeout;
  resolve: (reply: Message) => void;
  reject: (err: Error) => void;
}

const LOG_TAIL_CHARS = 4000;

/**
 * tslab publishes "idle" right after its reply. Should that message be lost (an unpatched tslab drops
 * iopub messages under a burst of output), a request whose reply is in and whose iopub has been silent
 * this long is taken as finished rather than waited for forever.
 */
const IDLE_GRACE_MS = 5000;

export class Kernel {
  /** Receives every iopub message (the executor routes them by parent_header.msg_id). */
  onIopub: ((msg: Message) => void) | undefined;
  info!: KernelInfo;

  /** The kernel process's id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  private readonly session = newId();
  private readonly shell = new zmq.Dealer({ linger: 0 });
  private readonly control = new zmq.Dealer({ linger: 0 });
  private readonly stdin = new zmq.Dealer({ linger: 0 });
  // No receive limit: a cell printing thousands of lines at once must not lose any (or its idle status).
  private readonly iopub = new zmq.Subscriber({ linger: 0, receiveHighWaterMark: 0 });
  private readonly hb = new zmq.Request({ linger: 0 });
  private readonly pending = new Map<string, Pending>();
  private readonly sendQueues = new Map<zmq.Dealer, Promise<unknown>>();
  private readonly exited: Promise<void>;
  private exitError: KernelExitedError | undefined;
  private log = "";
  private iopubSeen = false;
  private portTaken = false;
  private ready = false;
  private closed = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly conn: ConnectionInfo,
    private readonly removeConnectionFile: () => void,
  ) {
    liveKernels.add(child);
    const keepTail = (chunk: Buffer) => {
      this.log = (this.log + chunk.toString("utf8")).slice(-LOG_TAIL_CHARS);
      // tslab only logs a failed bind and keeps running without sockets: stop waiting for it.
      if (!this.ready && !this.portTaken && /Address already in use|EADDRINUSE/.test(this.log)) {
        this.portTaken = true;
        for (const p of this.pending.values()) p.reject(new PortTakenError());
        this.pending.clear();
      }
    };
    child.stdout?.on("data", keepTail);
    child.stderr?.on("data", keepTail);
    this.exited = new Promise<void>((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null) => {
        liveKernels.delete(child);
        this.exitError ??= new KernelExitedError(code, signal, this.log);
        for (const p of this.pending.values()) p.reject(this.exitError);
        this.pending.clear();
        resolve();
      };
      child.once("exit", done);
      child.once("error", (err) => {
        this.log += `\n${err.message}`;
        // 'exit' may never come when spawning itself failed.
        if (child.pid === undefined) done(null, null);
      });
    });
  }

  /** Starts tslab in opts.cwd and waits until it answers kernel_info_request and iopub delivers. */
  static async start(opts: KernelOptions): Promise<Kernel> {
    const prefix = opts.label ? `${opts.label}: ` : "";
    const tslab = resolveTslab(opts.resolveFrom);
    if (!fs.existsSync(opts.cwd)) throw new UserError(`${prefix}the kernel's working folder ${opts.cwd} does not exist`);
    // A port found free can be taken by someone else before the kernel binds it: try fresh ports.
    for (let attempt = 1; ; attempt++) {
      const kernel = await Kernel.launch(tslab, opts);
      try {
        await kernel.handshake(tslab, opts.startupTimeoutMs ?? 60_000);
        return kernel;
      } catch (err) {
        const log = keyLine(kernel.log);
        // A kernel that failed its handshake cannot be trusted to answer shutdown_request.
        await kernel.shutdown({ force: true });
        if (err instanceof PortTakenError && attempt < 3) continue;
        const why = err instanceof RequestTimeoutError ? `did not answer within ${formatSeconds(err.timeoutMs)}` : (err as Error).message;
        throw new UserError(
          `${prefix}the tslab kernel did not start (${why})${log ? `; its output: ${log}` : ""}; check that "npm install" succeeded and that "node ${path.relative(process.cwd(), tslab.bin)} kernel" runs`,
        );
      }
    }
  }

  private static async launch(tslab: TslabPackage, opts: KernelOptions): Promise<Kernel> {
    const conn = await createConnectionInfo();
    const connFile = writeConnectionFile(conn);
    // orphan-guard: the kernel ends itself if this process is killed outright.
    const child = spawn(process.execPath, ["--require", ORPHAN_GUARD, tslab.bin, "kernel", "--config-path", connFile.file], {
      cwd: opts.cwd,
      env: kernelEnv(opts.env),
      stdio: ["ignore", "pipe", "pipe"],
      // A process group of its own: a terminal's Ctrl-C reaches this process, which decides (a
      // build stops and kills its kernel on exit, a queue worker finishes the job in hand), not the
      // kernel, which exits on SIGINT. A kernel whose parent dies outright ends itself (orphan-guard).
      detached: true,
    });
    const kernel = new Kernel(child, conn, connFile.remove);
    kernel.connect();
    return kernel;
  }

  private async handshake(tslab: TslabPackage, timeoutMs: number): Promise<void> {
    const reply = await this.waitReady(timeoutMs);
    const c = reply.content as { implementation?: string; language_info?: Record<string, unknown> };
    const languageInfo = c.language_info ?? {};
    this.info = {
      implementation: c.implementation ?? "tslab",
      implementationVersion: tslab.version,
      languageVersion: tslab.typescriptVersion ?? (typeof languageInfo["version"] === "string" ? languageInfo["version"] : undefined),
      languageInfo,
    };
  }

  private connect(): void {
    this.shell.connect(endpoint(this.conn, "shell"));
    this.control.connect(endpoint(this.conn, "control"));
    this.stdin.connect(endpoint(this.conn, "stdin"));
    this.hb.connect(endpoint(this.conn, "hb"));
    this.iopub.connect(endpoint(this.conn, "iopub"));
    this.iopub.subscribe();
    void this.receive(this.shell, (msg) => this.onReply(msg));
    void this.receive(this.control, (msg) => this.onReply(msg));
    void this.receive(this.iopub, (msg) => this.onIopubMessage(msg));
  }

  /** Reads a socket until it is closed; messages with a bad signature are dropped. */
  private async receive(sock: zmq.Dealer | zmq.Subscriber, handle: (msg: Message) => void): Promise<void> {
    try {
      for await (const frames of sock) {
        let msg: Message;
        try {
          msg = parse(frames, this.conn.key);
        } catch {
          continue;
        }
        handle(msg);
      }
    } catch {
      // Closing a socket ends its loop; nothing to report.
    }
  }

  private onReply(msg: Message): void {
    const id = msg.parent_header.msg_id;
    const p = id === undefined ? undefined : this.pending.get(id);
    if (!p) return;
    p.reply = msg;
    this.settle(id!, p);
    if (!p.idle) this.armGrace(id!, p);
  }

  private armGrace(id: string, p: Pending): void {
    clearTimeout(p.graceTimer);
    p.graceTimer = setTimeout(() => {
      if (this.pending.get(id) !== p) return;
      this.idleLost.add(id);
      p.idle = true;
      this.settle(id, p);
    }, IDLE_GRACE_MS).unref();
  }

  /** Requests whose idle status never came (their outputs may be incomplete). */
  readonly idleLost = new Set<string>();

  private onIopubMessage(msg: Message): void {
    this.iopubSeen = true;
    this.onIopub?.(msg);
    const id = msg.parent_header.msg_id;
    const p = id === undefined ? undefined : this.pending.get(id);
    if (!p) return;
    if (p.reply && !p.idle) this.armGrace(id!, p); // output still coming: not silent yet
    if (msg.header.msg_type !== "status") return;
    if ((msg.content as { execution_state?: string }).execution_state !== "idle") return;
    p.idle = true;
    this.settle(id!, p);
  }

  private settle(id: string, p: Pending): void {
    if (p.reply && p.idle) {
      clearTimeout(p.graceTimer);
      this.pending.delete(id);
      p.resolve(p.reply);
    }
  }

  /** ZeroMQ allows one send in flight per socket; sends are chained. */
  private send(sock: zmq.Dealer, msg: Message<object>): Promise<void> {
    const frames = serialize(msg, this.conn.key);
    const prev = this.sendQueues.get(sock) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(() => sock.send(frames));
    this.sendQueues.set(sock, next);
    return next;
  }

  /**
   * Sends a request; resolves with its reply once the reply AND iopub's idle status for it have
   * arrived, so every output of the request has been passed to onIopub by then.
   */
  request(
    channel: "shell" | "control",
    msgType: string,
    content: object,
    opts: { timeoutMs?: number; waitIdle?: boolean } = {},
  ): { msgId: string; done: Promise<Message> } {
    const msg = createMessage(msgType, content, this.session);
    const msgId = msg.header.msg_id;
    const done = new Promise<Message>((resolve, reject) => {
      if (this.exitError || this.closed) {
        reject(this.exitError ?? new Error("the kernel is shut down"));
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      const finish = (fn: () => void) => {
        if (timer) clearTimeout(timer);
        fn();
      };
      this.pending.set(msgId, {
        idle: opts.waitIdle === false,
        resolve: (r) => finish(() => resolve(r)),
        reject: (e) => finish(() => reject(e)),
      });
      if (opts.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.pending.delete(msgId);
          reject(new RequestTimeoutError(opts.timeoutMs!));
        }, opts.timeoutMs);
      }
      this.send(channel === "shell" ? this.shell : this.control, msg).catch((err: Error) => {
        this.pending.delete(msgId);
        finish(() => reject(err));
      });
    });
    return { msgId, done };
  }

  /**
   * A subscriber misses what is published before its subscription reaches the publisher, so like
   * jupyter_client we repeat kernel_info_request until iopub has delivered something too.
   */
  private async waitReady(timeoutMs: number): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.portTaken) throw new PortTakenError();
      const left = deadline - Date.now();
      if (left <= 0) throw new RequestTimeoutError(timeoutMs);
      let reply: Message;
      try {
        reply = await this.request("shell", "kernel_info_request", {}, { timeoutMs: left, waitIdle: false }).done;
      } catch (err) {
        if (err instanceof RequestTimeoutError) throw new RequestTimeoutError(timeoutMs);
        throw err;
      }
      // The status messages of this request follow its reply closely.
      for (let waited = 0; !this.iopubSeen && waited < 500; waited += 25) await sleep(25);
      if (this.iopubSeen) {
        this.ready = true;
        return reply;
      }
    }
  }

  /**
   * Asks the kernel to exit, then makes sure: SIGTERM, SIGKILL. Closes all sockets. Idempotent.
   * force skips the polite request (a kernel stuck in a cell cannot answer it).
   */
  async shutdown(opts: { force?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    const alive = !this.exitError && !opts.force;
    if (alive) {
      try {
        await within(this.request("control", "shutdown_request", { restart: false }, { waitIdle: false }).done, 1000);
      } catch {
        // The kernel may exit before it replies.
      }
    }
    this.closed = true;
    if (!(await this.waitExit(alive ? 1000 : 0))) {
      this.child.kill("SIGTERM");
      if (!(await this.waitExit(2000))) {
        this.child.kill("SIGKILL");
        await this.waitExit(5000);
      }
    }
    for (const p of this.pending.values()) p.reject(new Error("the kernel is shut down"));
    this.pending.clear();
    for (const sock of [this.shell, this.control, this.stdin, this.iopub, this.hb]) sock.close();
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
    this.removeConnectionFile();
  }

  /** Whether the process exited within ms. */
  private async waitExit(ms: number): Promise<boolean> {
    if (this.exitError) return true;
    await within(this.exited, ms);
    return this.exitError !== undefined;
  }

  /** The kernel's own stdout/stderr (its last few thousand characters), for diagnostics. */
  get output(): string {
    return this.log;
  }
}

/** Waits for p at most ms; the timer is cleared so that it never holds the process open. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<undefined>((resolve) => (timer = setTimeout(resolve, ms, undefined)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** The line of a crashed kernel's output that says most: the first error line, else the last line. */
export function keyLine(log: string): string {
  const lines = log.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const line = lines.find((l) => /error/i.test(l)) ?? lines[lines.length - 1] ?? "";
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/**
 * Where the kernel finds `import … from "labreport"` for a notebook outside this repository (a
 * grader's ~/submissions/alice/hw3.ipynb): tslab resolves modules from the notebook's folder, so the
 * patched tslab (scripts/patch-tslab.js) also looks here, for the types and at run time.
 */
export function libraryEnv(): Record<string, string> {
  const dist = path.resolve(__dirname, "..", ".."); // dist/src/report/execute → dist/src
  return { LABREPORT_LIBRARY: path.join(dist, "index.js"), LABREPORT_TYPES: path.join(dist, "index.d.ts") };
}

function kernelEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env = { ...libraryEnv(), ...process.env, ...extra };
  // Set by node --test for its own children; a kernel started from a test is not one.
  delete env["NODE_TEST_CONTEXT"];
  return env;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, ms);
  });
}
