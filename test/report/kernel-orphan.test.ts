// A kernel outlives nothing: when the process that started it is killed outright (SIGKILL: no exit
// handler runs), the kernel notices within seconds and ends itself (execute/orphan-guard.ts), instead
// of training on unseen, as a SIGKILLed queue worker's kernel did.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { isAlive } from "../processes.js";

test("the kernel of a SIGKILLed build ends itself within seconds", { timeout: 120_000 }, async () => {
  const kernelModule = path.resolve(__dirname, "../../src/report/execute/jupyter-kernel.js");
  const script = `const { Kernel } = require(${JSON.stringify(kernelModule)});
Kernel.start({ cwd: ${JSON.stringify(os.tmpdir())} }).then((k) => { console.log("kernel " + k.pid); setInterval(() => {}, 1000); });`;
  const env = { ...process.env };
  delete env["NODE_TEST_CONTEXT"];
  const starter = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"], env });
  const pid = await new Promise<number>((resolve, reject) => {
    let out = "";
    starter.stdout!.on("data", (d) => {
      out += d;
      const m = out.match(/kernel (\d+)/);
      if (m) resolve(Number(m[1]));
    });
    starter.once("exit", (code) => reject(new Error(`the starter exited (${code}) before its kernel started: ${out}`)));
  });
  assert.ok(isAlive(pid), "the kernel runs");
  starter.kill("SIGKILL");
  const until = Date.now() + 15_000;
  while (isAlive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
  assert.equal(isAlive(pid), false, `kernel ${pid} still runs 15 s after its starter was killed`);
});
