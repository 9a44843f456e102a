// A local build that is interrupted (Ctrl-C, `kill`, a closed terminal) stops at once: one line, the
// shell's status for the signal, its kernel gone, and the previous report untouched. Before, SIGTERM
// and SIGHUP only closed Chromium (puppeteer's handlers) and the build trained on.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { tinyNotebook } from "../queue-cluster.js";
import { CLI } from "../paths.js";
import { isAlive } from "../processes.js";

for (const [signal, status] of [["SIGTERM", 143], ["SIGHUP", 129], ["SIGINT", 130]] as const) {
  test(`a build sent ${signal} while a cell runs stops within seconds with status ${status}; its kernel ends, the previous report is kept`, { timeout: 120_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-interrupt-"));
    const pidFile = path.join(dir, "kernel.pid");
    // The kernel says who it is, then "trains" for two minutes.
    const slow = `require("fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));\nawait new Promise((r) => setTimeout(r, 120_000));`;
    fs.writeFileSync(path.join(dir, "hw.ipynb"), JSON.stringify(tinyNotebook(1, slow)));
    const out = path.join(dir, "reports");
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, "hw.pdf"), "last week's good report");
    const env = { ...process.env };
    delete env["NODE_TEST_CONTEXT"];
    const build = spawn(process.execPath, [CLI, "build", "hw.ipynb", "--out", out], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    build.stdout.on("data", (d) => (output += d));
    build.stderr.on("data", (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => build.once("exit", (code) => resolve(code)));

    const until = Date.now() + 60_000;
    while (!fs.existsSync(pidFile) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    assert.ok(fs.existsSync(pidFile), `the slow cell started:\n${output}`);
    const kernel = Number(fs.readFileSync(pidFile, "utf8"));
    assert.ok(isAlive(kernel));

    const sent = Date.now();
    build.kill(signal);
    const code = await exited;
    assert.equal(code, status, output);
    assert.ok(Date.now() - sent < 10_000, `stopped ${Date.now() - sent} ms after ${signal}`);
    assert.match(output, new RegExp(`interrupted \\(${signal}\\): stopped; the reports already written are kept\\n$`));
    const gone = Date.now() + 5_000;
    while (isAlive(kernel) && Date.now() < gone) await new Promise((r) => setTimeout(r, 100));
    assert.equal(isAlive(kernel), false, `kernel ${kernel} still runs after the build stopped`);
    assert.equal(fs.readFileSync(path.join(out, "hw.pdf"), "utf8"), "last week's good report");
  });
}
