// Gives the registered tslab kernel (Jupyter's kernel.json) the library's location, so that a notebook
// opened in Jupyter anywhere on disk can `import … from "labreport"`: the same variables the build
// gives its own kernels (libraryEnv in src/report/execute/jupyter-kernel.ts; patch 3 in scripts/patch-tslab.js
// reads them). Run by setup.sh after compiling and `tslab install`; safe to run again.
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { libraryEnv } = require("../dist/src/report/execute/jupyter-kernel.js");

const specs = JSON.parse(execFileSync("jupyter", ["kernelspec", "list", "--json"], { encoding: "utf8" })).kernelspecs;
for (const name of ["tslab", "jslab"]) {
  if (!specs[name]) continue;
  const file = path.join(specs[name].resource_dir, "kernel.json");
  const spec = JSON.parse(fs.readFileSync(file, "utf8"));
  spec.env = { ...spec.env, ...libraryEnv() };
  fs.writeFileSync(file, JSON.stringify(spec, null, 1) + "\n");
}
