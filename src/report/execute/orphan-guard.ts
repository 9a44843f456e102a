// Loaded into every kernel this tool starts (node --require): the kernel ends itself once the process
// that started it is gone. A build that exits normally kills its kernels (jupyter-kernel.ts), but one
// killed outright (a queue worker SIGKILLed, an OOM kill) cannot, and its kernel would otherwise
// train on, unseen, for as long as the notebook runs.
const parent = process.ppid;
const CHECK_EVERY_MS = 2_000;

function parentAlive(): boolean {
  try {
    process.kill(parent, 0);
    return true;
  } catch (err) {
    // EPERM: alive, owned by someone else (cannot be our parent's case, but it is not "gone").
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

// unref: the check never keeps a kernel alive that would otherwise exit.
setInterval(() => {
  if (!parentAlive()) process.exit(137);
}, CHECK_EVERY_MS).unref();
