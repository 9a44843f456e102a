// The seed-004 assignment (IFT6135 A2: regularisation and convolutional networks) builds into a
// report on small slices: once as CI and most users run it (no Dogs vs. Cats folder: the section
// says so and the rest builds), once with a tiny generated cats-and-dogs folder (the grid search,
// its table and its three figures appear). `npm run reports` builds it at its default size.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import sharp from "sharp";
import { buildReport } from "./build-report.js";

// The MNIST part at its smallest sensible size.
const SMALL = {
  trainSize: 1000, epochs: 2, dropoutEpochs: 2, cnnEpochs: 2, dropoutMaxSamples: 20,
};

function build(out: string, params: Record<string, unknown>): string {
  const { text } = buildReport("regularization-and-convnets", params, { out });
  // One space for every run of white space (sentences wrap differently at other numbers), and
  // "mini-" at the end of a line joined again to "batches" on the next.
  return text.replace(/\s+/g, " ").replace(/(\w)- (\w)/g, "$1-$2");
}

/** A w×h picture: cats reddish, dogs bluish, with noise; every fifth one painted as the other class. */
async function writePicture(file: string, kind: "cat" | "dog", i: number, w: number, h: number) {
  const raw = Buffer.alloc(w * h * 3);
  const looksLike = i % 5 === 4 ? (kind === "cat" ? "dog" : "cat") : kind;
  let s = 1 + i * 7919 + (kind === "cat" ? 0 : 104729);
  const noise = () => ((s = (s * 48271) % 2147483647) % 90);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      raw[o] = (looksLike === "cat" ? 140 : 60) + noise();
      raw[o + 1] = 60 + noise();
      raw[o + 2] = (looksLike === "dog" ? 140 : 60) + noise();
    }
  }
  const img = sharp(raw, { raw: { width: w, height: h, channels: 3 } });
  await (i % 3 === 0 ? img.png() : img.jpeg({ quality: 90 })).toFile(file);
}

test("notebooks/regularization-and-convnets.ipynb: without the Dogs vs. Cats folder", () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-nb004-"));
  const text = build(out, SMALL);
  assert.match(text, /Assignment 2: Convolutional Networks/);
  assert.match(text, /Joseph D\. Viviano/);
  assert.match(text, /Aaron Courville/);
  assert.match(text, /trainSize = 1000, validationSize = 10000, epochs = 2/);
  assert.match(text, /dropoutMaxSamples = 20/);
  assert.match(text, /dogsCatsDir = ""/);
  // Figures 1-4 and the tables of section 1 and 2(a); none of the grid search's.
  assert.match(text, /Figure 1: Test error at the end of each epoch of the MLP 784-800-800-10/);
  assert.match(text, /Figure 2: L2 norm of all the parameters of the MLP after each minibatch update/);
  assert.match(text, /Figure 3: Test accuracy of the MLP trained with dropout/);
  assert.match(text, /Figure 4: Test error of the two convolutional networks/);
  assert.doesNotMatch(text, /Figure 5:/);
  assert.match(text, /Table 1: The two MLPs after 2 epochs/);
  assert.match(text, /Table 2: Test accuracy of the three evaluation schemes/);
  assert.match(text, /Table 3: The three VGG-style networks/);
  assert.doesNotMatch(text, /The grid search: best validation accuracy/);
  // The exact parameter counts, computed, in the table and the prose.
  assert.match(text, /5,274,882/);
  assert.match(text, /9,539,074/);
  assert.match(text, /1,373,986/);
  assert.match(text, /DeepBoi 5,274,882 parameters, vggStyleNet 5,274,882/);
  assert.match(text, /DeepBoi 1,373,986 parameters, vggStyleNet 1,373,986/);
  assert.match(text, /1,276,810 parameters; library mlp: 1,276,810/);
  // The weight-decay argument with this run's numbers (m = 1000: λ/m = 2.5e-3).
  assert.match(text, /weight decay λ\/m = 2\.5\/1000 = 2\.500e-3/);
  assert.match(text, /c = 0\.9999500/);
  assert.match(text, /The deterministic scheme \(i\) classifies [\d.]+% of the 10,000 test images/);
  // The folder's absence is said plainly, with how to get the images and pass them.
  assert.match(text, /Dogs vs\. Cats images were not given to this run/);
  assert.match(text, /Dogs vs\. Cats” from Kaggle \(https:\/\/www\.kaggl/);
  assert.match(text, /dogsCatsDir="\/path\/to\/dogs-vs-cats\/train"/);
  assert.match(text, /Appendix C\. The training loop/);
  assert.doesNotMatch(text, /\[Function/, "no cell prints the value of its last expression by accident");
  assert.doesNotMatch(text, /\?@/, "every cross-reference resolves");
  assert.doesNotMatch(text, /NaN|Infinity/, "every computed number is finite");
});

test("notebooks/regularization-and-convnets.ipynb: with a small generated cats-and-dogs folder", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-nb004-cats-"));
  for (let i = 0; i < 24; i++) {
    for (const kind of ["cat", "dog"] as const) {
      await writePicture(path.join(dir, `${kind}.${i}.${i % 3 === 0 ? "png" : "jpg"}`), kind, i, 40 + (i % 3) * 8, 36);
    }
  }
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "labreport-nb004-grid-"));
  const text = build(out, {
    trainSize: 500, epochs: 1, dropoutEpochs: 1, cnnEpochs: 1, dropoutMaxSamples: 10,
    validationSize: 1000, dogsCatsDir: dir, imageSize: 32, gridBatchSizes: [16],
    gridArchitectures: ["shallow"], gridEpochs: 1,
  });
  assert.match(text, /gridArchitectures = \["shallow"\], gridEpochs = 1/);
  assert.match(text, /48 images \(cat, dog\): 38 training, 5 validation, 5 test, resized to 32×32/);
  assert.doesNotMatch(text, /images were not given to this run/);
  assert.match(text, /Table 4: The grid search: best validation accuracy of each configuration over 1 epoch of Adam/);
  assert.match(text, /Figure 5: Training and validation accuracy of the best configuration \(shallow, batch size 16\)/);
  assert.match(text, /Figure 6: The 64 filters \(3×3\) of the deepest convolution/);
  assert.match(text, /Only one configuration was trained \(Table 4\): the shallow network with mini-batches of 16/);
  assert.match(text, /generalisation gap/);
  // Misclassified test images: a figure when there are any, else a sentence saying there are none.
  assert.match(text, /Figure 7: The (first \d+ of the )?\d+ misclassified test images?|classifies all 5 test images correctly/);
  assert.doesNotMatch(text, /\?@/, "every cross-reference resolves");
  assert.doesNotMatch(text, /NaN|Infinity/, "every computed number is finite");
});
