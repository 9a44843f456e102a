// Fixes to tslab 1.0.22, applied in place at npm install. Each patch is idempotent (a marker says it
// is applied), checks the code it replaces, and says so if tslab changed instead of failing the install.
//
// 1. converter.js: tslab rewrites a reference to a variable of an earlier cell `x` into `exports.x`,
//    but not when it is written as an object shorthand (`{ seed }`), which then fails at run time with
//    "seed is not defined". Students write shorthands all the time.
// 2. jupyter.js: every console.log is one iopub message, sent fire-and-forget. After ~500 sends in one
//    synchronous burst zeromq throws "Socket is busy writing" (swallowed), and at 1,000 queued messages
//    the publisher drops: a cell printing a few thousand lines loses most of them, and its "idle" status
//    too, so a client waiting for it hangs. A send that finds another in flight now waits its turn,
//    and the publisher has no limit.
// 5. converter.js: tslab replaces TypeScript's watch timers by one slot that it runs synchronously
//    before each cell's compile, and throws "Unexpected pending rebuildTimer" when a second timer is
//    asked for while one is pending. That happens when files change on disk during a long cell (a
//    module the notebook imports appears, the library is recompiled, a checkout switches branch): the
//    next cell then fails, after a training run of any length. The slot now holds a queue of timers,
//    run in order.
const fs = require("node:fs");
const path = require("node:path");

let dist;
try {
  dist = path.join(path.dirname(require.resolve("tslab/package.json")), "dist");
} catch {
  process.exit(0); // tslab not installed (yet): nothing to patch
}

const patches = [
  {
    // 3. A notebook outside the repository imports "labreport": tslab resolves modules from the
    //    notebook's folder, where there is none. LABREPORT_TYPES / LABREPORT_LIBRARY (set by the build
    //    for its kernels, and in the registered kernel's env by setup.sh) name the library's files.
    file: "converter.js",
    mark: "/* labreport: library paths */",
    consequence: "notebooks outside the repository cannot import labreport",
    edits: [
      [
        `        typeRoots: getTypeRoots(),`,
        `        typeRoots: getTypeRoots(),
        /* labreport: library paths */
        paths: process.env.LABREPORT_TYPES ? { labreport: [process.env.LABREPORT_TYPES] } : undefined,`,
      ],
    ],
  },
  {
    file: "executor.js",
    mark: "/* labreport: library require */",
    consequence: "notebooks outside the repository cannot import labreport",
    edits: [
      [
        `            if (arg === "tslab") {`,
        `            /* labreport: library require */
            if (arg === "labreport" && process.env.LABREPORT_LIBRARY) {
                try {
                    return req.apply(thisArg, argArray);
                }
                catch (_notBeside) {
                    return require(process.env.LABREPORT_LIBRARY);
                }
            }
            if (arg === "tslab") {`,
      ],
    ],
  },
  {
    file: "converter.js",
    mark: "/* labreport: shorthand fix */",
    consequence: "object shorthands of earlier cells' variables ({ x }) may fail — write { x: x }",
    edits: [
      [
        `        function wrapPrevIdentifier(node) {
            var _a, _b;
            if (!ts.isIdentifier(node)) {`,
        `        function wrapPrevIdentifier(node) {
            var _a, _b;
            /* labreport: shorthand fix */
            if (ts.isShorthandPropertyAssignment(node)) {
                const value = checker.getShorthandAssignmentValueSymbol(node);
                const fromPrev = ((value && value.declarations) || []).some((d) => d.getSourceFile() === declsFile);
                if (!fromPrev) return node;
                const name = node.name.text;
                return ts.factory.createPropertyAssignment(ts.factory.createIdentifier(name),
                    ts.factory.createPropertyAccessExpression(ts.factory.createIdentifier("exports"), ts.factory.createIdentifier(name)));
            }
            if (!ts.isIdentifier(node)) {`,
      ],
    ],
  },
  {
    file: "jupyter.js",
    mark: "/* labreport: queued sends v2 */",
    consequence: "a cell that prints thousands of lines at once may lose output",
    // First undo the first version of this patch (it deferred every send, so a cell that printed and
    // then never yielded, `console.log(x); while (true) {}`, printed nothing).
    undo: [
      [
        `        /* labreport: queued sends */
        const frames = heads.concat(bodies);
        const queued = (labreportSendQueues.get(sock) || Promise.resolve()).then(() => sock.send(frames)).catch(() => undefined);
        labreportSendQueues.set(sock, queued);`,
        `        sock.send(heads.concat(bodies));`,
      ],
      [`const labreportSendQueues = new WeakMap(); // socket → its last send\n`, ``],
      [`        this.iopub = new zmq.Publisher({ sendHighWaterMark: 0 });`, `        this.iopub = new zmq.Publisher();`],
    ],
    edits: [
      [
        `        sock.send(heads.concat(bodies));`,
        `        /* labreport: queued sends v2 */
        // Sent at once when nothing waits (the message leaves even if the cell then never yields);
        // behind the send in flight otherwise, where zeromq would throw "busy" and drop it.
        const frames = heads.concat(bodies);
        const state = labreportSends.get(sock);
        if (!state || !state.queued) {
            try {
                labreportSends.set(sock, { last: sock.send(frames).catch(() => undefined), queued: false });
                return;
            }
            catch (_busy) {
                // a send is in flight: queue behind it
            }
        }
        const entry = { queued: true };
        entry.last = (labreportSends.get(sock) || { last: Promise.resolve() }).last
            .then(() => sock.send(frames)).catch(() => undefined)
            .then(() => { if (labreportSends.get(sock) === entry) entry.queued = false; });
        labreportSends.set(sock, entry);`,
      ],
      [`class ExecutionCount {`, `const labreportSends = new WeakMap(); // socket → { last send, whether sends are queued }\nclass ExecutionCount {`],
      [`        this.iopub = new zmq.Publisher();`, `        this.iopub = new zmq.Publisher({ sendHighWaterMark: 0 });`],
    ],
  },
  {
    file: "converter.js",
    mark: "/* labreport: queued timers */",
    consequence: "a file changing on disk during a cell can fail the next cell with \"Unexpected pending rebuildTimer\"",
    edits: [
      [
        `    let rebuildTimer = null;
    sys.setTimeout = (callback) => {`,
        `    let rebuildTimer = null;
    /* labreport: queued timers */
    const pendingTimers = [];
    const refreshRebuildTimer = () => {
        rebuildTimer = pendingTimers.length === 0 ? null : {
            callback: () => {
                const due = pendingTimers.splice(0);
                rebuildTimer = null;
                for (const timer of due) timer.callback();
                refreshRebuildTimer();
            },
        };
    };
    sys.setTimeout = (callback) => {
        const timer = { callback };
        pendingTimers.push(timer);
        refreshRebuildTimer();
        return timer;
    };
    sys.clearTimeout = (timeoutId) => {
        const i = pendingTimers.indexOf(timeoutId);
        if (i >= 0) pendingTimers.splice(i, 1);
        refreshRebuildTimer();
    };
    const unusedSetTimeout = (callback) => {`,
      ],
      [
        `    sys.clearTimeout = (timeoutId) => {
        if (rebuildTimer === timeoutId) {`,
        `    const unusedClearTimeout = (timeoutId) => {
        if (rebuildTimer === timeoutId) {`,
      ],
    ],
  },
];

for (const patch of patches) {
  const file = path.join(dist, patch.file);
  let source = fs.readFileSync(file, "utf8");
  if (source.includes(patch.mark)) continue;
  for (const [from, to] of patch.undo ?? []) source = source.replace(from, to);
  if (!patch.edits.every(([from]) => source.includes(from))) {
    console.warn(`labreport: tslab's ${patch.file} changed and was not patched; ${patch.consequence}`);
    continue;
  }
  for (const [from, to] of patch.edits) source = source.replace(from, to);
  fs.writeFileSync(file, source);
}
