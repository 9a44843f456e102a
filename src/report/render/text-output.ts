// Text a cell printed, shaped for reading on paper:
//   - carriage returns overwrite the line, as in a terminal and in Jupyter (hand-made progress lines);
//   - a very long output keeps its beginning and its end with a note of what was left out: a grader
//     wants the setup and the final numbers, not 80 pages of per-batch logging (the executed notebook
//     keeps every line);
//   - a single enormous line (a whole array printed as JSON) is cut the same way;
//   - stack frames inside the kernel (tslab, node:vm) say nothing about the notebook and are dropped.
export const HEAD_LINES = 60;
export const TAIL_LINES = 30;
export const LINE_CHARS = 2000;

export interface ShapedText {
  head: string;
  /** Set when lines were left out between head and tail. */
  omitted?: number;
  tail?: string;
}

/** "a\rb" shows "b": within each line only the text after the last carriage return remains. */
export function applyCarriageReturns(text: string): string {
  return text
    .replace(/\r\n/g, "\n")
    .split("\n")
    .map((line) => {
      const trimmed = line.replace(/\r+$/, "");
      const cut = trimmed.lastIndexOf("\r");
      return cut < 0 ? trimmed : trimmed.slice(cut + 1);
    })
    .join("\n");
}

function capLine(line: string): string {
  if (line.length <= LINE_CHARS) return line;
  return `${line.slice(0, LINE_CHARS)} … [${(line.length - LINE_CHARS).toLocaleString("en-US")} more characters]`;
}

export function shapeText(text: string): ShapedText {
  const lines = applyCarriageReturns(text).replace(/\s+$/, "").split("\n").map(capLine);
  // Cut only when it saves a real amount; hiding 3 lines behind a note helps nobody.
  if (lines.length <= HEAD_LINES + TAIL_LINES + 10) return { head: lines.join("\n") };
  return {
    head: lines.slice(0, HEAD_LINES).join("\n"),
    omitted: lines.length - HEAD_LINES - TAIL_LINES,
    tail: lines.slice(-TAIL_LINES).join("\n"),
  };
}

const KERNEL_FRAME = /^\s+at .*(node_modules[\\/]tslab[\\/]|\(node:|\bnode:(vm|internal)|sigintHandlersWrap)/;

/** A stack trace printed on stderr, without the kernel's own frames (an unhandled rejection shows ten). */
export function withoutKernelFrames(text: string): string {
  return text
    .split("\n")
    .filter((line) => !KERNEL_FRAME.test(line))
    .join("\n");
}
