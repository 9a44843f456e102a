// Reaching Redis. ioredis retries a refused connection forever, so a mistyped --queue URL would hang
// the build; every command first probes the URL once, with a short timeout and no retries, and an
// unreachable server is one line naming the URL and the fix.
import { Queue } from "bullmq";
import type { ConnectionOptions } from "bullmq";
import { UserError } from "../user-error.js";
import { QUEUE_NAME } from "./job.js";

const CONNECT_TIMEOUT_MS = 3_000;

/** `--queue redis://host:port[/db]`, checked before anything connects. */
export function checkQueueUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(`--queue ${shownUrl(url)}: not a Redis URL; write it as redis://host:port (e.g. redis://localhost:6379)`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new UserError(`--queue ${shownUrl(url)}: not a Redis URL; write it as redis://host:port (e.g. redis://localhost:6379)`);
  }
  return url;
}

/**
 * The connection of a worker or an enqueuer after the probe succeeded. `retryAfterLoss`: how many
 * times (a second apart) to reconnect after losing Redis before giving up; undefined = forever (a
 * worker is a service and waits for Redis to come back).
 */
export function connectionOptions(url: string, retryAfterLoss?: number): ConnectionOptions {
  return {
    url,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => (retryAfterLoss !== undefined && times > retryAfterLoss ? null : 1_000),
  } as ConnectionOptions;
}

/** The URL as messages show it: a password in it (redis://:secret@host) is not printed. */
export function shownUrl(url: string): string {
  return url.replace(/^(\w+:\/\/[^:@/]*:)[^@/]*@/, "$1***@");
}

export function unreachable(url: string, why: string): UserError {
  return new UserError(`--queue ${shownUrl(url)}: cannot reach Redis (${why}); start redis-server there or pass the right --queue URL`);
}

/** Connects once, without retries: resolves when Redis answers, else throws the one-line error. */
export async function probeRedis(url: string): Promise<void> {
  checkQueueUrl(url);
  const queue = new Queue(QUEUE_NAME, { connection: { ...(connectionOptions(url) as object), retryStrategy: () => null } as ConnectionOptions });
  let lastError: Error | undefined;
  queue.on("error", (err) => (lastError = err));
  try {
    await Promise.race([
      queue.waitUntilReady(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS + 500).unref()),
    ]);
  } catch (err) {
    const e = (lastError ?? err) as NodeJS.ErrnoException;
    throw unreachable(url, e.code ?? e.message.split("\n")[0]);
  } finally {
    await queue.close().catch(() => undefined);
  }
}
