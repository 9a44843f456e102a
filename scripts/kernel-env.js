// Gives the registered tslab kernel (Jupyter's kernel.json) the library's location, so that a notebook
// opened in Jupyter anywhere on disk can `import … from "labreport"` (see libraryEnv in
// src/build/execute/kernel.ts and patch 3 in scripts/patch-tslab.js). Run by setup.sh after
// `tslab install`; safe to run again.
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const specs = JSON.parse(execFileSync("jupyter", ["kernelspec", "list", "--json"], { encoding: "utf8" })).kernelspecs;
const dist = path.resolve(__dirname, "..", "dist", "src");
for (const name of ["tslab", "jslab"]) {
  if (!specs[name]) continue;
  const file = path.join(specs[name].resource_dir, "kernel.json");
  const spec = JSON.parse(fs.readFileSync(file, "utf8"));
  spec.env = { ...spec.env, LABREPORT_LIBRARY: path.join(dist, "index.js"), LABREPORT_TYPES: path.join(dist, "index.d.ts") };
  fs.writeFileSync(file, JSON.stringify(spec, null, 1) + "\n");
}
