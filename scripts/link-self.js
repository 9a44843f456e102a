// Makes the project importable as `labreport` from notebooks/ and anywhere below the root:
// tslab resolves imports like Node (node_modules lookup), and cannot import ../src directly.
const fs = require("node:fs");
const path = require("node:path");
const link = path.join(__dirname, "..", "node_modules", "labreport");
try {
  const stat = fs.lstatSync(link);
  if (stat.isSymbolicLink() && fs.readlinkSync(link) === "..") process.exit(0);
  fs.rmSync(link, { recursive: true, force: true });
} catch {}
fs.mkdirSync(path.dirname(link), { recursive: true });
fs.symlinkSync("..", link, "dir");
