// The one kind of error the labreport command prints as a single line, without a stack.

/** An error the user can fix: the message is one line naming the file and the fix. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}
