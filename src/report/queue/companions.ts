// The files a notebook may read besides itself (Markdown images, a .bib, small data files, in its
// folder or in folders below it): gathered on the enqueuing machine, sent with the notebook's job,
// and written back under the notebook's folder on the worker, so that a relative path that works in
// a local build works on any worker.
import * as fs from "node:fs";
import * as path from "node:path";

/** The most that a notebook's companion files may add to its job; beyond it they stay behind (with a warning). */
export const COMPANIONS_MAX_BYTES = 16 * 1024 * 1024;

/** Relative path (with "/") → file contents in base64. */
export type Companions = Record<string, string>;

/** Folders that are never a notebook's input: stores travel on their own, the rest is tooling or output. */
const SKIPPED_FOLDERS = new Set(["_freeze", "node_modules", "__pycache__", ".ipynb_checkpoints"]);

/**
 * The companions of `notebookFile`: the files in its folder, then those of the folders below it,
 * nearest first, except notebooks (each is its own job), hidden files, stores and the folders in
 * `exclude` (the build's output folder, when it lies inside). They are taken in that order up to
 * COMPANIONS_MAX_BYTES; what does not fit stays behind and `warn` says so once, so that a big data
 * folder below a notebook never crowds out the small files beside it.
 */
export function gatherCompanions(notebookFile: string, exclude: string[], warn: (line: string) => void): Companions {
  const dir = path.dirname(path.resolve(notebookFile));
  const excluded = exclude.map((x) => path.resolve(x));
  const taken: Companions = {};
  let bytes = 0;
  const folders = [dir];
  for (let folder = folders.shift(); folder !== undefined; folder = folders.shift()) {
    const entries = fs.readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (e.name.startsWith(".")) continue;
      const full = path.join(folder, e.name);
      if (e.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(e.name) && !excluded.includes(full)) folders.push(full);
      } else if (e.isFile() && !e.name.endsWith(".ipynb")) {
        const name = path.relative(dir, full).split(path.sep).join("/");
        const size = fs.statSync(full).size;
        if (bytes + size > COMPANIONS_MAX_BYTES) {
          // The cut is one place in the order: this file and all after it stay behind (and are not listed).
          warn(`  warning: ${notebookFile}: the files in its folder from ${name} on did not fit in its job ` +
            `(${(COMPANIONS_MAX_BYTES / 2 ** 20).toFixed(0)} MB travel with a notebook, nearest first); a report that reads them will miss them on the worker`);
          return taken;
        }
        taken[name] = fs.readFileSync(full).toString("base64");
        bytes += size;
      }
    }
  }
  return taken;
}

/** Writes the companions under `dir` (the notebook's folder on the worker). A name that would leave `dir` is refused. */
export function writeCompanions(dir: string, companions: Companions): void {
  for (const [name, data] of Object.entries(companions)) {
    const target = path.resolve(dir, ...name.split("/"));
    if (path.isAbsolute(name) || !target.startsWith(path.resolve(dir) + path.sep)) {
      throw new Error(`the job's companion file "${name}" points outside the notebook's folder; not written`);
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, Buffer.from(data, "base64"));
  }
}
