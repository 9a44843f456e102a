// Where tests find the repository's files: compiled tests run from dist/test/…, fixtures stay in test/.
import * as path from "node:path";

export const REPO = path.resolve(__dirname, "..", "..");
export const FIXTURES = path.join(REPO, "test", "fixtures");
export const CLI = path.join(REPO, "dist", "src", "cli.js");
