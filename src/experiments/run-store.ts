// Persisting each finished run of an experiment to one JSON file, so that an interrupted search
// (or a re-executed notebook) resumes where it stopped and never trains a finished run again.
import * as fs from "node:fs";
import * as path from "node:path";
import { Params, pointKey } from "./search-space.js";

/**
 * One finished run: its parameters, its result, how long it took.
 *
 * @example
 * const record: RunRecord<number> = store.put({ lr: 0.1 }, 0.034, 12.5);
 */
export interface RunRecord<R = unknown> {
  key: string;
  params: Params;
  result: R;
  seconds: number;
  finishedAt: string;
}

interface StoreFile {
  format: "labreport-runs";
  version: 1;
  runs: Record<string, RunRecord>;
}

/**
 * Finished runs keyed by their parameters, kept in a JSON file (written after every run, atomically).
 * Without a file the store lives in memory only.
 *
 * @example
 * const store = RunStore.open("results/grid.json");
 * store.get({ batchSize: 16 })?.result; // the stored result, or undefined when not yet run
 */
export class RunStore {
  private readonly runs = new Map<string, RunRecord>();

  private constructor(readonly file: string | null) {}

  /** Opens (or starts) the store at `file`; a corrupt file is an error naming it. */
  static open(file: string | null): RunStore {
    const store = new RunStore(file === null ? null : path.resolve(file));
    if (store.file && fs.existsSync(store.file)) {
      let parsed: StoreFile;
      try {
        parsed = JSON.parse(fs.readFileSync(store.file, "utf8"), reviveNonFinite);
      } catch (err) {
        throw new Error(`the run store ${store.file} is corrupt (${(err as Error).message}); delete it to start the runs again`);
      }
      if (parsed?.format !== "labreport-runs" || typeof parsed.runs !== "object") {
        throw new Error(`${store.file} is not a labreport run store (no "format": "labreport-runs"); delete it or pass another file`);
      }
      for (const [key, record] of Object.entries(parsed.runs)) store.runs.set(key, record);
    }
    return store;
  }

  /** The stored run with these parameters, if any. */
  get<R>(params: Params): RunRecord<R> | undefined {
    return this.runs.get(pointKey(params)) as RunRecord<R> | undefined;
  }

  /** Whether a run with these parameters has finished. */
  has(params: Params): boolean {
    return this.runs.has(pointKey(params));
  }

  /** Stores a finished run and writes the file. */
  put<R>(params: Params, result: R, seconds: number): RunRecord<R> {
    const record: RunRecord<R> = { key: pointKey(params), params, result, seconds, finishedAt: new Date().toISOString() };
    this.runs.set(record.key, record);
    this.save();
    return record;
  }

  /** Every stored run, in the order they finished. */
  records<R>(): RunRecord<R>[] {
    return [...this.runs.values()] as RunRecord<R>[];
  }

  /** The number of stored runs. */
  get size(): number {
    return this.runs.size;
  }

  private save(): void {
    if (!this.file) return;
    const body: StoreFile = { format: "labreport-runs", version: 1, runs: Object.fromEntries(this.runs) };
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(body, keepNonFinite, 1));
    fs.renameSync(tmp, this.file);
  }
}

// JSON has no NaN or Infinity (a History without validation holds NaN): they are kept as {"$number": "NaN"}
// (in the store's file and on a fanned-out trial's way back).
export function keepNonFinite(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? { $number: String(value) } : value;
}

export function reviveNonFinite(_key: string, value: unknown): unknown {
  if (value && typeof value === "object" && "$number" in value && Object.keys(value).length === 1) {
    return Number((value as { $number: string }).$number);
  }
  return value;
}
