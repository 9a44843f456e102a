// Finding and starting Chromium for printing. puppeteer-core brings no browser: we use the system's
// (Debian's `chromium`), or the one named by LABREPORT_CHROMIUM / PUPPETEER_EXECUTABLE_PATH.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Browser } from "puppeteer-core";
import { UserError } from "../user-error.js";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

// Headless printing on a machine with a closed network: no sandbox (we run as root in CI), no GPU,
// and none of the background services that would keep trying to reach Google.
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-default-apps",
  "--no-first-run",
  "--font-render-hinting=none",
];

export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const named = env.LABREPORT_CHROMIUM ?? env.PUPPETEER_EXECUTABLE_PATH;
  if (named) {
    if (!fs.existsSync(named)) throw new UserError(`Chromium not found at ${named} (from LABREPORT_CHROMIUM); install it with "apt-get install chromium" or fix the path`);
    return named;
  }
  const found = CANDIDATES.find((p) => fs.existsSync(p));
  if (!found) throw new UserError(`Chromium not found (looked in ${CANDIDATES.join(", ")}); install it with "apt-get install chromium" or set LABREPORT_CHROMIUM to its path`);
  return found;
}

/** A browser with its own throw-away profile; close() also removes the profile. */
export async function launchChromium(executablePath = findChromium()): Promise<{ browser: Browser; close(): Promise<void> }> {
  const puppeteer = await import("puppeteer-core");
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-chromium-"));
  // Over a pipe, Chromium exits with its parent even when the parent is SIGKILLed (a killed queue worker).
  // Signals are the CLI's, not puppeteer's: puppeteer's own SIGTERM/SIGHUP handlers close the browser
  // and leave the process running (a killed build trained on, then failed to print), and its SIGINT
  // handler exits at once (a worker sent SIGINT could not finish the job in hand).
  const browser = await puppeteer.launch({
    executablePath, args: [...FLAGS, `--user-data-dir=${profile}`], headless: true, pipe: true,
    handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
