// Checkpoints on disk: a model's weights, its optimiser's state (momentum buffers, Adam moments,
// step count), the random state of seeded dropout layers, the epoch and the History so far.
// Pure tfjs has no file:// model handler, so tensors are written by hand: one binary of float32
// values and a JSON manifest saying which bytes are which tensor.
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { Random } from "../data/random.js";
import { History } from "../train/history.js";
import { TrainingOptimizer } from "../train/optimizers.js";

/** Where one tensor lies in the binary file. */
interface TensorEntry {
  name: string;
  shape: number[];
  dtype: "float32" | "int32";
  /** Offset in values (4 bytes each). */
  offset: number;
}

/**
 * The manifest.json of a checkpoint folder.
 *
 * @example
 * const manifest = await loadCheckpoint("checkpoints/run1", model, optimizer);
 * manifest.epoch; // the last finished epoch
 */
export interface CheckpointManifest {
  format: "labreport-checkpoint";
  version: 1;
  /** The last finished epoch. */
  epoch: number;
  /** The file of tensor values in the same folder. */
  valuesFile: string;
  weights: TensorEntry[];
  optimizer: {
    config: Record<string, unknown>; learningRate: number; baseLearningRate: number; state: TensorEntry[];
    /** Checkpoints made with tfjs's Adam saved its β powers here; ignored (TorchOptimizer derives them from "iter"). */
    extra?: Record<string, number>;
  } | null;
  /** Random generator state of seeded layers, by layer position. */
  randomStates: Record<string, number>;
  history: Record<string, unknown> | null;
  /** Anything else the caller keeps (JSON). */
  extra: unknown;
  savedAt: string;
}

/**
 * What to save besides the model.
 *
 * @example
 * await saveCheckpoint("checkpoints/run1", model, { epoch: 3, optimizer, history });
 */
export interface CheckpointContents {
  epoch: number;
  optimizer?: TrainingOptimizer;
  /** The learning rate a schedule starts from (default the optimiser's current rate). */
  baseLearningRate?: number;
  history?: History;
  extra?: unknown;
}

const MANIFEST = "manifest.json";

/**
 * Writes a checkpoint into `dir` (created if needed); the previous one there is replaced only once
 * the new one is complete, so an interruption while saving leaves the old one readable.
 *
 * @example
 * await saveCheckpoint("checkpoints/run1", model, { epoch: 5, optimizer, history });
 */
export async function saveCheckpoint(dir: string, model: tf.LayersModel, contents: CheckpointContents): Promise<CheckpointManifest> {
  fs.mkdirSync(dir, { recursive: true });
  const chunks: Float32Array[] = [];
  let offset = 0;
  const add = (name: string, tensor: tf.Tensor): TensorEntry => {
    if (tensor.dtype !== "float32" && tensor.dtype !== "int32") throw new Error(`cannot checkpoint ${name}: dtype ${tensor.dtype}`);
    const values = tensor.dataSync();
    // int32 values are stored bit for bit in the float32 stream.
    const chunk = tensor.dtype === "int32" ? new Float32Array(new Int32Array(values as Int32Array).buffer) : new Float32Array(values as Float32Array);
    chunks.push(chunk);
    const entry: TensorEntry = { name, shape: tensor.shape.slice(), dtype: tensor.dtype, offset };
    offset += chunk.length;
    return entry;
  };
  const weights = model.weights.map((w, i) => add(`${i}:${w.originalName}`, w.read()));
  let optimizer: CheckpointManifest["optimizer"] = null;
  if (contents.optimizer) {
    const opt = contents.optimizer;
    const named = await opt.optimizer.getWeights();
    const state = named.map((n, i) => add(`${i}:${n.name}`, n.tensor));
    optimizer = {
      config: { ...opt.config },
      learningRate: opt.learningRate,
      baseLearningRate: contents.baseLearningRate ?? opt.learningRate,
      state,
    };
    // getWeights returns a fresh tensor for the step count; free it (the others are the live variables).
    if (named.length > 0 && named[0].name === "iter") named[0].tensor.dispose();
  }
  const randomStates = captureRandomStates(model);
  const valuesFile = `values-${contents.epoch}-${Date.now()}.bin`;
  const bytes = Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
  fs.writeFileSync(path.join(dir, valuesFile), bytes);
  const manifest: CheckpointManifest = {
    format: "labreport-checkpoint",
    version: 1,
    epoch: contents.epoch,
    valuesFile,
    weights,
    optimizer,
    randomStates,
    history: contents.history ? historyToJson(contents.history) : null,
    extra: contents.extra ?? null,
    savedAt: new Date().toISOString(),
  };
  const previous = readManifestIfAny(dir);
  const tmp = path.join(dir, `${MANIFEST}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(manifest, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v), 1));
  fs.renameSync(tmp, path.join(dir, MANIFEST));
  if (previous && previous.valuesFile !== valuesFile) fs.rmSync(path.join(dir, previous.valuesFile), { force: true });
  return manifest;
}

/**
 * Whether `dir` holds a checkpoint.
 *
 * @example
 * if (hasCheckpoint("checkpoints/run1")) await loadCheckpoint("checkpoints/run1", model);
 */
export function hasCheckpoint(dir: string): boolean {
  return fs.existsSync(path.join(dir, MANIFEST));
}

/**
 * Reads a checkpoint back into `model` (same architecture) and, when given, `optimizer` (same kind);
 * returns the manifest (epoch, history, extra). Errors name the file and the mismatch.
 *
 * @example
 * const { epoch } = await loadCheckpoint("checkpoints/run1", model, optimizer);
 */
export async function loadCheckpoint(dir: string, model: tf.LayersModel, optimizer?: TrainingOptimizer): Promise<CheckpointManifest> {
  const manifest = readManifestIfAny(dir);
  if (!manifest) throw new Error(`no checkpoint in ${path.resolve(dir)} (no ${MANIFEST})`);
  const file = path.join(dir, manifest.valuesFile);
  if (!fs.existsSync(file)) throw new Error(`checkpoint ${path.resolve(dir)} is incomplete: ${manifest.valuesFile} is missing`);
  const buffer = fs.readFileSync(file);
  const values = new Float32Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength));
  const tensorOf = (e: TensorEntry) => {
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (e.offset + size > values.length) throw new Error(`checkpoint ${path.resolve(dir)} is truncated at ${e.name}`);
    const slice = values.slice(e.offset, e.offset + size);
    return e.dtype === "int32" ? tf.tensor(new Int32Array(slice.buffer), e.shape, "int32") : tf.tensor(slice, e.shape, "float32");
  };
  const current = model.weights;
  if (current.length !== manifest.weights.length) {
    throw new Error(`checkpoint ${path.resolve(dir)} has ${manifest.weights.length} weight tensors but the model has ${current.length}: not the same architecture`);
  }
  manifest.weights.forEach((e, i) => {
    const shape = current[i].shape;
    if (shape.join(",") !== e.shape.join(",")) {
      throw new Error(`checkpoint ${path.resolve(dir)}: weight ${e.name} has shape [${e.shape}] but the model's ${current[i].originalName} has [${shape}]`);
    }
  });
  const tensors = manifest.weights.map(tensorOf);
  model.setWeights(tensors);
  tf.dispose(tensors);
  if (optimizer) {
    if (!manifest.optimizer) throw new Error(`checkpoint ${path.resolve(dir)} holds no optimiser state`);
    const saved = manifest.optimizer;
    if (saved.config.name !== optimizer.config.name) {
      throw new Error(`checkpoint ${path.resolve(dir)} was saved with optimiser ${saved.config.name}, not ${optimizer.config.name}`);
    }
    const named = saved.state.map((e) => ({ name: e.name.slice(e.name.indexOf(":") + 1), tensor: tensorOf(e) }));
    await optimizer.optimizer.setWeights(named);
    tf.dispose(named.map((n) => n.tensor));
    optimizer.setLearningRate(saved.learningRate);
  }
  restoreRandomStates(model, manifest.randomStates);
  return manifest;
}

/**
 * The state of every seeded random stream in the model's layers (SeededDropout masks), by layer position.
 *
 * @example
 * const states = captureRandomStates(model); // { "2": 123456789 }
 */
export function captureRandomStates(model: tf.LayersModel): Record<string, number> {
  const states: Record<string, number> = {};
  model.layers.forEach((layer, i) => {
    const random = (layer as unknown as { random?: unknown }).random;
    if (random instanceof Random) states[String(i)] = (random as unknown as { state: number }).state;
  });
  return states;
}

/** Puts back states from captureRandomStates, so the next dropout masks repeat. @example restoreRandomStates(model, states); */
export function restoreRandomStates(model: tf.LayersModel, states: Record<string, number>): void {
  model.layers.forEach((layer, i) => {
    const state = states[String(i)];
    const random = (layer as unknown as { random?: unknown }).random;
    if (state !== undefined && random instanceof Random) (random as unknown as { state: number }).state = state;
  });
}

/**
 * The History stored in a checkpoint manifest.
 *
 * @example
 * const history = historyFromManifest(await loadCheckpoint("checkpoints/run1", model));
 */
export function historyFromManifest(manifest: CheckpointManifest): History {
  const history = new History();
  const saved = manifest.history as Record<string, unknown> | null;
  if (!saved) return history;
  for (const key of Object.keys(history) as (keyof History)[]) {
    const value = saved[key];
    if (Array.isArray(value)) (history as unknown as Record<string, unknown>)[key] = value.map((v) => (typeof v === "string" ? Number(v) : v));
    else if (typeof value === "number") (history as unknown as Record<string, unknown>)[key] = value;
  }
  // Checkpoints from before throughput was recorded: NaN for their epochs keeps the arrays aligned.
  if (history.samplesPerSecond.length < history.epochs.length) {
    history.samplesPerSecond = history.epochs.map((_, i) => history.samplesPerSecond[i] ?? NaN);
  }
  return history;
}

function historyToJson(history: History): Record<string, unknown> {
  return JSON.parse(JSON.stringify({ ...history }, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v)));
}

function readManifestIfAny(dir: string): CheckpointManifest | null {
  const file = path.join(dir, MANIFEST);
  if (!fs.existsSync(file)) return null;
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`checkpoint manifest ${path.resolve(file)} is corrupt (${(err as Error).message}); delete the folder to start over`);
  }
  if (manifest?.format !== "labreport-checkpoint") throw new Error(`${path.resolve(file)} is not a labreport checkpoint manifest`);
  return manifest;
}
