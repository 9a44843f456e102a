// Output shaping that needs no kernel: merging streams, and recovering an nbformat error from
// tslab's stderr (tslab reports a failed cell only as stderr text plus execute_reply status "error").
import type { Output, StreamOutput } from "../notebook";

/** Consecutive stream outputs of the same name become one, as Jupyter stores them. */
export function mergeStreams(outputs: Output[]): Output[] {
  const merged: Output[] = [];
  for (const o of outputs) {
    const last = merged[merged.length - 1];
    if (o.output_type === "stream" && last?.output_type === "stream" && last.name === o.name) {
      merged[merged.length - 1] = { ...last, text: streamText(last) + streamText(o) };
    } else {
      merged.push(o);
    }
  }
  return merged;
}

function streamText(o: StreamOutput): string {
  return Array.isArray(o.text) ? o.text.join("") : o.text;
}

// tslab prints each TypeScript diagnostic as "[file ]line:col - message".
const DIAGNOSTIC = /^(?:\S+ )?(\d+):(\d+) - /;
// Node prints an error as "Name: message" (or "Name [CODE]: message") and then its stack.
const ERROR_LINE = /^([A-Za-z_$][\w$.]*)(?: \[[^\]]*\])?: (.*)$/;

export interface DerivedError {
  /** The outputs without the stderr chunks that became the error. */
  outputs: Output[];
  ename: string;
  evalue: string;
  traceback: string[];
}

/**
 * tslab writes the error as the cell's last stderr chunks: one chunk per compile diagnostic, or one
 * chunk for a thrown value. Those chunks (not earlier console.error output of the cell) become the
 * error, so a renderer shows the message once. Expects unmerged stream chunks, as received.
 */
export function errorFromStderr(outputs: Output[]): DerivedError {
  const kept = [...outputs];
  const chunks: string[] = [];
  while (kept.length > 0) {
    const last = kept[kept.length - 1]!;
    if (last.output_type !== "stream" || last.name !== "stderr") break;
    const text = streamText(last);
    const diagnostic = DIAGNOSTIC.test(text);
    // A thrown value is a single chunk; diagnostics can be several in a row.
    if (chunks.length > 0 && (!diagnostic || !DIAGNOSTIC.test(chunks[0]!))) break;
    chunks.unshift(text);
    kept.pop();
    if (!diagnostic) break;
  }
  const text = chunks.join("").replace(/\n+$/, "");
  if (text.trim() === "") {
    return { outputs, ename: "Error", evalue: "the cell failed and the kernel gave no message", traceback: [] };
  }
  const lines = text.split("\n");
  const first = lines[0]!.trim();
  if (DIAGNOSTIC.test(first)) {
    const count = lines.filter((l) => DIAGNOSTIC.test(l)).length;
    const evalue = count > 1 ? `${first} (and ${count - 1} more)` : first;
    return { outputs: kept, ename: "TypeScriptError", evalue, traceback: lines };
  }
  // A synchronous throw inside vm code starts with "file:line", the source line, a caret and a blank line.
  let start = 0;
  if (/^\S+:\d+$/.test(first)) {
    const blank = lines.indexOf("");
    if (blank > 0 && blank < lines.length - 1) start = blank + 1;
  }
  const stackAt = lines.findIndex((l, i) => i > start && /^\s+at /.test(l));
  const messageLines = lines.slice(start, stackAt < 0 ? undefined : stackAt);
  const m = ERROR_LINE.exec(messageLines[0]!.trim());
  const ename = m ? m[1]! : "Error";
  const evalue = [m ? m[2]! : messageLines[0]!.trim(), ...messageLines.slice(1)].join("\n");
  // Frames inside tslab and node:vm say nothing about the notebook.
  const traceback = lines.filter((l) => !/^\s+at .*(node_modules[\\/]tslab[\\/]|\(node:|sigintHandlersWrap)/.test(l));
  return { outputs: kept, ename, evalue, traceback };
}
