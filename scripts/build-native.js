#!/usr/bin/env node
// Builds the labnative engine (C++ addon) at `npm install`. A failed build (no compiler, no
// OpenBLAS) must not fail the install: the library then falls back to pure-JS tfjs and says so.
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");

// node-gyp: the project's own copy if installed, else the one bundled with npm.
function nodeGyp() {
  const candidates = [];
  try {
    candidates.push(require.resolve("node-gyp/bin/node-gyp.js", { paths: [root] }));
  } catch {}
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  const prefix = path.resolve(path.dirname(process.execPath), "..");
  candidates.push(path.join(prefix, "lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"));
  return candidates.find((p) => fs.existsSync(p));
}

// Headers installed with Node itself (Debian's nodejs-dev): no download needed.
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = path.resolve(path.dirname(process.execPath), "..");
  return fs.existsSync(path.join(prefix, "include/node/node_api.h")) ? [`--nodedir=${prefix}`] : [];
}

function main() {
  if (process.env.LABREPORT_SKIP_NATIVE) return warn("skipped (LABREPORT_SKIP_NATIVE is set)");
  const gyp = nodeGyp();
  if (!gyp) return warn("node-gyp not found");
  const r = spawnSync(process.execPath, [gyp, "rebuild", ...nodedirArgs()], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) {
    const why = `${r.stderr || ""}${r.stdout || ""}`.split("\n").find((l) => /error|not found|No such/i.test(l));
    return warn(`build failed${why ? `: ${why.trim()}` : ""}`);
  }
}

function warn(why) {
  console.warn(`labreport: native engine not built (${why}); training will use pure-JS tfjs, much slower.`);
}

main();
process.exit(0);
