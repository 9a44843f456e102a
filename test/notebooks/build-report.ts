// What every assignment-notebook test does first: build notebooks/<name>.ipynb at a small
// configuration (--param values) with the real CLI, and read the PDF back with pdftotext.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CLI, REPO } from "../paths.js";

export interface BuiltReport {
  /** The reports folder of this build. */
  out: string;
  /** The build's terminal output (stdout and stderr). */
  log: string;
  /** The PDF's text as pdftotext gives it. */
  text: string;
}

/** Builds the notebook into `out` (default: a fresh temporary folder), asserting that the build succeeded. */
export function buildReport(name: string, params: Record<string, unknown>, opts: { out?: string; timeoutMs?: number } = {}): BuiltReport {
  const out = opts.out ?? fs.mkdtempSync(path.join(os.tmpdir(), `labreport-${name}-`));
  const args = [CLI, "build", `notebooks/${name}.ipynb`, "--out", out];
  for (const [k, v] of Object.entries(params)) args.push("--param", `${k}=${JSON.stringify(v)}`);
  const r = spawnSync(process.execPath, args, { cwd: REPO, encoding: "utf8", timeout: opts.timeoutMs ?? 600_000 });
  const log = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.status, 0, log);
  const text = spawnSync("pdftotext", [path.join(out, `${name}.pdf`), "-"], { encoding: "utf8" }).stdout;
  return { out, log, text };
}
