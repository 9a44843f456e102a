// The one kind of error the labreport command prints as a single line, without a stack, and the one
// place any error becomes that line.

/** An error the user can fix: the message is one line naming the file and the fix. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}

/** Set LABREPORT_DEBUG=1 to get the stack after the line (for reporting a bug of labreport's). */
export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.LABREPORT_DEBUG) && env.LABREPORT_DEBUG !== "0";
}

/**
 * The line printed after "error: ". A UserError says what to fix; anything else is a bug of ours, not
 * the user's: one line naming the file, the message and where it was thrown, never a raw stack.
 */
export function errorLine(err: unknown, file?: string): string {
  if (err instanceof UserError) return err.message;
  const e = err instanceof Error ? err : new Error(String(err));
  const where = e.stack?.split("\n").find((l) => /^\s+at /.test(l))?.trim() ?? "";
  return (
    `${file ? `${file}: ` : ""}labreport failed unexpectedly (${e.message.split("\n")[0]}${where ? `, ${where}` : ""}); ` +
    `nothing was replaced — please report this with the ${file ? "file" : "command"} (LABREPORT_DEBUG=1 prints the stack)`
  );
}
