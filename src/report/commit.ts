// Where reports reach the disk. Every file of a result is written to a temporary name first and
// renamed into place only once all of them were written: a failure never leaves half a report, and
// never replaces a previous good one. A place that cannot be written is the user's to fix, so it is
// a one-line error naming the path and the fix (the flag that chose it, for a report).
import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "./user-error.js";

export interface OutputFile {
  path: string;
  data: string | Uint8Array;
}

function cannotWrite(target: string, err: unknown, fix: string): UserError {
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  const why = code === "EEXIST" || code === "ENOTDIR" ? "a file stands where a folder is needed" : code;
  return new UserError(`${target}: cannot write here (${why}); ${fix}`);
}

/** Creates the folder outputs go to, before any cell runs: an hour of training must not end in ENOTDIR. */
export function checkOutputFolder(dir: string, flag: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    throw cannotWrite(dir, err, `choose another ${flag}`);
  }
  if (!fs.statSync(dir).isDirectory()) throw cannotWrite(dir, { code: "ENOTDIR" }, `choose another ${flag}`);
}

/**
 * Writes every file, then renames them all into place: a file that cannot be written replaces nothing.
 * `fix` ends the error line ("choose another --out folder").
 */
export function commitFiles(files: OutputFile[], fix: string): void {
  const written: { tmp: string; target: string }[] = [];
  try {
    for (const file of files) {
      const tmp = `${file.path}.${process.pid}.tmp`;
      try {
        fs.mkdirSync(path.dirname(file.path), { recursive: true });
        fs.writeFileSync(tmp, file.data);
      } catch (err) {
        throw cannotWrite(file.path, err, fix);
      }
      written.push({ tmp, target: file.path });
    }
    for (const { tmp, target } of written) {
      try {
        fs.renameSync(tmp, target);
      } catch (err) {
        throw cannotWrite(target, err, fix);
      }
    }
  } finally {
    for (const { tmp } of written) fs.rmSync(tmp, { force: true });
  }
}
