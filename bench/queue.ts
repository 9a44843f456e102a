// The queue's speed-up on this machine: the same batch of small notebooks built locally (no queue),
// then through a real redis-server by 1 worker, then by 3, each into a clean --out folder; prints the
// wall times and the ratios. Run on an idle machine (node dist/bench/queue.js [--notebooks=20]
// [--workers=1,3] [--no-local]).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Proc, runCli, startRedis, startWorker, stopWorkers, writeTinyNotebooks } from "../test/queue-cluster.js";

const option = (name: string) => process.argv.slice(2).find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const count = Number(option("notebooks") ?? 20);
const counts = (option("workers") ?? "1,3").split(",").map(Number);

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-bench-queue-"));
  writeTinyNotebooks(path.join(dir, "class"), count);
  const redis = await startRedis();
  const times: number[] = [];
  let local: number | undefined;
  if (!process.argv.includes("--no-local")) {
    // The same batch without --queue: what the queue's overhead and its workers are measured against.
    const started = Date.now();
    const build = runCli(["build", path.join(dir, "class"), "--out", path.join(dir, "reports-local")], dir);
    const code = await build.exited;
    if (code !== 0) throw new Error(`local build failed:\n${build.output}`);
    local = (Date.now() - started) / 1000;
    console.log(`${count} notebooks, local build (no queue): ${local.toFixed(1)} s`);
  }
  try {
    for (const n of counts) {
      const workers: Proc[] = [];
      try {
        for (let k = 0; k < n; k++) workers.push(await startWorker(redis.url));
        const started = Date.now();
        const build = runCli(["build", path.join(dir, "class"), "--queue", redis.url, "--out", path.join(dir, `reports-${n}`)], dir);
        const code = await build.exited;
        if (code !== 0) throw new Error(`build with ${n} workers failed:\n${build.output}`);
        times.push((Date.now() - started) / 1000);
        console.log(`${count} notebooks, ${n} worker${n === 1 ? "" : "s"}: ${times.at(-1)!.toFixed(1)} s`);
      } finally {
        await stopWorkers(workers);
      }
    }
  } finally {
    await redis.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (local !== undefined) console.log(`local / ${counts.map((n) => `${n} worker${n === 1 ? "" : "s"}`).join(", ")}: ${times.map((t) => (local! / t).toFixed(2) + "x").join(", ")}`);
  if (times.length > 1) console.log(`speed-up ${counts[0]} → ${counts.at(-1)} workers: ${(times[0] / times.at(-1)!).toFixed(2)}x (${os.cpus().length} CPUs here)`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
